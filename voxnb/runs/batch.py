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
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from ..engines.generate import generate
from ..errors import SettingsError, TextError, VoiceNotFoundError, VoxnbError
from ..output.write import reserve, unwritable
from ..settings import SynthesisSettings
from ..voice import Voice

COLUMNS = ("text", "name", "style", "speed", "seed", "voice", "instruct")
MANIFEST_COLUMNS = ("row", "name", "file", "text", "voice_id", "style", "speed", "seed", "duration_s", "rtf", "error")
MANIFEST = "manifest.csv"
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
              on_progress: Callable[[int, int, Line], None] | None = None,
              voices: Mapping[str, Voice] | None = None) -> Path:
    """Speak every line into ``out_dir``; return the path of the manifest written there.

    Each line becomes ``<name or 001>.wav`` plus a JSON sidecar (existing files are never
    replaced: a free name like ``001-1.wav`` is taken). A line naming a ``voice`` uses
    ``voices[name]``, else the engine's stock voice of that name. A line that fails is
    recorded in the manifest with its error and the batch goes on. The manifest is
    rewritten atomically after every line, so an interrupted batch still has one.
    ``on_progress(i, n, line)`` is called after each line, with ``i`` lines of ``n`` done.
    """
    if voice is None and any(not line.voice for line in lines):
        raise VoxnbError(key="batch.voice_lines_do_name")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise unwritable(out_dir, err) from None
    manifest = reserve(out_dir / MANIFEST)   # a name no concurrent batch into this folder gets, before the first line
    rows: list[dict] = []
    _write_manifest(manifest, rows)
    width = max(3, len(str(len(lines))))
    for i, line in enumerate(lines):
        rows.append(_speak(engine, voice, voices or {}, line, out_dir, line.name or f"{i + 1:0{width}d}"))
        _write_manifest(manifest, rows)
        if on_progress is not None:
            on_progress(i + 1, len(lines), line)
    return manifest


def _speak(engine, voice, voices, line: Line, out_dir: Path, stem: str) -> dict:
    row = {"row": line.row or "", "name": stem, "file": "", "text": line.text, "voice_id": "", "style": line.style,
           "speed": line.speed, "seed": line.seed, "duration_s": "", "rtf": "", "error": ""}
    try:
        who = _line_voice(engine, voice, voices, line)
        row["voice_id"] = who.id
        extra = {"instruct": line.instruct} if line.instruct else {}
        result = generate(engine, line.text, who, dict(style=line.style, speed=line.speed, seed=line.seed,
                                                       inspect=False, **extra))
        path = result.save(out_dir / f"{stem}.wav")
    except Exception as err:  # noqa: BLE001 -- one bad line must not lose the others; the message is kept
        row["error"] = str(err) if isinstance(err, VoxnbError) else f"unexpected {type(err).__name__}: {err}"
        return row
    row.update(file=path.name, duration_s=round(result.duration_s, 3), rtf=round(result.rtf, 3))
    return row


def _line_voice(engine, voice: Voice | None, voices: Mapping[str, Voice], line: Line) -> Voice:
    if not line.voice:
        return voice
    if line.voice in voices:
        return voices[line.voice]
    try:
        return engine.stock_voice(line.voice)
    except VoiceNotFoundError as err:
        raise VoiceNotFoundError(key="batch.voice_not_given", voice=line.voice, problem=err.problem_msg()) from None


def _write_manifest(path: Path, rows: list[dict]) -> None:
    # unique per process and thread, and removed whatever fails: no hidden temp file stays in the folder
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_manifest(path: str | Path) -> list[dict]:
    """The manifest's rows as dicts of strings, in the order the lines were spoken."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
