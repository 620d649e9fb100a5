"""Batch synthesis: a CSV of lines in, a folder of WAVs and a manifest out.

    lines = read_script("lines.csv")                     # checked up front: bad rows name their row
    manifest = run_batch(engine, voice, lines, "out/")   # out/001.wav ... + out/manifest.csv

A script is UTF-8 CSV with a header row. ``text`` is required; ``name`` (output file stem),
``style``, ``speed``, ``seed``, ``voice`` (a saved or stock voice for that line) and ``instruct`` (an
instruction, for engines that follow them: cosyvoice3) are optional.
Row numbers are the file's lines, as an editor or spreadsheet shows them: the header is row 1.
"""
from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..engines.generate import generate
from ..errors import SettingsError, TextError, VoiceNotFoundError, VoxnbError
from ..settings import SynthesisSettings
from ..voice import Voice
from .folder import MANIFEST, MANIFEST_COLUMNS, BatchFolder, BatchProgress, row_key  # noqa: F401 -- re-exported

COLUMNS = ("text", "name", "style", "speed", "seed", "voice", "instruct")
_NAME_RE = re.compile(r"^[\w\-. ]{1,100}$")   # a file stem: letters (any script), digits, space, - _ .


@dataclass(frozen=True)
class Line:
    """One line to speak, with the settings it asks for."""

    text: str
    name: str = ""            # output file stem; "" -> its position, 001, 002, ...
    style: str = "neutral"    # a key of voxnb.STYLES
    speed: float = 1.0        # see voxnb.SPEED_RANGE
    seed: int = 0
    voice: str = ""           # a voice for this line only; "" -> the batch's voice
    instruct: str = ""        # an instruction preset or words (cosyvoice3); "" -> none
    row: int = 0              # row in the script it came from (header = row 1); 0 if not read from a file


