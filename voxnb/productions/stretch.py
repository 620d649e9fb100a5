"""Speech measured and sped up without a pitch change: what a dub does to a line that overruns its slot.

Time-stretching uses the Rubber Band library (through pyrubberband and its ``rubberband`` program) where
it is installed, else librosa's phase vocoder, which smears consonants more at the same factor.
"""
from __future__ import annotations

import shutil

import numpy as np

TRIM_DB = 35          # below the take's peak by this much counts as silence at its ends


def speech_span(audio: np.ndarray, sample_rate: int) -> tuple[int, int]:
    """(first, end) sample of the speech in ``audio``: the take without its silent ends."""
    audio = np.asarray(audio, np.float32)
    if not np.any(audio):
        return 0, 0
    hop = max(1, sample_rate // 100)     # 10 ms frames
    n = len(audio) // hop
    if n == 0:
        return 0, len(audio)
    rms = np.sqrt(np.mean(audio[: n * hop].reshape(n, hop) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms / rms.max())
    loud = np.flatnonzero(db > -TRIM_DB)
    return int(loud[0] * hop), int(min(len(audio), (loud[-1] + 1) * hop))


def trimmed(audio: np.ndarray, sample_rate: int, margin_s: float = 0.02) -> np.ndarray:
    first, end = speech_span(audio, sample_rate)
    pad = int(margin_s * sample_rate)
    return audio[max(0, first - pad): min(len(audio), end + pad)]


def stretcher() -> str:
    """Which library speeds speech up here: 'rubberband' or 'librosa'."""
    try:
        import pyrubberband  # noqa: F401
    except ImportError:
        return "librosa"
    return "rubberband" if shutil.which("rubberband") else "librosa"


def speed_up(audio: np.ndarray, sample_rate: int, rate: float) -> np.ndarray:
    """``audio`` ``rate`` times faster (1.2: 20 % shorter), pitch kept."""
    audio = np.asarray(audio, np.float32)
    if rate <= 1.0 or len(audio) == 0:
        return audio
    if stretcher() == "rubberband":
        import pyrubberband

        out = pyrubberband.time_stretch(audio, sample_rate, rate)
    else:
        import librosa

        out = librosa.effects.time_stretch(audio, rate=rate)
    return np.asarray(out, np.float32)
