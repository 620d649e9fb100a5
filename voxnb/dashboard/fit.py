"""Labels that fit: no widget's description is cut off, in either language.

ipywidgets gives a description a fixed column (about 80 px) beside its control, and a button a
fixed width (148 px) or whatever width its layout names; a longer label is cut with an ellipsis
("Copy the reference's recording channel (…"). Chinese labels are shorter in characters but wider per
character, so a width that fits one language can cut the other. fit() runs after every relabel.
"""
from __future__ import annotations

import ipywidgets as W

BUTTONS = (W.Button, W.FileUpload, W.ToggleButton)


def text_px(text: str) -> int:
    """A generous estimate of ``text``'s width at the dashboard's 14 px font: CJK and other wide
    characters about 14 px, the rest about 8.5 px."""
    import unicodedata

    return int(sum(14 if unicodedata.east_asian_width(c) in "WF" else 8.5 for c in text))


def button_px(widget) -> int:
    """What a button needs: its label, an icon, and its padding."""
    return text_px(widget.description) + (24 if getattr(widget, "icon", "") else 0) + 28


def _px(width) -> int | None:
    if isinstance(width, str) and width.endswith("px"):
        try:
            return int(float(width[:-2]))
        except ValueError:
            return None
    return None


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        if isinstance(child, W.Widget):
            yield from walk(child)


def fit(root) -> None:
    """Give every labelled widget under ``root`` room for its whole label."""
    for w in walk(root):
        description = getattr(w, "description", "")
        if not description:
            continue
        if isinstance(w, BUTTONS):
            px = _px(w.layout.width)
            if w.layout.width in (None, "") or (px is not None and px < button_px(w)):
                w.layout.width = "auto"
            w.layout.min_width = f"{button_px(w)}px"   # a flex row may not squeeze it below its label
            continue
        style = getattr(w, "style", None)
        if style is not None and hasattr(style, "description_width") and style.description_width != "initial":
            style.description_width = "initial"     # the label takes the width it needs
        if isinstance(w, W.Checkbox) and w.layout.width in (None, ""):
            w.layout.width = "auto"                 # the default 300 px box cuts a long label
