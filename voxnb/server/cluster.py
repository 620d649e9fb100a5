"""Engine replicas on a Ray cluster, behind the same HTTP API as ``voxnb serve``.

``ReplicaSet`` stands where ``EngineWorker`` stands in ``voxnb.server.app``: the routes, their checks,
the guard, heartbeats and backpressure are the same code; only where a request runs differs. Ray Serve
places the replicas (one per GPU, or per CPU slot), routes each request to the less loaded of two
replicas (with two, the least loaded), holds at most ``max_ongoing`` in flight per replica, replaces a
replica that dies or fails its health check, and with ``replicas="auto"`` scales on queue length.
This class admits at most ``max_queue`` requests beyond what the replicas hold (one more is refused at
once, as by ``voxnb serve``) and replays a request whose replica died before any audio was sent.
"""
from __future__ import annotations

import collections
import concurrent.futures
import os
import threading
import time

from ..errors import EngineBusyError, EngineError, ReplicaLostError
from .replica import REGISTRY_NAMESPACE, EngineReplica, Registry
from .worker import Job

HEALTH_PERIOD_S = 5.0      # Serve asks each replica this often; three missed -> listed as lost
FORGET_LOST_S = 90.0       # a lost replica stays listed this long (its replacement appears beside it)
REPLAYS = 2                # a request whose replica died before any audio reached its client runs again


MAX_ONGOING = 2            # per replica: one runs on its engine thread, one waits there, prepared


def replica_set(name: str, engine_options: dict, *, replicas, ray_address: str | None, max_ongoing: int | None,
                max_replicas: int | None, max_queue: int, port: int, log) -> "ReplicaSet":
    """A checked ReplicaSet for ``voxnb serve --replicas`` (N, 'all' or 'auto')."""
    from ..engines import registry
    from ..errors import SettingsError

    value = str(replicas).strip().lower()
    if value not in ("all", "auto") and not (value.isdigit() and int(value) >= 1):
        raise SettingsError(key="cluster.replicas_value", value=str(replicas))
    ongoing = MAX_ONGOING if max_ongoing is None else max_ongoing
    if ongoing < 1:
        raise SettingsError(key="cluster.max_ongoing", value=ongoing)
    need_ray()
    spec = registry.specs().get(name)
    rs = ReplicaSet(name, engine_options, replicas=value if value in ("all", "auto") else int(value),
                    max_ongoing=ongoing, max_queue=max_queue, ray_address=ray_address,
                    app_name=f"voxnb-{name}-{port}", wants_gpu=spec is not None and spec.device == "cuda",
                    max_replicas=max_replicas, log=log)
    return rs


def need_ray() -> None:
    import importlib.util

    if importlib.util.find_spec("ray") is None or importlib.util.find_spec("ray.serve") is None:
        raise EngineError(key="cluster.needs_ray")


def connect(address: str | None) -> bool:
    """Join the Ray cluster at ``address``, or start one on this box (loopback only); True if started."""
    if not address and "ray" not in __import__("sys").modules:
        # a one-box Ray on loopback, not on this box's network address (read by ray at import)
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    import ray

    if ray.is_initialized():
        return False
    try:
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, namespace=REGISTRY_NAMESPACE)
            return False
        ray.init(address="local", include_dashboard=False, log_to_driver=False, namespace=REGISTRY_NAMESPACE,
                 num_cpus=os.cpu_count(), _node_ip_address="127.0.0.1")
        return True
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise EngineError(key="cluster.ray_unreachable", address=address or "this machine", reason=str(err)[:300]) \
            from None


def slots(gpu: bool) -> int:
    """Replicas the cluster holds: its GPUs where the engine wants one, else its CPUs."""
    import ray

    resources = ray.cluster_resources()
    return max(int(resources.get("GPU" if gpu else "CPU", 1)), 1)


