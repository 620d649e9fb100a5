"""Who may talk to the engine server: the checks every request passes before a route sees it.

- Host: a loopback-only server answers only to a loopback name (no DNS rebinding).
- Origin: a browser's request from another site is refused, and so is its CORS preflight, unless
  ``--allow-origin`` names that site. A route that acts (POST) also needs voxnb's content type and the
  ``X-Voxnb-Client`` header, which a browser's "simple" cross-site request cannot carry. OpenAI's API
  (``/v1/``, voxnb.server.openai_api) is posted by OpenAI's clients, which send neither: there the
  defence is ``Content-Type: application/json``, which a browser cannot send cross-site without a
  preflight either, and the preflight is refused for foreign origins. Its refusals are OpenAI's shape.
- Token: compared in constant time; failures are logged (never the token) and each client that fails
  waits longer before its next try is even compared.
- Slow clients: request headers must arrive within the read timeout (``protocol``); bodies are timed
  where they are read (voxnb.server.requests).
"""
from __future__ import annotations

import math
import secrets
import time
from collections import OrderedDict
from typing import Callable

from fastapi.responses import JSONResponse

from ..engines.remote import wire
from ..errors import EngineBusyError, EngineError, VoxnbError

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
CLIENT_HEADER = "x-voxnb-client"   # RemoteEngine sends it; a page's simple request cannot
ACTING_CONTENT = (wire.MEDIA_TYPE,)
OPENAI_PREFIX, OPENAI_CONTENT = "/v1/", "application/json"
MIN_TOKEN_CHARS = 16
FAILURE_DELAY_S = (0.5, 60.0)   # after the n-th wrong token in a row: 0.5 * 2**(n-1) s, at most 60 s
MAX_CLIENTS_TRACKED = 4096


def host_name(header: str) -> str:
    """'127.0.0.1:8870' -> '127.0.0.1', '[::1]:8870' -> '[::1]'."""
    return header.split("]")[0] + "]" if header.startswith("[") else header.rsplit(":", 1)[0]


def _status_of(err: BaseException) -> int:
    if isinstance(err, EngineError):   # busy, loading, failed to load: the server's state, not the input
        return 503
    return 400 if isinstance(err, VoxnbError) else 500


def error_response(err: BaseException, status: int | None = None, close: bool = False) -> JSONResponse:
    headers = {"Retry-After": "5"} if isinstance(err, EngineBusyError) else {}
    if close:   # the rest of its body is not read: the connection goes, so it cannot be mistaken for a request
        headers["Connection"] = "close"
    return JSONResponse(_finite({"error": wire.error_record(err)}), status_code=status or _status_of(err),
                        headers=headers)


def _finite(value):
    """JSON has no NaN: a refusal quoting one (speed=NaN) says it as text instead of failing to encode."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def refusal(err: VoxnbError, status: int, headers: dict | None = None) -> JSONResponse:
    response = error_response(err, status)
    response.headers.update(headers or {})
    return response


class Failures:
    """Wrong tokens per client address: a growing wait before the next attempt is compared at all."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._by_client: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def wait(self, client: str) -> float:
        """Seconds before ``client`` may try again (0: now)."""
        _, until = self._by_client.get(client, (0, 0.0))
        return max(until - self.clock(), 0.0)

    def failed(self, client: str) -> tuple[int, float]:
        n = self._by_client.pop(client, (0, 0.0))[0] + 1
        delay = min(FAILURE_DELAY_S[0] * 2 ** (n - 1), FAILURE_DELAY_S[1])
        self._by_client[client] = (n, self.clock() + delay)
        while len(self._by_client) > MAX_CLIENTS_TRACKED:   # bounded however many addresses try
            self._by_client.popitem(last=False)
        return n, delay

    def succeeded(self, client: str) -> None:
        self._by_client.pop(client, None)


