"""The Fine-tune section, its dataset half: upload recordings, prepare a dataset with progress, then a table
of its segments a page at a time: play one, fix its transcript, keep or drop it (each edit saved).

A thin view over ``FinetuneDesk`` (voxnb.dashboard.finetune_desk)."""
from __future__ import annotations

import ipywidgets as W

from .i18n import t
from .labels import escape, header
from .finetune_desk import FinetuneDesk


class FinetunePanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.desk = FinetuneDesk(app.session)
        self.title = header("")
        self.help = W.HTML()
        self.upload = W.FileUpload(accept=".wav,.flac,.ogg,.mp3", multiple=True)
        self.upload.add_class("voxnb-ft-upload")
        self.files = W.HTML()
        self.name = W.Text(value="", layout=W.Layout(width="260px"))
        self.consent = W.Checkbox(value=False, indent=False)
        self.consent.add_class("voxnb-ft-consent")
        self.lang = W.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value="en")
        self.go = W.Button(button_style="success", icon="scissors", disabled=True)
        self.go.add_class("voxnb-ft-prepare")
        self.progress = W.FloatProgress(value=0, min=0, max=1, layout=W.Layout(width="40%"))
        self.summary = W.HTML()
        self.summary.add_class("voxnb-ft-summary")
        self.player = W.Audio(format="wav", autoplay=True, layout=W.Layout(display="none"))
        self.table = W.VBox()
        self.table.add_class("voxnb-ft-table")
        self.prev, self.next = W.Button(icon="chevron-left"), W.Button(icon="chevron-right")
        self.page = W.HTML()
        self.nav = W.HBox([self.prev, self.page, self.next], layout=W.Layout(display="none"))
        super().__init__([self.title, self.help, W.HBox([self.upload, self.files]), W.HBox([self.name, self.lang]),
                          self.consent, W.HBox([self.go, self.progress]), self.summary, self.player, self.table,
                          self.nav])
        self.add_class("voxnb-finetune")
        self.upload.observe(lambda c: self.app.run(lambda: self._on_upload(c)), "value")
        self.go.on_click(lambda _: self.app.run_holding_engine(self.prepare, self.go, then=self._draw))
        self.prev.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(1))

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('ft_header', lang)}</h3>"
        self.help.value = f"<div style='color:#666'>{escape(t('ft_help', lang))}</div>"
        self.upload.description = t("ft_upload", lang)
        self.name.description = t("ft_name", lang)
        self.consent.description = t("consent", lang)
        self.go.description = t("ft_prepare", lang)
        self._files()
        self._draw()

    def _files(self) -> None:
        names = [p.name for p in self.desk.files]
        self.files.value = escape(t("ft_files", self.app.lang, n=len(names), names=", ".join(names))) if names else ""

    def _on_upload(self, change) -> None:
        if not change.new:
            return
        for item in change.new:
            self.desk.add_upload(item["name"], bytes(item["content"]))
        self.upload.value = ()     # the bytes live in the work folder now, not in the widget
        self.go.disabled = not self.desk.files
        self._files()

    def prepare(self) -> None:
        def step(stage, i, n):
            self.progress.value = i / n
            self.app.set_status("ft_preparing", i=i, n=n)

        self.progress.value = 0
        self.desk.prepare(self.name.value.strip() or "voice", self.consent.value, self.lang.value, on_progress=step)
        self.progress.value = 1
        self.app.set_status(None)

    def _turn(self, step: int) -> None:
        self.desk.turn(step)
        self._draw()

    def _draw(self) -> None:
        ds, lang = self.desk.dataset, self.app.lang
        if ds is None:
            self.summary.value, self.table.children = "", ()
            self.nav.layout.display = "none"
            return
        dropped = {}
        for s in ds.segments:
            if not s.kept:
                dropped[s.reason] = dropped.get(s.reason, 0) + 1
        why = ", ".join(f"{n} × {t(f'ft_reason_{r}', lang)}" for r, n in dropped.items()) or t("ft_none", lang)
        self.summary.value = escape(t("ft_summary", lang, kept=sum(s.kept for s in ds.segments),
                                      total=len(ds.segments), sec=ds.kept_s, dropped=why))
        self.table.children = [self._row(s, lang) for s in self.desk.rows()]
        self.page.value = t("ft_page", lang, i=self.desk.page + 1, n=self.desk.pages)
        self.nav.layout.display = "" if self.desk.pages > 1 else "none"

    def _row(self, s, lang: str) -> W.HBox:
        label = W.HTML(escape(t("ft_row", lang, i=s.index, source=s.source, start=s.start_s, end=s.end_s,
                                dur=s.duration_s)), layout=W.Layout(width="300px"))
        play = W.Button(description=t("ft_play", lang), icon="play", layout=W.Layout(width="80px"))
        text = W.Text(value=s.transcript, continuous_update=False, layout=W.Layout(width="420px"))
        kept = W.Checkbox(value=s.kept, description=t("ft_kept", lang), indent=False, layout=W.Layout(width="80px"))
        reason = W.HTML("" if s.kept else f"<span style='color:#b26b00'>{escape(t(f'ft_reason_{s.reason}', lang))}</span>")
        for widget, css in ((play, "play"), (text, "text"), (kept, "kept")):
            widget.add_class(f"voxnb-ft-{css}")
        play.on_click(lambda _: self.app.run(lambda: self._play(s)))
        text.observe(lambda c: self.app.run(lambda: self.desk.edit(s.index, transcript=c.new.strip())), "value")
        kept.observe(lambda c: self.app.run(lambda: self._keep(s.index, c.new)), "value")
        return W.HBox([label, play, text, kept, reason])

    def _play(self, s) -> None:
        self.player.value = self.desk.audio(s)
        self.player.layout.display = ""

    def _keep(self, index: int, keep: bool) -> None:
        self.desk.edit(index, kept=keep, **({} if keep else {"reason": "user"}))
        self._draw()
