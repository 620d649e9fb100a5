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
MAX_VALUES = 4_000_000          # in all a voice's arrays: a 30 s prompt at 24 kHz is 0.73 M samples
MAX_ARRAY_VALUES = 2_000_000    # one array of an engine whose spec names no tighter bound
MAX_META_BYTES = 1 << 20        # a voice's JSON record (report, info, consent): a few KB in practice


@dataclass(frozen=True)
class Array:
    kind: str                   # numpy dtype kinds allowed: "f" float, "i" signed int, "u" unsigned int
    ndims: tuple[int, ...]      # allowed numbers of dimensions
    last: int | None = None     # required size of the last dimension
    rows: tuple[tuple[int, ...], ...] = ()    # if set: the allowed shapes of one row (all but the first axis)
    low: float = -1e4
    high: float = 1e4
    optional: bool = False
    max_values: int = MAX_ARRAY_VALUES   # checked from the file's header, before the array is read

    def describe(self) -> str:
        dims = " or ".join(f"{n}-D" for n in self.ndims)
        last = (f" with rows of shape {' or '.join(map(str, self.rows))}" if self.rows
                else f" with {self.last} values per row" if self.last else "")
        return f"a {dims} {'float' if self.kind == 'f' else 'integer'} array{last}, values {self.low:g} to {self.high:g}"


PROMPT_AUDIO = Array("f", (1,), low=-4.0, high=4.0, max_values=60 * 48000)   # prepared reference audio (peak-normalised)
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
        limit = rule.max_values if rule else MAX_ARRAY_VALUES
        if array.size > limit:
            raise bad(where, f"its {key!r} array has {array.size:,} values, far more than a voice holds "
                             f"(at most {limit:,})")
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


# -- reading an npz without trusting it: voice files and the engine server's messages are both npz -----------
MAX_MEMBERS = 1024              # arrays in one npz; a voice holds a handful, a reply a few per chunk
_KINDS = "biufcUS"              # numbers and text; never objects (pickle) or raw bytes of unknown layout


class NpzError(Exception):
    """Bytes that are not a readable npz (``reason`` in plain words), or whose arrays would take more than
    allowed once read (``inflated``: the bytes they declare)."""

    def __init__(self, reason: str, inflated: int | None = None):
        super().__init__(reason)
        self.reason, self.inflated = reason, inflated


def read_npz(data, max_bytes: int, check: Callable | None = None, first: str = "meta") -> dict:
    """The arrays of an npz (its bytes, or a seekable file), each judged from its header before a byte of it is inflated: at most
    ``max_bytes`` in all, no object (pickled) arrays, and ``check(name, dtype, shape, read_so_far)``
    (which raises to refuse) for every array; the one named ``first`` is read before the others.
    A compressed entry inflates only to the size its header declares, so a small bomb stays small."""
    import io
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise NpzError("it is not an npz archive") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise NpzError(f"it holds {len(infos)} entries (at most {MAX_MEMBERS})")
        total = sum(i.file_size for i in infos)
        if total > max_bytes:
            raise NpzError(f"its arrays would take {total / 2**20:.0f} MiB", inflated=total)
        out: dict = {}
        for info in sorted(infos, key=lambda i: i.filename != f"{first}.npy"):
            if not info.filename.endswith(".npy"):
                raise NpzError(f"its entry {info.filename[:80]!r} is not an array")
            name = info.filename[:-4]
            try:
                out[name] = _read_entry(archive, info, name, check, out)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as err:
                raise NpzError(f"its entry {name[:80]!r} is damaged ({type(err).__name__})") from None
        return out


def _read_entry(archive, info, name: str, check: Callable | None, done: dict):
    import numpy as np
    from numpy.lib import format as npy

    with archive.open(info) as f:
        try:
            version = npy.read_magic(f)
            read_header = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, fortran, dtype = read_header(f, max_header_size=10_000)
        except (ValueError, TypeError, SyntaxError):
            raise NpzError(f"its entry {name[:80]!r} is not a numpy array") from None
        if dtype.hasobject or dtype.kind not in _KINDS or dtype.itemsize == 0:
            raise NpzError(f"its entry {name[:80]!r} holds {dtype} values, which voxnb never writes")
        nbytes = math.prod(shape) * dtype.itemsize
        if info.file_size - f.tell() != nbytes:
            raise NpzError(f"its entry {name[:80]!r} is damaged (its size does not match its header)")
        if check is not None:
            check(name, dtype, shape, done)
        buf = bytearray(nbytes)
        view, at = memoryview(buf), 0
        while at < nbytes:   # piece by piece: never a second copy of a big array
            piece = f.read(min(1 << 20, nbytes - at))
            if not piece:
                raise EOFError
            view[at:at + len(piece)] = piece
            at += len(piece)
    return np.frombuffer(buf, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def voice_guard(where: str) -> Callable:
    """``read_npz``'s check for a voice file: a small metadata record first, then each array within its
    engine's bound (``Array.max_values``) and all of them within ``MAX_VALUES``, judged before reading."""
    state = {"values": 0, "rules": None}

    def check(name, dtype, shape, done):
        import json

        if name == "meta":
            if dtype.kind != "U" or shape != () or dtype.itemsize > MAX_META_BYTES:
                raise bad(where, "its metadata is not a short text record")
            return
        if not name.startswith("c_"):
            return
        if state["rules"] is None:
            try:
                meta = json.loads(str(done["meta"]))
                engine = meta["engine"] if isinstance(meta, dict) else None
            except (KeyError, ValueError, RecursionError):
                engine = None
            state["rules"] = _lookup(engine) if isinstance(engine, str) else {}
        rule = state["rules"].get(name[2:])
        size = math.prod(shape)
        limit = rule.max_values if rule else MAX_ARRAY_VALUES
        state["values"] += size
        if size > limit or state["values"] > MAX_VALUES:
            raise bad(where, f"its {name[2:]!r} array has {size:,} values, far more than a voice holds "
                             f"(at most {limit:,})")

    return check
