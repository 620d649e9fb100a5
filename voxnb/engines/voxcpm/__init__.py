"""VoxCPM (a tokenizer-free language model over continuous audio latents): zero-shot cloning on the GPU.

One engine, two models that the ``voxcpm`` package loads alike (its ``config.json`` names the
architecture): VoxCPM2 (2B, 48 kHz out, about 8 GB of VRAM by its README) and VoxCPM 1.5 (0.8B,
44.1 kHz, about 6 GB). ``model="auto"`` takes VoxCPM2 where the GPU has the memory for it and its
weights are here, VoxCPM 1.5 otherwise. Nothing here imports torch or voxcpm: the engine module does,
when an engine is made.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

from ..precision import VOXCPM2_MIN_GB
from .spec import SPEC, WEIGHTS, WEIGHTS2

MODELS = {"voxcpm2": WEIGHTS2, "voxcpm1.5": WEIGHTS}
MODEL_CHOICES = ("auto", *MODELS)
# config.json's "architecture" -> voxnb's model name
ARCHITECTURES = {"voxcpm2": "voxcpm2", "voxcpm": "voxcpm1.5"}
def default_model(vram_gb: float | None, capability: tuple[int, int] | None = None) -> str:
    """The model ``auto`` means on a GPU of ``vram_gb`` (None: no GPU): precision.voxcpm_model, the rule
    the start script's plan reads too (VoxCPM2 from 12 GB in bf16, 20 GB on cards without bf16)."""
    from ..precision import voxcpm_model

    return voxcpm_model(vram_gb, capability)


def gpu_capability() -> tuple[int, int] | None:
    """The first GPU's compute capability from nvidia-smi (no torch import); None where it cannot say."""
    from ..precision import parse_capability

    if not shutil.which("nvidia-smi"):
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_capability(out.stdout.splitlines()[0]) if out.returncode == 0 and out.stdout.strip() else None


def gpu_memory_gb() -> float | None:
    """The first GPU's memory in GB: nvidia-smi where it runs (no torch import), else torch; None on a CPU box."""
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                                 capture_output=True, text=True, timeout=10)
            first = out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""
            return float(first) / 1024 if first else None      # MiB
        except (OSError, subprocess.TimeoutExpired, ValueError):
            pass
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return None
    import torch

    if not torch.cuda.is_available():
        return None
    return torch.cuda.get_device_properties(0).total_memory / 2**30


def weights_present(model: str) -> bool:
    from ...weights import hub

    try:
        hub.check(MODELS[model])
        return True
    except hub.WeightsError:
        return False


def choose_model(model: str, vram_gb: float | None, present: Callable[[str], bool] = weights_present,
                 capability: tuple[int, int] | None = None) -> str:
    """``model`` as asked, or for 'auto': VoxCPM2 where the GPU has the memory and its weights are here."""
    from ...errors import SettingsError

    if model not in MODEL_CHOICES:
        raise SettingsError(key="cpm.voxcpm_model", model=model, model_choices=MODEL_CHOICES)
    if model != "auto":
        return model
    wanted = default_model(vram_gb, capability)
    return wanted if wanted == "voxcpm1.5" or present(wanted) else "voxcpm1.5"


def why(model: str, vram_gb: float | None) -> str:
    """Why ``auto`` gave ``model``, in words for the fetch log."""
    gpu = "no GPU" if vram_gb is None else f"a {vram_gb:.0f} GB GPU"
    if model == "voxcpm2":
        return f"VoxCPM2 ({gpu}, at least {VOXCPM2_MIN_GB['bfloat16']:g} GB in bf16)"
    return (f"VoxCPM 1.5 ({gpu}; VoxCPM2 wants at least {VOXCPM2_MIN_GB['bfloat16']:g} GB, "
            f"{VOXCPM2_MIN_GB['float32']:g} GB on a card without bf16: "
            "`voxnb fetch voxcpm --model voxcpm2` fetches it anyway)")


def model_title(version: str) -> str | None:
    """The model a VoxCPM engine's ``capabilities.version`` names ('VoxCPM2', 'VoxCPM 1.5'), if any."""
    model = SPEC.model_of(version)
    return model.title if model else None


def doctor_note() -> str:
    """Which model `--engine voxcpm` (model auto) would load here, and why (for `voxnb doctor`)."""
    vram = gpu_memory_gb()
    capability = gpu_capability()
    chosen = choose_model("auto", vram, capability=capability)
    wanted = default_model(vram, capability)
    note = why(chosen, vram) if chosen == wanted else (
        "VoxCPM 1.5 (the GPU could run VoxCPM2, whose weights are not here: voxnb fetch voxcpm2)")
    return f"voxcpm model auto: {note}"


def fetch_weights(progress=print, model: str = "auto", **options) -> str:
    """One model's weights: ``model`` 'voxcpm2', 'voxcpm1.5', or 'auto' (by the GPU's memory; files
    placed by hand with ``source_dir`` by what they are)."""
    from ...weights import hub
    from ...weights.hub import WeightsError

    placed = _placed(Path(options["source_dir"]).expanduser()) if options.get("source_dir") else None
    if model == "auto" and placed in MODELS:      # files placed by hand are what they are
        model = placed
    elif model == "auto":
        vram = gpu_memory_gb()
        model = choose_model("auto", vram, present=lambda m: True,    # fetching is what makes them present
                             capability=gpu_capability())
        progress(f"auto: {why(model, vram)}")
    spec = MODELS[choose_model(model, None)]
    if placed is not None and placed != model:   # VoxCPM2's and 1.5's layouts look alike
        title = MODELS[placed].title if placed in MODELS else f"a {placed!r} model"
        raise WeightsError(f"{options['source_dir']} holds {title}, not {spec.title} (by its config.json).",
                           f"Run `voxnb fetch voxcpm --model {placed} --from {options['source_dir']}`"
                           if placed in MODELS else f"Place the {spec.title} repository there ({spec.licence_url}).")
    return hub.fetch(spec, progress=progress, **options)


def _placed(source_dir: Path) -> str | None:
    """The model a directory placed by hand holds, by its config.json's architecture; None if unreadable
    (hub.fetch then names the missing file)."""
    import json

    try:
        arch = json.loads((source_dir / "config.json").read_text(encoding="utf-8")).get("architecture", "voxcpm")
    except (OSError, ValueError):
        return None
    return ARCHITECTURES.get(str(arch).lower(), str(arch))


__all__ = ["SPEC", "MODELS", "doctor_note", "MODEL_CHOICES", "WEIGHTS", "WEIGHTS2", "choose_model", "default_model", "fetch_weights",
           "gpu_memory_gb", "model_title"]
