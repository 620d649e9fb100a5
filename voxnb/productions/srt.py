"""SubRip subtitles: read strictly (a dub needs every cue's slot right), written for a script's timeline.

A cue is ``index``, ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` and its text lines, cues apart by a blank line.
Cues must be in time order and must not overlap: a dub speaks each inside its own slot. Text markup
(``<i>``, ``{\\an8}``) is dropped; a ``Name:`` at the start of a cue names its speaker (a cast's voice).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TextError, VoxnbError

_TIME = r"(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_TAGS = re.compile(r"<[^>]{0,40}>|\{\\[^}]{0,40}\}")
_SPEAKER = re.compile(r"^\s*(?P<name>[^\s:：][^:：]{0,39}?)\s*[:：]\s*(?P<text>\S.*)$", re.S)
MAX_CUES = 20000


@dataclass(frozen=True)
class Cue:
    index: int          # the cue's number as the file gives it
    start: float        # seconds
    end: float
    text: str           # without markup and without the speaker prefix
    speaker: str = ""   # "" when the cue names none
    line: int = 0       # the file line of its timing

    @property
    def slot(self) -> float:
        return self.end - self.start


def read_srt(path: str | Path, speakers: bool = True) -> list[Cue]:
    """``speakers``: a 'Name:' opening a cue names its speaker (with a cast); else it is text."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise VoxnbError(key="script.no_file", path=path) from None
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise VoxnbError(key="script.not_utf8", name=path.name)
    return parse_srt(text, path.name, speakers)


def parse_srt(text: str, source: str = "the subtitles", speakers: bool = True) -> list[Cue]:
    """The cues of an SRT, checked: a bad timestamp, an end before its start, cues out of order or
    overlapping each raise a VoxnbError naming the cue, its line and the fix."""
    cues: list[Cue] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        first = i
        index_line = lines[i].strip()
        timing_at = i + 1 if index_line.isdigit() else i   # the index is optional in practice
        if timing_at >= len(lines):
            raise TextError(key="srt.bad_timing", name=source, line=first + 1, text=index_line[:60])
        timing = _TIMING.match(lines[timing_at])
        if timing is None:
            raise TextError(key="srt.bad_timing", name=source, line=timing_at + 1, text=lines[timing_at].strip()[:60])
        g = timing.groups()
        start, end = _seconds(g[:4]), _seconds(g[4:])
        body = []
        i = timing_at + 1
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].strip())
            i += 1
        index = int(index_line) if timing_at > first else len(cues) + 1
        words = " ".join(_TAGS.sub("", b) for b in body).strip()
        speaker = ""
        named = _SPEAKER.match(words) if speakers else None
        if named and not named.group("name").strip().isdigit():
            speaker, words = named.group("name").strip(), named.group("text").strip()
        cue = Cue(index=index, start=start, end=end, text=words, speaker=speaker, line=timing_at + 1)
        _check(cue, cues[-1] if cues else None, source)
        if cue.text:               # a cue with no words (a music note once its markup is gone) is not spoken
            cues.append(cue)
        if len(cues) > MAX_CUES:
            raise TextError(key="srt.too_many", name=source, most=MAX_CUES)
    if not cues:
        raise TextError(key="srt.empty", name=source)
    return cues


def _seconds(parts) -> float:
    h, m, s, ms = parts
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def _check(cue: Cue, before: Cue | None, source: str) -> None:
    if cue.end <= cue.start:
        raise TextError(key="srt.end_before_start", name=source, index=cue.index, line=cue.line,
                        start=stamp(cue.start), end=stamp(cue.end))
    if before is None:
        return
    if cue.start < before.start:
        raise TextError(key="srt.out_of_order", name=source, index=cue.index, line=cue.line, start=stamp(cue.start),
                        before=before.index, before_start=stamp(before.start))
    if cue.start < before.end:
        raise TextError(key="srt.overlap", name=source, index=cue.index, line=cue.line, start=stamp(cue.start),
                        before=before.index, before_end=stamp(before.end),
                        overlap=round(before.end - cue.start, 3))


def stamp(seconds: float) -> str:
    """SRT's ``HH:MM:SS,mmm``."""
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def format_srt(cues) -> str:
    """An SRT of ``(start, end, text)`` triples, numbered from 1."""
    return "\n".join(f"{n}\n{stamp(start)} --> {stamp(end)}\n{text}\n" for n, (start, end, text) in enumerate(cues, 1))
