"""A cast: each speaker of a script given a voice (a saved or stock voice's name) and, optionally, an engine
and settings of their own.

    cast = parse_cast("Alice=alice, Bob=bob:happy")        # Bob's lines default to the happy style
    cast = read_cast("cast.csv")                           # speaker,voice[,engine,style,speed,seed,instruct]
    missing(cast, lines)                                   # speakers of the script the cast lacks
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import SettingsError, VoxnbError
from ..settings import STYLES, SynthesisSettings

CAST_COLUMNS = ("speaker", "voice", "engine", "style", "speed", "seed", "instruct")


@dataclass(frozen=True)
class Role:
    """What one speaker sounds like. A script line's own setting wins over these; None: the run's."""

    voice: str
    engine: str | None = None
    style: str | None = None
    speed: float | None = None
    seed: int | None = None
    instruct: str | None = None


def parse_cast(text: str) -> dict[str, Role]:
    """``"Alice=alice,Bob=bob:happy"``: a voice per speaker, optionally ``:style``. A path to a CSV
    (``speaker,voice,...``) is read as a cast file."""
    if text.strip().lower().endswith(".csv") and "=" not in text:
        return read_cast(text.strip())
    cast = {}
    for item in (i.strip() for i in text.replace("，", ",").split(",")):
        if not item:
            continue
        name, sep, voice = item.partition("=")
        voice, _, style = voice.partition(":")
        if not sep or not name.strip() or not voice.strip():
            raise SettingsError(key="cast.bad_item", item=item)
        if style and style.strip() not in STYLES:
            raise SettingsError(key="cast.bad_style", item=item, style=style.strip(), styles=", ".join(STYLES))
        cast[name.strip()] = Role(voice=voice.strip(), style=style.strip() or None)
    if not cast:
        raise SettingsError(key="cast.bad_item", item=text)
    return cast


def read_cast(path: str | Path) -> dict[str, Role]:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise VoxnbError(key="script.no_file", path=path) from None
    except UnicodeDecodeError:
        raise VoxnbError(key="script.not_utf8", name=path.name) from None
    reader = csv.DictReader(io.StringIO(raw, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "speaker" not in header or "voice" not in header or any(h not in CAST_COLUMNS for h in header if h):
        raise VoxnbError(key="cast.csv_header", name=path.name, columns=", ".join(CAST_COLUMNS))
    reader.fieldnames = header
    cast = {}
    for record in reader:
        v = {k: (x or "").strip() for k, x in record.items() if k}
        if not any(v.values()):
            continue
        where = f"{path.name}, line {reader.line_num}"
        if not v.get("speaker") or not v.get("voice"):
            raise SettingsError(key="cast.row_incomplete", where=where)
        try:
            speed = float(v["speed"]) if v.get("speed") else None
            seed = int(v["seed"]) if v.get("seed") else None
            SynthesisSettings(style=v.get("style") or "neutral", speed=speed or 1.0, seed=seed or 0,
                              instruct=v.get("instruct") or "").validated()
        except (ValueError, SettingsError) as err:
            problem = err.problem_msg() if isinstance(err, SettingsError) else str(err)
            raise SettingsError(key="cast.row_setting", where=where, problem=problem) from None
        cast[v["speaker"]] = Role(voice=v["voice"], engine=v.get("engine") or None, style=v.get("style") or None,
                                  speed=speed, seed=seed, instruct=v.get("instruct") or None)
    if not cast:
        raise VoxnbError(key="cast.csv_header", name=path.name, columns=", ".join(CAST_COLUMNS))
    return cast


def missing(cast: dict[str, Role], speakers: list[str]) -> list[str]:
    return [s for s in speakers if s not in cast]


def require(cast: dict[str, Role], speakers: list[str]) -> None:
    """A VoxnbError naming every speaker without a voice, and how to add them."""
    lacking = missing(cast, speakers)
    if lacking:
        example = ",".join(f"{s}=VOICE" for s in lacking)
        raise VoxnbError(key="cast.missing_speakers", speakers=lacking, known=list(cast) or "-", example=example)
