"""Serving throughput: plain ``voxnb serve`` against N replicas on Ray, measured through the HTTP API.

Each configuration is a real server process on loopback; each cell sends ``requests`` streamed syntheses
from ``concurrency`` client threads and reports requests per minute, seconds of audio per wall second,
and the p50/p95 of latency and of time to first audio. ``voxnb bench --serve`` prints the table.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Callable

import numpy as np

TEXT = ("A short reply from the engine server, long enough to be spoken as two pieces. "
        "The second piece follows the first without a pause.")


def _start(engine: str, port: int, replicas: int | None, max_queue: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "voxnb", "serve", "--engine", engine, "--port", str(port),
           "--max-queue", str(max_queue)]
    if replicas:
        cmd += ["--replicas", str(replicas)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
                            start_new_session=True)


def _ready(url: str, replicas: int | None, proc: subprocess.Popen, seconds: float = 300) -> None:
    import httpx

    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {proc.returncode}")
        try:
            body = httpx.get(f"{url}/health", timeout=5).json()
            listed = body.get("replicas") or []
            if body.get("ready") and (not replicas or sum(r["state"] == "ready" for r in listed) >= replicas):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server at {url} was not ready within {seconds:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def cell(url: str, voice: str, concurrency: int, requests: int, text: str = TEXT) -> dict:
    """``requests`` streamed syntheses from ``concurrency`` threads: throughput and latency figures."""
    import voxnb

    engine = voxnb.connect(url)
    lock, left, samples, errors = threading.Lock(), [requests], [], []

    def client():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            t0, first, audio = time.perf_counter(), None, 0.0
            try:
                for chunk in engine.stream(text, voice, seed=1):
                    first = first if first is not None else time.perf_counter() - t0
                    audio += len(chunk.audio) / chunk.sample_rate
            except Exception as err:  # noqa: BLE001 -- counted and shown, the cell goes on
                with lock:
                    errors.append(f"{type(err).__name__}: {err}"[:200])
                continue
            with lock:
                samples.append((time.perf_counter() - t0, first, audio))

    wall0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall0
    engine.close()
    lat = np.array([s[0] for s in samples]) if samples else np.zeros(1)
    ttfa = np.array([s[1] for s in samples]) if samples else np.zeros(1)
    return {"concurrency": concurrency, "requests": len(samples), "errors": errors, "wall_s": round(wall, 2),
            "requests_per_min": round(len(samples) / wall * 60, 1),
            "audio_s_per_s": round(sum(s[2] for s in samples) / wall, 2),
            "latency_p50_s": round(float(np.percentile(lat, 50)), 3),
            "latency_p95_s": round(float(np.percentile(lat, 95)), 3),
            "first_audio_p50_s": round(float(np.percentile(ttfa, 50)), 3),
            "first_audio_p95_s": round(float(np.percentile(ttfa, 95)), 3)}


def run(engine: str = "kokoro", replicas=(1, 2), concurrency=(1, 4, 8), requests: int | None = None,
        voice: str | None = None, progress: Callable[[str], None] = lambda m: None) -> dict:
    import voxnb

    from .random_weights import free_port

    voice = voice or voxnb.load_engine(engine).capabilities.stock_voices[0]
    rows = []
    for n in (None, *replicas):
        label = "voxnb serve" if n is None else f"--replicas {n}"
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        progress(f"starting {label} on port {port}")
        t = time.perf_counter()
        proc = _start(engine, port, n, max(concurrency) + 2)
        try:
            _ready(url, n, proc)
            ready_s = time.perf_counter() - t
            cell(url, voice, n or 1, n or 1)          # warm every replica once (first-run allocations)
            for c in concurrency:
                count = requests or max(4 * c, 8)
                progress(f"{label}: {count} requests from {c} clients")
                rows.append({"config": label, "replicas": n or 1, "ready_s": round(ready_s, 1),
                             **cell(url, voice, c, count)})
        finally:
            _stop(proc)
    return {"engine": engine, "voice": voice, "text_chars": len(TEXT), "cpus": os.cpu_count(), "rows": rows}


def table(figures: dict) -> str:
    head = (f"serving {figures['engine']} ({figures['voice']}), {figures['text_chars']}-character requests, "
            f"{figures['cpus']} CPUs, streamed through the HTTP API\n")
    cols = ("config", "concurrency", "requests", "requests_per_min", "audio_s_per_s", "latency_p50_s",
            "latency_p95_s", "first_audio_p50_s", "first_audio_p95_s")
    names = ("config", "clients", "n", "req/min", "audio s/s", "p50 lat", "p95 lat", "p50 TTFA", "p95 TTFA")
    lines = [" | ".join(names), " | ".join("---" for _ in names)]
    for row in figures["rows"]:
        lines.append(" | ".join(str(row[c]) for c in cols) + (f"  ({len(row['errors'])} errors)" if row["errors"] else ""))
    return head + "\n".join(lines)
