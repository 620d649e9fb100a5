"""The children of ``voxnb bench --random-weights``: write a full-size random model, measure it, serve it.

Run as ``python -m voxnb.bench.random_weights write|measure|serve ENGINE DIR``; each prints one JSON line.
"""
from __future__ import annotations

import json
import resource
import shutil
import time
from pathlib import Path

from .references import CHARS_PER_SECOND, REFERENCE_TEXT, WARM_TEXT

ROUNDS = 2      # inspect off / on pairs timed


# -- writing: the real architecture from the real config, random weights, the hub's file layout ----
def write(engine: str, root: Path, model: str | None = None) -> dict:
    import torch

    from ..weights import hub

    torch.manual_seed(0)
    t0 = time.perf_counter()
    params, vocoder = _WRITERS[engine](root, model) if engine == "voxcpm" else _WRITERS[engine](root)
    spec = _spec(engine, model)
    hub._write_manifest(spec, root, "random-weights", {})   # the adapter checks its files like real ones
    (root / "RANDOM-WEIGHTS").write_text("Random weights written by voxnb bench: speed and memory only.\n")
    return {"params_m": round(params / 1e6, 2), "vocoder_params_m": round(vocoder / 1e6, 2),
            "write_s": round(time.perf_counter() - t0, 1)}


def _spec(engine: str, model: str | None = None):
    import importlib

    package = importlib.import_module(f"voxnb.engines.{engine}")
    return package.MODELS[model] if model else package.WEIGHTS


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _write_f5(root: Path) -> tuple[int, int]:
    import torch
    from safetensors.torch import save_file

    from ..engines.f5 import WEIGHTS
    from ..engines.f5.arch import VOCOS_CONFIG, full_size_model, package_vocab, vocoder

    ckpt, vocab = (root / f for f in WEIGHTS.parts[0].files)
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package_vocab(), vocab)
    model = full_size_model(device="cpu", vocab_file=vocab)
    # the published checkpoint keeps its EMA weights under this prefix, and load_checkpoint reads them
    save_file({f"ema_model.{k}": v.contiguous() for k, v in model.state_dict().items()}, str(ckpt))
    local = root / WEIGHTS.parts[1].local
    local.mkdir(exist_ok=True)
    shutil.copyfile(VOCOS_CONFIG, local / "config.yaml")
    vocos = vocoder(device="cpu")
    torch.save(vocos.state_dict(), local / "pytorch_model.bin")
    return _count(model.transformer), _count(vocos)


def _write_voxcpm(root: Path, model_name: str | None = None) -> tuple[int, int]:
    import torch
    from safetensors.torch import save_file

    from ..engines.voxcpm import arch

    root.mkdir(parents=True, exist_ok=True)
    config = arch.CONFIGS / f"{model_name or 'voxcpm1.5'}.json"
    tokenizer = arch.stand_in_tokenizer()      # VoxCPM2 keeps VoxCPM 1.5's MiniCPM-4 vocabulary
    tokenizer.save_pretrained(root)
    (root / "config.json").write_text(json.dumps(arch.config(config)))
    model = arch.full_size_model(device="cpu", config_path=config, tokenizer=tokenizer)
    save_file({k: v.contiguous() for k, v in model.state_dict().items() if not k.startswith("audio_vae.")},
              str(root / "model.safetensors"))
    torch.save({"state_dict": model.audio_vae.state_dict()}, root / "audiovae.pth")
    return _count(model) - _count(model.audio_vae), _count(model.audio_vae)


def _write_cosyvoice3(root: Path) -> tuple[int, int]:
    from ..engines.cosyvoice3 import arch

    return arch.write_full_size(root)


_WRITERS = {"f5": _write_f5, "voxcpm": _write_voxcpm, "cosyvoice3": _write_cosyvoice3}


# -- loading, steered where a random model would never stop ----------------------------------------
def load(engine: str, root: Path, steps: int | None):
    from ..engines import load_engine

    options = {"f5": {"nfe_step": steps} if steps else {},
               "voxcpm": {"retry_badcase": False, **({"inference_timesteps": steps} if steps else {})},
               "cosyvoice3": {}}[engine]
    loaded = load_engine(engine, model_dir=root, **options)
    if engine == "voxcpm":
        _steer_stop(loaded)
    elif engine == "cosyvoice3":
        _steer_cosyvoice3(loaded, steps)
    return loaded


