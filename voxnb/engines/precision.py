"""Which dtype each engine runs in, from the GPU's compute capability (None: no GPU, the CPU).

One table, read by the engines when they load and by the start script's plan, so what the plan
says is what runs. bf16 only where the card has fast bf16 (Ampere, sm_80, and newer): on a V100,
T4 or 2080 Ti it is emulated or missing, so VoxCPM (bf16 by its config) runs in float32 there.
"""
from __future__ import annotations

BF16_FROM = (8, 0)   # Ampere
FP16_FROM = (7, 0)   # Volta: F5-TTS's own rule for fp16 (f5_tts.infer.utils_infer.load_checkpoint)


def has_bf16(capability: tuple[int, int] | None) -> bool:
    return capability is not None and tuple(capability) >= BF16_FROM


def choose_dtype(engine: str, capability: tuple[int, int] | None) -> str:
    """'float32', 'float16' or 'bfloat16' for ``engine`` on a card of ``capability``."""
    if capability is None:
        return "float32"
    capability = tuple(capability)
    if engine == "voxcpm":
        return "bfloat16" if has_bf16(capability) else "float32"
    if engine == "f5":
        return "float16" if capability >= FP16_FROM else "float32"
    return "float32"          # CosyVoice 3 loads fp32 unless asked (its fp16 flag); Kokoro is int8 ONNX on the CPU


# VoxCPM2 (2.3 B) is 4.6 GB of weights in bf16 and 9.2 GB in float32; with the prompt, an 8192-position
# KV cache and the audio VAE it wants about 8 GB in bf16 (its README). Below these, VoxCPM 1.5 runs.
VOXCPM2_MIN_GB = {"bfloat16": 12.0, "float32": 20.0}


def voxcpm_model(vram_gb: float | None, capability: tuple[int, int] | None = None) -> str:
    """'voxcpm2' where the GPU has the memory for it in the dtype it will run in, else 'voxcpm1.5'.
    ``capability`` None with a ``vram_gb`` means a GPU of unknown kind: taken as bf16-capable."""
    if vram_gb is None:
        return "voxcpm1.5"
    dtype = choose_dtype("voxcpm", capability) if capability is not None else "bfloat16"
    return "voxcpm2" if vram_gb >= VOXCPM2_MIN_GB[dtype] else "voxcpm1.5"


def parse_capability(text: str) -> tuple[int, int] | None:
    """'8.6' (nvidia-smi --query-gpu=compute_cap) -> (8, 6); '' or junk -> None."""
    try:
        major, minor = text.strip().split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return None


def cuda_capability(device: str) -> tuple[int, int] | None:
    """The compute capability of a CUDA ``device`` ('cuda', 'cuda:1'); None for any other device."""
    if not str(device).startswith("cuda"):
        return None
    import torch

    return tuple(torch.cuda.get_device_capability(device))
