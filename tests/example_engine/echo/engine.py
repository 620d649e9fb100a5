"""Echo as a voxnb engine: the three hooks of a zero-shot engine and nothing else.

Cloning (consent, reference checks, the transcript), chunking, seeds, F0 and energy, the output guard
and the watermark all come from voxnb's ZeroShotEngine; the engine only says what one chunk sounds like.
"""
from __future__ import annotations

import numpy as np

from ...messages import Both
from ...output.chunk import ChunkOutput
from ..base import Capabilities, declared
from ..zeroshot import ZeroShotEngine
from .spec import SPEC

SAMPLE_RATE = 16000
HOP = 160                 # 10 ms frames
LETTER_S = 0.06           # seconds per letter hummed


class EchoEngine(ZeroShotEngine):
    SPEC = SPEC
    NAME = SPEC.name
    TITLE = SPEC.title
    SAMPLE_RATE = SAMPLE_RATE
    METHOD = "echo-pitch/1"

    def __init__(self):
        self.capabilities = Capabilities(
            **declared(SPEC), version="echo 1", sample_rate=SAMPLE_RATE, styles=("neutral",), approximate_styles=(),
            streams=True, attention=False, seeded=True, device="cpu",
            notes=Both("A test engine: hums the text's letters at the reference's pitch.",
                       "测试引擎：用参考音频的音高哼出文本的字母。"))

    def _prompt_features(self, audio: np.ndarray, transcript: str) -> dict[str, np.ndarray]:
        return {"pitch_hz": np.array([_pitch(audio, SAMPLE_RATE)], np.float32)}

    def _render(self, chunk) -> str:
        self._refuse_markup(chunk)
        return chunk.text

    def _generate(self, text_in: str, voice, settings, seed: int) -> ChunkOutput:
        letters = [c for c in text_in if c.isalnum()] or ["a"]
        per = int(LETTER_S * SAMPLE_RATE / max(settings.speed, 1e-3))
        # each letter a step around the reference's pitch; the seed decides the breath noise
        steps = np.array([1.0 + 0.08 * ((ord(c) % 7) - 3) / 3 for c in letters])
        f0 = np.repeat(float(voice.conditioning["pitch_hz"][0]) * steps, per)
        phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
        envelope = np.tile(np.hanning(per), len(letters))
        noise = np.random.default_rng(seed).standard_normal(len(f0)) * 0.01
        audio = (0.3 * np.sin(phase) * envelope + noise).astype(np.float32)
        return ChunkOutput(audio=audio, sample_rate=SAMPLE_RATE, samples_per_frame=HOP, shown=" ".join(letters))


def _pitch(audio: np.ndarray, sample_rate: int) -> float:
    """The reference's pitch by autocorrelation of its loudest second, 60-400 Hz."""
    second = sample_rate
    starts = range(0, max(1, len(audio) - second), second // 2)
    start = max(starts, key=lambda s: float(np.sum(audio[s:s + second] ** 2)))
    x = audio[start:start + second] - np.mean(audio[start:start + second])
    corr = np.correlate(x, x, "full")[len(x) - 1:]
    low, high = sample_rate // 400, sample_rate // 60
    lag = low + int(np.argmax(corr[low:high]))
    return float(np.clip(sample_rate / lag, 60.0, 400.0))
