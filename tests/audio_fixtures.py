"""Real speech clips from assets/ and helpers that build bad inputs from them.

Import from test modules: ``from audio_fixtures import ...`` (tests/ is on sys.path
under pytest's default rootdir-based import mode).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "reference"
HARVARD_1 = ASSETS / "harvard_f" / "harvard_01.flac"  # 16 kHz, female, 5.7 s, two Harvard sentences
HARVARD_2 = ASSETS / "harvard_f" / "harvard_02.flac"  # 16 kHz, female, 5.1 s, two Harvard sentences
MMT1_8K = ASSETS / "codec2_mmt1_m" / "mmt1.flac"  # 8 kHz, male, 4.0 s
VK5QI_8K = ASSETS / "codec2_vk5qi_m" / "vk5qi.flac"  # 8 kHz, male, 13.5 s, radio test call
SHORT_1S = ASSETS / "alsa_f" / "front_center.flac"  # 48 kHz, female, 1.4 s: "front center"

HARVARD_1_TEXT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."
HARVARD_2_TEXT = "It's easy to tell the depth of a well. Four hours of steady work faced us."


def read(path: Path) -> tuple[np.ndarray, int]:
    """float32 samples and rate of an asset."""
    data, sr = sf.read(str(path), dtype="float32")
    return data, sr


def speech_16k() -> tuple[np.ndarray, int]:
    """Both Harvard clips joined with a 0.3 s pause: 11 s of real speech at 16 kHz."""
    a, sr = read(HARVARD_1)
    b, _ = read(HARVARD_2)
    return np.concatenate([a, np.zeros(int(0.3 * sr), np.float32), b]), sr


def with_silence(x: np.ndarray, sr: int, lead: float, tail: float, noise_db: float = -60.0,
                 seed: int = 0) -> np.ndarray:
    """Pad with low noise at ``noise_db`` dBFS (RMS) before and after."""
    rng = np.random.default_rng(seed)
    amp = 10 ** (noise_db / 20)
    pre = rng.standard_normal(int(lead * sr)).astype(np.float32) * amp
    post = rng.standard_normal(int(tail * sr)).astype(np.float32) * amp
    return np.concatenate([pre, x, post]).astype(np.float32)


def long_speech(sr_target: int = 16000, minutes: float = 1.0) -> tuple[np.ndarray, int]:
    """Real speech repeated with pauses, ``minutes`` long, at 16 kHz."""
    x, sr = speech_16k()
    parts, total, i = [], 0, 0
    while total < minutes * 60 * sr:
        gap = np.zeros(int((0.4 + 0.1 * (i % 3)) * sr), np.float32)
        parts += [x * (0.5 + 0.1 * (i % 4)), gap]
        total += x.size + gap.size
        i += 1
    return np.concatenate(parts)[: int(minutes * 60 * sr)], sr


def write_huge_flac(path: Path) -> Path:
    """10 minutes at 192 kHz x 8 channels (921.6 M samples decoded), a tone in silence: about 1.4 MB."""
    import soundfile as sf

    sr, channels = 192000, 8
    tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(sr) / sr)).astype(np.float32)
    block = np.zeros((sr, channels), np.float32)
    with sf.SoundFile(str(path), "w", sr, channels, subtype="PCM_16", format="FLAC") as f:
        for second in range(600):   # a second at a time: the test itself stays small
            block[:, 0] = tone if second % 60 == 0 else 0.0
            f.write(block)
    return path
