"""The inaudible watermark on everything voxnb makes, and its detector.

The mark is Resemble AI's PerTh "implicit" watermarker: a network that nudges the magnitude
spectrum below 2 kHz where speech masks it, and a decoder that says whether a clip carries the
nudge. ``resemble-perth`` ships the pretrained weights (MIT), so it works offline; voxnb runs its
networks with onnxruntime (voxnb.output.watermark_nets: exported once from the checkpoint).

Only the difference the encoder makes is resampled back to the caller's rate and added, so the
band above the mark is left as it was. The encoder is used at the strength it was trained for
(about 16 dB SNR, all of it below 2 kHz): at half strength tiny.en misheard the same Kokoro
sentence ("small wooden boat" -> "smile. Wouldn't boat?") while the mark lost its margin after MP3.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import VoxnbError
from .provenance import METHOD
from .watermark_nets import WatermarkError

THRESHOLD = 0.5                # decoder output at or above this: marked
VERIFIED = 0.9                 # marking reads its result back and adds another pass below this ...
EXTRA_PASSES = 2               # ... at most this many times (a pass costs ~5 dB of SNR; rarely needed)
WINDOW_S, HOP_S = 3.0, 1.5     # detection also reads windows, so a marked take spliced into other audio is found


@dataclass(frozen=True)
class Detection:
    marked: bool
    confidence: float      # the decoder's estimate, 0 (clean) .. 1 (marked): the whole clip's or its best window's
    windows: tuple[tuple[float, float], ...] = ()   # (start s, confidence) of each WINDOW_S window read
    method: str = METHOD

    @property
    def marked_spans(self) -> list[tuple[float, float]]:
        """(start, end) seconds of the windows that carry the mark, merged where they overlap."""
        spans: list[list[float]] = []
        for start, score in self.windows:
            if score >= THRESHOLD:
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = start + WINDOW_S
                else:
                    spans.append([start, start + WINDOW_S])
        return [(a, b) for a, b in spans]

    def to_dict(self) -> dict:
        return {"marked": self.marked, "confidence": round(self.confidence, 4), "method": self.method,
                "marked_spans": [[round(a, 2), round(b, 2)] for a, b in self.marked_spans]}


class Watermarker:
    """PerTh's encoder and decoder (a few MB of conv layers; ~10 ms per second of audio), run with
    onnxruntime on the spectrogram numpy computes (voxnb.output.watermark_nets): no torch here."""

    def __init__(self):
        from .watermark_nets import Nets, ensure_exported

        self.nets = Nets(ensure_exported())
        self.sample_rate = self.nets.sample_rate

    def mark(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """``audio`` with the mark added; same length, rate and dtype (float32). The result is read back,
        and marked once more where the decoder is not yet sure of it (a few quiet or noisy clips)."""
        audio = np.asarray(audio, np.float32)
        if len(audio) < self.nets.n_fft // 2 + 1 or not np.any(audio):
            return audio.copy()          # too short to carry a mark, or silence (the mask skips it anyway)
        marked = self._mark_once(audio, sample_rate)
        for _ in range(EXTRA_PASSES):
            if self.confidence(marked, sample_rate) >= VERIFIED:
                break
            marked = self._mark_once(marked, sample_rate)
        return marked

    def _mark_once(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        from ..reference.decode import resample

        x = resample(audio, sample_rate, self.sample_rate).astype(np.float32)
        mag, phase = self.nets.magphase(x)
        # the STFT round trip gives x back to within 1e-6: the mark is the inverse STFT of what it changed
        residual = self.nets.residual(mag, self.nets.encode(mag), phase, len(x))
        residual = resample(residual, self.sample_rate, sample_rate)[: len(audio)]
        residual = np.pad(residual, (0, len(audio) - len(residual)))
        return (audio + residual).astype(np.float32)

    def confidence(self, audio: np.ndarray, sample_rate: int) -> float:
        audio = np.asarray(audio, np.float32)
        if len(audio) < sample_rate // 4 or not np.any(audio):
            return 0.0
        x = audio if sample_rate == self.sample_rate else _polyphase(audio, sample_rate, self.sample_rate)
        mag, _ = self.nets.magphase(np.ascontiguousarray(x, np.float32))
        return float(np.clip(self.nets.decode(mag), 0.0, 1.0))


def _polyphase(audio: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """librosa.resample(res_type="polyphase") without importing librosa (and numba, ~200 MB): the same
    scipy call, padded or trimmed to ceil(len * ratio) samples, float32."""
    from scipy.signal import resample_poly

    gcd = np.gcd(int(orig_sr), int(target_sr))
    out = resample_poly(audio, int(target_sr) // gcd, int(orig_sr) // gcd)
    n = int(np.ceil(len(audio) * float(target_sr) / orig_sr))
    return np.pad(out[:n], (0, max(0, n - len(out)))).astype(np.float32)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _shared() -> Watermarker:
    return Watermarker()


def watermarker() -> Watermarker:
    """The one watermarker of this process, loaded on first use (~0.3 s)."""
    with _lock:
        return _shared()


def mark(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    return watermarker().mark(audio, sample_rate)


def detect(audio: np.ndarray, sample_rate: int) -> Detection:
    """Whether ``audio`` carries voxnb's watermark, with the decoder's confidence: the whole clip's
    score, or its best window's when a marked take was spliced into unmarked audio."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise WatermarkError(key="watermark.bad_rate", rate=repr(sample_rate))
    audio = np.asarray(audio, np.float32)
    if audio.ndim == 2:    # [samples, channels] as soundfile reads, or [channels, samples] as librosa
        audio = audio.mean(axis=1) if audio.shape[1] < audio.shape[0] else audio.mean(axis=0)
    if audio.ndim != 1 or not np.all(np.isfinite(audio)):
        raise WatermarkError(key="watermark.bad_audio")
    w, sr = watermarker(), int(sample_rate)
    whole = w.confidence(audio, sr)
    size, hop = int(WINDOW_S * sr), int(HOP_S * sr)
    windows = tuple((start / sr, w.confidence(audio[start:start + size], sr))
                    for start in range(0, len(audio) - size + 1, hop)) if len(audio) > size + hop else ()
    best = max([whole, *(score for _, score in windows)])
    return Detection(marked=best >= THRESHOLD, confidence=best, windows=windows)


def check_file(path) -> dict:
    """One file, as ``voxnb detect`` reports it: the mark, the metadata it carries, or why it cannot be read."""
    from ..reference.decode import load_audio
    from .provenance import read

    path = Path(path)
    entry = {"file": str(path), "marked": None, "confidence": None, "metadata": None, "error": None}
    try:
        audio, sample_rate, _channels = load_audio(path)
        found = detect(audio, sample_rate)
    except VoxnbError as err:
        entry["error"] = err.problem_msg()     # a str; in the dashboard, in the viewer's language
        return entry
    entry.update(found.to_dict())
    entry["metadata"] = read(path)
    return entry
