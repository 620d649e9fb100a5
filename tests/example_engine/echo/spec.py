"""What Echo is, said once; standard library only, like every engine's spec."""
from __future__ import annotations

from ...messages import Both
from ...output.views import View
from ...voice_check import PROMPT_AUDIO, Array
from ..spec import EngineSpec

SPEC = EngineSpec(
    name="echo", title="Echo", factory="voxnb.engines.echo.engine:EchoEngine", package="",
    licence="CC0-1.0", device="cpu", clones=True, languages=("en",),
    views=(View.MEL, View.F0, View.TIMINGS),
    refuses={"style": Both("it hums at the reference's pitch, in one manner.", "它只会用参考音频的音高哼唱，没有别的风格。"),
             "instruct": Both("it follows no instructions in words.", "它不听从文字指令。"),
             "match_channel": Both("it copies nothing of the reference's channel.", "它不复制参考音频的声道特性。")},
    voice_arrays={"prompt_audio": PROMPT_AUDIO, "pitch_hz": Array("f", (1,), last=1, low=40.0, high=1000.0)})
