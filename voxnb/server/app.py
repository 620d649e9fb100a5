"""The engine server's HTTP routes (FastAPI): one loaded engine for every kernel and viewer.

    GET  /health                 liveness + readiness: engine, weights version, device, memory, queue
    GET  /capabilities           the engine's Capabilities
    GET  /voices/stock/{name}    a stock voice, as a voice file
    POST /clone                  reference audio in, a voice file out
    POST /synthesize             the whole Result in one frame
    POST /synthesize/stream      one frame per chunk as it is made
    POST /cancel/{request_id}    stop a queued or running request
    POST /v1/audio/speech        OpenAI's speech API, and GET /v1/models (voxnb.server.openai_api)

Requests and replies are framed npz messages (``voxnb.engines.remote.wire``). Every engine call
goes through one ``EngineWorker``; a reply streams a frame while it waits, so a client can tell a
queued request from a dead server, and a client that goes away cancels its request.
"""
from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import uuid
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ..engines.remote import wire
from ..errors import EngineBusyError, EngineError, TextError, VoxnbError
from . import guard, jobs, openai_api, requests
from .metrics import ServerMetrics
from .guard import error_response
from .requests import Refused
from .worker import EngineWorker, Job

HEARTBEAT_S = 2.0          # a waiting client hears from the server this often (read timeouts stay short)
READ_TIMEOUT_S = 30.0      # request headers in full, and each pause inside a body, at most
SEND_TIMEOUT_S = 30.0      # a client that reads none of its frames for this long has its request cancelled
MAX_UNSENT = 2             # frames made but not yet taken by a client's connection, per request
KIND_OF = {"/clone": "clone", "/synthesize": "synthesize", "/synthesize/stream": "stream"}


def _log(line: str) -> None:
    print(f"voxnb serve: {line}", file=sys.stderr, flush=True)


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


