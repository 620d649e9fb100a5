"""F5-TTS v1 (flow matching over mel frames, Vocos vocoder): zero-shot cloning on the GPU.

Nothing here imports torch or f5_tts: the engine module does, when an engine is made.
"""
from .. import register
from ...weights.hub import Part, WeightsSpec

WEIGHTS = WeightsSpec(
    name="f5", title="F5-TTS v1 Base",
    parts=(Part("SWivid/F5-TTS", "AI-ModelScope/F5-TTS",
                ("F5TTS_v1_Base/model_1250000.safetensors", "F5TTS_v1_Base/vocab.txt"),
                # the vocab F5's own inference code defaults to, shipped in the f5-tts wheel
                packaged=(("F5TTS_v1_Base/vocab.txt", "f5_tts:infer/examples/vocab.txt"),)),
           # Vocos is on Hugging Face only (AI-ModelScope/vocos-mel-24khz answers 404)
           Part("charactr/vocos-mel-24khz", None, ("config.yaml", "pytorch_model.bin"), local="vocos")),
    licence="CC-BY-NC-4.0", licence_url="https://huggingface.co/SWivid/F5-TTS",
    size_hint_gb=1.4, optional=("voxnb-arch.json",))


def _factory(**options):
    from .engine import F5Engine

    return F5Engine(**options)


register("f5", _factory)


def fetch_weights(progress=print, **options) -> str:
    from ...weights import hub

    return hub.fetch(WEIGHTS, progress=progress, **options)


__all__ = ["WEIGHTS", "fetch_weights"]
