"""Views for what the user puts in: the reference voice, the text, and the style controls.

Thin views: they read and write widgets, and call the Session for anything that matters.
Every control a person uses carries a stable ``voxnb-*`` CSS class for browser tests.
"""
from __future__ import annotations

import random
import threading

import ipywidgets as W

from ..messages import shown
from ..settings import SEED_RANGE, SPEED_RANGE, STYLES, SynthesisSettings
from ..text import MAX_TEXT_CHARS
from .i18n import STRINGS, t
from .labels import escape, fit_detail, header, instruction_options, set_options, style_name
from .refine_panel import RefineBox
from .session import sample_voices

class ReferencePanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.source = W.ToggleButtons(options=[("", "upload"), ("", "sample"), ("", "saved")], value="upload")
        self.upload = W.FileUpload(accept=".wav,.flac,.ogg,.mp3,.m4a,audio/*", multiple=False)
        self.upload.add_class("voxnb-ref-upload")
        self.sample = W.Dropdown(options=list(sample_voices()), layout=W.Layout(width="320px"))
        self.saved = W.Dropdown(options=[], layout=W.Layout(width="320px"))
        self.report = W.HTML()
        self.preview = W.Audio(format="wav", autoplay=False, layout=W.Layout(width="320px", display="none"))
        self.transcript = W.Textarea(layout=W.Layout(width="100%", height="48px"))
        self.transcribe = W.Button(icon="comment")
        self.consent = W.Checkbox(value=False, indent=False)
        self.consent.add_class("voxnb-consent")
        self.enroll = W.Button(button_style="primary", icon="user")
        self.enroll.add_class("voxnb-enroll")
        self.name = W.Text(layout=W.Layout(width="200px"))
        self.save = W.Button(icon="save")
        self.save.add_class("voxnb-save-voice")
        self.status = W.HTML()
        self.status.add_class("voxnb-voice-status")
        self.picker = W.Box([self.upload])
        self.refiner = RefineBox(app)
        super().__init__([self.title, self.source, self.picker, self.report, self.preview,
                          W.HBox([self.transcript, self.transcribe]), W.HBox([self.consent, self.enroll]),
                          W.HBox([self.name, self.save]), self.status, self.refiner])
        self.source.observe(self._on_source, "value")
        self.upload.observe(self._on_upload, "value")
        self.sample.observe(lambda _: self.app.run(self._load_sample), "value")
        self.saved.observe(lambda _: self.app.run(self._load_saved), "value")
        self.enroll.on_click(lambda _: self.app.run(self._enroll, background=True))
        self.transcribe.on_click(lambda _: self.app.run(self._transcribe, background=True))
        self.save.on_click(lambda _: self.app.run(self._save))

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('ref_header', lang)}</h3>"
        # new labels reset the selection to the first (upload): put it back without reloading anything
        value, self._relabeling = self.source.value, True
        try:
            self.source.options = [(t("src_upload", lang), "upload"), (t("src_sample", lang), "sample"),
                                   (t("src_saved", lang), "saved")]
            self.source.value = value
        finally:
            self._relabeling = False
        self.upload.description = t("src_upload", lang)
        self.upload.tooltip = t("upload", lang)
        self.transcript.placeholder = t("transcript", lang)
        self.transcribe.description = t("transcribe", lang)
        self.consent.description = t("consent", lang)
        self.enroll.description = t("enroll", lang)
        self.name.placeholder = t("voice_name", lang)
        self.save.description = t("save_voice", lang)
        self.refiner.relabel(lang)
        self.refresh_status()
        if self.app.session.reference is not None:
            self._report(self.app.session.reference)

    def refresh_status(self) -> None:
        lang, v = self.app.lang, self.app.session.voice
        if v is None:
            self.status.value = f"<i>{t('no_voice', lang)}</i>"
        else:
            # voices cloned before the d-vector became the fitting encoder carry a GE2E score
            score = v.info.get("dvector", v.info.get("ge2e", "—")) if v.info else "—"
            self.status.value = (f"<b>{escape(t('voice_ready', lang, name=v.name, id=v.id, score=score))}</b>"
                                 f"{fit_detail(v, lang)}")
            if v.transcript and not self.transcript.value.strip():
                self.transcript.value = v.transcript   # what ASR heard, shown so it can be corrected
        self.refiner.refresh()

    def refresh_saved(self) -> None:
        self.saved.options = self.app.session.library.names()

    def _on_source(self, change) -> None:
        if getattr(self, "_relabeling", False):
            return
        self.picker.children = [{"upload": self.upload, "sample": self.sample, "saved": self.saved}[change.new]]
        self.consent.layout.display = "" if change.new == "upload" else "none"
        if change.new == "saved":
            self.refresh_saved()
            self.app.run(self._load_saved)
        elif change.new == "sample":
            self.app.run(self._load_sample)

    def _on_upload(self, change) -> None:
        if not change.new:
            return
        from .uploads import take_upload

        self.app.run(lambda: take_upload(self, change.new[0]))

    def _load_sample(self) -> None:
        if self.sample.value:
            self._show_reference(self.app.session.load_sample(self.sample.value))

    def _load_saved(self) -> None:
        if self.saved.value:
            voice = self.app.session.use_saved(self.saved.value)
            self.transcript.value = voice.transcript
            self.report.value = ""
            self.preview.layout.display = "none"
            self.refresh_status()

    def _show_reference(self, ref) -> None:
        from .session import wav_bytes

        self._report(ref)
        self.preview.value = wav_bytes(ref.audio, ref.sample_rate)
        self.preview.layout.display = ""
        self.refresh_status()

    def _report(self, ref) -> None:
        r = ref.report
        text = t("report", self.app.lang, dur=r.duration_s, ratio=r.speech_ratio, snr=r.snr_db,
                 clip=r.clipping_ratio, sr=r.original_sample_rate)
        from ..messages import warning

        warn = "".join(f"<div style='color:#b26b00'>⚠ {escape(warning(w, self.app.lang))}</div>" for w in r.warnings)
        name = self.app.session.reference_name   # the viewer's own file name, not the internal one
        named = f"<b>{escape(name)}</b> · " if name else ""
        self.report.value = f"<div class='voxnb-report'>{named}{escape(text)}{warn}</div>"

    def _enroll(self) -> None:
        self.app.set_status("stage_enroll")
        self.app.session.enroll(self.consent.value, self.transcript.value, self.name.value.strip() or None)
        self.refresh_status()
        self.app.set_status(None)

    def _transcribe(self) -> None:
        self.transcript.value = self.app.session.transcribe()

    def _save(self) -> None:
        name = self.name.value.strip()
        self.app.session.save_voice(name)
        self.refresh_status()
        self.app.say(t("saved", self.app.lang, name=name))


class TextPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.text = W.Textarea(layout=W.Layout(width="100%", height="110px"))
        self.text.add_class("voxnb-text")
        self.count = W.HTML()
        self.count.add_class("voxnb-char-count")
        self.help = W.HTML()
        self.phonemes = W.HTML()
        self.phonemes.add_class("voxnb-phonemes")
        self._timer: threading.Timer | None = None
        self._help = "markup_help"
        super().__init__([self.title, self.text, W.HBox([self.count, self.help]), self.phonemes])
        self.text.observe(self._on_text, "value")

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('text_header', lang)}</h3>"
        self.text.placeholder = t("text_placeholder", lang)
        self.help.value = f"<span style='color:#666;margin-left:1em'>{escape(t(self._help, lang))}</span>"
        self._count()
        if self.phonemes.value:
            self.update_preview()

    def offer_engine(self, capabilities) -> None:
        """Markup help in the engine's own form where it has one (CosyVoice 3 also reads [laughter], <strong>)."""
        key = f"markup_help_{capabilities.name}"
        self._help = key if key in STRINGS else "markup_help"
        self.help.value = f"<span style='color:#666;margin-left:1em'>{escape(t(self._help, self.app.lang))}</span>"

    def _count(self) -> None:
        n = len(self.text.value)
        color = "#c00" if n > MAX_TEXT_CHARS else "#666"
        self.count.value = f"<span style='color:{color}'>{t('chars', self.app.lang, n=n, max=MAX_TEXT_CHARS)}</span>"

    def _on_text(self, _change) -> None:
        self._count()
        if self._timer:
            self._timer.cancel()
        # preview after a pause in typing, not on every keystroke
        self._timer = threading.Timer(0.4, lambda: self.app.run(self.update_preview))  # errors reach the message area
        self._timer.start()

    def update_preview(self) -> None:
        from ..errors import VoxnbError

        text = self.text.value
        if not text.strip():
            self.phonemes.value = ""
            return
        try:
            chunks = self.app.session.preview(text[:2000])
        except VoxnbError as err:
            from ..messages import message

            self.phonemes.value = f"<span style='color:#c00'>{escape(message(err, self.app.lang))}</span>"
            return
        rows = "".join(f"<div><code>[{s.lang}]</code> {escape(s.phonemes)}</div>" for c in chunks[:6]
                       for s in c.segments)
        more = " …" if len(chunks) > 6 or len(text) > 2000 else ""
        from ..messages import text_note    # what will not be spoken, said before Generate is pressed

        notes = "".join(f"<div class='voxnb-text-note' style='color:#b26b00'>⚠ {escape(text_note(w, self.app.lang))}</div>"
                        for c in chunks for w in c.warnings)
        self.phonemes.value = (f"<details open><summary>{t('phonemes', self.app.lang)}</summary>"
                               f"<div style='font-family:monospace'>{rows}{more}</div>{notes}</details>")


class ControlsPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        d = SynthesisSettings()
        self.title = header("")
        self.style = W.Dropdown(options=list(STYLES), value=d.style)
        self.style.add_class("voxnb-style")
        self.speed = W.FloatSlider(value=d.speed, min=SPEED_RANGE[0], max=SPEED_RANGE[1], step=0.05,
                                   readout_format=".2f")
        self.speed.add_class("voxnb-speed")
        self.seed = W.BoundedIntText(value=d.seed, min=SEED_RANGE[0], max=SEED_RANGE[1], layout=W.Layout(width="220px"))
        self.seed.add_class("voxnb-seed")
        self.dice = W.Button(icon="random", layout=W.Layout(width="110px"))
        self.dice.on_click(lambda _: setattr(self.seed, "value", random.randint(0, 2**31 - 1)))
        self.channel = W.Checkbox(value=d.match_channel, indent=False, style={"description_width": "initial"},
                                  layout=W.Layout(width="auto"))   # the default 300px cuts the label off
        self.channel.add_class("voxnb-channel")
        # engines that follow instructions (CosyVoice 3): a trained preset, or words typed in
        self.instruction = W.Dropdown(options=[("", "")], value="", layout=W.Layout(width="320px"))
        self.instruction.add_class("voxnb-instruction")
        self.instruct_text = W.Text(layout=W.Layout(flex="1 1 auto"))
        self.instruct_text.add_class("voxnb-instruct-text")
        self.instruct_box = W.HBox([self.instruction, self.instruct_text], layout=W.Layout(display="none"))
        self.engine = W.Dropdown(options=["kokoro"], value="kokoro")
        self.engine.add_class("voxnb-engine")
        self.engine_note = W.HTML()
        self.engine_note.add_class("voxnb-engine-note")
        self.note = W.HTML()
        # what the engine on offer accepts (every style until one is offered)
        self._styles: tuple[str, ...] = tuple(STYLES)
        self._approximate = {n for n, s in STYLES.items() if s.approximate}
        self._instructions: dict = {}
        self._takes_words = False
        self.style.observe(self._on_style, "value")
        self.instruction.observe(self._on_instruction, "value")
        self.instruct_text.observe(self._on_instruction, "value")
        super().__init__([self.title, W.HBox([self.style, self.note]), self.instruct_box, self.speed,
                          W.HBox([self.seed, self.dice]), self.channel, self.engine, self.engine_note])
        self._offering = False
        self.engine.observe(self._engine_changed, "value")

    def offer_engines(self, capabilities) -> None:
        """List the engines this kernel can use, select the loaded one, and grey out the settings it lacks."""
        from .session import engine_label, engine_names

        self._offering = True
        try:
            names = engine_names()
            if capabilities.name not in names:
                names.insert(0, capabilities.name)
            # the loaded engine's label names its model where it has several (voxcpm · VoxCPM2)
            labels = [engine_label(n, capabilities) for n in names]
            self.engine.options = names if labels == names else list(zip(labels, names))
            self.engine.value = capabilities.name
        finally:
            self._offering = False
        # only the styles the engine accepts (CosyVoice 3 has trained instructions for some, F5 none)
        self._styles = tuple(s for s in STYLES if s in capabilities.styles) or ("neutral",)
        self._approximate = set(capabilities.approximate_styles)
        self._takes_words = "instruct" in capabilities.settings
        self._instructions = dict(capabilities.instructions) if self._takes_words else {}
        self._relabel_choices(self.app.lang)
        for widget, setting in ((self.style, "style"), (self.speed, "speed"), (self.channel, "match_channel")):
            widget.disabled = setting not in capabilities.settings
            if widget.disabled:   # the engine refuses anything but the default
                widget.value = getattr(SynthesisSettings(), setting)
        if not self._takes_words:       # and would refuse an instruction left from another engine
            self.instruction.value, self.instruct_text.value = "", ""
        self.instruct_box.layout.display = "" if self._takes_words else "none"
        self.instruction.layout.display = "" if self._instructions else "none"
        self._engine_notes = capabilities.notes      # a Msg: _note shows it in the viewer's language
        self._note()

    def _engine_changed(self, change) -> None:
        if not self._offering and change.new:
            self.app.run(lambda: self.app.switch_engine(change.new), background=True)

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('controls_header', lang)}</h3>"
        self._relabel_choices(lang)
        self.style.description = t("style", lang)
        self.speed.description = t("speed", lang)
        self.seed.description = t("seed", lang)
        self.dice.description = t("dice", lang)
        self.channel.description = t("match_channel", lang)
        self.instruction.description = t("instruction", lang)
        self.instruct_text.placeholder = t("instruction_words", lang)
        self.engine.description = t("engine", lang)
        self._note()

    def _relabel_choices(self, lang: str) -> None:
        set_options(self.style, [(style_name(s, lang), s) for s in self._styles])
        presets = instruction_options(self._instructions, lang)
        set_options(self.instruction, [(t("instruction_none", lang), "")] + presets)

    def _on_style(self, change) -> None:
        self._note()
        if change.new != "neutral":   # a style is an instruction too: the engine refuses both at once
            self.instruction.value, self.instruct_text.value = "", ""

    def _on_instruction(self, change) -> None:
        if change.new.strip():
            self.style.value = "neutral"

    def _note(self) -> None:
        approx = self.style.value in self._approximate
        self.note.value = f"<span style='color:#666'>{t('approx', self.app.lang)}</span>" if approx else ""
        notes = shown(getattr(self, "_engine_notes", ""), self.app.lang)
        self.engine_note.value = f"<span style='color:#666;font-size:90%'>{escape(notes)}</span>"

    def instruct(self) -> str:
        """The instruction to send: typed words win over the preset picked."""
        return self.instruct_text.value.strip() or self.instruction.value

    def settings(self) -> SynthesisSettings:
        return SynthesisSettings(style=self.style.value, speed=round(self.speed.value, 2), seed=int(self.seed.value),
                                 match_channel=bool(self.channel.value), instruct=self.instruct())

    def load(self, settings: dict) -> None:
        style = settings.get("style", "neutral")
        self.style.value = style if style in self._styles else "neutral"   # a take from another engine
        self.speed.value = settings.get("speed", 1.0)
        self.seed.value = settings.get("seed", 0)
        self.channel.value = bool(settings.get("match_channel", False))
        instruct = (settings.get("instruct", "") or "") if self._takes_words else ""
        preset = instruct in self._instructions
        self.instruction.value = instruct if preset else ""
        self.instruct_text.value = "" if preset else instruct
