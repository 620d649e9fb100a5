"""Step 1's "Refine this voice": a thin view over Session.refine_voice (App.refine runs it in a thread)."""
from __future__ import annotations

from html import escape

import ipywidgets as W

from .i18n import t
from ..messages import progress as progress_line, refine_reason


class RefineBox(W.VBox):
    """Refine the voice in use (App.refine runs it): the button, progress and Cancel while it runs, then
    what came of it. The outcome is kept as the Voice (or "cancelled") so a language switch redraws it."""

    def __init__(self, app):
        self.app = app
        self.go = W.Button(icon="magic", disabled=True, layout=W.Layout(width="auto"))
        self.go.add_class("voxnb-refine")
        self.cancel = W.Button(button_style="warning", icon="stop", layout=W.Layout(width="auto", display="none"))
        self.cancel.add_class("voxnb-refine-cancel")
        self.bar = W.FloatProgress(value=0, min=0, max=1, layout=W.Layout(width="200px", display="none"))
        self.message = W.HTML()
        self.message.add_class("voxnb-refine-message")
        self.running = False
        self._outcome = None        # the refined Voice, or "cancelled"
        self._outcome_for = None    # the voice in use when it came: another voice clears the line
        super().__init__([W.HBox([self.go, self.cancel, self.bar]), self.message])
        self.go.on_click(lambda _: self.app.refine())
        self.cancel.on_click(lambda _: self.app.session.cancel_refine())

    def relabel(self, lang: str) -> None:
        self.go.description = t("refine", lang)
        self.go.tooltip = t("refine_tip", lang)
        self.cancel.description = t("refine_cancel", lang)

    def refresh(self) -> None:
        """Enable the button only when Session.refine_voice would run; say why not for a voice it cannot refine."""
        if self.running:
            return
        session = self.app.session
        if self._outcome is not None and session.voice is not self._outcome_for:
            self._outcome = None
        problem = session.refine_problem()
        self.go.disabled = bool(problem)
        if self._outcome is not None:
            self.message.value = refine_summary(self._outcome, self.app.lang)
        elif problem and session.voice is not None:
            self.message.value = f"<span style='color:#666'>{escape(t(f'refine_why_{problem}', self.app.lang))}</span>"
        else:
            self.message.value = ""

    def start(self) -> None:
        self.running, self._outcome = True, None
        self.go.disabled = True
        self.bar.value = 0
        self.bar.layout.display = self.cancel.layout.display = ""
        self.message.value = escape(t("refine_running", self.app.lang, msg=""))

    def progress(self, fraction: float, message: str) -> None:
        """Session.refine_voice's progress callback, from the refining thread."""
        self.bar.value = min(max(fraction, 0.0), 1.0)
        self.message.value = escape(t("refine_running", self.app.lang, msg=progress_line(message, self.app.lang)))

    def finish(self, outcome) -> None:
        """``outcome``: the refined Voice, "cancelled", or None (it failed: the error is in the message area)."""
        self.running = False
        self.bar.layout.display = self.cancel.layout.display = "none"
        self._outcome, self._outcome_for = outcome, self.app.session.voice
        self.refresh()


def refine_summary(outcome, lang: str) -> str:
    """The result line, as HTML: refined or kept (why), seconds, held-out d-vector similarity before -> after."""
    if outcome == "cancelled":
        return f"<span class='voxnb-refine-result'>{escape(t('refine_cancelled', lang))}</span>"
    info = (outcome.info or {}).get("refine", {})
    sec = info.get("seconds", 0)
    text = (t("refine_done", lang, sec=sec) if info.get("accepted")
            else t("refine_kept", lang, sec=sec, reason=refine_reason(info.get("reason") or "no gain", lang)))
    held = info.get("heldout", {})
    if {"clone", "refined"} <= set(held):   # absent when no better style was found to check
        text += " " + t("refine_figures", lang, before=held["clone"]["dvector"], after=held["refined"]["dvector"])
    color = "#2a6" if info.get("accepted") else "#555"
    return f"<span class='voxnb-refine-result' style='color:{color}'>{escape(text)}</span>"
