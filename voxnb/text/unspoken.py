"""What in a text voxnb cannot say, found where the user typed it, so that nothing is dropped in silence.

voxnb reads Latin letters as English and Han characters as Mandarin. Letters of any other script
(Arabic, kana, Hangul, Cyrillic, Greek, ...) have no G2P here: left in, the English G2P would spell
them as noise, so they are left out and reported by script and position. Emoji and pictographic
symbols are left out and reported too; invisible format characters (zero-width spaces, soft hyphens,
emoji joiners) make no sound by definition and are removed without a word.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .split import is_han, is_latin

KEEP_SYMBOLS = frozenset("°℃℉©®™№")     # read as words by the normalizers (degrees, copyright, number)
_JOINERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")   # glue inside emoji sequences (ZWJ, variation selectors, keycap)
# Latin variants the cleanup folds or the English G2P spells, and marks that belong to any script
_NOT_A_SCRIPT = frozenset({"LATIN", "FULLWIDTH", "MODIFIER", "SUPERSCRIPT", "SUBSCRIPT", "CIRCLED", "PARENTHESIZED",
                           "MATHEMATICAL", "DOUBLE-STRUCK", "SCRIPT", "BLACK-LETTER", "COMBINING", "VARIATION", "ZERO"})
_SCRIPT_NAMES = {"HIRAGANA": "Japanese kana", "KATAKANA": "Japanese kana", "KATAKANA-HIRAGANA": "Japanese kana",
                 "HANGUL": "Korean Hangul", "CJK": "CJK symbols", "HALFWIDTH": "Japanese kana"}


@dataclass(frozen=True)
class Unspoken:
    label: str      # 'Arabic', 'Japanese kana', 'emoji or symbols', 'control characters'
    start: int      # 0-based, in the text as typed
    end: int
    text: str

    def describe(self) -> str:
        from ..messages import Msg

        where = (Msg("notes.character", n=self.start + 1) if self.end - self.start == 1
                 else Msg("notes.characters", a=self.start + 1, b=self.end))
        label = _label_msg(self.label)
        if self.label == "control characters":    # invisible: named by code point
            return Msg("notes.run_codes", label=label, shown=" ".join(f"U+{ord(c):04X}" for c in self.text[:6]),
                       where=where)
        shown = self.text if len(self.text) <= 24 else self.text[:20] + "…"
        return Msg("notes.run", label=label, shown=shown, where=where)


def _label_msg(label: str):
    """A run's label as a message: its own key, or the script's name with 'script' in Chinese."""
    from ..messages import Msg, has

    return Msg(f"notes.label.{label}") if has(f"notes.label.{label}") else Msg("notes.label.script", script=label)


def foreign_script(char: str) -> str | None:
    """The script of a letter (or non-ASCII digit) voxnb cannot read, e.g. 'Arabic'; None otherwise."""
    category = unicodedata.category(char)
    if category[0] not in "LNM" or is_latin(char) or is_han(char) or char.isascii():
        return None
    if category[0] == "N" and category != "Nd":
        return None               # ½, ², Ⅻ: the normalizers or G2P read or drop them
    name = unicodedata.name(char, "")
    first = name.split(" ")[0]
    if not name or first in _NOT_A_SCRIPT:
        return None
    return _SCRIPT_NAMES.get(first, first.title())


def _label(char: str) -> str | None:
    script = foreign_script(char)
    if script:
        return script
    category = unicodedata.category(char)
    if category in ("So", "Sk") and char not in KEEP_SYMBOLS or char in _JOINERS:
        return "emoji or symbols"
    if category == "Cc" and char not in "\n\t\r":
        return "control characters"
    return None


def find_unspoken(text: str, offset: int = 0) -> list[Unspoken]:
    """Runs of what cannot be said, grouped by kind; spaces between two pieces of one kind join them
    (an Arabic phrase is one run), and emoji joiners stay with the emoji they join."""
    runs: list[Unspoken] = []
    i = 0
    while i < len(text):
        label = _label(text[i])
        if label is None or text[i] in _JOINERS:    # a joiner with no emoji before it is invisible
            i += 1
            continue
        end = i + 1
        while end < len(text):
            nxt = _label(text[end])
            if nxt == label or label == "emoji or symbols" and text[end] in _JOINERS:
                end += 1
                continue
            gap = end
            while gap < len(text) and text[gap] == " ":
                gap += 1
            if gap > end and gap < len(text) and _label(text[gap]) == label:
                end = gap
                continue
            break
        runs.append(Unspoken(label, offset + i, offset + end, text[i:end]))
        i = end
    return runs


def summary(runs: list[Unspoken], limit: int = 6) -> str:
    """'Arabic 'مرحبا' (characters 7-11), emoji or symbols '😀' (character 20)', the first ``limit``."""
    from ..messages import Msg

    shown = [r.describe() for r in runs[:limit]]
    return Msg("notes.more", runs=shown, n=len(runs) - limit) if len(runs) > limit else Msg("notes.list", runs=shown)


def note(runs: list[Unspoken]) -> str:
    """The warning for a chunk's unspoken runs ('' when there are none)."""
    if not runs:
        return ""
    scripts = sorted({r.label for r in runs} - {"emoji or symbols", "control characters"})
    from ..messages import Msg

    return Msg("notes.not_spoken_script" if scripts else "notes.not_spoken_symbols", runs=summary(runs))


def nothing_speakable(runs: list[Unspoken], text: str) -> dict:
    """The refusal for a text with nothing to say, naming what it does hold: a TextError's key and parameters."""
    from ..messages import either

    scripts = sorted({r.label for r in runs} - {"emoji or symbols", "control characters"})
    if scripts:
        shown = ", ".join(f"'{r.text if len(r.text) <= 24 else r.text[:20] + '…'}'" for r in runs[:3])
        return {"key": "text.nothing_in_script", "scripts": either([_label_msg(s) for s in scripts], "and"),
                "shown": shown}
    if runs:
        return {"key": "text.nothing_speakable_runs", "runs": summary(runs, 3)}
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 30 else shown[:27] + "…"
    return {"key": "text.nothing_speakable_marks", "shown": shown}
