"""F5-TTS at full size with random weights, for ``voxnb bench --random-weights`` (voxnb.bench.random_models)."""
from __future__ import annotations

import shutil
from pathlib import Path

from .spec import WEIGHTS


def weights(model: str | None = None):
    return WEIGHTS


def write(root: Path, model: str | None = None) -> tuple[int, int]:
    """v1 Base's DiT and the Vocos vocoder in the hub's layout: (model parameters, vocoder parameters)."""
    import torch
    from safetensors.torch import save_file

    from .arch import VOCOS_CONFIG, full_size_model, package_vocab, vocoder

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


def load_options(steps: int | None) -> dict:
    return {"nfe_step": steps} if steps else {}


def params_m(engine) -> float:
    """The DiT alone: what the model card counts."""
    return _count(engine.model.transformer) / 1e6


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())
