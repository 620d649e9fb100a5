"""Speaker embeddings (GE2E, from resemblyzer) for fitting and comparing voices.

Used by cloning to choose and tune a voice. Evaluation in ``voxnb bench`` uses a second,
independent encoder on purpose, so that a fit cannot simply game the metric it is judged by.
"""
from __future__ import annotations

import functools

import numpy as np

GE2E_RATE = 16000


def _resemblyzer():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # webrtcvad's pkg_resources deprecation notice
        import resemblyzer
    return resemblyzer


@functools.lru_cache(maxsize=1)
def _encoder():
    return _resemblyzer().VoiceEncoder("cpu", verbose=False)


def embed(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Unit-norm 256-d GE2E embedding of an utterance."""
    import librosa

    wav = np.asarray(audio, np.float32)
    if sample_rate != GE2E_RATE:
        wav = librosa.resample(wav, orig_sr=sample_rate, target_sr=GE2E_RATE, res_type="soxr_hq")
    wav = _resemblyzer().preprocess_wav(wav, source_sr=GE2E_RATE)
    e = _encoder().embed_utterance(wav)
    return (e / (np.linalg.norm(e) + 1e-9)).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
