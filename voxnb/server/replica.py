"""One engine replica on a Ray cluster: a Ray Serve deployment holding one loaded engine.

The replica runs requests exactly as ``voxnb serve`` does (an ``EngineWorker`` thread, ``jobs.frames``),
so a reply's bytes do not depend on which process made them. It loads its engine before Serve routes
anything to it, and tells the server's registry (a small named actor) who and where it is, each time
Serve checks its health: that is what /health lists.
"""
from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid

REGISTRY_NAMESPACE = "voxnb"


class Registry:
    """Where replicas say who they are (a Ray actor, one per server): replica id -> record."""

    def __init__(self):
        self.replicas: dict[str, dict] = {}

    def report(self, replica_id: str, record: dict) -> None:
        self.replicas[replica_id] = {**record, "seen": time.time()}

    def all(self) -> dict:
        return dict(self.replicas)


def _rss_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


class EngineReplica:
    """Wrapped by ``serve.deployment`` in ``voxnb.server.cluster`` (ray is imported only there)."""

    def __init__(self, name: str, engine_options: dict, registry: str, max_ongoing: int):
        import ray
        from ray import serve

        from ..engines import load_engine
        from .worker import EngineWorker

        self.name = name
        self.id = serve.get_replica_context().replica_id.unique_id
        self.node = ray.get_runtime_context().get_node_id()
        self.host = socket.gethostname()
        self.registry = ray.get_actor(registry, namespace=REGISTRY_NAMESPACE)
        self.started = time.time()
        # one engine thread; the requests Serve lets in beyond the running one wait in its queue
        self.worker = EngineWorker(lambda: load_engine(name, **engine_options), name, max_queue=max_ongoing)
        self.report()
        self.worker.start()
        while not self.worker.ready and self.worker.load_error is None:   # Serve routes to it once loaded
            time.sleep(0.1)
        self.report()
        if self.worker.load_error is not None:
            raise RuntimeError(f"the {name} engine failed to load: {self.worker.load_error}")

    def record(self) -> dict:
        caps = self.worker.engine.capabilities if self.worker.ready else None
        state = "ready" if self.worker.ready else ("failed" if self.worker.load_error else "loading")
        memory = {"rss_mb": _rss_mb()}
        torch = __import__("sys").modules.get("torch")
        if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
            memory["gpu_allocated_mb"] = round(torch.cuda.memory_allocated() / 2**20, 1)
        snap = self.worker.snapshot()
        return {"replica": self.id, "node": self.node[:12], "host": self.host, "pid": os.getpid(),
                "device": caps.device if caps else None, "memory": memory, "served": snap["served"],
                "failed": snap["failed"], "running": snap["running"] is not None, "waiting": snap["waiting"],
                "state": state, "load_seconds": round(self.worker.load_seconds, 3),
                "uptime_s": round(time.time() - self.started, 1)}

    def report(self) -> None:
        self.registry.report.remote(self.id, self.record())

    def check_health(self) -> None:
        """Serve calls this every few seconds; raising has the replica replaced."""
        if self.worker.load_error is not None:
            raise RuntimeError(f"engine failed: {self.worker.load_error}")
        if not self.worker._thread.is_alive():
            raise RuntimeError("the engine thread stopped")
        self.report()

    async def capabilities(self):
        return self.worker.engine.capabilities

    async def stock_voice(self, name: str) -> bytes | dict:
        from ..engines.remote import wire

        try:
            return self.worker.engine.stock_voice(name).to_bytes()
        except Exception as err:  # noqa: BLE001 -- said to the client as the engine said it
            return {"error": wire.error_record(err)}

    async def run(self, kind: str, args: dict):
        """The request's frames as ``(bytes, carries_audio)``, then ``{"stats", "replica"}``; an engine
        error is one ``{"error": record}`` item (the front tells it from a lost replica)."""
        from ..engines.remote import wire
        from . import jobs
        from .worker import Job

        loop = asyncio.get_running_loop()
        out: asyncio.Queue = asyncio.Queue()
        stats: dict = {}
        job = Job(id=uuid.uuid4().hex, kind=kind, work=lambda: jobs.frames(self.worker.engine, kind, args, stats),
                  emit=lambda what, payload: loop.call_soon_threadsafe(out.put_nowait, (what, payload)),
                  args=args, stats=stats)
        finished = False
        try:
            self.worker.submit(job)
            self.report()
            while True:
                what, payload = await out.get()
                if what == "item":
                    if job.items == 1:
                        self.report()   # now running: health shows which replica holds it
                    yield payload
                elif what == "error":
                    finished = True
                    yield {"error": wire.error_record(payload)}
                    return
                else:
                    finished = True
                    yield {"stats": stats, "replica": self.id}
                    return
        except Exception as err:  # noqa: BLE001 -- e.g. this replica's own queue full: the client hears it
            finished = True
            yield {"error": wire.error_record(err)}
        finally:
            if not finished:   # the front cancelled it, or its client went away
                self.worker.cancel(job.id)
            self.report()
