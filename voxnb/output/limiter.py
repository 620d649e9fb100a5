"""The last step before audio leaves an engine: no sample is non-finite, none reaches full scale.

A model can overshoot (Kokoro peaks past 1.0 on some Mandarin number strings) and a damaged voice or a
numerical fault can yield NaN; written to a file, either is a click, a clipped stretch or a full-scale
blast. Non-finite samples are silenced and peaks above the ceiling are brought down by a look-ahead
limiter (a smooth gain around each peak, so the loudness of the rest is kept, unlike peak normalisation
of the whole chunk). What was done is returned as a note for the result's warnings.
"""
from __future__ import annotations

import numpy as np

CEILING_DB = -0.3          # headroom for the overshoot of lossy encoders (MP3, OGG) on decode
CEILING = float(np.float32(10 ** (CEILING_DB / 20)))   # exact in float32, so a clip to it stays <= it
WINDOW_S = 0.01            # the gain starts falling this long before a peak and recovers as long after it


def guard(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, str]:
    """(audio with every sample finite and within the ceiling, a note of what was changed or '')."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    from ..messages import Msg, either

    audio = np.asarray(audio, np.float32)
    notes = []
    finite = np.isfinite(audio)
    if not finite.all():
        audio = np.where(finite, audio, np.float32(0))
        notes.append(Msg("notes.silenced", n=int((~finite).sum())))
    level = np.abs(audio)
    peak = float(level.max()) if audio.size else 0.0
    if peak > CEILING:
        width = max(1, int(WINDOW_S * sample_rate))
        need = np.minimum(1.0, CEILING / np.maximum(level, 1e-9))
        # the smallest gain needed anywhere within `width` samples, then averaged over a window half as
        # wide: every average is over gains that already cover the sample, so no sample exceeds the ceiling
        gain = uniform_filter1d(minimum_filter1d(need, 2 * width + 1, mode="nearest"), width + 1, mode="nearest")
        audio = np.clip(audio * gain, -CEILING, CEILING).astype(np.float32)
        over = int((level > CEILING).sum())
        notes.append(Msg("notes.limited", n=over, peak_db=float(20 * np.log10(peak)), ceiling_db=CEILING_DB))
    return audio, either(notes, "semi")
