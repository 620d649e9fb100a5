"""The name an upload is shown and stored under.

The browser sends the file's own name (FileUpload's ``name``), which is what the viewer recognises, so
messages use it rather than an internal one. It comes from the viewer's machine and may hold anything:
path parts (``C:\\fakepath\\me.wav``, ``../../x``), control characters that would garble the message
area or the terminal log, or hundreds of characters. The result is one safe file name, short enough to
read and to store (80 characters of CJK stay under the filesystem's 255 bytes).
"""
from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 80


def display_name(filename: str, limit: int = MAX_NAME_CHARS) -> str:
    """``filename`` without folders or control/format characters, capped at ``limit`` characters with
    its extension kept (the extension tells the viewer, and the decoder, what kind of file it is)."""
    name = re.split(r"[\\/]", str(filename or ""))[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))
    name = name.strip()
    if name in ("", ".", ".."):
        return "upload"
    if len(name) > limit:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and stem and len(ext) <= 8 else ""
        name = name[: limit - len(ext) - 1].rstrip() + "…" + ext
    return name


def take_upload(panel, item: dict) -> None:
    """ReferencePanel's upload handler: load ``item`` (a FileUpload value entry) into the session.
    A refused file leaves no clip, voice or report on show: the session has dropped them (see
    Session.load_upload) and the views must not show them as current; the report says so instead."""
    from html import escape

    from .i18n import t

    app = panel.app
    app.set_status(None)   # a new upload: the last one's error no longer applies
    try:
        ref = app.session.load_upload(item["name"], bytes(item["content"]))
    except Exception:
        panel.preview.layout.display = "none"
        panel.preview.value = b""
        panel.report.value = (f"<div class='voxnb-report' style='color:#666'>"
                              f"{escape(t('upload_refused', app.lang, name=display_name(item['name'])))}</div>")
        panel.refresh_status()
        raise
    panel._show_reference(ref)
