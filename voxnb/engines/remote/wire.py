"""What travels between an engine server and its clients: framed npz messages.

A message is an ``.npz`` (numpy's own container, read with ``allow_pickle=False``) holding a JSON
``meta`` record and named arrays, so audio and intermediates cross bit for bit. A response is a
sequence of frames, each an 8-byte big-endian length and a message, which lets a client read
chunks as they are made and tell a finished reply from a server that died mid-way.
"""
from __future__ import annotations

import dataclasses
import io
import json
import struct
from typing import Iterable, Iterator

import numpy as np

from ... import errors
from ...output.result import ChunkResult, Result

MEDIA_TYPE = "application/x-voxnb-frames"
HEADER = struct.Struct(">Q")
MAX_FRAME_BYTES = 1 << 30   # a frame header claiming more is a corrupt stream, not a big chunk
MAX_MESSAGE_BYTES = 2 << 30   # a message's arrays once read: more is no result a server makes


class WireError(Exception):
    """The bytes are not a voxnb message (a truncated stream, or not a voxnb server); ``reason`` in plain
    words, ``inflated`` the bytes its arrays would take when their size is the trouble."""

    def __init__(self, reason: str, inflated: int | None = None):
        super().__init__(reason)
        self.reason, self.inflated = reason, inflated


def _plain(value):
    if isinstance(value, np.generic):   # numpy scalars in timings, controls, reports
        return value.item()
    raise TypeError(f"{type(value).__name__} cannot be sent")


def pack(meta: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta, ensure_ascii=False, default=_plain)),
             **{f"a_{k}": v for k, v in (arrays or {}).items()})
    return buf.getvalue()


def unpack(data: bytes, max_bytes: int = MAX_MESSAGE_BYTES) -> tuple[dict, dict[str, np.ndarray]]:
    """A message's meta record and arrays; each array is judged from its header (numbers only, at most
    ``max_bytes`` in all) before it is read, so a small message cannot inflate to gigabytes."""
    from ...voice_check import NpzError, read_npz

    try:
        arrays = read_npz(data, max_bytes, _message_guard)
        meta = json.loads(str(arrays.pop("meta")))
    except NpzError as err:
        raise WireError(err.reason, err.inflated) from None
    except KeyError:
        raise WireError("it has no meta record") from None
    except (ValueError, RecursionError):
        raise WireError("its meta record is not JSON") from None
    if not isinstance(meta, dict):
        raise WireError(f"its meta record is {type(meta).__name__}, not a record")
    return meta, {k[2:]: v for k, v in arrays.items() if k.startswith("a_")}


def _message_guard(name, dtype, shape, done) -> None:
    if name == "meta":
        if dtype.kind != "U" or shape != ():
            raise WireError("its meta record is not text")
    elif dtype.kind not in "biufc":
        raise WireError(f"its array {name[2:82]!r} holds {dtype} values, not numbers")


