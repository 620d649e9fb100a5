"""OpenAI's speech API on every voxnb server: an app written for OpenAI's TTS speaks with the loaded engine.

    POST /v1/audio/speech    {model, voice, input, response_format, speed, instructions, stream_format}
    GET  /v1/models          the engine, under its own name and OpenAI's TTS model names (and /v1/models/{id})
    GET  /v1/audio/voices    voxnb's addition: the saved and stock voices a request may name

A speech request is a "stream" job on the queue voxnb's own routes use (``queue_job`` in
voxnb.server.app), counted as "speech". Its wire frames are read back here and each chunk's audio is
encoded (voxnb.output.encode) and sent as soon as the engine made it, so a replicated server answers
the same way as a plain one. The status waits for the first chunk: a text the engine refuses gets its
4xx, not a 200 cut short. Where voxnb differs from OpenAI:

- voice: a saved voice (name or id, from the server's voices library; also as OpenAI's ``{"id": ...}``) or
  a stock voice of the engine; OpenAI's names (alloy, ...) are not voices here, and the refusal lists
  the ones there are.
- speed: voxnb's SPEED_RANGE, narrower than OpenAI's 0.25-4.0 (beyond it voices slur or drag).
- instructions: the engine's ``instruct`` setting where it follows instructions, else ignored and said
  so in the X-Voxnb-Ignored header: apps send them by default, and a refusal would break them.
- pcm is at the engine's rate (X-Voxnb-Sample-Rate), not always OpenAI's 24 kHz; flac comes whole, at the
  end (voxnb.output.encode says why); unknown fields are ignored, as a newer client may send some.
- every reply is watermarked (the engine's stream marks it) and says so: X-Voxnb-Provenance holds the
  compact provenance record, X-Voxnb-Consent the voice's consent id, and the containers' comment the record.
- errors are OpenAI's shape with voxnb's problem and fix as the message, in Chinese for Accept-Language: zh.
"""
from __future__ import annotations

import asyncio
import base64
import json
import math
import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from ..engines.remote import wire
from ..errors import EngineBusyError, EngineError, SettingsError, TextError, VoiceNotFoundError, VoxnbError

ROUTE = "/v1/audio/speech"
KIND = "speech"                  # what /metrics and the request log call these requests
ALIASES = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-12-15")   # OpenAI's: the loaded engine
MAX_INPUT_CHARS = 4096           # OpenAI's limit on one request's input
MAX_INSTRUCTION_CHARS = 4096
STREAM_FORMATS = ("audio", "sse")
SHOWN_STOCK = 12                 # stock voices a refusal names (an engine may have dozens; /v1/audio/voices: all)
ERROR_TYPES = {401: "invalid_request_error", 403: "permission_error", 429: "rate_limit_error"}


class Invalid(Exception):
    """A speech request refused before it is queued: the error, its status and the field it is about."""

    def __init__(self, error: VoxnbError, status: int = 400, param: str | None = None, code: str | None = None,
                 close: bool = False):
        super().__init__(error.problem)
        self.error, self.status, self.param, self.code, self.close = error, status, param, code, close


def lang_of(headers) -> str:
    return "zh" if headers.get("accept-language", "").strip().lower().startswith("zh") else "en"


def status_of(err: BaseException) -> int:
    if isinstance(err, EngineBusyError):
        return 429
    if isinstance(err, EngineError):   # loading, failed to load, a bug (no key): the server's state
        return 503 if err.key else 500
    return 400 if isinstance(err, VoxnbError) else 500


def error_response(err: BaseException, status: int, lang: str = "en", param: str | None = None,
                   code: str | None = None, headers: dict | None = None) -> JSONResponse:
    """An error as OpenAI's API answers one; the message is voxnb's problem and fix in ``lang``."""
    headers = dict(headers or {})
    if isinstance(err, EngineBusyError):
        headers["Retry-After"] = "5"
    return JSONResponse({"error": error_record(err, status, lang, param, code)}, status_code=status,
                        headers=headers)


def error_record(err: BaseException, status: int, lang: str = "en", param: str | None = None,
                 code: str | None = None) -> dict:
    from ..messages import render

    kind = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"message": render(err, lang), "type": kind, "param": param,
            "code": code or getattr(err, "key", None) or type(err).__name__}


# -- the request ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Speech:
    """A checked speech request: what the stream job is given, and what the reply's headers say."""

    args: dict                   # {"text", "voice" (a Voice or a stock voice's name), "settings"}
    format: str
    sse: bool
    provenance: str              # voxnb.output.provenance.embedded of the take
    consent: str                 # the voice's consent id
    ignored: tuple[str, ...] = ()


