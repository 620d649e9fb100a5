"""What a request to the engine server may be: its body read within bounds, every field checked before the
request is queued, so a malformed or hostile one costs little and gets a 4xx that names the problem and fix.

Sizes are judged before they are paid for: the body is counted as it arrives (chunked or not), and each
array of the message from its header before it is inflated (``voxnb.voice_check.read_npz``), off the
event loop.
"""
from __future__ import annotations

import asyncio
import inspect
import math
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

from ..engines.remote import wire
from ..errors import BadReferenceError, SettingsError, VoxnbError
from ..messages import Msg

MIB = 2**20
# each route's body at most (chunked or not), and what it holds, for the message that refuses more
LIMITS = {"/clone": (64 * MIB, "server.body_clone"), "/synthesize": (24 * MIB, "server.body_synthesis"),
          "/synthesize/stream": (24 * MIB, "server.body_synthesis"), "/phonemize": (1 * MIB, "server.body_text"),
          "/v1/audio/speech": (1 * MIB, "openai.body")}
ADVICE = {"server.body_clone": "server.advice_clone"}   # else: long text in parts
MIN_BODY_RATE = 32 * 1024     # bytes/s a body must average once the first pause allowance is spent
SPOOL_BYTES = 8 * MIB         # a bigger body waits on disk, not in memory, until it is unpacked
DRAIN_BYTES, DRAIN_S = 128 * MIB, 5.0   # of a refused body, read and dropped so its client sees the reply
MAX_NAME_CHARS = 255
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


@dataclass
class Refused(Exception):
    """A request refused before it reaches the queue; ``close``: the connection goes too (its body was cut)."""

    error: VoxnbError
    status: int = 400
    close: bool = False


async def read_body(request, route: str, stall_s: float):
    """The body as a file (kept in memory while small, spilled to disk beyond SPOOL_BYTES, so a big upload
    is never held twice), counted as it comes and refused at the route's limit. A pause longer than
    ``stall_s``, or a body that trickles (slower than MIN_BODY_RATE on average after its first
    ``stall_s``), ends with 408. The caller closes the file."""
    import tempfile

    from starlette.requests import ClientDisconnect

    limit, what = LIMITS[route]
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        if declared.isdigit() and int(declared) <= DRAIN_BYTES:
            await _drain(request, stall_s)   # so that a client still sending sees the 413, not a reset
        raise _too_large(int(declared) / MIB if declared.isdigit() else float("nan"), limit, what)
    loop = asyncio.get_running_loop()
    start = loop.time()
    body, size = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="voxnb-serve-body-"), 0
    try:
        stream = request.stream().__aiter__()
        while True:
            wait = min(stall_s, start + stall_s + size / MIN_BODY_RATE - loop.time())
            try:
                piece = await asyncio.wait_for(stream.__anext__(), max(wait, 0.0))
            except StopAsyncIteration:
                break
            except asyncio.TimeoutError:
                raise Refused(VoxnbError(key="server.body_too_slow", seconds=round(stall_s, 1), got=size), 408,
                              close=True) from None
            except ClientDisconnect:
                raise Refused(VoxnbError(key="server.client_left"), 400, close=True) from None
            size += len(piece)
            if size > limit:   # counted as it arrives: a chunked body is refused at the limit, not after
                await _drain(request, stall_s, stream)
                raise _too_large(size / MIB, limit, what)
            body.write(piece)
        if size == 0:
            raise Refused(VoxnbError(key="server.body_empty"))
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return body


async def _drain(request, stall_s: float, stream=None) -> None:
    """Read and drop what the client still sends, up to DRAIN_BYTES or DRAIN_S: nothing is kept."""
    from starlette.requests import ClientDisconnect

    stream = stream or request.stream().__aiter__()
    loop = asyncio.get_running_loop()
    until, dropped = loop.time() + DRAIN_S, 0
    try:
        while dropped < DRAIN_BYTES and loop.time() < until:
            dropped += len(await asyncio.wait_for(stream.__anext__(), min(stall_s, until - loop.time())))
    except (StopAsyncIteration, asyncio.TimeoutError, ClientDisconnect):
        pass


