"""CosyVoice 3 (Fun-CosyVoice3-0.5B): a language model over speech tokens, a flow-matching DiT and a
causal HiFT vocoder; zero-shot cloning, instructions, dialects and pronunciation markup, on the GPU.

It is not on PyPI: the start script clones its source (``install.COMMIT``) into an environment of its
own. Nothing here imports torch or cosyvoice; the engine module does, when an engine is made.
"""
from .spec import SPEC, WEIGHTS


def fetch_weights(progress=print, **options) -> str:
    from ...weights import hub

    return hub.fetch(WEIGHTS, progress=progress, **options)


__all__ = ["SPEC", "WEIGHTS", "fetch_weights"]
