"""F5-TTS v1 (flow matching over mel frames, Vocos vocoder): zero-shot cloning on the GPU.

Nothing here imports torch or f5_tts: the engine module does, when an engine is made.
"""
from .spec import SPEC, WEIGHTS


def fetch_weights(progress=print, **options) -> str:
    from ...weights import hub

    return hub.fetch(WEIGHTS, progress=progress, **options)


__all__ = ["SPEC", "WEIGHTS", "fetch_weights"]
