"""``RemoteEngine``: an Engine whose model lives in a ``voxnb serve`` process.

Code that holds an Engine cannot tell it from an in-kernel one: the same Voice values go in, the
same Result (audio bit for bit, every intermediate) comes out, and a server-side error arrives as
the same exception class with the same words. Proxy variables are ignored (AutoDL's
network_turbo sets them, and a proxy cannot reach this machine's loopback).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from ...errors import EngineError, EngineStoppedError
from ...launch.engines import SERVERS_ENV, TOKEN_ENV   # {name: {url, token}} the launcher gives its kernels
from ...output.result import ChunkResult, Result
from ...voice import Voice
from ..base import Capabilities, Engine
from . import wire

READ_TIMEOUT_S = 60.0                # the server sends a frame every 2 s while a request waits or runs
RESTART_HINT = "bash 1-click-start.sh"


def configured_servers() -> dict[str, dict]:
    """Engine servers the start script launched for this kernel (name -> {url, token}); {} if none."""
    try:
        servers = json.loads(os.environ.get(SERVERS_ENV, "") or "{}")
    except ValueError:
        return {}
    return {k: v for k, v in servers.items() if isinstance(v, dict) and v.get("url")}


class RemoteEngine(Engine):
    def __init__(self, url: str, token: str | None = None, timeout: float = READ_TIMEOUT_S):
        import httpx

        self.url = url.rstrip("/")
        self.token = token if token is not None else os.environ.get(TOKEN_ENV, "")
        # X-Voxnb-Client: a header no browser's simple cross-site request can carry (voxnb.server.guard)
        headers = {"X-Voxnb-Client": "remote-engine/1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.last_request_id: str | None = None   # the server's id of the latest request (for cancel)
        # trust_env=False: no proxy variables, no .netrc: the server is on this machine or a known address
        self._http = httpx.Client(base_url=self.url, headers=headers, trust_env=False,
                                  timeout=httpx.Timeout(timeout, connect=5.0))
        served = {k: tuple(v) if isinstance(v, list) else v for k, v in self._json("GET", "/capabilities").items()}
        # refinement runs for minutes on the server's model and has no route: refine locally instead
        self.capabilities = Capabilities(**{**served, "refines": False})

    def __repr__(self) -> str:
        return f"RemoteEngine({self.url!r}, engine={self.capabilities.name!r})"

    # -- plumbing ----------------------------------------------------------------------------
    def _stopped(self, err: Exception) -> EngineStoppedError:
        name = getattr(getattr(self, "capabilities", None), "name", "the")
        return EngineStoppedError(key="remote.engine_stopped_server_does", name=name, url=self.url,
                                  type=type(err).__name__, restart_hint=RESTART_HINT,
                                  port=self.url.rsplit(':', 1)[-1])

    def _raise_for(self, response) -> None:
        if response.status_code < 400:
            return
        try:
            record = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            raise EngineError(key="remote.engine_server_answered_http", url=self.url,
                              status_code=response.status_code) from None
        raise wire.error_from(record)

    def _json(self, method: str, path: str, meta: dict | None = None) -> dict:
        """A request (with ``meta`` as a voxnb message) and its JSON reply."""
        import httpx

        body = {} if meta is None else {"content": wire.pack(meta), "headers": {"Content-Type": wire.MEDIA_TYPE}}
        try:
            response = self._http.request(method, path, **body)
        except httpx.TransportError as err:
            raise self._stopped(err) from None
        self._raise_for(response)
        return response.json()

    def _frames(self, path: str, meta: dict, arrays: dict) -> Iterator[tuple[dict, dict]]:
        """POST a message; yield the reply's payload frames. Closing the generator early closes the
        connection, which cancels the request on the server."""
        import httpx

        body = wire.pack(meta, arrays)
        try:
            with self._http.stream("POST", path, content=body, headers={"Content-Type": wire.MEDIA_TYPE}) as r:
                if r.status_code >= 400:
                    r.read()
                    self._raise_for(r)
                self.last_request_id = r.headers.get("x-voxnb-request")
                ended = False
                for fmeta, farrays in wire.read_frames(r.iter_bytes()):
                    kind = fmeta.get("kind")
                    if kind == "error":
                        raise wire.error_from(fmeta["error"])
                    if kind == "end":
                        ended = True
                        break
                    if kind not in ("queued", "heartbeat", "progress"):
                        yield fmeta, farrays
                if not ended:
                    raise self._stopped(ConnectionError("the reply ended early"))
        except (httpx.TransportError, wire.WireError) as err:
            raise self._stopped(err) from None

    def _one(self, path: str, meta: dict, arrays: dict, what: str) -> tuple[dict, dict]:
        """The single payload frame of a reply, read on to its end frame: the server counts a request
        served only when its client has read it all."""
        got = None
        for frame in self._frames(path, meta, arrays):
            got = got or frame
        if got is None:
            raise EngineError(key=what)
        return got

    def health(self) -> dict:
        """The server's state: engine, version, device, memory, queue, requests served."""
        import httpx

        try:
            return self._http.get("/health").json()
        except (httpx.TransportError, ValueError) as err:
            raise self._stopped(err) from None

    def cancel(self, request_id: str) -> bool:
        return bool(self._json("POST", f"/cancel/{request_id}").get("cancelled"))

    def close(self) -> None:
        self._http.close()

    # -- Engine ------------------------------------------------------------------------------
    def phonemize(self, text: str, lang: str = "auto") -> list:
        """The text frontend's chunks (voxnb.text.phonemize), made by the server: a viewer's kernel then
        loads no lexicon."""
        reply = self._json("POST", "/phonemize", {"text": text, "lang": lang})
        return [wire.text_chunk_from(c) for c in reply["chunks"]]

    def stock_voice(self, name: str) -> Voice:
        import httpx

        try:
            response = self._http.get(f"/voices/stock/{name}")
        except httpx.TransportError as err:
            raise self._stopped(err) from None
        self._raise_for(response)
        return Voice.from_bytes(response.content)

    def clone(self, reference, name: str | None = None, transcript: str = "", consent=None, **options) -> Voice:
        from ...output.consent import for_client, required

        if not consent:     # refused here, before the clip travels
            raise required()
        meta, arrays = _reference_message(reference)
        meta.update(name=name or "", transcript=transcript, options={**options, "consent": for_client(consent)})
        _, farrays = self._one("/clone", meta, arrays, "remote.engine_server_sent_voice")
        return Voice.from_bytes(farrays["voice"].tobytes())

    def _synthesis(self, text: str, voice: Voice | str, settings: dict) -> tuple[dict, dict]:
        if isinstance(voice, Voice):
            return {"text": text, "settings": settings}, {"voice": np.frombuffer(voice.to_bytes(), np.uint8)}
        return {"text": text, "settings": settings, "voice_name": voice}, {}

    def stream(self, text: str, voice: Voice | str, **settings) -> Iterator[ChunkResult]:
        for fmeta, farrays in self._frames("/synthesize/stream", *self._synthesis(text, voice, settings)):
            yield wire.chunk_from(fmeta, farrays)

    def synthesize(self, text: str, voice: Voice | str, **settings) -> Result:
        return wire.result_from(*self._one("/synthesize", *self._synthesis(text, voice, settings),
                                           "remote.engine_server_sent_result"))


