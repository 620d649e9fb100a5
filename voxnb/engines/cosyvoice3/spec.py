"""CosyVoice 3: what it is, its weights and how it is installed (standard library only)."""
from __future__ import annotations

from ...messages import Both
from ...output.views import View
from ...voice_check import PROMPT_AUDIO, Array
from ...weights.spec import Part, WeightsSpec
from ..spec import EngineSpec, Install, Model
from .install import PYTHON

REPO = "FunAudioLLM/Fun-CosyVoice3-0.5B-2512"
WEIGHTS = WeightsSpec(
    name="cosyvoice3", title="Fun-CosyVoice3-0.5B-2512",
    parts=(Part(REPO, REPO, files=(),   # the whole repository: configs, LM, flow, vocoder, tokenizers
                required=("cosyvoice3.yaml", "llm.pt", "flow.pt", "hift.pt", "campplus.onnx",
                          "speech_tokenizer_v3.onnx", "CosyVoice-BlankEN/config.json")),),
    size_hint_gb=5.4)

SPEC = EngineSpec(
    name="cosyvoice3", title="CosyVoice 3", factory="voxnb.engines.cosyvoice3.engine:CosyVoice3Engine",
    package="cosyvoice", licence="Apache-2.0", device="cuda", clones=True, languages=("zh", "en"),
    models=(Model("cosyvoice3", WEIGHTS.title, weights=WEIGHTS.name, size_gb=5.4),),
    # not on PyPI: install.py clones its source at a pinned commit into an environment of its own
    install=Install(environment="cosyvoice3", extra="cosyvoice3", python=PYTHON,
                    installer="voxnb.engines.cosyvoice3.install",
                    torch="voxnb.engines.cosyvoice3.install:torch_build", source="CosyVoice", source_gb=0.3),
    views=(View.MEL, View.TOKENS, View.ATTENTION, View.F0, View.TIMINGS),
    lacks={"alignment": Both("CosyVoice 3 has no duration model: the language model's attention over the text "
                             "(Attention tab) shows where each speech token looked.",
                             "CosyVoice 3 没有时长模型：语言模型对文本的注意力 (注意力页) 显示每个语音 token 看向哪里。")},
    refuses={"match_channel": Both("it copies the reference's channel already.", "它本来就会复制参考音频的声道特性。")},
    weights_module="voxnb.engines.cosyvoice3", bench="voxnb.engines.cosyvoice3.bench",
    voice_arrays={"prompt_audio": PROMPT_AUDIO, "prompt_feat": Array("f", (2,), low=-100, high=100),
                  "prompt_tokens": Array("iu", (1,), low=0, high=1e6),
                  "embedding": Array("f", (1,), low=-1e3, high=1e3)})
