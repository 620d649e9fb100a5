"""VoxCPM at full size with random weights, for ``voxnb bench --random-weights`` (voxnb.bench.random_models).

A random stop head stops at once or never, so it is steered to stop after as many steps as the text
would take at a normal speaking rate.
"""
from __future__ import annotations

import json
from pathlib import Path

from .spec import WEIGHTS, WEIGHTS2

SMALLEST = "voxcpm1.5"


def weights(model: str | None = None):
    return {"voxcpm2": WEIGHTS2, "voxcpm1.5": WEIGHTS}[model or SMALLEST]


def write(root: Path, model: str | None = None) -> tuple[int, int]:
    """The model of ``config.json`` (VoxCPM 1.5 unless ``model``) in the hub's layout: (LM + diffusion
    parameters, AudioVAE parameters)."""
    import torch
    from safetensors.torch import save_file

    from . import arch

    root.mkdir(parents=True, exist_ok=True)
    config = arch.CONFIGS / f"{model or SMALLEST}.json"
    tokenizer = arch.stand_in_tokenizer()      # VoxCPM2 keeps VoxCPM 1.5's MiniCPM-4 vocabulary
    tokenizer.save_pretrained(root)
    (root / "config.json").write_text(json.dumps(arch.config(config)))
    built = arch.full_size_model(device="cpu", config_path=config, tokenizer=tokenizer)
    save_file({k: v.contiguous() for k, v in built.state_dict().items() if not k.startswith("audio_vae.")},
              str(root / "model.safetensors"))
    torch.save({"state_dict": built.audio_vae.state_dict()}, root / "audiovae.pth")
    return _count(built) - _count(built.audio_vae), _count(built.audio_vae)


def load_options(steps: int | None) -> dict:
    return {"retry_badcase": False, **({"inference_timesteps": steps} if steps else {})}


def steer(engine, steps: int | None, chars_per_second: float) -> None:
    """The stop head says 'stop' once the chunk has had as many steps as its text would take."""
    import torch

    state = {"step": 0, "target": 1}
    generate = engine._generate

    def generate_steered(text_in, voice, settings, seed):
        seconds = max(1.0, len(text_in.text) / chars_per_second)
        state["target"] = max(2, round(seconds * engine.SAMPLE_RATE / engine.patch_samples))
        return generate(text_in, voice, settings, seed)

    def restart(*_):
        state["step"] = 0

    def stop_when_due(module, inputs, out):
        state["step"] += 1
        decided = torch.zeros_like(out)
        decided[..., 1 if state["step"] > state["target"] else 0] = 10.0
        return decided

    engine._generate = generate_steered
    engine.model.base_lm.register_forward_pre_hook(restart)
    engine.model.stop_head.register_forward_hook(stop_when_due)


def params_m(engine) -> float:
    """Language models and diffusion head; the AudioVAE is the vocoder's share."""
    return (_count(engine.model) - _count(engine.model.audio_vae)) / 1e6


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())
