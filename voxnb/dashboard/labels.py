"""Small helpers that turn values into what a viewer reads: headings, escaped text, option lists in the
viewer's language, and how a clone was built."""
from __future__ import annotations

import html

import ipywidgets as W

from ..settings import STYLES
from .i18n import STRINGS, t


def header(text: str) -> W.HTML:
    return W.HTML(f"<h3 style='margin:4px 0'>{text}</h3>")


def escape(s: str) -> str:
    return html.escape(s, quote=True)


def fit_detail(voice, lang: str) -> str:
    """How a clone was built (stock voices, pitch, EQ, reference bandwidth), as HTML; '' for older voices."""
    info = voice.info or {}
    chosen = next((c for c in info.get("candidates", ()) if c.get("label") == info.get("chosen")), None)
    if chosen is None or "reference_bandwidth_hz" not in info:
        return ""
    base = " + ".join(f"{n} {w:.0%}" for n, w in chosen["weights"].items())
    khz = info["reference_bandwidth_hz"] / 1000
    text = t("fit_detail", lang, base=base, how=t(f"fit_{chosen['label']}", lang), khz=khz)
    hint = f"<div style='color:#555'>{escape(t('phone_hint', lang))}</div>" if khz < 6 else ""
    return f"<div class='voxnb-fit' style='font-weight:normal'>{escape(text)}</div>{hint}"


def set_options(widget, options: list) -> None:
    """New (label, value) options, keeping the selection where it is still offered (ipywidgets resets it)."""
    value = widget.value
    widget.options = options
    values = [v for _, v in options]
    if value in values and widget.value != value:
        widget.value = value


def instruction_options(instructions: dict, lang: str) -> list[tuple[str, str]]:
    """(label, key) for each preset, grouped in the order the engine lists its groups."""
    groups = list(dict.fromkeys(i["group"] for i in instructions.values()))
    out = []
    for group in groups:
        name = t(f"group_{group}", lang) if f"group_{group}" in STRINGS else group.capitalize()
        out += [(t("instruction_item", lang, group=name, label=i.get(lang) or i.get("en") or key), key)
                for key, i in instructions.items() if i["group"] == group]
    return out


def style_name(name: str, lang: str) -> str:
    """A style preset as the viewer's language names it (its key where it is no preset)."""
    style = STYLES.get(name)
    return ((style.label_zh if lang == "zh" else style.label_en) if style else "") or name