def _too_large(mib: float, limit: int, what: str) -> Refused:
    return Refused(VoxnbError(key="server.body_too_large", mib=mib, limit=limit // MIB, what=Msg(what),
                              advice=Msg(ADVICE.get(what, "server.advice_text"))), 413, close=True)


async def read_message(request, route: str, stall_s: float) -> tuple[dict, dict]:
    body = await read_body(request, route, stall_s)
    limit, what = LIMITS[route]
    try:   # inflating runs in a thread: a big message never stalls /health or another client's frames
        return await asyncio.to_thread(wire.unpack, body, limit)
    except wire.WireError as err:
        if err.inflated is not None:
            raise Refused(VoxnbError(key="server.message_inflates", mib=err.inflated / MIB, limit=limit // MIB,
                                     what=Msg(what)), 413) from None
        raise Refused(VoxnbError(key="server.request_voxnb_message", err=err.reason)) from None
    finally:
        body.close()


# -- fields ----------------------------------------------------------------------------------------------
def _field(meta: dict, name: str, kinds: tuple, default=None, required: bool = False):
    if name not in meta:
        if required:
            raise Refused(VoxnbError(key="server.request_lacks", err=repr(name)))
        return default
    value = meta[name]
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        want = " or ".join({str: "text", dict: "a record", int: "a whole number", float: "a number",
                            type(None): "null"}.get(k, k.__name__) for k in kinds)
        raise Refused(VoxnbError(key="server.field_type", name=name, want=want, got=type(value).__name__))
    return value


def synthesis(meta: dict, arrays: dict, engine) -> tuple[str, object, dict]:
    """(text, Voice or stock voice name, settings), checked as the engine would check them, before queueing."""
    from ..text.frontend import check_text
    from ..voice import Voice

    text = _field(meta, "text", (str,), required=True)
    settings = _field(meta, "settings", (dict,), {})
    if settings.get("watermark", True) is not True:
        raise Refused(SettingsError(key="server.engine_server_marks_every"))
    if "voice" in arrays:
        data = arrays["voice"]
        if data.dtype.kind != "u" or data.ndim != 1:
            raise Refused(VoxnbError(key="server.array_kind", name="voice", want="bytes (uint8)"))
        voice = Voice.from_bytes(data.tobytes())
    else:
        voice = _field(meta, "voice_name", (str,), required=True)
        if not 0 < len(voice) <= MAX_NAME_CHARS:
            raise Refused(VoxnbError(key="server.field_length", name="voice_name", limit=MAX_NAME_CHARS))
    check_text(text)
    if engine is not None:   # loaded: its own refusals (settings, stock voice) now, not after queueing
        from ..engines.generate import prepare

        prepare(engine, settings, voice)
    return text, voice, settings


def clone(meta: dict, arrays: dict, engine) -> dict:
    """The clone request's fields, checked; a prepared reference passes the same checks as a file."""
    source = _field(meta, "source", (str,), required=True)
    if source not in ("file", "array", "reference"):
        raise Refused(VoxnbError(key="server.unknown_reference_kind", source=source[:40]))
    if "data" not in arrays:
        raise Refused(VoxnbError(key="server.request_lacks", err="'data'"))
    out = {"source": source, "data": arrays["data"], "name": _field(meta, "name", (str, type(None))) or None,
           "transcript": _field(meta, "transcript", (str,), ""), "options": _field(meta, "options", (dict,), {})}
    if len(out["transcript"]) > 4000 or out["name"] and len(out["name"]) > MAX_NAME_CHARS:
        raise Refused(VoxnbError(key="server.field_length", name="transcript or name", limit=4000))
    check_options(engine, out["options"])
    if not out["options"].get("consent"):   # refused before the clip waits in the queue
        from ..output.consent import required

        raise required()
    if source == "file":
        if out["data"].dtype.kind != "u" or out["data"].ndim != 1:
            raise Refused(VoxnbError(key="server.array_kind", name="data", want="the file's bytes (uint8)"))
        out["filename"] = filename(_field(meta, "filename", (str,), "reference"))
        return out
    out["sample_rate"] = sample_rate(meta)
    if source == "reference":
        out["report"] = reference_report(_field(meta, "report", (dict,), required=True))
        out["filename"] = filename(_field(meta, "filename", (str,), "<array>"), plain=False)
        check_prepared(out["data"], out["sample_rate"])
    return out


