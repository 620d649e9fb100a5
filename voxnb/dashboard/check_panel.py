"""Check a file: does it carry voxnb's watermark, and what does its metadata say (Session.check_file)?

Anyone handed a clip can ask the dashboard whether voxnb made it, with which voice and whose consent.
"""
from __future__ import annotations

import ipywidgets as W

from .i18n import t
from .labels import escape, header
from .session import MAX_UPLOAD_MB


def _text(value) -> str:
    """A metadata value as escaped text: the record comes from the file, so it may hold anything."""
    return escape("?" if value is None or value == "" else str(value))


def _consent(value, lang: str) -> str:
    from ..output.consent import NOT_NEEDED, UNKNOWN

    words = {NOT_NEEDED: "meta_consent_not_needed", UNKNOWN: "meta_consent_unknown"}
    return escape(t(words[value], lang)) if value in words else _text(value)


def metadata_html(meta: dict, lang: str) -> str:
    voice = meta.get("voice") if isinstance(meta.get("voice"), dict) else {}
    cloned = voice.get("cloned")
    rows = [(t("meta_made_by", lang), f"voxnb {_text(meta.get('voxnb'))}"),
            (t("engine", lang), _text(meta.get("engine"))),
            (t("meta_weights", lang), _text(meta.get("weights"))),
            (t("meta_created", lang), _text(meta.get("created"))),
            (t("meta_voice", lang), f"{_text(voice.get('name'))} [{_text(voice.get('id'))}]"),
            (t("meta_kind", lang), "?" if cloned is None else t("meta_cloned" if cloned else "meta_stock", lang)),
            (t("meta_consent", lang), _consent(voice.get("consent"), lang)),
            (t("seed", lang), _text(meta.get("seed"))),
            (t("meta_watermark", lang), _text(meta.get("watermark")))]
    body = "".join(f"<tr><th style='text-align:left;padding:1px 12px 1px 0;font-weight:normal;color:#555'>{k}</th>"
                   f"<td style='word-break:break-all'>{v}</td></tr>" for k, v in rows)
    return f"<table class='voxnb-check-meta' style='line-height:1.5;margin-top:4px'>{body}</table>"


def _problem(text: str, lang: str) -> str:
    """check_file's reason (a Msg: why the file cannot be read) in ``lang``."""
    from ..messages import localized

    return localized(text, lang, "errors.fallback.BadReferenceError")


def report_html(report: dict, lang: str) -> str:
    """A Session.check_file report as HTML: the verdict, where the mark is if only in part, the metadata."""
    name = f"<b>{escape(report['file'])}</b>: "
    if report.get("error"):
        problem = (t("check_too_big", lang, mb=report["size_mb"], limit=report["limit_mb"]) if report.get("limit_mb")
                   else t("check_error", lang, problem=_problem(report["error"], lang)))
        return f"<div class='voxnb-check-verdict' style='color:#b00'>{name}{escape(problem)}</div>"
    marked = bool(report["marked"])
    verdict = t("check_found" if marked else "check_clean", lang, conf=report["confidence"])
    parts = [f"<div class='voxnb-check-verdict' style='color:{'#2a6' if marked else '#333'}'>{name}"
             f"{escape(verdict)}</div>"]
    if report.get("partial"):
        spans = ", ".join(t("check_span", lang, a=a, b=b) for a, b in report["marked_spans"])
        parts.append(f"<div>{escape(t('check_spans', lang, spans=spans))}</div>")
    meta = report.get("metadata")
    if isinstance(meta, dict):
        parts.append(metadata_html(meta, lang))
    elif marked:
        parts.append(f"<div style='color:#666'>{escape(t('check_stripped', lang))}</div>")
    return "".join(parts)


class CheckPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.help = W.HTML()
        self.upload = W.FileUpload(accept=".wav,.flac,.ogg,.mp3,.m4a,audio/*", multiple=False)
        self.upload.add_class("voxnb-check-upload")
        self.result = W.HTML()
        self.result.add_class("voxnb-check-result")
        self.report: dict | None = None      # the last report, redrawn on a language switch
        super().__init__([self.title, self.help, self.upload, self.result])
        self.upload.observe(self._on_upload, "value")

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('check_header', lang)}</h3>"
        self.help.value = f"<div style='color:#666'>{escape(t('check_help', lang))}</div>"
        self.upload.description = t("check_upload", lang)
        self.upload.tooltip = t("check_upload_tip", lang, limit=MAX_UPLOAD_MB)
        if self.report is not None:
            self.result.value = report_html(self.report, lang)

    def _on_upload(self, change) -> None:
        if not change.new:
            return
        item = change.new[0]
        name, content = item["name"], bytes(item["content"])
        self.upload.value = ()     # cleared, so the same file can be checked again
        self.report = None
        self.result.value = f"<i>{escape(t('check_checking', self.app.lang, name=name))}</i>"
        # the detector loads on first use and reads the file in windows: seconds, off the kernel's main thread
        self.app.run(lambda: self._check(name, content), background=True)

    def _check(self, name: str, content: bytes) -> None:
        try:
            self.show(self.app.session.check_file(name, content))
        finally:
            if self.report is None:     # a failure: the message area says why, no "Checking…" left hanging
                self.result.value = ""

    def show(self, report: dict) -> None:
        self.report = report
        self.result.value = report_html(report, self.app.lang)
