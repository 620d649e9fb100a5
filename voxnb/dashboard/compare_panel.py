"""Engines side by side: the clip in use and the text through each chosen engine, in one table."""
from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from .i18n import t
from .labels import header
from .session import engine_names, wav_bytes


def _fmt(value, spec: str) -> str:
    return "–" if value is None or (isinstance(value, float) and np.isnan(value)) else format(value, spec)


def _error(text: str, lang: str) -> str:
    """An engine's failure (a messages.ErrorText) in ``lang``."""
    from ..messages import localized

    return localized(text, lang, "errors.fallback.VoxnbError")


def _progress(text: str, lang: str) -> str:
    from ..messages import progress

    return progress(text, lang) or t("cmp_running", lang)


def rows_html(rows, lang: str) -> str:
    head = "".join(f"<th style='padding:2px 10px;text-align:right'>{t(k, lang)}</th>"
                   for k in ("cmp_seconds", "cmp_rtf", "cmp_first", "cmp_wer", "cmp_sim"))
    body = []
    for r in rows:
        if r.error:
            body.append(f"<tr><td><b>{r.engine}</b></td><td colspan=5 style='color:#b00'>{html.escape(_error(r.error, lang))}</td></tr>")
            continue
        cells = [_fmt(r.duration_s, ".2f"), _fmt(r.rtf, ".2f"), _fmt(r.first_audio_s, ".2f"),
                 f"{_fmt(r.wer, '.3f')} {r.metric}", _fmt(r.similarity, ".3f")]
        body.append(f"<tr><td><b>{r.engine}</b></td>"
                    + "".join(f"<td style='padding:2px 10px;text-align:right'>{c}</td>" for c in cells) + "</tr>")
    return (f"<table class='voxnb-compare-table'><tr><th>{t('engine', lang)}</th>{head}</tr>{''.join(body)}</table>"
            f"<div style='color:#666;font-size:90%'>{t('cmp_note', lang)}</div>")


class ComparePanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.engines = W.SelectMultiple(options=["kokoro"], value=["kokoro"], rows=3, layout=W.Layout(width="200px"))
        self.engines.add_class("voxnb-compare-engines")
        self.go = W.Button(icon="columns")
        self.go.add_class("voxnb-compare")
        self.table = W.HTML()
        self.table.add_class("voxnb-compare-result")
        self.players = W.VBox()
        self.rows = []
        super().__init__([self.title, W.HBox([self.engines, self.go]), self.table, self.players])
        self.go.on_click(lambda _: self.app.run(self.compare, background=True))

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('compare_header', lang)}</h3>"
        self.go.description = t("compare", lang)
        if self.rows:
            self.table.value = rows_html(self.rows, lang)

    def refresh(self) -> None:
        names = engine_names()
        self.engines.options = names
        self.engines.value = tuple(names)

    def compare(self) -> None:
        app = self.app
        if not app._busy.acquire(blocking=False):
            app.say(t("busy", app.lang), error=True)
            return
        try:
            self.go.disabled = True
            names = list(self.engines.value)
            rows = app.session.compare(app.text.text.value, names, transcript=app.reference.transcript.value,
                                       seed=int(app.controls.seed.value),
                                       progress=lambda m: app.say(_progress(m, app.lang)),
                                       consent=app.reference.consent.value)
            self.rows = rows
            self.table.value = rows_html(rows, app.lang)
            players = []
            for r in rows:
                if r.result is not None:
                    audio = W.Audio(value=wav_bytes(r.result.audio, r.result.sample_rate), format="wav", autoplay=False)
                    players.append(W.HBox([W.HTML(f"<b style='display:inline-block;width:6em'>{r.engine}</b>"), audio]))
            self.players.children = players
            app.say(t("cmp_done", app.lang, n=len(rows)))
        finally:
            self.go.disabled = False
            app._busy.release()