def _field(body: dict, name: str, kinds: tuple, want: str, default=None, required: bool = False):
    if name not in body or body[name] is None and not required:
        if required:
            raise Invalid(TextError(key="openai.field_missing", name=name), param=name,
                          code="missing_required_parameter")
        return default
    value = body[name]
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds:
        raise Invalid(VoxnbError(key="openai.field_type", name=name, got=type(value).__name__, want=want),
                      param=name, code="invalid_type")
    return value


def parse(data: bytes, engine, library) -> Speech:
    """The request's fields, checked as far as they can be before queueing (the engine's own checks
    included); an Invalid names the field. ``engine``: the loaded engine (or a replica set's facade)."""
    from ..engines.generate import prepare
    from ..output import provenance
    from ..output.encode import FORMATS
    from ..settings import SPEED_RANGE
    from ..text.frontend import check_text

    try:
        body = json.loads(data)
    except UnicodeDecodeError:
        raise Invalid(VoxnbError(key="openai.not_json", reason="not UTF-8 text"), code="invalid_json") from None
    except (ValueError, RecursionError) as err:
        raise Invalid(VoxnbError(key="openai.not_json", reason=str(err)[:80] or type(err).__name__),
                      code="invalid_json") from None
    if not isinstance(body, dict):
        raise Invalid(VoxnbError(key="openai.not_object", got=type(body).__name__), code="invalid_json")
    caps = engine.capabilities
    model = _field(body, "model", (str,), "text", required=True)
    if model not in (caps.name, *ALIASES):
        raise Invalid(VoxnbError(key="openai.model_not_found", model=model[:80], served=[caps.name, *ALIASES]),
                      404, "model", "model_not_found")
    text = _field(body, "input", (str,), "text", required=True)
    if len(text) > MAX_INPUT_CHARS:
        raise Invalid(TextError(key="openai.input_too_long", n=len(text), limit=MAX_INPUT_CHARS), param="input",
                      code="string_above_max_length")
    if not text.strip():
        raise Invalid(TextError(key="openai.input_empty"), param="input", code="empty_input")
    try:
        check_text(text)
    except TextError as err:
        raise Invalid(err, param="input") from None
    fmt = _field(body, "response_format", (str,), "text", "mp3")
    if fmt not in FORMATS:
        raise Invalid(VoxnbError(key="openai.unknown_choice", name="response_format", value=fmt[:40],
                                 choices=list(FORMATS), default="mp3"), param="response_format")
    stream_format = _field(body, "stream_format", (str,), "text", "audio")
    if stream_format not in STREAM_FORMATS:
        raise Invalid(VoxnbError(key="openai.unknown_choice", name="stream_format", value=stream_format[:40],
                                 choices=list(STREAM_FORMATS), default="audio"), param="stream_format")
    settings: dict = {"inspect": False} if "inspect" in caps.settings else {}   # no attention maps to send
    speed = _field(body, "speed", (int, float), "a number", 1.0)
    lo, hi = SPEED_RANGE
    if not (math.isfinite(speed) and lo <= speed <= hi):
        raise Invalid(SettingsError(key="openai.speed_range", speed=speed, lo=lo, hi=hi), param="speed",
                      code="speed_out_of_range")
    if speed != 1.0:
        settings["speed"] = float(speed)
    ignored = []
    instructions = _field(body, "instructions", (str,), "text", "")
    if len(instructions) > MAX_INSTRUCTION_CHARS:
        raise Invalid(TextError(key="openai.too_long", name="instructions", limit=MAX_INSTRUCTION_CHARS),
                      param="instructions", code="string_above_max_length")
    if instructions.strip() and "instruct" in caps.settings:
        settings["instruct"] = instructions.strip()
    elif instructions.strip():
        ignored.append("instructions")
    name = _field(body, "voice", (str, dict), "a voice's name, or {\"id\": ...}", required=True)
    if isinstance(name, dict):   # OpenAI's custom voice reference: {"id": "..."}
        name = _field(name, "id", (str,), "text", required=True)
    voice = find_voice(name, engine, library)
    try:
        parsed, spoken = prepare(engine, settings, voice)   # the engine's own refusals, before queueing
    except VoxnbError as err:   # a setting the engine lacks (engines.no_control) names it
        raise Invalid(err, param=err.params.get("name") if err.key == "engines.no_control" else None) from None
    record = provenance.build(spoken, parsed.to_dict(), caps.name, caps.version, parsed.seed)
    consent = "".join(c if " " <= c <= "~" else "?" for c in spoken.consent_id[:200])   # a header: plain ASCII
    return Speech(args={"text": text, "voice": voice, "settings": settings}, format=fmt, sse=stream_format == "sse",
                  provenance=provenance.embedded(record), consent=consent, ignored=tuple(ignored))


