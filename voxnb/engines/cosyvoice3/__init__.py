"""CosyVoice 3 (Fun-CosyVoice3-0.5B): a language model over speech tokens, a flow-matching DiT and a
causal HiFT vocoder; zero-shot cloning, instructions, dialects and pronunciation markup, on the GPU.

It is not on PyPI: the start script clones its source (``install.COMMIT``) into an environment of its
own. Nothing here imports torch or cosyvoice; the engine module does, when an engine is made.
"""
from .. import register
from ...weights.hub import Part, WeightsSpec

REPO = "FunAudioLLM/Fun-CosyVoice3-0.5B-2512"
WEIGHTS = WeightsSpec(
    name="cosyvoice3", title="Fun-CosyVoice3-0.5B-2512",
    parts=(Part(REPO, REPO, files=(),   # the whole repository: configs, LM, flow, vocoder, tokenizers
                required=("cosyvoice3.yaml", "llm.pt", "flow.pt", "hift.pt", "campplus.onnx",
                          "speech_tokenizer_v3.onnx", "CosyVoice-BlankEN/config.json")),),
    size_hint_gb=5.4)


def _factory(**options):
    from .engine import CosyVoice3Engine

    return CosyVoice3Engine(**options)


register("cosyvoice3", _factory)


def fetch_weights(progress=print, **options) -> str:
    from ...weights import hub

    return hub.fetch(WEIGHTS, progress=progress, **options)


__all__ = ["WEIGHTS", "fetch_weights"]