def read_script(path: str | Path) -> list[Line]:
    """Read and check a CSV script. Any bad row raises a VoxnbError naming the row and the fix."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")   # -sig: Excel's "CSV UTF-8" starts with a BOM
    except FileNotFoundError:
        raise VoxnbError(key="batch.script", path=path) from None
    except UnicodeDecodeError:
        raise VoxnbError(key="batch.utf_text", name=path.name) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "text" not in header:
        raise VoxnbError(key="batch.text_column_header_row", name=path.name, columns=','.join(COLUMNS))
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise VoxnbError(key="batch.unknown_column_s", name=path.name, unknown=unknown, columns=COLUMNS)
    reader.fieldnames = header
    lines, seen = [], {}
    for record in reader:
        row = reader.line_num
        if None in record:
            raise VoxnbError(key="batch.row_more_cells_than", row=row, name=path.name)
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue   # an empty row, e.g. a trailing ",,,," from a spreadsheet
        line = _line(values, row, path.name)
        if line.name:
            if line.name in seen:
                raise VoxnbError(key="batch.rows_both_have_name", seen=seen[line.name], row=row, name=path.name,
                                 name2=line.name)
            seen[line.name] = row
        lines.append(line)
    if not lines:
        raise TextError(key="batch.header_but_lines", name=path.name)
    return lines


def _line(values: dict, row: int, source: str) -> Line:
    where = f"Row {row} of {source}"
    if not values.get("text"):
        raise TextError(key="batch.text_empty", where=where)
    name = values.get("name", "")
    if name and (not _NAME_RE.match(name) or name.startswith(".")):
        raise VoxnbError(key="batch.cannot_file_name", where=where, name=name)
    try:
        speed = float(values["speed"]) if values.get("speed") else 1.0
    except ValueError:
        raise SettingsError(key="batch.speed_number", where=where, speed=values['speed']) from None
    try:
        seed = int(values["seed"]) if values.get("seed") else 0
    except ValueError:
        raise SettingsError(key="batch.seed_whole_number", where=where, seed=values['seed']) from None
    try:
        settings = SynthesisSettings(style=values.get("style") or "neutral", speed=speed, seed=seed,
                                     instruct=values.get("instruct") or "").validated()
    except SettingsError as err:
        raise SettingsError(key="batch.row_problem", where=where, problem=err.problem_msg(), fix=err.fix_msg()) from None
    return Line(text=values["text"], name=name, style=settings.style, speed=settings.speed, seed=settings.seed,
                voice=values.get("voice", ""), instruct=settings.instruct, row=row)


def run_batch(engine, voice: Voice | None, lines: Sequence[Line], out_dir: str | Path,
              on_progress: Callable[[BatchProgress], None] | None = None,
              voices: Mapping[str, Voice] | None = None) -> Path:
    """Speak every line into ``out_dir``; return the path of its manifest (``out_dir/manifest.csv``).

    Each line becomes ``<name or 001>.wav`` plus a JSON sidecar. The manifest is the truth and is
    rewritten atomically after every line: a re-run into the same folder speaks only the lines not done
    yet (a line is done when listed without an error, with the same text, voice and settings); a take
    written just before a killed run could list it is recognised by its sidecar, not spoken twice.
    Existing files are never replaced: an edited line's new take gets a free name (``001-1.wav``).
    A line naming a ``voice`` uses ``voices[name]``, else the engine's stock voice of that name. A line
    that fails is listed with its error (and tried again by the next run); the batch goes on.
    ``engine`` may be a ``voxnb.runs.cluster.RayPool``, which speaks several lines at once on a cluster.
    ``on_progress(progress)`` is called after each line (``BatchProgress``: done, total, rows/min, time left).
    """
    if voice is None and any(not line.voice for line in lines):
        raise VoxnbError(key="batch.voice_lines_do_name")
    width = max(3, len(str(len(lines))))
    with BatchFolder(out_dir) as folder:
        progress = BatchProgress(0, len(lines), 0, 0, time.monotonic())
        todo = []
        for i, line in enumerate(lines):
            stem = line.name or f"{i + 1:0{width}d}"
            row = {"row": line.row or "", "name": stem, "file": "", "text": line.text, "voice_id": "",
                   "style": line.style, "speed": line.speed, "seed": line.seed, "duration_s": "", "rtf": "",
                   "error": "", "key": ""}
            try:
                who = _line_voice(engine, voice, voices or {}, line)
            except VoxnbError as err:
                row["error"] = str(err)
                _finish(folder, row, progress, line, on_progress)
                continue
            row.update(voice_id=who.id, key=row_key(line.text, who.id, line.style, line.speed, line.seed,
                                                     line.instruct))
            if folder.done(stem, row["key"]):
                progress.skipped += 1
                _finish(folder, None, progress, line, on_progress)
                continue
            todo.append((line, who, row))
        speak = getattr(engine, "speak_rows", None) or (lambda items: _speak_in_turn(engine, items))
        for (line, _, row), outcome in speak(todo):
            if isinstance(outcome, BaseException):
                err = outcome
                row["error"] = str(err) if isinstance(err, VoxnbError) else f"unexpected {type(err).__name__}: {err}"
            else:
                path = outcome.save(folder.dir / f"{row['name']}.wav")
                row.update(file=path.name, duration_s=round(outcome.duration_s, 3), rtf=round(outcome.rtf, 3))
            _finish(folder, row, progress, line, on_progress)
        return folder.manifest


def _finish(folder: BatchFolder, row: dict | None, progress: BatchProgress, line: Line, on_progress) -> None:
    if row is not None:
        folder.record(row)
        progress.failed += bool(row["error"])
    progress.done += 1
    progress.line = line
    if on_progress is not None:
        on_progress(progress)


def line_settings(line: Line) -> dict:
    extra = {"instruct": line.instruct} if line.instruct else {}
    return dict(style=line.style, speed=line.speed, seed=line.seed, inspect=False, **extra)


def _speak_in_turn(engine, items):
    """(item, Result or the exception) for each item, one after another on this process's engine."""
    for item in items:
        line, who, _ = item
        try:
            yield item, generate(engine, line.text, who, line_settings(line))
        except Exception as err:  # noqa: BLE001 -- one bad line must not lose the others; the message is kept
            yield item, err


def _line_voice(engine, voice: Voice | None, voices: Mapping[str, Voice], line: Line) -> Voice:
    if not line.voice:
        return voice
    if line.voice in voices:
        return voices[line.voice]
    try:
        return engine.stock_voice(line.voice)
    except VoiceNotFoundError as err:
        raise VoiceNotFoundError(key="batch.voice_not_given", voice=line.voice, problem=err.problem_msg()) from None


def read_manifest(path: str | Path) -> list[dict]:
    """The manifest's rows as dicts of strings, one per line of the script (in the script's order, lines of
    an earlier script that this one no longer has first)."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
