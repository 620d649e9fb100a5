"""F5-TTS v1: what it is, its weights and how it is installed (standard library only)."""
from __future__ import annotations

from ...messages import Both
from ...output.views import View
from ...voice_check import PROMPT_AUDIO, Array
from ...weights.spec import Part, WeightsSpec
from ..spec import EngineSpec, Install, Model

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

SPEC = EngineSpec(
    name="f5", title="F5-TTS", factory="voxnb.engines.f5.engine:F5Engine", package="f5_tts",
    licence="CC-BY-NC-4.0", device="cuda", clones=True,
    models=(Model("f5", WEIGHTS.title, weights=WEIGHTS.name, size_gb=1.4),),
    install=Install(environment="engines", extra="f5"),
    views=(View.MEL, View.TRAJECTORY, View.ATTENTION, View.F0, View.TIMINGS),
    lacks={"alignment": Both("F5-TTS has no alignment: it infills mel frames for the whole text at once, "
                             "and its duration comes from the reference's speaking rate.",
                             "F5-TTS 没有对齐：它一次为整段文本填充梅尔帧，时长取自参考音频的语速。")},
    refuses={"style": Both("it copies the reference's delivery; record a reference in the style you want.",
                            "它照搬参考音频的表达方式；请用你想要的风格录一段参考音频。"),
             "match_channel": Both("it copies the reference's channel already.", "它本来就会复制参考音频的声道特性。"),
             "instruct": Both("it does not follow instructions in words (cosyvoice3 does).",
                              "它不听从文字指令 (cosyvoice3 可以)。")},
    weights_module="voxnb.engines.f5", bench="voxnb.engines.f5.bench",
    voice_arrays={"prompt_audio": PROMPT_AUDIO, "prompt_mel": Array("f", (2,), low=-100, high=100),
                  "prompt_rms": Array("f", (0,), low=0.0, high=4.0)})
