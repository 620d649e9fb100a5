"""The children of ``voxnb bench --random-weights``: write a full-size random model, measure it, serve it.

Run as ``python -m voxnb.bench.random_weights write|measure|serve ENGINE DIR``; each prints one JSON line.
"""
from __future__ import annotations

import resource
import time
from pathlib import Path

from .references import CHARS_PER_SECOND, REFERENCE_TEXT, WARM_TEXT

ROUNDS = 2      # inspect off / on pairs timed


# -- writing: the real architecture from the real config, random weights, the hub's file layout ----
def hooks(engine: str):
    """The engine's own random-weights module (its spec's ``bench``): weights(model), write(root, model),
    load_options(steps), and optionally prepare(), steer(engine, steps, chars_per_second), params_m(engine),
    default_steps(engine)."""
    import importlib

    from ..engines import spec

    module = spec(engine).bench
    if not module:
        from ..errors import EngineError

        raise EngineError(key="bench.no_random_weights_bench", engine=engine)
    return importlib.import_module(module)


def write(engine: str, root: Path, model: str | None = None) -> dict:
    import torch

    from ..weights import hub

    torch.manual_seed(0)
    t0 = time.perf_counter()
    bench = hooks(engine)
    params, vocoder = bench.write(root, model)
    hub._write_manifest(bench.weights(model), root, "random-weights", {})   # the adapter checks its files like real ones
    (root / "RANDOM-WEIGHTS").write_text("Random weights written by voxnb bench: speed and memory only.\n")
    return {"params_m": round(params / 1e6, 2), "vocoder_params_m": round(vocoder / 1e6, 2),
            "write_s": round(time.perf_counter() - t0, 1)}


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


# -- loading, steered where a random model would never stop ----------------------------------------
def load(engine: str, root: Path, steps: int | None):
    from ..engines import load_engine

    bench = hooks(engine)
    loaded = load_engine(engine, model_dir=root, **bench.load_options(steps))
    if hasattr(bench, "steer"):
        bench.steer(loaded, steps, CHARS_PER_SECOND)
    return loaded


def _first_parameter(engine):
    model = engine.model       # CosyVoice's model is a plain object holding llm, flow and hift
    return next((model if hasattr(model, "parameters") else model.llm).parameters())


def _parameters(engine_name: str, engine) -> tuple[float, str, str]:
    """(parameters in millions as the model card counts them, the vocoder aside; dtype; device)."""
    first, bench = _first_parameter(engine), hooks(engine_name)
    count = bench.params_m(engine) if hasattr(bench, "params_m") else _count(engine.model) / 1e6
    return count, str(first.dtype).replace("torch.", ""), str(first.device)


# -- measuring ----------------------------------------------------------------------------------------
def measure(engine_name: str, root: Path, text: str, steps: int | None) -> dict:
    import torch

    from .references import CONSENT, REFERENCE_DIR

    t0 = time.perf_counter()
    engine = load(engine_name, root, steps)
    load_s = time.perf_counter() - t0
    cuda = torch.cuda.is_available() and str(_first_parameter(engine).device).startswith("cuda")
    voice = engine.clone(str(REFERENCE_DIR / "harvard_f/harvard_01.flac"), transcript=REFERENCE_TEXT, consent=CONSENT)
    engine.synthesize(WARM_TEXT, voice, seed=0, inspect=False)     # first-call costs are not the model's speed
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    # inspect off and on, twice, interleaved: each figure is the faster of its two runs, so neither the
    # first long run's allocations nor a burst of other work on the box lands on one side only
    offs, ons, first, audio_s, inspected = [], [], None, 0.0, None
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        firsts, audio_s = [], 0.0
        for chunk in engine.stream(text, voice, seed=1, inspect=False):
            firsts.append(time.perf_counter() - t0)
            audio_s += len(chunk.audio) / engine.capabilities.sample_rate
        offs.append(time.perf_counter() - t0)
        first = min(first, firsts[0]) if first is not None else firsts[0]
        t0 = time.perf_counter()
        inspected = engine.synthesize(text, voice, seed=1, inspect=True)
        ons.append(time.perf_counter() - t0)
    off, on = min(offs), min(ons)
    params_m, dtype, device = _parameters(engine_name, engine)
    return {
        "model": getattr(engine, "model_name", engine_name), "device": device, "dtype": dtype,
        "steps": steps or _default_steps(engine_name, engine),
        "params_m": round(params_m, 2), "load_s": round(load_s, 2), "audio_s": round(audio_s, 2),
        "synthesis_s": round(off, 2), "rtf": round(off / max(audio_s, 1e-9), 3), "first_audio_s": round(first, 2),
        "inspect_synthesis_s": round(on, 2), "inspect_overhead": round(on / off, 3),
        "runs_s": {"inspect_off": [round(t, 2) for t in offs], "inspect_on": [round(t, 2) for t in ons]},
        "inspect_attention": inspected.chunks[0].attention is not None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_vram_mb": round(torch.cuda.max_memory_allocated() / 2**20, 1) if cuda else None,
        "text_chars": len(text), "chunks": len(inspected.chunks),
    }


def _default_steps(engine_name: str, engine) -> int | None:
    bench = hooks(engine_name)
    if hasattr(bench, "default_steps"):
        return bench.default_steps(engine)
    return getattr(engine, "steps", None) or getattr(engine, "timesteps", None)


# -- serving ------------------------------------------------------------------------------------------
def serve(engine_name: str, root: Path, port: int, steps: int | None) -> None:
    """voxnb's own engine server (worker queue and app) over the steered random model."""
    import uvicorn

    from ..server.app import create_app
    from ..server.worker import EngineWorker

    worker = EngineWorker(lambda: load(engine_name, root, steps), engine_name, max_queue=8)
    worker.start()
    uvicorn.run(create_app(worker, "", loopback_only=True), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)
    worker.stop()
