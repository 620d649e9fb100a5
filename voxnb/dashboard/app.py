"""The dashboard application: composes the panels over one Session.

    from voxnb.dashboard import App
    App()            # the last expression of a notebook cell: Voila renders it

Errors from callbacks land in the message area in plain words (tracebacks only in the
collapsed debug log); long work runs off the kernel's main thread.
"""
from __future__ import annotations

import threading
import traceback

import ipywidgets as W

from ..errors import CancelledError, VoxnbError
from .i18n import t
from .fit import fit
from ..messages import message
from .input_panels import ControlsPanel, ReferencePanel, TextPanel
from .labels import escape
from .inspect_panel import InspectPanel
from .check_panel import CheckPanel
from .compare_panel import ComparePanel
from .output_panels import GeneratePanel, OutputPanel
from .finetune_panel import FinetunePanel
from .script_panel import ScriptPanel
from .session import Session

CSS = """<style>
.voxnb-app { max-width: 1100px; margin: 0 auto; font-size: 14px; }
.voxnb-app .widget-label { min-width: 6em; }
.voxnb-status { min-height: 1.6em; }
</style>"""


class App(W.VBox):
    def __init__(self, session: Session | None = None, lang: str = "en", warm: bool = True):
        self.session = session or Session()
        self.lang = lang
        self._busy = threading.Lock()
        self._status = None                     # (key, fmt) of the last status, redrawn on a language switch
        self._error = None                      # the error shown, redrawn in the new language likewise
        self.heading = W.HTML()
        self.lang_button = W.ToggleButtons(options=[("English", "en"), ("中文", "zh")], value=lang)
        self.lang_button.add_class("voxnb-lang")
        self.status = W.HTML()
        self.status.add_class("voxnb-status")
        self.debug = W.Output()
        self.debug_box = W.Accordion(children=[self.debug], selected_index=None)
        self.reference = ReferencePanel(self)
        self.text = TextPanel(self)
        self.controls = ControlsPanel(self)
        self.generator = GeneratePanel(self)
        self.output = OutputPanel(self)
        self.inspector = InspectPanel(self)
        self.comparison = ComparePanel(self)
        self.checker = CheckPanel(self)
        self.script = ScriptPanel(self)
        self.finetune = FinetunePanel(self)
        left = W.VBox([self.reference, self.controls], layout=W.Layout(width="50%", padding="0 12px 0 0"))
        right = W.VBox([self.text, self.generator, self.output], layout=W.Layout(width="50%"))
        super().__init__([W.HTML(CSS), W.HBox([self.heading, self.lang_button],
                                               layout=W.Layout(justify_content="space-between")),
                          self.status, W.HBox([left, right]), self.inspector, self.comparison, self.checker,
                          self.script, self.finetune, self.debug_box])
        self.add_class("voxnb-app")
        self.lang_button.observe(lambda c: self.set_lang(c.new), "value")
        self.set_lang(lang)
        if warm:  # load the model while the user picks a clip, not when they press Generate
            self.run(self._warm, background=True)

    # -- plumbing ----------------------------------------------------------------------------
    def set_lang(self, lang: str) -> None:
        self.lang = lang
        self.heading.value = f"<h2 style='margin:6px 0'>{t('title', lang)}</h2>"
        self.debug_box.set_title(0, t("debug", lang))
        for panel in (self.reference, self.text, self.controls, self.generator, self.output, self.inspector,
                      self.comparison, self.checker, self.script, self.finetune):
            panel.relabel(lang)
        fit(self)   # new labels: make room for each in full
        if self._status:
            self.set_status(*self._status[:1], **self._status[1])
        elif self._error is not None:
            self.show_error(self._error)

    def say(self, message: str, error: bool = False) -> None:
        self._status = self._error = None
        color = "#c00" if error else "#2a6"
        self.status.value = f"<div style='color:{color}'>{escape(message)}</div>"

    def set_status(self, key: str | None, notes: tuple[str, ...] = (), **fmt) -> None:
        """A status line; ``notes``: a result's warnings (what was not spoken, what the output guard did)."""
        from ..messages import text_note

        self._status, self._error = ((key, {**fmt, "notes": notes}) if key else None), None
        warn = "".join(f"<div class='voxnb-result-note' style='color:#b26b00'>⚠ {escape(text_note(n, self.lang))}</div>"
                       for n in notes)
        self.status.value = "" if key is None else f"<div>{escape(t(key, self.lang, **fmt))}</div>{warn}"

    def run(self, fn, background: bool = False) -> None:
        """Run a callback, turning any failure into a message instead of a dead button."""
        def guarded():
            try:
                fn()
            except VoxnbError as err:
                self.show_error(err)
            except Exception as err:  # a bug: plain words up front, the traceback in the debug log
                self.show_error(err)
                self.debug.append_stdout(traceback.format_exc())

        if background:
            threading.Thread(target=guarded, daemon=True).start()
        else:
            guarded()

    def run_holding_engine(self, fn, button=None, then=None) -> None:
        """``fn`` off the kernel's main thread, holding the engine as a generation does (one heavy job at a
        time); ``button`` is disabled meanwhile, ``then()`` runs after, whatever happened."""
        if not self._busy.acquire(blocking=False):
            self.say(t("busy", self.lang), error=True)
            return
        if button is not None:
            button.disabled = True

        def work():
            try:
                fn()
            finally:
                try:
                    if button is not None:
                        button.disabled = False
                    if then is not None:
                        then()
                finally:     # released last: whoever waits for the engine sees the finished view
                    self._busy.release()

        self.run(work, background=True)

    def show_error(self, err: BaseException) -> None:
        """``err`` in the message area, in the viewer's language (errors carry their key: voxnb.messages)."""
        self.say(t("error", self.lang, msg=message(err, self.lang)), error=True)
        self._error = err

    def _warm(self) -> None:
        self.set_status("stage_engine")
        capabilities = self.session.engine.capabilities
        self.controls.offer_engines(capabilities)
        self.text.offer_engine(capabilities)
        self.comparison.refresh()
        self.reference.refresh_status()   # the new engine may refine, or not
        if self.status.value and t("stage_engine", self.lang) in self.status.value:
            self.set_status(None)

    def switch_engine(self, name: str) -> None:
        self.session.use_engine(name)
        self._warm()

    # -- actions -----------------------------------------------------------------------------
    def generate(self) -> None:
        if not self._busy.acquire(blocking=False):
            self.say(t("busy_refining" if self.reference.refiner.running else "busy", self.lang), error=True)
            return
        self.generator.busy(True)

        def work():
            try:
                self._generate()
            finally:
                self.generator.busy(False)
                self._busy.release()

        self.run(work, background=True)

    def _generate(self) -> None:
        """The session generates (cloning the clip in use first where it must); this only shows it."""
        s = self.session
        voice = s.voice

        def on_stage(key, **fmt):
            self.set_status(key, **fmt)
            if "i" in fmt and fmt.get("n"):
                self.generator.progress.value = fmt["i"] / fmt["n"]

        try:
            result = s.generate(self.text.text.value, self.controls.settings(), on_stage=on_stage,
                                on_chunk=self.output.streaming, consent=self.reference.consent.value,
                                transcript=self.reference.transcript.value)
        finally:
            if s.voice is not voice:
                self.reference.refresh_status()   # the clip was cloned on the way
        self.output.show(s.history[-1], streamed=True)
        ref_mel = None
        if s.reference is not None:
            from ..output.result import mel_spectrogram

            ref_mel = mel_spectrogram(s.reference.audio, s.reference.sample_rate)
        self.inspector.show(result, ref_mel)
        self.generator.progress.value = 1
        if not s.stop_requested.is_set():
            self.set_status("stage_done", notes=result.warnings, dur=result.duration_s, sec=result.timings["total"],
                            rtf=result.rtf)

    def refine(self) -> None:
        """Refine the voice in use off the kernel's main thread. It holds the engine like a generation
        does (one heavy job at a time on a CPU box); Cancel stops it and keeps the fast clone."""
        if not self._busy.acquire(blocking=False):
            self.say(t("busy", self.lang), error=True)
            return
        refiner = self.reference.refiner
        refiner.start()

        def work():
            outcome = None          # stays None on an error, which run() shows in the message area
            try:
                outcome = self.session.refine_voice(progress=refiner.progress)
            except CancelledError:
                outcome = "cancelled"
            finally:
                try:
                    refiner.finish(outcome)
                    self.reference.refresh_status()   # the refined voice's id
                finally:
                    self._busy.release()

        self.run(work, background=True)

    def reuse(self, entry) -> None:
        self.text.text.value = entry.text
        self.controls.load(entry.settings)
