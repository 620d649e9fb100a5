"""``voxnb bench --engine NAME --random-weights``: full-size speed and memory without the real weights.

The engine's real-size architecture is built from its real config with random weights, written in
the hub's file layout into a temporary folder (never where ``voxnb fetch`` puts real weights, so a
random model can never be mistaken for one), and loaded through the same adapter a user's weights
go through. What it says is noise; its speed and memory are the real model's. Three children of
this process do the work, so each figure is its own: one writes the weights, one measures the
engine in-process, one serves it to four concurrent clients through voxnb's server.

An autoregressive model with a random stop head stops at once or never, so its stop head is
steered to stop after as many steps as the text would take at a normal speaking rate.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOTE = "random weights: speed and memory only"
TEXT = ("The birch canoe slid on the smooth planks, and the boat drifted slowly across the quiet lake. "
        "Please send the final report to the whole team before the meeting on Thursday afternoon.")
CONCURRENT = 4


def run(engine: str, steps: int | None = None, text: str = TEXT, concurrent: int = CONCURRENT,
        progress=print, keep_dir: bool = False, model: str | None = None) -> dict:
    """Every figure for ``engine``: write random weights, measure in-process, then served."""
    from ..errors import EngineError

    from ..engines import registry
    from .random_models import hooks

    known = registry.benched()     # the engines whose specs name a random-weights module
    if engine not in known:
        raise EngineError(key="bench.random_weights_knows", engines=known, engine=engine)
    several = [m.name for m in registry.spec(engine).models] if len(registry.spec(engine).models) > 1 else []
    if model and model not in several:
        raise EngineError(key="bench.model_not_of_engine" if several else "bench.model_not_of_engine_one",
                          model=model, engine=engine, models=several)
    bench = hooks(engine)
    if hasattr(bench, "prepare"):     # e.g. a source checkout that must be there: named before anything is written
        bench.prepare()
    root = Path(tempfile.mkdtemp(prefix=f"voxnb-random-{engine}-"))
    try:
        progress(f"{engine}: writing full-size random weights into {root} ({NOTE})")
        made = _child(["write", engine, str(root), *(["--model", model] if model else [])], progress)
        progress(f"{engine}: {made['params_m']:.1f} M parameters written in {made['write_s']:.0f} s; measuring")
        figures = _child(["measure", engine, str(root), "--text", text, *(_steps(steps))], progress)
        if concurrent:
            progress(f"{engine}: {concurrent} concurrent requests through voxnb's engine server")
            figures["served"] = _serve_figures(engine, root, steps, text, concurrent, progress)
        return {"engine": engine, "note": NOTE, **made, **figures}
    finally:
        if not keep_dir:
            shutil.rmtree(root, ignore_errors=True)


def _steps(steps):
    return ["--steps", str(steps)] if steps else []


def _child(args: list[str], progress, timeout: float = 3600) -> dict:
    p = subprocess.run([sys.executable, "-m", "voxnb.bench.random_weights", *args], capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    if p.returncode != 0:
        raise RuntimeError(f"random-weights bench step {args[0]} failed:\n{p.stderr[-4000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _serve_figures(engine, root, steps, text, concurrent, progress) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from ..engines.remote import RemoteEngine
    from .references import CONSENT, REFERENCE_DIR, REFERENCE_TEXT, WARM_TEXT

    port = free_port()
    # its log in a file, not a pipe: nobody reads a pipe while requests run, and a full one blocks the server
    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen([sys.executable, "-m", "voxnb.bench.random_weights", "serve", engine, str(root),
                               "--port", str(port), *_steps(steps)], stdout=subprocess.DEVNULL, stderr=log,
                              text=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    try:
        url = f"http://127.0.0.1:{port}"
        remote = _wait_ready(url, server, log)
        voice = remote.clone(str(REFERENCE_DIR / "harvard_f/harvard_01.flac"), transcript=REFERENCE_TEXT,
                             consent=CONSENT)
        remote.synthesize(WARM_TEXT, voice, seed=0, inspect=False)

        def one(i):
            t0 = time.perf_counter()
            r = RemoteEngine(url).synthesize(text, voice, seed=i, inspect=False)
            return time.perf_counter() - t0, r.duration_s

        t0 = time.perf_counter()
        with ThreadPoolExecutor(concurrent) as pool:
            done = list(pool.map(one, range(concurrent)))
        wall = time.perf_counter() - t0
        audio = sum(d for _, d in done)
        latencies = [t for t, _ in done]
        return {"requests": concurrent, "wall_s": round(wall, 2),
                "latency_mean_s": round(sum(latencies) / concurrent, 2),
                "latency_max_s": round(max(latencies), 2), "rtf": round(wall / audio, 3),
                "server_peak_rss_mb": _peak_rss_of(server.pid)}
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()



def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, server: subprocess.Popen, log, timeout: float = 1800):
    from ..engines.remote import RemoteEngine

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the bench's engine server stopped:\n{log.read()[-4000:]}")
        try:
            return RemoteEngine(url)     # answers once the engine is loaded
        except Exception:   # noqa: BLE001 - still loading, or not listening yet
            time.sleep(1.0)
    raise RuntimeError(f"the bench's engine server did not become ready in {timeout:.0f} s")


def _peak_rss_of(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def table(figures: dict) -> str:
    rows = [f"{figures['engine']} {figures['model']} ({figures['note']}), device {figures['device']}, "
            f"dtype {figures['dtype']}",
            f"  parameters   {figures['params_m']:.1f} M (+ vocoder {figures.get('vocoder_params_m', 0):.1f} M)",
            f"  load         {figures['load_s']:.1f} s",
            f"  steps        {figures.get('steps')}",
            f"  RTF          {figures['rtf']:.3f} ({figures['audio_s']:.1f} s of audio)",
            f"  first audio  {figures['first_audio_s']:.2f} s",
            f"  peak RSS     {figures['peak_rss_mb']:.0f} MB"]
    if figures.get("peak_vram_mb") is not None:
        rows.append(f"  peak VRAM    {figures['peak_vram_mb']:.0f} MB")
    rows.append(f"  inspect      x{figures['inspect_overhead']:.3f} (synthesis time with inspect on / off)")
    served = figures.get("served")
    if served:
        rows.append(f"  served x{served['requests']}   wall {served['wall_s']:.1f} s, latency mean "
                    f"{served['latency_mean_s']:.1f} s / max {served['latency_max_s']:.1f} s, "
                    f"RTF {served['rtf']:.3f}, server peak RSS "
                    f"{served['server_peak_rss_mb']} MB")
    return "\n".join(rows)


def _main(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m voxnb.bench.random_weights")
    p.add_argument("step", choices=("write", "measure", "serve"))
    p.add_argument("engine")
    p.add_argument("dir")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--text", default=TEXT)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--model", default=None)
    a = p.parse_args(argv)
    from . import random_models

    if a.step == "write":
        print(json.dumps(random_models.write(a.engine, Path(a.dir), a.model)))
    elif a.step == "measure":
        print(json.dumps(random_models.measure(a.engine, Path(a.dir), a.text, a.steps)))
    else:
        random_models.serve(a.engine, Path(a.dir), a.port, a.steps)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