def _steer_stop(engine) -> None:
    """VoxCPM's stop head says 'stop' once the chunk has had as many steps as its text would take."""
    import torch

    state = {"step": 0, "target": 1}
    generate = engine._generate

    def generate_steered(text_in, voice, settings, seed):
        seconds = max(1.0, len(text_in.text) / CHARS_PER_SECOND)
        state["target"] = max(2, round(seconds * engine.SAMPLE_RATE / engine.patch_samples))
        return generate(text_in, voice, settings, seed)

    def restart(*_):
        state["step"] = 0

    def steer(module, inputs, out):
        state["step"] += 1
        decided = torch.zeros_like(out)
        decided[..., 1 if state["step"] > state["target"] else 0] = 10.0
        return decided

    engine._generate = generate_steered
    engine.model.base_lm.register_forward_pre_hook(restart)
    engine.model.stop_head.register_forward_hook(steer)


def _steer_cosyvoice3(engine, steps: int | None) -> None:
    """CosyVoice 3's LM may pick a stop token (any of 200) only once the chunk has had as many speech
    tokens (25 a second) as its text would take, and must then; ``steps`` replaces the flow's fixed 10
    Euler steps."""
    lm, state = engine.model.llm, {"step": 0, "target": 1}
    generate, rate = engine._generate, engine.model.flow.input_frame_rate

    def generate_steered(text_in, voice, settings, seed):
        seconds = max(1.0, len(text_in.text) / CHARS_PER_SECOND)
        state.update(step=0, target=max(2, round(seconds * rate)))     # one LM run per chunk
        return generate(text_in, voice, settings, seed)

    def steer(module, inputs, out):
        state["step"] += 1
        decided = out.clone()
        if state["step"] > state["target"]:
            decided.fill_(-1e4)              # finite: its repetition fallback samples from these scores
            decided[..., lm.eos_token] = 0.0
        else:
            decided[..., lm.speech_token_size:] = -1e4
        return decided

    def solver_steps(module, args, kwargs):
        return args, {**kwargs, "n_timesteps": steps}

    engine._generate = generate_steered
    lm.llm_decoder.register_forward_hook(steer)
    if steps:
        engine.model.flow.decoder.register_forward_pre_hook(solver_steps, with_kwargs=True)


def _first_parameter(engine):
    model = engine.model       # CosyVoice's model is a plain object holding llm, flow and hift
    return next((model if hasattr(model, "parameters") else model.llm).parameters())


def _parameters(engine) -> tuple[float, str, str]:
    model, first = engine.model, _first_parameter(engine)
    # CosyVoice 3: LM + flow; HiFT is the vocoder's share
    count = _count(model) if hasattr(model, "parameters") else _count(model.llm) + _count(model.flow)
    return count / 1e6, str(first.dtype).replace("torch.", ""), str(first.device)


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
    params_m, dtype, device = _parameters(engine)
    if engine_name == "f5":
        params_m = _count(engine.model.transformer) / 1e6     # the DiT: what the model card counts
    elif hasattr(engine.model, "audio_vae"):
        params_m -= _count(engine.model.audio_vae) / 1e6      # the codec is the vocoder's share
    return {
        "model": getattr(engine, "model_name", engine_name), "device": device, "dtype": dtype,
        "steps": steps or _default_steps(engine),
        "params_m": round(params_m, 2), "load_s": round(load_s, 2), "audio_s": round(audio_s, 2),
        "synthesis_s": round(off, 2), "rtf": round(off / max(audio_s, 1e-9), 3), "first_audio_s": round(first, 2),
        "inspect_synthesis_s": round(on, 2), "inspect_overhead": round(on / off, 3),
        "runs_s": {"inspect_off": [round(t, 2) for t in offs], "inspect_on": [round(t, 2) for t in ons]},
        "inspect_attention": inspected.chunks[0].attention is not None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_vram_mb": round(torch.cuda.max_memory_allocated() / 2**20, 1) if cuda else None,
        "text_chars": len(text), "chunks": len(inspected.chunks),
    }


def _default_steps(engine) -> int | None:
    if engine.NAME == "cosyvoice3":
        from ..engines.cosyvoice3.arch import FLOW_STEPS

        return FLOW_STEPS
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
