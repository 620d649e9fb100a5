"""VoxCPM: one engine, two models (VoxCPM2 and VoxCPM 1.5), their weights and install (standard library only)."""
from __future__ import annotations

from ...messages import Both
from ...output.views import View
from ...voice_check import PROMPT_AUDIO, Array
from ...weights.spec import Part, WeightsSpec
from ..precision import VOXCPM2_MIN_GB
from ..spec import EngineSpec, Install, Model

WEIGHTS = WeightsSpec(
    name="voxcpm", title="VoxCPM 1.5",
    # the whole repository, as VoxCPM's own loader expects it (weights as .safetensors or .bin/.pth)
    parts=(Part("openbmb/VoxCPM1.5", "OpenBMB/VoxCPM1.5", (), required=("config.json", "tokenizer_config.json")),),
    licence="", licence_url="https://huggingface.co/openbmb/VoxCPM1.5", size_hint_gb=2.0)
WEIGHTS2 = WeightsSpec(
    name="voxcpm2", title="VoxCPM2",
    # model.safetensors (bf16, 4.6 GB) + audiovae.pth (fp32) + config.json + tokenizer files; Apache-2.0
    parts=(Part("openbmb/VoxCPM2", "OpenBMB/VoxCPM2", (),
                required=("config.json", "tokenizer_config.json", "model.safetensors")),),
    licence="", licence_url="https://huggingface.co/openbmb/VoxCPM2", size_hint_gb=5.0)

SPEC = EngineSpec(
    name="voxcpm", title="VoxCPM", factory="voxnb.engines.voxcpm.engine:VoxCPMEngine", package="voxcpm",
    licence="Apache-2.0", device="cuda", clones=True,
    # the first is what `auto` takes where the GPU has the memory (precision.voxcpm_model), else the second
    models=(Model("voxcpm2", WEIGHTS2.title, weights=WEIGHTS2.name, size_gb=5.0,
                  min_vram_gb=VOXCPM2_MIN_GB["bfloat16"]),
            Model("voxcpm1.5", WEIGHTS.title, weights=WEIGHTS.name, size_gb=2.0)),
    auto_model="voxnb.engines.precision:voxcpm_model",
    install=Install(environment="engines", extra="voxcpm"),
    # LATENTS holds the stop probability too
    views=(View.MEL, View.LATENTS, View.ATTENTION, View.F0, View.TIMINGS),
    lacks={"alignment": Both("VoxCPM has no duration model: its attention over the text (Attention tab) is "
                             "the closest thing to an alignment.",
                             "VoxCPM 没有时长模型：它对文本的注意力 (注意力页) 最接近对齐。"),
           "trajectory": Both("VoxCPM's diffusion runs per patch inside the decoder; only its output latents are kept.",
                              "VoxCPM 的扩散在解码器内逐块进行；只保留其输出的潜变量。")},
    refuses={"speed": Both("its pace follows the reference.", "它的语速跟随参考音频。"),
             "style": Both("it copies the reference's delivery; record a reference in the style you want.",
                           "它照搬参考音频的表达方式；请用你想要的风格录一段参考音频。"),
             "match_channel": Both("it copies the reference's channel already.", "它本来就会复制参考音频的声道特性。"),
             "instruct": Both("it does not follow instructions in words (cosyvoice3 does).",
                              "它不听从文字指令 (cosyvoice3 可以)。")},
    weights_module="voxnb.engines.voxcpm", bench="voxnb.engines.voxcpm.bench",
    voice_arrays={"prompt_audio": PROMPT_AUDIO, "prompt_feat": Array("f", (2, 3), low=-1e3, high=1e3)})
