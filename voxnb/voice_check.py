"""What a voice file may hold: every array and control is checked when a voice is read, so a damaged or
hand-edited file is refused with its path and the fix instead of speaking as a full-scale blast.

The rules for an engine's arrays are the engine's: its spec declares them (``EngineSpec.voice_arrays``,
wide sanity bounds around what its cloning produces) and the engine registry hands them here through
``declare``, so this module, below the engines, never imports one. Standard library only at import:
engine specs use ``Array``, and the start script reads specs with a bare python3.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

from .errors import BadVoiceFileError

FORMAT = 1                      # voice.meta()["format"]; files without it predate the field and are format 1
MAX_VALUES = 50_000_000         # a 60 s prompt at 24 kHz is 1.4 M samples; more is not a voice


@dataclass(frozen=True)
class Array:
    kind: str                   # numpy dtype kinds allowed: "f" float, "i" signed int, "u" unsigned int
    ndims: tuple[int, ...]      # allowed numbers of dimensions
    last: int | None = None     # required size of the last dimension
    rows: tuple[tuple[int, ...], ...] = ()    # if set: the allowed shapes of one row (all but the first axis)
    low: float = -1e4
    high: float = 1e4
    optional: bool = False

    def describe(self) -> str:
        dims = " or ".join(f"{n}-D" for n in self.ndims)
        last = (f" with rows of shape {' or '.join(map(str, self.rows))}" if self.rows
                else f" with {self.last} values per row" if self.last else "")
        return f"a {dims} {'float' if self.kind == 'f' else 'integer'} array{last}, values {self.low:g} to {self.high:g}"


PROMPT_AUDIO = Array("f", (1,), low=-4.0, high=4.0)   # prepared reference audio (peak-normalised)
CONTROLS = {"f0_level": (0.25, 4.0), "f0_range": (0.0, 5.0), "energy_shift": (-3.0, 3.0),
            "bandwidth_hz": (500.0, 48000.0)}
TEXT_FIELDS = ("id", "name", "engine", "method")


def _unknown(engine: str) -> Mapping[str, Array]:
    return {}


_lookup: Callable[[str], Mapping[str, Array]] = _unknown


def declare(lookup: Callable[[str], Mapping[str, Array]]) -> None:
    """Where an engine's array rules come from (engine name -> {array: Array}); the engine registry
    sets it when it is imported, so a voice read by any code that can speak it is checked in full."""
    global _lookup
    _lookup = lookup


def check_meta(meta, where: str) -> None:
    """The JSON record: the fields every voice has, of the right types, in a format this voxnb reads."""
    if not isinstance(meta, dict):
        raise bad(where, "its metadata is not a record")
    fmt = meta.get("format", FORMAT)
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise bad(where, f"its format version {fmt!r} is not one voxnb writes")
    if fmt > FORMAT:
        raise BadVoiceFileError(key="voice.format_voice_file_voxnb", where=where, fmt=fmt, format=FORMAT)
    for key in TEXT_FIELDS:
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise bad(where, f"its {key!r} is missing or not text")
    for key in ("controls", "report", "info", "consent"):
        if not isinstance(meta.get(key, {}), dict):
            raise bad(where, f"its {key!r} is not a record")
    if not isinstance(meta.get("transcript", ""), str):
        raise bad(where, "its transcript is not text")
    for key, value in meta.get("controls", {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad(where, f"its control {key!r} is {value!r}, not a number")
        if key in CONTROLS and not CONTROLS[key][0] <= value <= CONTROLS[key][1]:
            low, high = CONTROLS[key]
            raise bad(where, f"its control {key!r} is {value:g}, outside {low:g} to {high:g}")


def check_conditioning(engine: str, conditioning: dict, where: str) -> None:
    """The engine's arrays: present, of the expected type and shape, finite and in range. Arrays of an
    engine this voxnb does not know still have to be finite numbers."""
    import numpy as np

    spec = _lookup(engine)
    for key, rule in spec.items():
        if key not in conditioning and not rule.optional:
            raise bad(where, f"it has no {key!r} array, which a {engine} voice needs")
    for key, array in conditioning.items():
        rule = spec.get(key)
        if array.dtype.kind not in (rule.kind if rule else "fiu"):
            raise bad(where, f"its {key!r} array holds {array.dtype} values"
                             + (f", not {rule.describe()}" if rule else ", not numbers"))
        if array.size > MAX_VALUES:
            raise bad(where, f"its {key!r} array has {array.size:,} values, far more than a voice holds")
        if rule and (array.ndim not in rule.ndims or rule.last and array.shape[-1] != rule.last
                     or rule.rows and array.shape[1:] not in rule.rows):
            raise bad(where, f"its {key!r} array has shape {array.shape}, not {rule.describe()}")
        if rule and rule.ndims != (0,) and array.size == 0:
            raise bad(where, f"its {key!r} array is empty")
        values = array.astype(np.float64, copy=False)
        finite = np.isfinite(values)
        if not finite.all():
            raise bad(where, f"its {key!r} array holds {int((~finite).sum())} NaN or infinite value(s)")
        if rule and array.size and (values.min() < rule.low or values.max() > rule.high):
            raise bad(where, f"its {key!r} array holds values from {values.min():g} to {values.max():g}, "
                             f"outside {rule.low:g} to {rule.high:g}")


def bad(where: str, what: str) -> BadVoiceFileError:
    return BadVoiceFileError(key="voice.damaged", where=where, what=what)
