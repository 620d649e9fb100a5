"""A script: who says what, read from plain text (``Alice: Hello.``) or a CSV, checked before any model loads.

Plain text, one line per turn::

    # a comment
    Alice: Welcome back to the show.
    Bob [style=happy seed=7 pause=0.8]: Glad to be here!
    张三：大家好。

A turn runs on over following lines that have no ``Name:`` of their own; a blank line ends it. The
optional ``[...]`` after a name sets that line's style, speed, seed, pause (seconds of silence before
it), engine or instruct. A CSV has a header row: ``speaker`` and ``text``, and optionally the same
settings as columns. Line numbers in messages are the file's own (a CSV's header is line 1).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import SettingsError, TextError, VoxnbError
from ..settings import SynthesisSettings

SETTINGS = ("style", "speed", "seed", "pause", "engine", "instruct")
COLUMNS = ("speaker", "text", *SETTINGS)
MAX_PAUSE_S = 10.0
# "Name:" or "Name [k=v ...]:" at the start of a line; a full-width colon for Chinese; names up to 40 characters
_TURN = re.compile(r"^\s*(?P<name>[^\s:：\[\]#][^:：\[\]]{0,39}?)\s*(?:\[(?P<opts>[^\]]*)\])?\s*[:：]\s*(?P<text>.*)$")


@dataclass(frozen=True)
class ScriptLine:
    """One turn of a script. ``None``: the cast's (or the run's) setting applies."""

    speaker: str
    text: str
    style: str | None = None
    speed: float | None = None
    seed: int | None = None
    pause: float | None = None    # seconds of silence before this line; None: the run's turn pause
    engine: str | None = None
    instruct: str | None = None
    line: int = 0                 # where it starts in its file (1-based); 0: not read from a file


def read_script(path: str | Path) -> list[ScriptLine]:
    """The lines of a script file (``.csv``, else plain text), or a VoxnbError naming the line and the fix."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")   # Excel's "CSV UTF-8" and Notepad start with a BOM
    except (FileNotFoundError, IsADirectoryError):
        raise VoxnbError(key="script.no_file", path=path) from None
    except UnicodeDecodeError:
        raise VoxnbError(key="script.not_utf8", name=path.name) from None
    if path.suffix.lower() == ".srt":
        raise VoxnbError(key="script.is_subtitles", name=path.name)
    return read_csv(raw, path.name) if path.suffix.lower() == ".csv" else parse_script(raw, path.name)


def parse_script(text: str, source: str = "the script") -> list[ScriptLine]:
    lines: list[ScriptLine] = []
    current: ScriptLine | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped:
            current = None
            continue
        if stripped.startswith("#"):
            continue
        turn = _TURN.match(raw)
        if turn and not _looks_like_time(turn.group("name")):
            options = _options(turn.group("opts") or "", f"{source}, line {number}")
            current = ScriptLine(speaker=turn.group("name").strip(), text=turn.group("text").strip(), line=number,
                                 **options)
            lines.append(current)
        elif current is not None:
            current = replace(current, text=f"{current.text} {stripped}".strip())
            lines[-1] = current
        else:
            raise TextError(key="script.no_speaker", where=f"{source}, line {number}", text=stripped[:60])
    return _checked(lines, source)


def read_csv(text: str, source: str) -> list[ScriptLine]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "speaker" not in header or "text" not in header:
        raise VoxnbError(key="script.csv_header", name=source, columns=", ".join(COLUMNS))
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise VoxnbError(key="script.csv_unknown_columns", name=source, unknown=unknown, columns=", ".join(COLUMNS))
    reader.fieldnames = header
    lines = []
    for record in reader:
        where = f"{source}, line {reader.line_num}"
        if None in record:
            raise VoxnbError(key="script.csv_extra_cells", where=where)
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue
        if not values["speaker"]:
            raise TextError(key="script.no_speaker", where=where, text=values["text"][:60])
        options = _options(" ".join(f"{k}={values[k]}" for k in SETTINGS if values.get(k)), where)
        lines.append(ScriptLine(speaker=values["speaker"], text=values["text"], line=reader.line_num, **options))
    return _checked(lines, source)


def _checked(lines: list[ScriptLine], source: str) -> list[ScriptLine]:
    if not lines:
        raise TextError(key="script.empty", name=source)
    for line in lines:
        if not line.text:
            raise TextError(key="script.line_empty", where=f"{source}, line {line.line}", speaker=line.speaker)
    return lines


def _looks_like_time(name: str) -> bool:
    """'10:30 the train leaves' is text, not a speaker called 10."""
    return name.strip().isdigit()


def _options(raw: str, where: str) -> dict:
    """``style=happy seed=7`` -> checked values; anything else is an error naming the line."""
    out: dict = {}
    for item in raw.replace(",", " ").split():
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in SETTINGS or not value:
            raise SettingsError(key="script.bad_option", where=where, item=item, settings=", ".join(SETTINGS))
        out[key] = value.strip()
    try:
        if "speed" in out:
            out["speed"] = float(out["speed"])
        if "seed" in out:
            out["seed"] = int(out["seed"])
        if "pause" in out:
            out["pause"] = float(out["pause"])
    except ValueError:
        raise SettingsError(key="script.bad_option", where=where, item=raw, settings=", ".join(SETTINGS)) from None
    if "pause" in out and not 0 <= out["pause"] <= MAX_PAUSE_S:
        raise SettingsError(key="script.bad_pause", where=where, pause=out["pause"], most=MAX_PAUSE_S)
    check = {k: out[k] for k in ("style", "speed", "seed", "instruct") if k in out}
    if check:
        try:
            SynthesisSettings(**check).validated()
        except SettingsError as err:
            raise SettingsError(key="script.line_setting", where=where, problem=err.problem_msg(),
                                fix=err.fix_msg()) from None
    return out


def speakers(lines: list[ScriptLine]) -> list[str]:
    """The speakers in order of their first line."""
    return list(dict.fromkeys(line.speaker for line in lines))