def create_app(worker: EngineWorker, token: str = "", loopback_only: bool = True, *, allow_origins=(),
               read_timeout_s: float = READ_TIMEOUT_S, send_timeout_s: float = SEND_TIMEOUT_S,
               log=_log) -> FastAPI:
    """Routes over ``worker``, behind ``voxnb.server.guard`` (Host, Origin, client header, token)."""
    app = FastAPI(title="voxnb engine server", docs_url=None, redoc_url=None, openapi_url=None)
    started = time.time()
    served_by = {"pid": os.getpid()}
    guard.install(app, token, loopback_only, tuple(allow_origins), log)

    metrics = ServerMetrics(worker.name, lambda: worker.snapshot()["waiting"], worker.replica_states)

    @app.get("/health")
    async def health():
        described = await asyncio.to_thread(worker.describe)   # a replicated server asks its registry
        body = {**described, "memory": memory(), "uptime_s": round(time.time() - started, 1), **served_by}
        return JSONResponse(body, status_code=200 if body["ready"] else 503)

    @app.get("/metrics")
    async def prometheus():
        data, kind = await asyncio.to_thread(metrics.render)
        return Response(data, media_type=kind)

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

    def loaded():
        """The engine when it is loaded (so its own checks run before queueing), else None."""
        return worker.engine if worker.ready else None

    async def refused_or(request: Request, route: str, check):
        """The request's checked fields (``check(meta, arrays)`` in a thread: voices inflate there), or a
        JSONResponse refusing it."""
        answer = await _checked(request, route, check)
        if isinstance(answer, Response):
            metrics.refused(KIND_OF.get(route, route.strip("/")), "invalid")
        return answer

    async def _checked(request: Request, route: str, check):
        try:
            meta, arrays = await requests.read_message(request, route, read_timeout_s)
            return await asyncio.to_thread(check, meta, arrays)
        except Refused as r:
            if r.status == 408:
                who = request.client.host if request.client else "a client"
                log(f"closed the connection of {who}: its {route} body stalled ({r.error.problem})")
            return error_response(r.error, r.status, close=r.close)
        except VoxnbError as err:
            return error_response(err)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError) as err:
            # a field of a shape no check foresaw: still the request's fault, said as such (and logged)
            log(f"refused a malformed {route} request: {type(err).__name__}: {str(err)[:200]}")
            return error_response(VoxnbError(key="server.request_malformed", what=type(err).__name__), 400)

    def run_job(request: Request, kind: str, args: dict) -> Response:
        """Queue one request and stream its frames to its client (see ``queue_job``)."""
        try:
            job_id, frames = queue_job(request, kind, args)
        except VoxnbError as err:
            return error_response(err)
        return StreamingResponse(frames, media_type=wire.MEDIA_TYPE, headers={"X-Voxnb-Request": job_id})

    def queue_job(request: Request, kind: str, args: dict, counted_as: str = ""):
        """Queue one request: (its id, its frames as they come, heartbeats while it waits), counted and
        logged as ``counted_as`` (default: its kind); a refusal (queue full) raises.

        At most MAX_UNSENT frames wait for the client's connection: the engine thread waits for the
        client (backpressure) and cancels the job when it has read nothing for ``send_timeout_s``."""
        counted_as = counted_as or kind
        loop = asyncio.get_running_loop()
        out: asyncio.Queue = asyncio.Queue()
        room = threading.Semaphore(MAX_UNSENT)

        def emit(what, payload):   # on the engine thread (or a replica's relay thread)
            if what == "item":
                deadline = time.monotonic() + send_timeout_s
                while not room.acquire(timeout=0.2):
                    if job.cancelled.is_set():
                        return
                    if time.monotonic() > deadline:
                        hint = f" (the client's {job.hint!r})" if job.hint else ""
                        log(f"cancelled request {job.id}{hint}: its client read nothing for {send_timeout_s:g} s")
                        job.cancelled.set()
                        return
                job.unsent += 1
            loop.call_soon_threadsafe(out.put_nowait, (what, payload))

        stats: dict = {}
        # the server makes the id (unique); a client's own id is kept only to find it in logs
        job = Job(id=uuid.uuid4().hex, kind=kind, work=lambda: jobs.frames(engine_or_raise(), kind, args, stats),
                  emit=emit, hint=request.headers.get("x-voxnb-request", "")[:64], args=args, stats=stats)
        try:
            ahead = worker.submit(job)
        except VoxnbError as err:
            metrics.refused(counted_as, "busy" if isinstance(err, EngineBusyError) else "failed")
            raise
        arrived = time.monotonic()

        async def frames():
            finished, outcome, first_audio = False, "cancelled", None
            try:
                yield wire.frame({"kind": "queued", "ahead": ahead, "request_id": job.id})
                while True:
                    try:
                        what, payload = await asyncio.wait_for(out.get(), HEARTBEAT_S)
                    except asyncio.TimeoutError:
                        yield wire.frame({"kind": "heartbeat", "ahead": worker.position(job)})
                        continue
                    if what == "item":
                        data, audio = payload
                        if audio and first_audio is None:
                            first_audio = time.monotonic()
                        del payload
                        yield data
                        del data
                        job.unsent -= 1
                        room.release()   # taken by the connection: the engine may make the next one
                    elif what == "error":
                        finished = True
                        outcome = "cancelled" if job.cancelled.is_set() else "failed"
                        yield wire.frame({"kind": "error", "error": wire.error_record(payload)})
                        return
                    else:
                        finished, outcome = True, "served"
                        yield wire.frame({"kind": "end"})
                        return
            finally:
                if not finished:   # the client went away (or the server is stopping): free the engine
                    worker.cancel(job.id)
                metrics.finished(request_id=job.id, kind=counted_as, outcome=outcome, started=arrived,
                                 first_audio=first_audio, stats=stats,
                                 described=jobs.outcome_of(counted_as, args), replica=job.replica)

        return job.id, frames()

    preparing = threading.BoundedSemaphore(2)   # clips decoded at once before queueing: memory stays bounded

    def check_clone(meta, arrays) -> dict:
        fields = requests.clone(meta, arrays, loaded())
        with preparing:
            reference = requests.prepared(fields)
        return {"reference": reference, "name": fields["name"], "transcript": fields["transcript"],
                "options": fields["options"]}

    @app.post("/clone")
    async def clone(request: Request):
        checked = await refused_or(request, "/clone", check_clone)
        if isinstance(checked, Response):
            return checked
        return run_job(request, "clone", checked)

    def synthesis(request: Request, route: str):
        def check(meta, arrays):
            text, voice, settings = requests.synthesis(meta, arrays, loaded())
            return {"text": text, "voice": voice, "settings": settings}

        return refused_or(request, route, check)

    @app.post("/synthesize/stream")
    async def synthesize_stream(request: Request):
        checked = await synthesis(request, "/synthesize/stream")
        if isinstance(checked, Response):
            return checked
        return run_job(request, "stream", checked)

    @app.post("/synthesize")
    async def synthesize(request: Request):
        checked = await synthesis(request, "/synthesize")
        if isinstance(checked, Response):
            return checked
        return run_job(request, "synthesize", checked)

    @app.post("/phonemize")
    async def phonemize(request: Request):
        """The text frontend's chunks, for a viewer's phoneme preview: no model and no queue. The server
        holds the frontend's lexicons anyway; a viewer's kernel then holds none (about 250 MB)."""
        from ..text import phonemize as frontend

        def check(meta, _):
            text, lang = meta.get("text"), meta.get("lang", "auto")
            if not isinstance(text, str) or not isinstance(lang, str):
                raise TextError(key="server.phonemize_needs_text")
            return frontend(text, lang=lang)

        chunks = await refused_or(request, "/phonemize", check)
        if isinstance(chunks, Response):
            return chunks
        return JSONResponse({"chunks": [wire.text_chunk_record(c) for c in chunks]})

    @app.post("/cancel/{request_id}")
    async def cancel(request_id: str):
        return JSONResponse({"cancelled": worker.cancel(request_id)})

    openai_api.install(app, worker=worker, metrics=metrics, queue_job=queue_job, loaded=loaded,
                       read_timeout_s=read_timeout_s, log=log)
    return app
