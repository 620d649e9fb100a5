"""Batch lines spoken on a Ray cluster: one engine per worker, loaded once; the driver writes every file.

    pool = RayPool("kokoro", address=None)            # None: a local Ray on this box
    run_batch(pool, voice, lines, "out/")             # voxnb.runs.batch: the manifest stays the truth
    pool.close()

Workers return each line's Result to the driver, which saves it and lists it in the manifest, so the
output folder need not be shared by the nodes, and only the driver ever writes there. A worker that dies
mid-line (killed, out of memory, its node gone) is restarted by Ray with its engine, and the line goes to
the next free worker; a line whose worker died ``MAX_TRIES`` times is listed as failed (a re-run tries it).
"""
from __future__ import annotations

import collections
import os

MAX_TRIES = 3


class BatchWorker:
    """One engine on one worker process (a Ray actor; ray is imported only by RayPool)."""

    def __init__(self, name: str, options: dict):
        from ..engines import load_engine

        self.engine = load_engine(name, **options)

    def pid(self) -> int:
        return os.getpid()

    def capabilities(self):
        return self.engine.capabilities

    def stock_voice(self, name: str):
        return self.engine.stock_voice(name)

    def clone(self, reference, **options):
        return self.engine.clone(reference, **options)

    def speak(self, text: str, voice, settings: dict):
        from ..engines.generate import generate

        return generate(self.engine, text, voice, settings)


class RayPool:
    """Engines on Ray workers, looking like one engine to ``run_batch`` and the CLI's voice look-up."""

    def __init__(self, name: str, address: str | None = None, workers: int | None = None, **options):
        from ..engines import registry
        from ..server.cluster import connect, need_ray, slots

        need_ray()
        self.started_ray = connect(address)
        import ray

        spec = registry.specs().get(name)
        gpu = spec is not None and spec.device == "cuda" and ray.cluster_resources().get("GPU", 0) >= 1
        n = workers or slots(gpu)
        remote = ray.remote(BatchWorker).options(max_restarts=-1, max_task_retries=0,
                                                 **({"num_gpus": 1} if gpu else {"num_cpus": 1}))
        self.workers = [remote.remote(name, options) for _ in range(n)]
        self.name = name
        self._caps = None

    # -- what the CLI asks of an engine before the batch ----------------------------------------
    @property
    def capabilities(self):
        import ray

        if self._caps is None:
            self._caps = ray.get(self.workers[0].capabilities.remote())
        return self._caps

    def stock_voice(self, name: str):
        import ray

        return _unwrapped(lambda: ray.get(self.workers[0].stock_voice.remote(name)))

    def clone(self, reference, **options):
        import ray

        from ..reference.audio import prepare_reference

        prepared = prepare_reference(reference)   # the clip is read here: workers need not see the file
        return _unwrapped(lambda: ray.get(self.workers[0].clone.remote(prepared, **options)))

    def pids(self) -> list[int]:
        import ray

        return ray.get([w.pid.remote() for w in self.workers])

    # -- the batch ----------------------------------------------------------------------------
    def speak_rows(self, items):
        """(item, Result or exception) as workers finish, each item tried on up to MAX_TRIES workers."""
        import ray
        from ray.exceptions import RayActorError, RayTaskError

        from ..errors import EngineError
        from .batch import line_settings

        waiting = collections.deque((item, 0) for item in items)
        idle = collections.deque(self.workers)
        running: dict = {}                     # ObjectRef -> (worker, item, tries)
        while waiting or running:
            while waiting and idle:
                (item, tries), worker = waiting.popleft(), idle.popleft()
                line, who, _ = item
                running[worker.speak.remote(line.text, who, line_settings(line))] = (worker, item, tries)
            done, _ = ray.wait(list(running), num_returns=1)
            worker, item, tries = running.pop(done[0])
            idle.append(worker)                # a dead worker is restarted by Ray; calls wait for it
            try:
                yield item, ray.get(done[0])
            except RayTaskError as err:        # the line's own failure (bad markup, ...): listed with it
                cause = getattr(err, "cause", None)
                yield item, cause if isinstance(cause, BaseException) else err
            except RayActorError:
                if tries + 1 < MAX_TRIES:
                    waiting.appendleft((item, tries + 1))
                else:
                    yield item, EngineError(key="batch.worker_lost", row=item[0].row or item[2]["name"],
                                            tries=MAX_TRIES)

    def close(self) -> None:
        import ray

        for w in self.workers:
            ray.kill(w)
        self.workers = []
        if self.started_ray:
            ray.shutdown()


def _unwrapped(call):
    """A worker's own error (a VoxnbError) raised as itself, not as Ray's wrapper."""
    from ray.exceptions import RayTaskError

    try:
        return call()
    except RayTaskError as err:
        cause = getattr(err, "cause", None)
        raise (cause if isinstance(cause, BaseException) else err) from None
