"""What a server tells a monitoring stack: Prometheus metrics at /metrics and one JSON log line per request.

Each server (plain or replicated) has its own ``CollectorRegistry``, so two servers in one process (the
tests) never share counters. The log line goes to stderr, where journald, Docker or a Loki agent takes it.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Callable

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300)
RTF_BUCKETS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10)
OUTCOMES = ("served", "failed", "cancelled", "busy", "invalid")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class ServerMetrics:
    """Counters and histograms of one server; ``queue()`` and ``replicas()`` are read at scrape time."""

    def __init__(self, engine: str, queue: Callable[[], int], replicas: Callable[[], dict],
                 write: Callable[[str], None] = _stderr):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.engine, self.write = engine, write
        self.registry = r = CollectorRegistry()
        self.requests = Counter("voxnb_requests", "Engine requests by kind and outcome",
                                ["engine", "kind", "outcome"], registry=r)
        self.latency = Histogram("voxnb_request_seconds", "From a request's arrival to its last frame",
                                 ["engine", "kind"], buckets=LATENCY_BUCKETS, registry=r)
        self.first_audio = Histogram("voxnb_first_audio_seconds", "From a request's arrival to its first "
                                     "frame with audio", ["engine", "kind"], buckets=LATENCY_BUCKETS, registry=r)
        self.rtf = Histogram("voxnb_rtf", "Wall seconds per second of audio, per served synthesis",
                             ["engine"], buckets=RTF_BUCKETS, registry=r)
        self.audio = Counter("voxnb_audio_seconds", "Seconds of audio produced", ["engine"], registry=r)
        Gauge("voxnb_queue_length", "Requests waiting for an engine", ["engine"],
              registry=r).labels(engine).set_function(queue)
        self._replicas = Gauge("voxnb_replicas", "Engine replicas by state", ["engine", "state"], registry=r)
        self._replica_states = replicas
        for kind in ("clone", "synthesize", "stream", "speech"):   # every series exists from the start, at 0
            for outcome in OUTCOMES:
                self.requests.labels(engine, kind, outcome)

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        states = self._replica_states()
        for state in set(states) | {"ready", "loading", "lost"}:
            self._replicas.labels(self.engine, state).set(states.get(state, 0))
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def refused(self, kind: str, outcome: str) -> None:
        """A request answered before it reached an engine: 'busy' (queue full) or 'invalid' (a 4xx)."""
        self.requests.labels(self.engine, kind, outcome).inc()

    def finished(self, *, request_id: str, kind: str, outcome: str, started: float, first_audio: float | None,
                 stats: dict, described: dict, replica: str = "") -> None:
        """Count one request that reached an engine and write its log line."""
        seconds = time.monotonic() - started
        audio_s = float(stats.get("audio_s", 0.0))
        self.requests.labels(self.engine, kind, outcome).inc()
        self.latency.labels(self.engine, kind).observe(seconds)
        if first_audio is not None:
            self.first_audio.labels(self.engine, kind).observe(first_audio - started)
        if audio_s > 0:
            self.audio.labels(self.engine).inc(audio_s)
            if outcome == "served":
                self.rtf.labels(self.engine).observe(seconds / audio_s)
        line = {"event": "voxnb.request", "id": request_id, "engine": self.engine, "kind": kind,
                "voice_id": described.get("voice_id", ""), "chars": described.get("chars", 0),
                "seconds": round(seconds, 3), "audio_s": round(audio_s, 3), "outcome": outcome}
        if replica:
            line["replica"] = replica
        self.write(json.dumps(line, ensure_ascii=False))
