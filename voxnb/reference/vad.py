"""Voice activity detection: which 30 ms frames of a clip hold speech.

webrtcvad when it is installed (it comes with resemblyzer), an energy detector otherwise,
both behind a loudness gate so that steady hiss is not taken for speech.
"""
from __future__ import annotations

import numpy as np

from voxnb.reference.decode import SAMPLE_RATE, resample


VAD_RATE = 16000  # webrtcvad works at 8/16/32/48 kHz; 16 kHz is its best-tested rate
FRAME_S = 0.03  # one VAD frame: 30 ms, 720 samples at SAMPLE_RATE
VAD_AGGRESSIVENESS = 2  # webrtcvad mode 0 (lenient) .. 3 (strict)
HANGOVER_FRAMES = 3  # speech is held 90 ms after the detector lets go
GAP_FILL_FRAMES = 6  # pauses of up to 180 ms inside speech count as speech


def frame_len(sample_rate: int = SAMPLE_RATE) -> int:
    return int(round(FRAME_S * sample_rate))


# ---------------------------------------------------------------- voice activity


def detect_speech(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """One bool per 30 ms frame: is it speech?  Smoothed (gap fill + hangover).

    webrtcvad at 16 kHz, aggressiveness 2; when webrtcvad is not installed, an
    energy VAD (librosa.effects.split) stands in.
    """
    n_frames = audio.size // frame_len(sample_rate)
    try:
        import_webrtcvad()
    except ImportError:
        raw = _energy_vad(audio, sample_rate, n_frames)
    else:
        raw = _webrtc_vad(audio, sample_rate, n_frames)
    return smooth_mask(raw)


def import_webrtcvad():
    import warnings

    with warnings.catch_warnings():  # webrtcvad 2.0.10 imports the deprecated pkg_resources
        warnings.simplefilter("ignore", UserWarning)
        import webrtcvad
    return webrtcvad


def _webrtc_vad(audio: np.ndarray, sample_rate: int, n_frames: int) -> np.ndarray:
    webrtcvad = import_webrtcvad()

    x = resample(audio, sample_rate, VAD_RATE)
    pcm = (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2")
    fl = frame_len(VAD_RATE)
    vad = webrtcvad.Vad(VAD_AGGRESSIVENESS)
    n = min(n_frames, pcm.size // fl)
    raw = np.zeros(n_frames, dtype=bool)
    for i in range(n):
        raw[i] = vad.is_speech(pcm[i * fl:(i + 1) * fl].tobytes(), VAD_RATE)
    # webrtcvad's energy gate is low (it calls -60 dBFS hiss speech): also require
    # 5 dB over the clip's noise floor and no more than 45 dB under its loud speech
    db = frame_db(audio, sample_rate)[:n_frames]
    if raw.any():
        floor = np.percentile(db, 5)
        raw &= db > max(np.percentile(db[raw], 95) - 45.0, floor + 5.0)
    return raw


def _energy_vad(audio: np.ndarray, sample_rate: int, n_frames: int) -> np.ndarray:
    import librosa

    fl = frame_len(sample_rate)
    raw = np.zeros(n_frames, dtype=bool)
    for a, b in librosa.effects.split(audio, top_db=35, frame_length=2 * fl, hop_length=fl // 2):
        raw[a // fl:min(-(-b // fl), n_frames)] = True
    return raw


def smooth_mask(raw: np.ndarray, gap: int = GAP_FILL_FRAMES, hangover: int = HANGOVER_FRAMES) -> np.ndarray:
    """Fill short pauses inside speech and hold speech a little after it ends."""
    mask = raw.copy()
    idx = np.flatnonzero(raw)
    if idx.size == 0:
        return mask
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= gap + 1:
            mask[a:b] = True
    for i in idx:
        mask[i + 1:i + 1 + hangover] = True
    return mask


def frame_db(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    fl = frame_len(sample_rate)
    n = audio.size // fl
    power = (audio[:n * fl].astype(np.float64).reshape(n, fl) ** 2).mean(axis=1)
    return 10.0 * np.log10(power + 1e-10)