class ReplicaSet:
    def __init__(self, name: str, engine_options: dict, *, replicas: int | str = 1, max_ongoing: int = 1,
                 max_queue: int = 8, ray_address: str | None = None, app_name: str = "voxnb",
                 wants_gpu: bool = False, max_replicas: int | None = None, log=print):
        self.name, self.max_queue, self.max_ongoing = name, max_queue, max_ongoing
        self.engine = None                       # a RemoteFacade once the first replica answered
        self.load_error: BaseException | None = None
        self.load_seconds = 0.0
        self.counts = collections.Counter()
        self._options, self._replicas, self._max_replicas = engine_options, replicas, max_replicas
        self._address, self._app, self._wants_gpu, self._log = ray_address, app_name, wants_gpu, log
        self.plan = {"auto": "replicas scaled on queue length", "all": "a replica per GPU (or CPU)"}.get(
            replicas, f"{replicas} replica{'s' if replicas != 1 else ''}")
        self._lock = threading.Lock()
        self._inflight: list[Job] = []
        self._gens: dict[str, object] = {}
        self._registry = None
        self._handle = None
        self._started_ray = False
        self._stopping = False
        self._listed: tuple[float, list] = (0.0, [])
        self._ray = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Join (or start) Ray here, on the main thread, before the HTTP server installs its signal handlers:
        Ray's own SIGTERM handler would otherwise end the process without removing the replicas. Then
        deploy on a thread that lives as long as the server (Ray stops answering a process whose deploying
        thread ended)."""
        try:
            self._started_ray = connect(self._address)
        except BaseException as err:  # reported by health and by every request
            self.load_error = err
            return
        self._ray = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"voxnb-{self.name}-ray")
        self._ray.submit(self._deploy)

    def _deploy(self) -> None:
        t = time.perf_counter()
        try:
            import ray
            from ray import serve

            gpu = self._wants_gpu and ray.cluster_resources().get("GPU", 0) >= 1
            serve.start(proxy_location="Disabled")
            registry = f"{self._app}-registry"
            self._registry = ray.remote(Registry).options(name=registry, namespace=REGISTRY_NAMESPACE,
                                                          num_cpus=0, get_if_exists=True).remote()
            resources = {"num_gpus": 1} if gpu else {"num_cpus": 1}
            count = slots(gpu) if self._replicas == "all" else self._replicas
            scale = ({"autoscaling_config": {"min_replicas": 1, "max_replicas": self._max_replicas or slots(gpu),
                                             "target_ongoing_requests": self.max_ongoing,
                                             "upscale_delay_s": 5, "downscale_delay_s": 60}}
                     if self._replicas == "auto" else {"num_replicas": int(count)})
            deployment = serve.deployment(EngineReplica, name=self.name, ray_actor_options=resources,
                                          max_ongoing_requests=self.max_ongoing,
                                          max_queued_requests=self.max_queue + 8, health_check_period_s=HEALTH_PERIOD_S,
                                          health_check_timeout_s=30, graceful_shutdown_timeout_s=5, **scale)
            self._handle = serve.run(deployment.bind(self.name, self._options, registry, self.max_ongoing),
                                     name=self._app, route_prefix=None)
            self.engine = RemoteFacade(self._handle.capabilities.remote().result(), self._handle)
            self.load_seconds = time.perf_counter() - t
        except BaseException as err:  # reported by health and by every request, not a dead server
            self.load_error = err
            self._log(f"the {self.name} replicas failed to start: {type(err).__name__}: {err}")

    def stop(self) -> None:
        self._stopping = True
        if self._ray is not None:
            self._ray.submit(self._shutdown).result(timeout=60)
            self._ray.shutdown(wait=False)

    def _shutdown(self) -> None:
        try:
            import ray
            from ray import serve

            if ray.is_initialized():
                serve.delete(self._app, _blocking=True)
                if self._started_ray:
                    serve.shutdown()
                    ray.shutdown()
        except Exception as err:  # noqa: BLE001 -- stopping anyway; say what was left
            self._log(f"stopping the replicas: {type(err).__name__}: {err}")

    @property
    def ready(self) -> bool:
        return self.engine is not None

    def load_failure(self) -> EngineError:
        return EngineError(key="server.engine_failed_load", name=self.name, load_error=self.load_error)

    # -- what health and metrics show -------------------------------------------------------
    def replicas(self, max_age_s: float = 1.0) -> list[dict]:
        """Every replica the registry knows (ready, loading, or lost: not heard of for three health checks),
        read at most once per ``max_age_s``."""
        if self._registry is None:
            return []
        cached_at, listed = self._listed
        if time.monotonic() - cached_at < max_age_s:
            return [dict(r) for r in listed]
        import ray

        try:
            records = ray.get(self._registry.all.remote(), timeout=5)
        except Exception:  # noqa: BLE001 -- the registry's node is gone: nothing to list
            records = {}
        now, out = time.time(), []
        for rec in records.values():
            age = now - rec.pop("seen")
            if age > FORGET_LOST_S:
                continue
            if age > 3 * HEALTH_PERIOD_S:
                rec["state"] = "lost"
            rec["last_seen_s"] = round(age, 1)
            out.append(rec)
        out.sort(key=lambda r: (r["state"] == "lost", -r["uptime_s"]))
        self._listed = (time.monotonic(), out)
        return [dict(r) for r in out]

    def replica_states(self) -> dict:
        return collections.Counter(r["state"] for r in self.replicas())

    def capacity(self, listed: list[dict] | None = None) -> int:
        live = sum(r["state"] == "ready" for r in (listed if listed is not None else self.replicas()))
        return max(live, 1) * self.max_ongoing

    def snapshot(self) -> dict:
        with self._lock:
            inflight = len(self._inflight)
        capacity = self.capacity()
        return {"running": min(inflight, capacity), "waiting": max(inflight - capacity, 0),
                "max_queue": self.max_queue, **{k: self.counts[k] for k in ("served", "cancelled", "failed",
                                                                              "refused", "replayed")}}

    def describe(self) -> dict:
        listed = self.replicas()
        caps = self.engine.capabilities if self.ready else None
        state = "ready" if self.ready else ("failed" if self.load_error else "loading")
        body = {"status": state, "ready": self.ready, "engine": self.name,
                "version": caps.version if caps else None, "device": caps.device if caps else None,
                "queue": self.snapshot(), "served": self.counts["served"], "load_seconds": round(self.load_seconds, 3),
                "replicas": listed, "max_ongoing": self.max_ongoing,
                "scaling": "auto" if self._replicas == "auto" else int(self._replicas)}
        if self.load_error is not None:
            from ..engines.remote import wire

            body["error"] = wire.error_record(self.load_error)
        return body

    # -- requests ----------------------------------------------------------------------------
    def submit(self, job: Job) -> int:
        if self.load_error is not None:
            raise self.load_failure()
        capacity = self.capacity()
        with self._lock:
            waiting = len(self._inflight) - capacity
            if waiting >= self.max_queue:
                self.counts["refused"] += 1
                raise EngineBusyError(key="server.engine_busy_one" if waiting == 1 else "server.engine_busy",
                                      name=self.name, n=waiting, limit=self.max_queue)
            self._inflight.append(job)
            ahead = max(len(self._inflight) - capacity, 0)
        threading.Thread(target=self._relay, args=(job,), name=f"voxnb-relay-{job.id[:8]}", daemon=True).start()
        return ahead

    def position(self, job: Job) -> int:
        capacity = self.capacity()
        with self._lock:
            if job not in self._inflight:
                return 0
            return max(self._inflight.index(job) - capacity + 1, 0)

    def cancel(self, job_id: str) -> bool:
        with self._lock:
            job = next((j for j in self._inflight if j.id == job_id), None)
            gen = self._gens.get(job_id)
        if job is None:
            return False
        job.cancelled.set()
        if gen is not None:
            gen.cancel()
        return True

    def _relay(self, job: Job) -> None:
        """Runs the job on a replica and hands its frames to ``job.emit``, replaying it elsewhere when its
        replica dies before anything the client keeps was sent."""
        from ray.exceptions import RayError
        from ray.serve.exceptions import BackPressureError

        from ..engines.remote import wire

        outcome, last = "failed", None
        while not self._ready_to_run(job):
            time.sleep(0.05)
        for attempt in range(REPLAYS + 1):
            kept = False
            if job.cancelled.is_set():   # its client left, or asked, before a replica took it
                outcome, last = "cancelled", ("error", EngineError(key="server.request_cancelled"))
                break
            try:
                if self.engine is None:
                    raise self.load_failure() if self.load_error else EngineError(
                        key="server.engine_still_loading", name=self.name)
                gen = self._handle.options(stream=True).run.remote(job.kind, job.args)
                with self._lock:
                    self._gens[job.id] = gen
                for item in gen:
                    if isinstance(item, dict):
                        if "error" in item:
                            last = ("error", wire.error_from(item["error"]))
                            break
                        job.stats.update(item["stats"])
                        job.replica = item["replica"]
                        outcome, last = "served", ("done", None)
                        break
                    kept = kept or item[1]
                    job.items += 1
                    job.emit("item", item)
                    if job.cancelled.is_set():
                        gen.cancel()
                        break
                if job.cancelled.is_set():
                    outcome, last = "cancelled", ("error", EngineError(key="server.request_cancelled"))
                break
            except BackPressureError:
                last = ("error", EngineBusyError(key="server.engine_busy", name=self.name, n=self.max_queue,
                                                 limit=self.max_queue))
                break
            except (RayError, RuntimeError) as err:
                if job.cancelled.is_set():
                    outcome, last = "cancelled", ("error", EngineError(key="server.request_cancelled"))
                    break
                if not kept and attempt < REPLAYS and not self._stopping:
                    self.counts["replayed"] += 1
                    self._log(f"request {job.id}: its replica was lost ({type(err).__name__}); running it again")
                    continue
                from ..messages import Msg

                last = ("error", ReplicaLostError(key="server.replica_lost", name=self.name,
                                                  sent=Msg("cluster.sent_after" if kept else "cluster.sent_before")))
                break
            except Exception as err:  # noqa: BLE001 -- told to the client, not a dead relay
                if job.cancelled.is_set():   # Serve's own word for a request we cancelled
                    outcome, last = "cancelled", ("error", EngineError(key="server.request_cancelled"))
                else:
                    last = ("error", err)
                break
        with self._lock:
            self._inflight.remove(job)
            self._gens.pop(job.id, None)
            self.counts[outcome] += 1
        job.emit(*(last or ("error", EngineError(key="server.request_cancelled"))))

    def _ready_to_run(self, job: Job) -> bool:
        """FIFO admission: a job goes to Serve when it is among the first ``capacity`` in flight."""
        if job.cancelled.is_set() or self.load_error is not None or self._stopping:
            return True
        if self.engine is None:   # still deploying: requests wait, as they do while a plain server loads
            return False
        capacity = self.capacity()
        with self._lock:
            return self._inflight.index(job) < capacity


class RemoteFacade:
    """What the routes' checks read of an engine before queueing, for replicas that hold the real one."""

    def __init__(self, capabilities, handle):
        self.capabilities = capabilities
        self._handle, self._voices = handle, {}

    def stock_voice(self, name: str):
        from ..engines.remote import wire
        from ..voice import Voice

        if name not in self._voices:
            data = self._handle.stock_voice.remote(name).result()
            if isinstance(data, dict):
                raise wire.error_from(data["error"])
            if len(self._voices) >= 32:
                self._voices.pop(next(iter(self._voices)))
            self._voices[name] = Voice.from_bytes(data)
        return self._voices[name]

    def clone(self, reference, **options):   # a replica checks the options against the real engine
        raise NotImplementedError("clone runs on a replica")
