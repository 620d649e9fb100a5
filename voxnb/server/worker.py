"""One engine, one request at a time, behind a bounded queue.

None of the engines is safe to call concurrently (VoxCPM's KV cache is sized for one request,
ONNX sessions and CUDA graphs are shared), so a single thread runs every engine call. Requests
wait in a queue of at most ``max_queue``; one more is refused at once instead of piling up.
A job is cancelled between chunks when its client asks or goes away.
"""
from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..errors import EngineBusyError, EngineError


def release_memory() -> None:
    """Hand the heap that a finished request freed back to the system (glibc keeps it otherwise, and a
    long-running server's RSS creeps up request by request); a no-op where there is no glibc."""
    global _trim
    if _trim is None:
        try:
            import ctypes

            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


_trim = None


@dataclass(eq=False)
class Job:
    """``work()`` returns an iterator; each item it yields is handed to ``emit`` as it comes."""

    id: str
    kind: str                                   # 'clone', 'synthesize', 'stream' (for health)
    work: Callable[[], Iterator]
    emit: Callable[[str, object], None]         # ('item', x) | ('error', exc) | ('done', None)
    cancelled: threading.Event = field(default_factory=threading.Event)
    submitted: float = field(default_factory=time.monotonic)
    items: int = 0
    hint: str = ""                              # the client's own name for it, for logs only
    unsent: int = 0                             # items made that its client's connection has not taken yet
    args: dict = field(default_factory=dict)    # the checked request (what a replica is sent)
    stats: dict = field(default_factory=dict)   # what the work reports of itself (audio seconds)
    replica: str = ""                           # the replica that ran it, on a cluster


class EngineWorker:
    def __init__(self, engine_factory: Callable[[], object], name: str, max_queue: int = 8):
        self.name = name
        self.max_queue = max_queue
        self.engine = None
        self.load_error: BaseException | None = None
        self.load_seconds = 0.0
        self._factory = engine_factory
        self._queue: collections.deque[Job] = collections.deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._jobs: dict[str, Job] = {}
        self.running: Job | None = None
        self.counts = collections.Counter()     # served, cancelled, failed, refused
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name=f"voxnb-{name}", daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()

    @property
    def ready(self) -> bool:
        return self.engine is not None

    def describe(self) -> dict:
        """The health record's engine part: state, engine, version, device, queue, served."""
        from ..engines.remote import wire

        caps = self.engine.capabilities if self.ready else None
        state = "ready" if self.ready else ("failed" if self.load_error else "loading")
        body = {"status": state, "ready": self.ready, "engine": self.name,
                "version": caps.version if caps else None, "device": caps.device if caps else None,
                "queue": self.snapshot(), "served": self.counts["served"],
                "load_seconds": round(self.load_seconds, 3)}
        if self.load_error is not None:
            body["error"] = wire.error_record(self.load_error)
        return body

    def replica_states(self) -> dict:
        """One replica (this process), by state: what /metrics counts."""
        return {"ready" if self.ready else "loading": 1} if self.load_error is None else {"failed": 1}

    def load_failure(self) -> EngineError:
        return EngineError(key="server.engine_failed_load", name=self.name, load_error=self.load_error)

    # -- queue -------------------------------------------------------------------------------
    def submit(self, job: Job) -> int:
        """Queue a job; returns how many run or wait ahead of it. Raises EngineBusyError when full."""
        with self._wake:
            if self.load_error is not None:
                raise self.load_failure()
            if len(self._queue) >= self.max_queue:
                self.counts["refused"] += 1
                n = len(self._queue)
                raise EngineBusyError(key="server.engine_busy_one" if n == 1 else "server.engine_busy",
                                      name=self.name, n=n, limit=self.max_queue)
            ahead = len(self._queue) + (self.running is not None or not self.ready)
            self._queue.append(job)
            self._jobs[job.id] = job
            self._wake.notify()
            return ahead

    def cancel(self, job_id: str) -> bool:
        with self._wake:
            job = self._jobs.get(job_id)
            if job is None:
                return False
            job.cancelled.set()
            if job in self._queue:   # never started: drop it now so it holds no place
                self._queue.remove(job)
                self._finish(job, "cancelled")
                job.emit("error", EngineError(key="server.request_cancelled"))
            return True

    def position(self, job: Job) -> int:
        with self._lock:
            return self._queue.index(job) + (self.running is not None) if job in self._queue else 0

    def snapshot(self) -> dict:
        with self._lock:
            running = {"kind": self.running.kind, "id": self.running.id, "items": self.running.items,
                       "unsent": self.running.unsent} if self.running else None
            return {"running": running, "waiting": len(self._queue),
                    "max_queue": self.max_queue, **{k: self.counts[k] for k in ("served", "cancelled", "failed",
                                                                                  "refused")}}

    def _finish(self, job: Job, outcome: str) -> None:   # caller holds the lock
        self.counts[outcome] += 1
        self._jobs.pop(job.id, None)

    # -- the one thread that calls the engine ------------------------------------------------
    def _run(self) -> None:
        t = time.perf_counter()
        try:
            self.engine = self._factory()
        except BaseException as err:  # reported by health and by every request, not a dead server
            self.load_error = err
            with self._wake:
                for job in list(self._queue):
                    job.emit("error", err)
                self._queue.clear()
            return
        self.load_seconds = time.perf_counter() - t
        while True:
            with self._wake:
                while not self._queue and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                job = self._queue.popleft()
                self.running = job
            outcome, last = self._execute(job)
            with self._wake:   # counted before the client hears the end: health agrees with what it saw
                self.running = None
                self._finish(job, outcome)
            job.emit(*last)
            del job
            release_memory()

    def _execute(self, job: Job) -> tuple[str, tuple[str, object]]:
        """(outcome, the last event to send its client)."""
        items = job.work()
        try:
            for item in items:
                job.items += 1
                job.emit("item", item)
                if job.cancelled.is_set():
                    break
        except Exception as err:
            return "failed", ("error", err)
        finally:
            getattr(items, "close", lambda: None)()
        if job.cancelled.is_set():
            return "cancelled", ("error", EngineError(key="server.request_cancelled"))
        return "served", ("done", None)