def frame(meta: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    body = pack(meta, arrays)
    return HEADER.pack(len(body)) + body


def read_frames(pieces: Iterable[bytes]) -> Iterator[tuple[dict, dict[str, np.ndarray]]]:
    """Split a byte stream (any piece sizes) into messages. A stream that stops inside a frame raises."""
    buf = bytearray()
    for piece in pieces:
        buf += piece
        while len(buf) >= HEADER.size:
            (size,) = HEADER.unpack_from(buf)
            if size > MAX_FRAME_BYTES:
                raise WireError(f"frame of {size} bytes announced")
            if len(buf) < HEADER.size + size:
                break
            body = bytes(buf[HEADER.size:HEADER.size + size])
            del buf[:HEADER.size + size]
            yield unpack(body)
    if buf:
        raise WireError(f"the stream ended inside a frame ({len(buf)} bytes left over)")


# -- values ---------------------------------------------------------------------------------------
def split_dataclass(value) -> tuple[dict, dict[str, np.ndarray]]:
    """Fields that are arrays go to arrays; the rest (plain JSON values) to meta."""
    meta, arrays = {}, {}
    for f in dataclasses.fields(value):
        v = getattr(value, f.name)
        if isinstance(v, np.ndarray):
            arrays[f.name] = v
        elif f.name == "extras":     # a mapping of named arrays: each travels as its own array
            arrays.update({f"extras.{k}": a for k, a in v.items()})
        elif f.name == "warnings":   # notes keep their key, so a viewer shows them in its language
            meta[f.name] = [_note(w) for w in v]
        else:
            meta[f.name] = list(v) if isinstance(v, tuple) else v
    return meta, arrays


def _note(note):
    from ...messages import record

    return record(note) if getattr(note, "key", None) else str(note)


def notes_from(values) -> tuple:
    """Warnings as sent (``_note``) back to notes: a keyed one as a ``Msg``, the rest as text."""
    from ...messages import from_record

    return tuple(from_record(v) if isinstance(v, dict) else v for v in values or ())


def chunk_message(chunk: ChunkResult) -> tuple[dict, dict[str, np.ndarray]]:
    meta, arrays = split_dataclass(chunk)
    return {"kind": "chunk", "chunk": meta}, arrays


def chunk_from(meta: dict, arrays: dict[str, np.ndarray]) -> ChunkResult:
    fields = {**meta["chunk"], **{k: v for k, v in arrays.items() if not k.startswith("extras.")}}
    fields["extras"] = {k[len("extras."):]: v for k, v in arrays.items() if k.startswith("extras.")}
    fields["warnings"] = notes_from(fields.get("warnings"))
    fields["attention_axes"] = tuple(fields.get("attention_axes", ("token", "token")))
    return ChunkResult(**fields)


def result_message(result: Result) -> tuple[dict, dict[str, np.ndarray]]:
    """The whole Result: its own fields plus every chunk's, prefixed ``c<i>_``."""
    meta, arrays = split_dataclass(result)   # its chunks are sent one by one below
    del meta["chunks"]
    chunks = []
    for i, c in enumerate(result.chunks):
        cm, ca = split_dataclass(c)
        chunks.append(cm)
        arrays.update({f"c{i}_{k}": v for k, v in ca.items()})
    return {"kind": "result", "result": meta, "chunks": chunks}, arrays


def result_from(meta: dict, arrays: dict[str, np.ndarray]) -> Result:
    chunks = []
    for i, cm in enumerate(meta["chunks"]):
        ca = {k[len(f"c{i}_"):]: v for k, v in arrays.items() if k.startswith(f"c{i}_")}
        chunks.append(chunk_from({"chunk": cm}, ca))
    fields = dict(meta["result"])
    fields["warnings"] = notes_from(fields.get("warnings"))
    return Result(audio=arrays["audio"], chunks=tuple(chunks), **fields)


def text_chunk_record(chunk) -> dict:
    """A text frontend Chunk (voxnb.text.frontend) as JSON: the phoneme preview a server makes for a viewer."""
    return {"text": chunk.text, "phonemes": chunk.phonemes, "boundary": chunk.boundary,
            "warnings": [_note(w) for w in chunk.warnings],
            "segments": [{"text": s.text, "lang": s.lang, "phonemes": s.phonemes} for s in chunk.segments]}


def text_chunk_from(rec: dict):
    from ...text.frontend import Chunk, Segment

    return Chunk(text=rec["text"], phonemes=rec["phonemes"], boundary=rec["boundary"],
                 warnings=notes_from(rec.get("warnings")), segments=tuple(Segment(**s) for s in rec["segments"]))


# -- errors ---------------------------------------------------------------------------------------
def error_record(err: BaseException) -> dict:
    """A voxnb error keeps its class, problem, fix (and markup position) across the wire."""
    if isinstance(err, errors.VoxnbError):
        rec = {"type": type(err).__name__, "problem": err.problem, "fix": err.fix}
        if err.key:   # the client rebuilds it by key, so it renders in the viewer's language
            from ...messages import record

            rec["key"], rec["params"] = err.key, {k: record(v) for k, v in err.params.items()}
        if isinstance(err, errors.MarkupError):
            rec["position"] = err.position
            rec["problem"] = err.problem.rsplit(" (at character", 1)[0]
        return rec
    return {"type": "EngineError", "problem": f"The engine failed: {type(err).__name__}: {err}",
            "fix": "This is a bug in voxnb or the engine; the server's log has the traceback."}


def error_from(rec: dict) -> errors.VoxnbError:
    cls = getattr(errors, rec.get("type", ""), None)
    if not (isinstance(cls, type) and issubclass(cls, errors.VoxnbError)):
        cls = errors.EngineError
    from ...messages import from_record, has

    if rec.get("key") and has(rec["key"]):
        params = {k: from_record(v) for k, v in (rec.get("params") or {}).items()}
        if issubclass(cls, errors.MarkupError):
            params["position"] = rec.get("position", 0)
        if issubclass(cls, errors.BadVoiceFileError):
            params["where"] = rec.get("params", {}).get("where", "")
        return cls(key=rec["key"], **params)
    if issubclass(cls, errors.MarkupError):
        return cls(rec.get("problem", ""), rec.get("fix", ""), position=rec.get("position", 0))
    return cls(rec.get("problem", "The engine server failed."), rec.get("fix", ""))