def find_voice(name: str, engine, library):
    """A saved voice of that name, a stock voice of that name, a saved voice of that id: in that order (as
    ``voxnb synth --voice`` reads a name). A stock voice stays a name: the engine resolves it."""
    stock = tuple(engine.capabilities.stock_voices)
    if name in library.names():
        return library.load(name)
    if name in stock:
        return name
    try:
        return library.load(name)
    except VoiceNotFoundError:
        pass
    saved = library.names()
    shown = list(stock[:SHOWN_STOCK]) + ([f"... ({len(stock)})"] if len(stock) > SHOWN_STOCK else [])
    from ..messages import Msg

    raise Invalid(VoiceNotFoundError(key="openai.unknown_voice", voice=name[:80], engine=engine.capabilities.name,
                                     saved=saved or Msg("voice.none_saved_yet"), stock=shown or "-"),
                  param="voice", code="voice_not_found")


# -- the reply ---------------------------------------------------------------------------------------
async def chunks(frames):
    """(audio, sample_rate, pause_after, tokens) of each chunk frame as it arrives, None for a heartbeat
    (the request waits or its first chunk is being made); an error frame raises its error. Big frames are
    unpacked off the event loop."""
    async for data in frames:
        body = memoryview(data)[wire.HEADER.size:]
        meta, arrays = await asyncio.to_thread(wire.unpack, body) if len(body) > 8192 else wire.unpack(body)
        kind = meta.get("kind")
        if kind == "chunk":
            chunk = meta["chunk"]
            yield arrays["audio"], int(chunk["sample_rate"]), float(chunk.get("pause_after", 0.0)), \
                len(arrays.get("tokens", ()))
        elif kind == "heartbeat":
            yield None
        elif kind == "error":
            raise wire.error_from(meta["error"])
        elif kind == "end":
            return


def _piece(encoder, audio, rate: int, pause: float) -> bytes:
    import numpy as np

    if pause > 0:   # the chunk's own audio is trimmed; the pause its break asks for follows it
        audio = np.concatenate([audio, np.zeros(int(round(pause * rate)), np.float32)])
    return encoder.feed(audio)


def sse_event(record: dict) -> bytes:
    return b"data: " + json.dumps(record, separators=(",", ":")).encode() + b"\n\n"


async def body(speech: Speech, first, rest, frames, log, job_id: str, lang: str):
    """The reply's bytes: each chunk encoded as it comes (SSE: as base64 deltas), then the encoder's tail."""
    from ..output.encode import Encoder

    audio, rate, pause, tokens = first
    encoder = Encoder(speech.format, rate, speech.provenance)
    wrap = (lambda b: sse_event({"type": "speech.audio.delta", "audio": base64.b64encode(b).decode()})) \
        if speech.sse else (lambda b: b)
    seconds = 0.0
    try:
        while True:
            seconds += len(audio) / rate + pause
            data = await asyncio.to_thread(_piece, encoder, audio, rate, pause)
            if data:
                yield wrap(data)
            try:
                while (chunk := await rest.__anext__()) is None:
                    pass
            except StopAsyncIteration:
                break
            audio, rate, pause, n = chunk
            tokens += n
        tail = await asyncio.to_thread(encoder.finish)
        if tail:
            yield wrap(tail)
        if speech.sse:   # OpenAI's usage counts tokens: here the model's input tokens (phonemes)
            yield sse_event({"type": "speech.audio.done", "usage": {"input_tokens": tokens, "output_tokens": 0,
                                                                    "total_tokens": tokens},
                             "audio_seconds": round(seconds, 3)})
    except VoxnbError as err:
        if not speech.sse:   # the status was sent: a cut-off connection is the only way left to say it failed
            log(f"request {job_id} failed after its audio began, its connection is cut: {err.problem}")
            raise
        yield sse_event({"type": "error", "error": error_record(err, status_of(err), lang)})
    finally:
        await frames.aclose()


