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


# ---------------------------------------------------------------- sounds that are not human speech


def _syllable_gates(sr: int, seconds: float, rng, on=(0.15, 0.25), off=(0.05, 0.2)) -> list[tuple[int, int]]:
    """(start, end) samples of syllable-like bursts: ``on`` s long, ``off`` s apart."""
    spans, t = [], 0.3
    while t < seconds - on[1]:
        d = rng.uniform(*on)
        spans.append((int(t * sr), int((t + d) * sr)))
        t += d + rng.uniform(*off)
        if rng.random() < 0.15:          # now and then a longer, phrase-like pause
            t += 0.4
    return spans


def _ramped(n: int, sr: int) -> np.ndarray:
    """A 10 ms raised-cosine on/off ramp, so bursts start and stop without clicks."""
    r = min(int(0.01 * sr), n // 2)
    env = np.ones(n)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(r) / r)
    env[:r], env[n - r:] = ramp, ramp[::-1]
    return env


def tone_sequence(kind: str = "random", sr: int = 16000, seconds: float = 8.0, seed: int = 0) -> np.ndarray:
    """Sine tones 150-250 ms long with gaps, like syllables: ``random`` pitches (150-600 Hz),
    ``constant`` (one pitch), ``vibrato`` (random pitches, 6 Hz +-3 %), or ``glide`` (each tone slides)."""
    rng = np.random.default_rng(seed)
    x = np.zeros(int(seconds * sr))
    for a, b in _syllable_gates(sr, seconds, rng):
        t = np.arange(b - a) / sr
        f = 330.0 if kind == "constant" else rng.uniform(150, 600)
        if kind == "vibrato":
            freq = f * (1 + 0.03 * np.sin(2 * np.pi * 6 * t))
        elif kind == "glide":
            freq = f * np.exp(np.log(rng.uniform(0.7, 1.4)) * t / t[-1])
        else:
            freq = np.full(t.size, f)
        x[a:b] = rng.uniform(0.3, 0.6) * np.sin(2 * np.pi * np.cumsum(freq) / sr) * _ramped(b - a, sr)
    return x.astype(np.float32)


def _formant_filter(x: np.ndarray, sr: int, formants=((700, 110), (1220, 120), (2600, 160))) -> np.ndarray:
    """A fixed vowel-like envelope (/a/): two-pole resonators in cascade."""
    from scipy.signal import lfilter

    for f, bw in formants:
        r = np.exp(-np.pi * bw / sr)
        a = [1.0, -2 * r * np.cos(2 * np.pi * f / sr), r * r]
        x = lfilter([1.0 - r], a, x)
    return x


def harmonic_buzz(f0: float = 120.0, formants: bool = False, sr: int = 16000, seconds: float = 8.0,
                  seed: int = 0, intonation: float = 0.0, wave: str = "saw") -> np.ndarray:
    """A sawtooth (or pulse train) at ``f0`` switched on and off like syllables; optionally through a
    fixed formant filter, with a speech-like pitch contour swinging +-``intonation`` semitones."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    contour = 0.7 * np.sin(2 * np.pi * 0.7 * t) + 0.3 * np.sin(2 * np.pi * 3.1 * t)   # slow phrase + syllable rate
    f = f0 * 2 ** (intonation / 12 * contour)
    phase = np.cumsum(f) / sr % 1.0
    if wave == "saw":
        src = 2 * phase - 1
    else:  # one-sample pulses, one per period, DC removed
        src = np.diff(np.floor(np.cumsum(f) / sr), prepend=0.0) - f / sr
    if formants:
        src = _formant_filter(src, sr)
    gate = np.zeros(n)
    for a, b in _syllable_gates(sr, seconds, rng):
        gate[a:b] = _ramped(b - a, sr) * rng.uniform(0.5, 1.0)
    x = src * gate
    return (0.5 * x / np.max(np.abs(x))).astype(np.float32)


def noise_bursts(color: str = "white", sr: int = 16000, seconds: float = 8.0, seed: int = 0) -> np.ndarray:
    """White or pink noise switched on and off like syllables."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    w = rng.standard_normal(n)
    if color == "pink":   # 1/f power: scale the spectrum by 1/sqrt(f)
        spec = np.fft.rfft(w)
        spec[1:] /= np.sqrt(np.arange(1, spec.size))
        w = np.fft.irfft(spec, n)
    gate = np.zeros(n)
    for a, b in _syllable_gates(sr, seconds, rng):
        gate[a:b] = _ramped(b - a, sr)
    x = w * gate
    return (0.4 * x / np.max(np.abs(x))).astype(np.float32)


def chords(sr: int = 16000, seconds: float = 8.0, seed: int = 0) -> np.ndarray:
    """Music-like: triads of harmonic tones, a new chord every 0.3-0.6 s, notes decaying."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    x = np.zeros(n)
    a = 0
    while a < n:
        d = int(rng.uniform(0.3, 0.6) * sr)
        t = np.arange(min(d, n - a)) / sr
        root = 110 * 2 ** (rng.integers(0, 24) / 12)
        for semis in (0, 4, 7):
            f = root * 2 ** (semis / 12)
            for k in range(1, 6):
                if k * f < sr / 2:
                    x[a:a + t.size] += np.sin(2 * np.pi * k * f * t) / k * np.exp(-3 * t)
        a += d
    return (0.5 * x / np.max(np.abs(x))).astype(np.float32)


def espeak(text: str, voice: str = "en-us", speed: int = 160) -> tuple[np.ndarray, int] | None:
    """Speech synthesised by espeak-ng (robotic, but with formants and consonants); None without it."""
    import shutil
    import subprocess
    import tempfile

    if shutil.which("espeak-ng") is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "e.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out), text], check=True,
                       capture_output=True)
        return read(out)
