"""Mel filterbanks and log-mel spectrograms in numpy, equal to librosa's (Slaney mel scale and norm, a
centred periodic-Hann STFT with zero padding, dB with ref 1.0).

librosa computes them the same way, but importing it loads numba and llvmlite, and its first
spectrogram compiles: about 170 MB in every dashboard viewer's kernel, which holds no model and
otherwise needs neither. tests/test_mel.py holds these to librosa's results.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

_F_SP = 200.0 / 3                  # Slaney: linear below 1 kHz, 66.7 Hz a mel ...
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0      # ... and logarithmic above


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    hz = np.asarray(hz, np.float64)
    mel = hz / _F_SP
    log = hz >= _MIN_LOG_HZ
    return np.where(log, _MIN_LOG_MEL + np.log(np.maximum(hz, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP, mel)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, np.float64)
    log = mel >= _MIN_LOG_MEL
    return np.where(log, _MIN_LOG_HZ * np.exp(_LOGSTEP * (mel - _MIN_LOG_MEL)), _F_SP * mel)


@lru_cache(maxsize=16)
def mel_filters(sample_rate: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """Triangular Slaney-normalised filters [n_mels, n_fft // 2 + 1], float32 (librosa.filters.mel)."""
    fmax = sample_rate / 2 if fmax is None else fmax
    bins = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    weights = weights.astype(np.float32)
    weights.setflags(write=False)
    return weights


def power_spectrogram(audio: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """|STFT|² [n_fft // 2 + 1, frames] of a centred, zero-padded, periodic-Hann STFT (librosa.stft)."""
    audio = np.asarray(audio, np.float32)
    padded = np.pad(audio, n_fft // 2)
    frames = 1 + (len(padded) - n_fft) // hop
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    out = np.empty((n_fft // 2 + 1, frames), np.float32)
    step = max(1, 2 ** 22 // n_fft)          # a few MB of frames at a time, however long the audio
    for start in range(0, frames, step):
        count = min(step, frames - start)
        index = np.arange(n_fft)[None, :] + hop * (start + np.arange(count))[:, None]
        out[:, start:start + count] = (np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2).T
    return out


def log_mel(audio: np.ndarray, sample_rate: int, n_fft: int, hop: int, n_mels: int, fmin: float = 0.0,
            fmax: float | None = None, amin: float = 1e-10) -> np.ndarray:
    """Mel power in dB re 1.0 [n_mels, frames], float32 (librosa.power_to_db of melspectrogram, no top_db)."""
    mel = mel_filters(sample_rate, n_fft, n_mels, fmin, fmax) @ power_spectrogram(audio, n_fft, hop)
    return (10.0 * np.log10(np.maximum(mel, amin))).astype(np.float32)