async def gone(request: Request) -> None:
    """Returns when the client disconnects: its body was read, so the next message is the disconnect.
    (``request.is_disconnected()`` never sees it behind the guard's middleware.)"""
    while (await request.receive())["type"] != "http.disconnect":
        pass


# -- routes --------------------------------------------------------------------------------------------
def install(app, *, worker, metrics, queue_job, loaded, read_timeout_s: float, log) -> None:
    """The routes, over the server's own queue (``queue_job``) and loaded engine (``loaded()``)."""
    from . import requests

    created = int(time.time())

    def library():
        from ..paths import voices_dir
        from ..voice import VoiceLibrary

        return VoiceLibrary(voices_dir())

    def engine_or_refuse():
        if worker.load_error is not None:
            raise Invalid(worker.load_failure(), 503)
        engine = loaded()
        if engine is None:
            raise Invalid(EngineError(key="server.engine_still_loading", name=worker.name), 503)
        return engine

    def models():
        return [{"id": m, "object": "model", "created": created, "owned_by": "voxnb"} for m in (worker.name, *ALIASES)]

    @app.get("/v1/models")
    async def list_models():
        return JSONResponse({"object": "list", "data": models()})

    @app.get("/v1/models/{model}")
    async def get_model(model: str, request: Request):
        found = [m for m in models() if m["id"] == model]
        if found:
            return JSONResponse(found[0])
        return error_response(VoxnbError(key="openai.model_not_found", model=model[:80],
                                         served=[m["id"] for m in models()]),
                              404, lang_of(request.headers), "model", "model_not_found")

    @app.get("/v1/audio/voices")
    async def list_voices(request: Request):
        def listed():
            engine = engine_or_refuse()
            voices, _ = library().scan()
            saved = [{"id": v.id, "name": n, "kind": "saved", "consent": v.consent_id}
                     for n, v in voices.items() if v.engine == engine.capabilities.name]
            stock = [{"id": n, "name": n, "kind": "stock"} for n in engine.capabilities.stock_voices]
            return {"object": "list", "data": saved + stock}

        try:
            return JSONResponse(await asyncio.to_thread(listed))
        except Invalid as r:
            return error_response(r.error, r.status, lang_of(request.headers))

    async def checked(request: Request) -> Speech:
        try:
            file = await requests.read_body(request, ROUTE, read_timeout_s)
        except requests.Refused as r:
            raise Invalid(r.error, r.status, close=r.close) from None
        try:
            data = file.read()
        finally:
            file.close()
        engine = engine_or_refuse()
        try:
            return await asyncio.to_thread(lambda: parse(data, engine, library()))
        except VoxnbError as err:   # a damaged voice file, an unusable voices folder
            raise Invalid(err, status_of(err)) from None

    @app.post(ROUTE)
    async def speech(request: Request):
        lang = lang_of(request.headers)
        try:
            asked = await checked(request)
        except Invalid as r:
            metrics.refused(KIND, "invalid")
            return error_response(r.error, r.status, lang, r.param, r.code,
                                  {"Connection": "close"} if r.close else None)
        try:
            job_id, frames = queue_job(request, "stream", asked.args, counted_as=KIND)
        except VoxnbError as err:
            return error_response(err, status_of(err), lang)
        rest, left = chunks(frames), asyncio.ensure_future(gone(request))
        try:
            while (first := await rest.__anext__()) is None:
                if left.done():   # gone while it waited: its place in the queue is freed
                    raise EngineError(key="server.request_cancelled")
        except (VoxnbError, StopAsyncIteration) as err:
            await frames.aclose()
            err = err if isinstance(err, VoxnbError) else EngineError(key="server.request_cancelled")
            return error_response(err, status_of(err), lang, "input" if isinstance(err, TextError) else None)
        except BaseException:   # a bug or a cancelled handler: the engine is freed all the same
            await frames.aclose()
            raise
        finally:
            left.cancel()   # from here the streamed reply watches its client
        from ..output.encode import FORMATS

        headers = {"X-Voxnb-Request": job_id, "X-Voxnb-Provenance": asked.provenance,
                   "X-Voxnb-Consent": asked.consent, "X-Voxnb-Sample-Rate": str(first[1]), "Cache-Control": "no-store"}
        if asked.ignored:
            headers["X-Voxnb-Ignored"] = ", ".join(asked.ignored)
        kind = "text/event-stream" if asked.sse else FORMATS[asked.format][0]
        return StreamingResponse(body(asked, first, rest, frames, log, job_id, lang), media_type=kind, headers=headers)