def check_options(engine, options: dict) -> None:
    """Keyword options the engine's ``clone`` takes (consent, cache, ...): an unknown one is named."""
    if engine is None:
        return
    params = inspect.signature(engine.clone).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    known = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY or p.default is not p.empty]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise Refused(SettingsError(key="server.unknown_clone_option", unknown=unknown, known=known))


def filename(name: str, plain: bool = True) -> str:
    """A file name the server may write in its own temp folder: no folder, no NUL, not '.' or '..'."""
    ok = 0 < len(name) <= MAX_NAME_CHARS and "\0" not in name and not any(c in name for c in "/\\") \
        and name not in (".", "..")
    if not ok and plain:
        raise Refused(VoxnbError(key="server.bad_filename", shown=name[:40]))
    return name if ok else "<array>"


def suffix_of(name: str) -> str:
    suffix = Path(name).suffix
    return suffix if _SUFFIX.match(suffix) else ""


def sample_rate(meta: dict) -> int:
    rate = meta.get("sample_rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) \
            or rate != int(rate) or not 4000 <= rate <= 384000:
        raise Refused(BadReferenceError(key="server.sample_rate", rate=str(rate)[:20]))
    return int(rate)


def reference_report(report: dict):
    """A client's ReferenceReport, field by field (it travels into the voice file and its consent record)."""
    from ..reference.audio import ReferenceReport

    names = {f.name for f in fields(ReferenceReport)}
    values = dict(report)
    notes = values.get("warnings")
    ok = set(values) == names and isinstance(notes, list) and len(notes) <= 20 \
        and all(isinstance(n, str) and len(n) <= 500 for n in notes)
    ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                    for k, v in values.items() if k != "warnings")
    if not ok:
        raise Refused(VoxnbError(key="server.bad_report"))
    values["warnings"] = tuple(values["warnings"])
    return ReferenceReport(**values)


def prepared(request: dict):
    """The checked request's clip as a prepared Reference, made before the request is queued: a file or
    an array is decoded and checked exactly as ``Engine.clone`` would (a bad clip is a 400 at once, and
    the engine's thread never decodes); a client's prepared Reference has passed the same checks."""
    import tempfile

    from ..reference.audio import Reference, prepare_reference

    if request["source"] == "file":
        with tempfile.TemporaryDirectory(prefix="voxnb-serve-") as tmp:
            path = Path(tmp) / request["filename"]
            if path.suffix != suffix_of(request["filename"]):
                path = Path(tmp) / ("reference" + suffix_of(request["filename"]))
            path.write_bytes(request["data"].tobytes())
            try:
                return prepare_reference(path)
            except VoxnbError as err:
                raise without(err, tmp) from None
    audio, rate = request["data"], request["sample_rate"]
    if request["source"] == "array":
        return prepare_reference((audio, rate))
    return Reference(audio=audio, sample_rate=rate, report=request["report"], source=request["filename"])


def without(err: VoxnbError, tmp: str) -> VoxnbError:
    """The error with the server's temp folder taken out of its words: a client never sees server paths."""
    if err.key is None or not any(tmp in str(v) for v in err.params.values()):
        return err
    params = {k: str(v).replace(tmp + os.sep, "").replace(tmp, "") if tmp in str(v) else v
              for k, v in err.params.items()}
    return type(err)(key=err.key, **params)


def check_prepared(audio, rate: int) -> None:
    """A prepared reference passes the checks an uploaded clip of its audio would (length, silence, speech)."""
    from ..reference.audio import MAX_SPEECH_S, SAMPLE_RATE, prepare_reference

    longest = int((MAX_SPEECH_S + 1.0) * SAMPLE_RATE)
    if rate != SAMPLE_RATE or audio.dtype.kind != "f" or audio.ndim != 1 or audio.size > longest:
        raise BadReferenceError(key="server.prepared_reference", seconds=audio.shape[0] / rate, rate=rate,
                                limit=MAX_SPEECH_S)
    prepare_reference((audio, rate))   # raises what an uploaded clip of this audio would raise
