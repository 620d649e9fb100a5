"""The Script tab: paste or upload a script (or subtitles), cast its speakers, render with progress, then
a timeline of lines to play, re-render or inspect, and the mix, stems and SRT to download.

A thin view over ``ScriptDesk`` (voxnb.dashboard.script_desk), which does the work."""
from __future__ import annotations

import ipywidgets as W

from ..settings import STYLES
from .i18n import t
from .labels import escape, header
from .output_panels import data_link
from .script_desk import NO_NAME, ScriptDesk


class ScriptPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.desk = ScriptDesk(app.session)
        self.title = header("")
        self.help = W.HTML()
        self.text = W.Textarea(layout=W.Layout(width="100%", height="120px"))
        self.text.add_class("voxnb-script-text")
        self.upload = W.FileUpload(accept=".txt,.csv,.srt", multiple=False)
        self.upload.add_class("voxnb-script-upload")
        self.read_button = W.Button(icon="list")
        self.read_button.add_class("voxnb-script-read")
        self.cast_title = W.HTML()
        self.cast_box = W.VBox()
        self.pause = W.FloatSlider(value=0.4, min=0.0, max=2.0, step=0.1)
        self.render_button = W.Button(button_style="success", icon="play", disabled=True)
        self.render_button.add_class("voxnb-script-render")
        self.progress = W.FloatProgress(value=0, min=0, max=1, layout=W.Layout(width="50%"))
        self.player = W.Audio(format="wav", autoplay=True, layout=W.Layout(display="none"))
        self.timeline = W.VBox()
        self.timeline.add_class("voxnb-script-timeline")
        self.report = W.HTML()
        self.downloads = W.HTML()
        self.downloads.add_class("voxnb-script-downloads")
        self.pickers: dict[str, W.Dropdown] = {}
        super().__init__([self.title, self.help, self.text, W.HBox([self.upload, self.read_button]), self.cast_title,
                          self.cast_box, W.HBox([self.pause, self.render_button, self.progress]), self.player,
                          self.timeline, self.report, self.downloads])
        self.add_class("voxnb-script")
        self.upload.observe(lambda c: self.app.run(self._uploaded), "value")
        self.read_button.on_click(lambda _: self.app.run(self.read))
        self.render_button.on_click(lambda _: self._heavy(self.render))

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('script_header', lang)}</h3>"
        self.help.value = f"<div style='color:#666'>{escape(t('script_help', lang))}</div>"
        self.text.placeholder = t("script_placeholder", lang)
        self.upload.description = t("script_upload", lang)
        self.read_button.description = t("script_read", lang)
        self.cast_title.value = f"<b>{t('script_cast', lang)}</b>" if self.pickers else ""
        for who, picker in self.pickers.items():
            picker.description = who if who != NO_NAME else t("script_no_name", lang)
        self.pause.description = t("script_pause", lang)
        self.render_button.description = t("script_render", lang)
        self._draw()

    # -- reading and casting ---------------------------------------------------------------
    def _uploaded(self) -> None:
        if not self.upload.value:
            return
        item = self.upload.value[0]
        self.text.value = bytes(item["content"]).decode("utf-8-sig", errors="replace")
        self.read(item["name"])

    def read(self, filename: str = "") -> None:
        lang = self.app.lang
        who = self.desk.read(self.text.value, filename)
        options = self.desk.voice_options()
        self.pickers = {name: W.Dropdown(options=options, value=self._guess(name, k, options),
                                         description=name if name != NO_NAME else t("script_no_name", lang),
                                         layout=W.Layout(width="360px")) for k, name in enumerate(who)}
        for picker in self.pickers.values():
            picker.add_class("voxnb-script-voice")
        self.cast_box.children = list(self.pickers.values())
        self.cast_title.value = f"<b>{t('script_cast', lang)}</b>"
        self.render_button.disabled = not options
        n = len(self.desk.cues) if self.desk.cues is not None else len(self.desk.lines)
        self.app.set_status("script_read_ok", n=n, k=len(who))

    @staticmethod
    def _guess(name: str, k: int, options: list[str]) -> str | None:
        """A voice named like the speaker (case aside), else the k-th: two speakers start in two voices."""
        match = [o for o in options if o.lower() == name.lower()]
        return match[0] if match else (options[k % len(options)] if options else None)

    # -- rendering ---------------------------------------------------------------------------
    def _heavy(self, fn) -> None:
        self.app.run_holding_engine(fn, self.render_button)

    def _step(self, i: int, n: int) -> None:
        self.progress.value = i / n
        self.app.set_status("script_rendering", i=i, n=n)

    def render(self) -> None:
        self.progress.value = 0
        cast = {who: picker.value for who, picker in self.pickers.items()}
        self.desk.render(cast, self.pause.value, on_progress=self._step)
        self._finish()

    def _finish(self) -> None:
        self.progress.value = 1
        d = self.desk
        if d.dubbed is not None:
            self.app.set_status("dub_done", n=len(d.dubbed.cues), fit=len(d.dubbed.cues) - len(d.dubbed.unfit))
        else:
            self.app.set_status("script_done", n=len(d.show.timeline), new=d.show.rendered, kept=d.show.reused,
                                dur=d.show.timeline[-1]["end_s"])
        self._draw()

    def _draw(self) -> None:
        """The timeline, the dub's report and the downloads, in the viewer's language."""
        d, lang = self.desk, self.app.lang
        if d.show is None and d.dubbed is None:
            self.timeline.children, self.report.value, self.downloads.value = (), "", ""
            return
        name, mix = d.mix_bytes()
        links = data_link(t("script_mix", lang), mix, name, "audio/wav", "voxnb-script-mix")
        if d.dubbed is not None:
            self.timeline.children = ()
            self.report.value = "".join(
                f"<div style='color:#b26b00'>⚠ {escape(t('dub_unfit', lang, index=c.index, over=c.overrun_s, speed=c.speed, text=c.text[:60]))}</div>"
                for c in d.dubbed.unfit)
        else:
            self.report.value = ""
            self.timeline.children = [self._row(i, entry, lang) for i, entry in enumerate(d.show.timeline, 1)]
            srt_name, srt = d.srt_bytes()
            zip_name, stems = d.stems_zip()
            links += (data_link(t("script_srt", lang), srt, srt_name, "application/x-subrip", "voxnb-script-srt")
                      + data_link(t("script_stems", lang), stems, zip_name, "application/zip", "voxnb-script-stems"))
        self.downloads.value = links

    def _row(self, i: int, entry: dict, lang: str) -> W.HBox:
        label = W.HTML(escape(t("script_row", lang, i=i, speaker=entry["speaker"], start=entry["start_s"],
                                end=entry["end_s"], text=entry["text"][:60])), layout=W.Layout(width="52%"))
        line = self.desk.lines[i - 1]
        style = W.Dropdown(options=list(STYLES), value=line.style or "neutral", layout=W.Layout(width="110px"))
        play = W.Button(description=t("script_play", lang), icon="play", layout=W.Layout(width="90px"))
        redo = W.Button(description=t("script_redo", lang), icon="refresh", layout=W.Layout(width="120px"))
        look = W.Button(description=t("script_inspect", lang), icon="search", layout=W.Layout(width="110px"))
        for widget, css in ((play, "play"), (redo, "redo"), (look, "inspect")):
            widget.add_class(f"voxnb-script-{css}")
        play.on_click(lambda _: self.app.run(lambda: self._play(i)))
        redo.on_click(lambda _: self._heavy(lambda: self._redo(i, style.value)))
        look.on_click(lambda _: self._heavy(lambda: self._inspect(i)))
        return W.HBox([label, style, play, redo, look])

    def _play(self, i: int) -> None:
        self.player.value = self.desk.take(i)
        self.player.layout.display = ""

    def _redo(self, i: int, style: str) -> None:
        seed = (self.desk.lines[i - 1].seed or 0) + 1    # a new take where the engine's seed matters
        self.desk.rerender(i, style=style, seed=seed)
        self._finish()
        self._play(i)

    def _inspect(self, i: int) -> None:
        result = self.desk.inspect(i)
        self.app.inspector.show(result)
