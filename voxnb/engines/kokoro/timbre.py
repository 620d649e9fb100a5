"""Timbre correction: match the clone's long-term spectrum to the reference speaker's.

A speaker's long-term average spectrum (vocal tract, voice quality, and the recording chain)
is much of what listeners and speaker encoders hear as "who". The engine's style vector gets
the voice close; a fixed, smooth EQ fitted once at enrollment closes the rest of the gap:
EQ = smoothed(LTAS(reference) - LTAS(clone probe)), in 1/6-octave bands, only inside the band
the reference actually has (a phone recording says nothing about 4-12 kHz), loudness-neutral
and clipped so it can colour but never mangle the voice.

``band_limit`` reproduces the reference's bandwidth on request (a clone of a phone call that
should sound like a phone call); by default voxnb keeps the engine's full band.

Arrays in, arrays out; scipy's STFT rather than librosa's so synthesis does not pull in numba.
"""
from __future__ import annotations

import numpy as np

from .spec import EQ_BANDS

N_FFT = 1024
HOP = 256
BAND_HZ = 62.5 * 2 ** (np.arange(EQ_BANDS) / 6)   # 1/6-octave centres, 62.5 Hz .. ~11.3 kHz
MAX_GAIN_DB = 12.0      # larger corrections start to sound like a filter, not a voice
BANDWIDTH_FLOOR_DB = 45.0   # this far below the 0.3-3 kHz level is "no signal"; speech at 11 kHz is ~30 dB down
MIN_BANDWIDTH_HZ = 3000.0


def _stft(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    from scipy.signal import stft

    return stft(audio, fs=sample_rate, nperseg=N_FFT, noverlap=N_FFT - HOP, boundary="even")[2]


def _istft(spec: np.ndarray, sample_rate: int, length: int) -> np.ndarray:
    from scipy.signal import istft

    out = istft(spec, fs=sample_rate, nperseg=N_FFT, noverlap=N_FFT - HOP, boundary=True)[1]
    out = out[:length]
    return np.pad(out, (0, length - len(out))).astype(np.float32)


def _bins(sample_rate: int) -> np.ndarray:
    return np.fft.rfftfreq(N_FFT, 1 / sample_rate)


def long_term_spectrum(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean power (dB) per FFT bin over the louder 60% of frames, so pauses don't count."""
    power = np.abs(_stft(np.asarray(audio, np.float32), sample_rate)) ** 2
    energy = power.sum(axis=0)
    loud = energy >= np.percentile(energy, 40) if energy.size else energy.astype(bool)
    return 10 * np.log10(power[:, loud].mean(axis=1) + 1e-12)


def _band_means(db: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Average of a per-bin curve over each 1/6-octave band (at least the nearest bin)."""
    out = np.empty(len(BAND_HZ))
    for i, fc in enumerate(BAND_HZ):
        sel = (freqs >= fc * 2 ** (-1 / 12)) & (freqs <= fc * 2 ** (1 / 12))
        out[i] = db[sel].mean() if sel.any() else db[np.argmin(abs(freqs - fc))]
    return out


def bandwidth(audio: np.ndarray, sample_rate: int) -> float:
    """Highest frequency (Hz) where the clip still has signal: ~4 kHz for 8 kHz phone audio,
    ~8 kHz for 16 kHz recordings, the Nyquist frequency for full-band ones."""
    freqs = _bins(sample_rate)
    db = long_term_spectrum(audio, sample_rate)
    level = np.median(db[(freqs >= 300) & (freqs <= 3000)])
    alive = np.nonzero(db > level - BANDWIDTH_FLOOR_DB)[0]
    top = freqs[alive[-1]] if len(alive) else sample_rate / 2
    return float(max(MIN_BANDWIDTH_HZ, top))


def fit_eq(reference: np.ndarray, clone: np.ndarray, sample_rate: int, max_hz: float) -> np.ndarray:
    """EQ (dB per BAND_HZ band) that moves ``clone``'s long-term spectrum onto ``reference``'s.

    Bands above 90% of ``max_hz`` (the reference's bandwidth) are left at 0 dB.
    """
    freqs = _bins(sample_rate)
    clone_db = long_term_spectrum(clone, sample_rate)
    diff = _band_means(long_term_spectrum(reference, sample_rate) - clone_db, freqs)
    inside = BAND_HZ <= 0.9 * max_hz
    eq = np.where(inside, diff, 0.0)
    weight = 10 ** (_band_means(clone_db, freqs) / 10) * inside   # keep the clone's loudness
    eq = eq - np.sum(eq * weight) / max(np.sum(weight), 1e-12)
    return np.where(inside, np.clip(eq, -MAX_GAIN_DB, MAX_GAIN_DB), 0.0).astype(np.float32)


def _gain_per_bin(eq_db: np.ndarray, sample_rate: int) -> np.ndarray:
    freqs = np.maximum(_bins(sample_rate), 1.0)
    return 10 ** (np.interp(np.log2(freqs), np.log2(BAND_HZ), eq_db) / 20)


def apply_eq(audio: np.ndarray, sample_rate: int, eq_db: np.ndarray) -> np.ndarray:
    """``audio`` through the EQ at the loudness (RMS) it came in with; same length. An all-zero EQ
    returns the input unchanged. Centring the EQ in dB (fit_eq) is not enough: boosts of up to 12 dB
    where speech has its energy raised clones by 2.5-5.4 dB, and their peaks 4x past full scale."""
    audio = np.asarray(audio, np.float32)
    if len(audio) < N_FFT or not np.any(eq_db):
        return audio
    out = _istft(_stft(audio, sample_rate) * _gain_per_bin(eq_db, sample_rate)[:, None], sample_rate, len(audio))
    level_in, level_out = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2))), float(np.sqrt(np.mean(out.astype(np.float64) ** 2)))
    return (out * (level_in / level_out)).astype(np.float32) if level_out > 0 else out


def band_limit(audio: np.ndarray, sample_rate: int, max_hz: float) -> np.ndarray:
    """``audio`` with everything above ``max_hz`` removed (a 300 Hz raised-cosine roll-off)."""
    audio = np.asarray(audio, np.float32)
    if len(audio) < N_FFT or max_hz >= sample_rate / 2:
        return audio
    freqs = _bins(sample_rate)
    edge = np.clip((freqs - (max_hz - 300)) / 300, 0, 1)
    gain = 0.5 * (1 + np.cos(np.pi * edge))
    return _istft(_stft(audio, sample_rate) * gain[:, None], sample_rate, len(audio))