def install(app, token: str, loopback_only: bool, allow_origins: tuple[str, ...], log: Callable[[str], None]):
    failures = Failures()

    def origin_ok(origin: str, host: str) -> bool:
        return origin in allow_origins or origin in (f"http://{host}", f"https://{host}")

    def cors(origin: str | None) -> dict:
        if origin and origin in allow_origins:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin",
                    "Access-Control-Expose-Headers": "X-Voxnb-Request, X-Voxnb-Provenance, X-Voxnb-Consent, "
                                                     "X-Voxnb-Sample-Rate, X-Voxnb-Ignored"}
        return {}

    @app.middleware("http")
    async def guard(request, call_next):
        openai = request.url.path.startswith(OPENAI_PREFIX)

        def refuse(err, status, headers=None):
            if openai:   # the same checks, refused in the shape OpenAI's clients read
                from .openai_api import error_response as openai_error, lang_of

                return openai_error(err, status, lang_of(request.headers), headers=headers)
            return refusal(err, status, headers)

        host_header = request.headers.get("host", "")
        host = host_name(host_header)
        if loopback_only and host not in LOOPBACK:
            return refuse(EngineError(key="server.foreign_host", host=host[:80]), 403)
        origin = request.headers.get("origin")
        if origin is not None and not origin_ok(origin, host_header):
            log(f"refused a request from the web page at {origin[:80]!r} ({request.method} {request.url.path})")
            return refuse(EngineError(key="server.foreign_origin", origin=origin[:80]), 403)
        if request.method == "OPTIONS":   # a CORS preflight: answered only for an allowed origin
            if not origin:
                return refuse(EngineError(key="server.preflight_without_origin"), 403)
            return JSONResponse({}, status_code=204, headers={
                **cors(origin), "Access-Control-Allow-Methods": "GET, POST",
                "Access-Control-Allow-Headers": "Authorization, Content-Type, X-Voxnb-Client",
                "Access-Control-Max-Age": "600"})
        if request.method == "POST":
            kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
            has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
            if openai and kind != OPENAI_CONTENT:
                return refuse(EngineError(key="openai.wrong_content_type", kind=kind[:60] or "none"), 415)
            if not openai and not request.headers.get(CLIENT_HEADER):
                return refuse(EngineError(key="server.not_a_voxnb_client", header="X-Voxnb-Client"), 403)
            if not openai and (has_body or kind) and kind not in ACTING_CONTENT:
                return refuse(EngineError(key="server.wrong_content_type", kind=kind[:60] or "none",
                                          want=wire.MEDIA_TYPE), 415)
        if token:
            who = request.client.host if request.client else "?"
            wait = failures.wait(who)
            if wait:
                return refuse(EngineError(key="server.token_wait", seconds=wait), 429,
                              {"Retry-After": str(max(int(wait + 0.999), 1))})
            given = request.headers.get("authorization", "")
            if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
                n, delay = failures.failed(who)
                log(f"refused a request from {who} without the right token ({n} in a row; its next try is "
                    f"compared after {delay:g} s)")
                return refuse(EngineError(key="openai.needs_token" if openai else "server.needs_token"), 401)
            failures.succeeded(who)
        response = await call_next(request)
        response.headers.update(cors(origin))
        return response


def check_token(token: str) -> None:
    if token and len(token) < MIN_TOKEN_CHARS:
        raise EngineError(key="server.token_too_short", n=len(token), min_chars=MIN_TOKEN_CHARS)


def protocol(header_timeout_s: float, log: Callable[[str], None]):
    """uvicorn's h11 protocol with a deadline for request headers: a client that opens a connection and
    trickles its headers (or never sends them) is disconnected and logged, instead of holding a
    connection for ever. Re-armed after each response, for the next request on a kept-alive connection."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class HeaderDeadline(H11Protocol):
        _timer = None
        _bytes_seen = False

        def connection_made(self, transport):
            super().connection_made(transport)
            self._arm()

        def _arm(self):
            self._disarm()
            self._waiting_for = self.cycle   # a new cycle object appears when a request's headers are in
            self._bytes_seen = False
            self._timer = self.loop.call_later(header_timeout_s, self._too_slow)

        def _disarm(self):
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def data_received(self, data):
            self._bytes_seen = self._bytes_seen or self._timer is not None
            super().data_received(data)

        def handle_events(self):
            super().handle_events()
            if self._timer is not None and self.cycle is not self._waiting_for:
                self._disarm()

        def on_response_complete(self):
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc):
            self._disarm()
            super().connection_lost(exc)

        def _too_slow(self):
            self._timer = None
            if self.cycle is not None and not self.cycle.response_complete:
                return   # a request is in hand (pipelined in before the timer was set): its body is timed elsewhere
            if not self.transport.is_closing():
                if self._bytes_seen or self._waiting_for is None:   # not a kept-alive connection left idle
                    who = "%s:%d" % self.client if self.client else "a client"
                    log(f"closed the connection of {who}: no complete request headers within "
                        f"{header_timeout_s:g} s")
                self.transport.close()

    return HeaderDeadline