def _reference_message(reference) -> tuple[dict, dict]:
    """A file travels as its bytes (the server decodes it as the in-kernel engine would), an array as is,
    a prepared Reference with its report."""
    if hasattr(reference, "report") and hasattr(reference, "audio"):
        return ({"source": "reference", "sample_rate": reference.sample_rate, "report": reference.report.to_dict(),
                 "filename": reference.source}, {"data": np.asarray(reference.audio, np.float32)})
    if isinstance(reference, tuple):
        audio, sr = reference
        return {"source": "array", "sample_rate": int(sr)}, {"data": np.asarray(audio)}
    from ...reference.decode import MAX_FILE_BYTES, load_audio

    path = Path(reference)
    if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
        load_audio(path)   # raises the in-kernel engine's own words, without sending 50+ MiB first
    return {"source": "file", "filename": path.name}, {"data": np.frombuffer(path.read_bytes(), np.uint8)}


def connect(url: str | None = None, token: str | None = None, engine: str | None = None) -> RemoteEngine:
    """An Engine served by ``voxnb serve``. With no URL: the server the start script runs for ``engine``
    (default: the first one it started)."""
    if url is None:
        servers = configured_servers()
        if not servers:
            raise EngineStoppedError(key="remote.voxnb_engine_server_configured", restart_hint=RESTART_HINT)
        if engine is None:
            engine = next(iter(servers))
        if engine not in servers:
            raise EngineStoppedError(key="remote.engine_server_running", engine=engine, servers=servers,
                                     restart_hint=RESTART_HINT)
        url, token = servers[engine]["url"], token if token is not None else servers[engine].get("token")
    return RemoteEngine(url, token)
