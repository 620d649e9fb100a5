"""The engine server's HTTP routes (FastAPI): one loaded engine for every kernel and viewer.

    GET  /health                 liveness + readiness: engine, weights version, device, memory, queue
    GET  /capabilities           the engine's Capabilities
    GET  /voices/stock/{name}    a stock voice, as a voice file
    POST /clone                  reference audio in, a voice file out
    POST /synthesize             the whole Result in one frame
    POST /synthesize/stream      one frame per chunk as it is made
    POST /cancel/{request_id}    stop a queued or running request

Requests and replies are framed npz messages (``voxnb.engines.remote.wire``). Every engine call
goes through one ``EngineWorker``; a reply streams a frame while it waits, so a client can tell a
queued request from a dead server, and a client that goes away cancels its request.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..engines.remote import wire
from ..errors import EngineBusyError, EngineError, SettingsError, TextError, VoxnbError
from ..engines.generate import Generation
from ..voice import Voice
from .worker import EngineWorker, Job

HEARTBEAT_S = 2.0          # a waiting client hears from the server this often (read timeouts stay short)
MAX_BODY_BYTES = 64 * 2**20   # a reference file (50 MiB at most, voxnb.reference.decode) plus its envelope
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _status_of(err: BaseException) -> int:
    if isinstance(err, EngineError):   # busy, loading, failed to load: the server's state, not the input
        return 503
    return 400 if isinstance(err, VoxnbError) else 500


def host_name(header: str) -> str:
    """'127.0.0.1:8870' -> '127.0.0.1', '[::1]:8870' -> '[::1]'."""
    return header.split("]")[0] + "]" if header.startswith("[") else header.rsplit(":", 1)[0]


def error_response(err: BaseException, status: int | None = None) -> JSONResponse:
    headers = {"Retry-After": "5"} if isinstance(err, EngineBusyError) else None
    return JSONResponse({"error": wire.error_record(err)}, status_code=status or _status_of(err), headers=headers)


def memory() -> dict:
    """RSS of this process (and GPU memory where torch holds some), MB."""
    out = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out["rss_mb" if line.startswith("VmRSS") else "peak_rss_mb"] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        out["gpu_allocated_mb"] = round(torch.cuda.memory_allocated() / 2**20, 1)
        out["gpu_reserved_mb"] = round(torch.cuda.memory_reserved() / 2**20, 1)
    return out


def create_app(worker: EngineWorker, token: str = "", loopback_only: bool = True) -> FastAPI:
    """Routes over ``worker``. With a token every route needs ``Authorization: Bearer TOKEN``;
    a loopback-only server also refuses foreign Host headers (a web page cannot reach it by DNS rebinding)."""
    app = FastAPI(title="voxnb engine server", docs_url=None, redoc_url=None, openapi_url=None)
    started = time.time()
    served_by = {"pid": os.getpid()}

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = host_name(request.headers.get("host", ""))
        if loopback_only and host not in LOOPBACK:
            return JSONResponse({"error": {"type": "EngineError", "problem": f"Host {host!r} is not served here.",
                                           "fix": "Reach the engine server as 127.0.0.1 or localhost."}},
                                status_code=403)
        if token:
            given = request.headers.get("authorization", "")
            if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return JSONResponse({"error": {"type": "EngineError", "problem": "The engine server needs its token.",
                                               "fix": "Pass token=... to voxnb.connect (or set VOXNB_SERVER_TOKEN)."}},
                                    status_code=401)
        return await call_next(request)

    @app.get("/health")
    async def health():
        caps = worker.engine.capabilities if worker.ready else None
        state = "ready" if worker.ready else ("failed" if worker.load_error else "loading")
        body = {"status": state, "ready": worker.ready, "engine": worker.name,
                "version": caps.version if caps else None, "device": caps.device if caps else None,
                "memory": memory(), "queue": worker.snapshot(), "served": worker.counts["served"],
                "uptime_s": round(time.time() - started, 1), "load_seconds": round(worker.load_seconds, 3),
                **served_by}
        if worker.load_error is not None:
            body["error"] = wire.error_record(worker.load_error)
        return JSONResponse(body, status_code=200 if worker.ready else 503)

    def engine_or_raise():
        if worker.load_error is not None:
            raise worker.load_failure()
        if not worker.ready:
            raise EngineError(key="server.engine_still_loading", name=worker.name)
        return worker.engine

    @app.get("/capabilities")
    async def capabilities():
        try:
            return JSONResponse(engine_or_raise().capabilities.to_dict())
        except VoxnbError as err:
            return error_response(err)

    @app.get("/voices/stock/{name}")
    async def stock_voice(name: str):
        try:
            voice = engine_or_raise().stock_voice(name)   # a table look-up: no engine call, no queue
        except VoxnbError as err:
            return error_response(err, 404 if not isinstance(err, EngineError) else None)
        return Response(voice.to_bytes(), media_type="application/octet-stream")

    async def read_message(request: Request):
        size = int(request.headers.get("content-length") or 0)
        if size > MAX_BODY_BYTES:
            raise _Refused(error_response(VoxnbError(key="server.request_mib_server_takes", mib=size / 2**20,
                                                     limit=MAX_BODY_BYTES // 2**20), 413))
        try:
            return wire.unpack(await request.body())
        except wire.WireError as err:
            raise _Refused(error_response(VoxnbError(key="server.request_voxnb_message", err=err))) from err

    def run_job(request: Request, kind: str, work, encode) -> Response:
        """Queue ``work`` and stream its items (``encode`` -> frame bytes), heartbeats while waiting."""
        loop = asyncio.get_running_loop()
        out: asyncio.Queue = asyncio.Queue()
        job = Job(id=request.headers.get("x-voxnb-request") or uuid.uuid4().hex, kind=kind, work=work,
                  emit=lambda what, payload: loop.call_soon_threadsafe(out.put_nowait, (what, payload)))
        try:
            ahead = worker.submit(job)
        except VoxnbError as err:
            return error_response(err)

        async def frames():
            finished = False
            try:
                yield wire.frame({"kind": "queued", "ahead": ahead, "request_id": job.id})
                while True:
                    try:
                        what, payload = await asyncio.wait_for(out.get(), HEARTBEAT_S)
                    except asyncio.TimeoutError:
                        yield wire.frame({"kind": "heartbeat", "ahead": worker.position(job)})
                        continue
                    if what == "item":
                        yield encode(payload)
                    elif what == "error":
                        finished = True
                        yield wire.frame({"kind": "error", "error": wire.error_record(payload)})
                        return
                    else:
                        finished = True
                        yield wire.frame({"kind": "end"})
                        return
            finally:
                if not finished:   # the client went away (or the server is stopping): free the engine
                    worker.cancel(job.id)

        return StreamingResponse(frames(), media_type=wire.MEDIA_TYPE, headers={"X-Voxnb-Request": job.id})

    @app.post("/clone")
    async def clone(request: Request):
        try:
            meta, arrays = await read_message(request)
        except _Refused as r:
            return r.response

        def work():
            engine = engine_or_raise()
            with tempfile.TemporaryDirectory(prefix="voxnb-serve-") as tmp:
                reference = _reference(meta, arrays, Path(tmp))
                voice = engine.clone(reference, name=meta.get("name") or None, transcript=meta.get("transcript", ""),
                                     **meta.get("options", {}))
            yield voice

        return run_job(request, "clone", work, lambda v: wire.frame(
            {"kind": "voice"}, {"voice": np.frombuffer(v.to_bytes(), np.uint8)}))

    async def read_synthesis(request: Request):
        """(text, Voice or stock voice name, settings) from a request; _Refused with the reply if it is bad."""
        meta, arrays = await read_message(request)
        if isinstance(meta.get("settings"), dict) and meta["settings"].get("watermark", True) is not True:
            raise _Refused(error_response(SettingsError(key="server.engine_server_marks_every")))
        try:
            voice = Voice.from_bytes(arrays["voice"].tobytes()) if "voice" in arrays else meta["voice_name"]
            return meta["text"], voice, meta.get("settings", {})
        except VoxnbError as err:
            raise _Refused(error_response(err)) from err
        except KeyError as err:
            raise _Refused(error_response(VoxnbError(key="server.request_lacks", err=err))) \
                from err

    @app.post("/synthesize/stream")
    async def synthesize_stream(request: Request):
        try:
            text, voice, settings = await read_synthesis(request)
        except _Refused as r:
            return r.response

        def work():
            yield from engine_or_raise().stream(text, voice, **settings)

        return run_job(request, "stream", work, lambda c: wire.frame(*wire.chunk_message(c)))

    @app.post("/synthesize")
    async def synthesize(request: Request):
        try:
            text, voice, settings = await read_synthesis(request)
        except _Refused as r:
            return r.response

        def work():
            # chunk by chunk, so a cancel lands between chunks, then joined as the engine's synthesize does
            run = Generation(engine_or_raise(), text, voice, settings)
            for _ in run:
                yield None
            yield run.result()

        return run_job(request, "synthesize", work,
                       lambda r: wire.frame({"kind": "progress"}) if r is None else wire.frame(*wire.result_message(r)))

    @app.post("/phonemize")
    async def phonemize(request: Request):
        """The text frontend's chunks, for a viewer's phoneme preview: no model and no queue. The server
        holds the frontend's lexicons anyway; a viewer's kernel then holds none (about 250 MB)."""
        from ..text import phonemize as frontend

        try:
            meta, _ = await read_message(request)
        except _Refused as r:
            return r.response
        text, lang = meta.get("text"), meta.get("lang", "auto")
        try:
            if not isinstance(text, str) or not isinstance(lang, str):
                raise TextError(key="server.phonemize_needs_text")
            chunks = await asyncio.to_thread(frontend, text, lang=lang)
        except VoxnbError as err:
            return error_response(err)
        return JSONResponse({"chunks": [wire.text_chunk_record(c) for c in chunks]})

    @app.post("/cancel/{request_id}")
    async def cancel(request_id: str):
        return JSONResponse({"cancelled": worker.cancel(request_id)})

    return app


class _Refused(Exception):
    """A request refused before it reaches the queue; ``response`` says why."""

    def __init__(self, response: JSONResponse):
        self.response = response


def _reference(meta: dict, arrays: dict, tmp: Path):
    """What the client sent, as something ``Engine.clone`` takes: a file path, (audio, sr) or a Reference."""
    source = meta.get("source")
    if source == "file":
        path = tmp / (Path(meta.get("filename") or "reference").name or "reference")
        path.write_bytes(arrays["data"].tobytes())
        return path
    if source == "array":
        return arrays["data"], int(meta["sample_rate"])
    if source == "reference":
        from ..reference.audio import Reference, ReferenceReport

        report = dict(meta["report"])
        report["warnings"] = tuple(report.get("warnings", ()))
        return Reference(audio=arrays["data"], sample_rate=int(meta["sample_rate"]),
                         report=ReferenceReport(**report), source=meta.get("filename", "<array>"))
    raise VoxnbError(key="server.unknown_reference_kind", source=source)
