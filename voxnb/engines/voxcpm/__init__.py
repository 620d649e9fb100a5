"""VoxCPM 1.5 (a tokenizer-free language model over continuous audio latents): zero-shot cloning on the GPU.

Nothing here imports torch or voxcpm: the engine module does, when an engine is made.
"""
from .. import register
from ..hub import Part, WeightsSpec

WEIGHTS = WeightsSpec(
    name="voxcpm", title="VoxCPM 1.5",
    # the whole repository, as VoxCPM's own loader expects it (weights as .safetensors or .bin/.pth)
    parts=(Part("openbmb/VoxCPM1.5", "OpenBMB/VoxCPM1.5", (), required=("config.json", "tokenizer_config.json")),),
    licence="", licence_url="https://huggingface.co/openbmb/VoxCPM1.5", size_hint_gb=2.0)


def _factory(**options):
    from .engine import VoxCPMEngine

    return VoxCPMEngine(**options)


register("voxcpm", _factory)


def fetch_weights(progress=print, **options) -> str:
    from .. import hub

    return hub.fetch(WEIGHTS, progress=progress, **options)


__all__ = ["WEIGHTS", "fetch_weights"]
