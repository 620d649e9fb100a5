"""The inaudible watermark on everything voxnb makes, and its detector.

The mark is Resemble AI's PerTh "implicit" watermarker: a network that nudges the magnitude
spectrum below 2 kHz where speech masks it, and a decoder that says whether a clip carries the
nudge. ``resemble-perth`` ships the pretrained weights (MIT), so it works offline. Its package
imports torchaudio (no wheel matches every torch voxnb runs on) and pkg_resources just for its
STFT and file lookup; its encoder and decoder need neither. So voxnb loads only those model
modules, under a private name and without running the package's ``__init__``, and computes the
STFT with torch's own ``stft``/``istft`` with the parameters torchaudio's transforms use.

Only the difference the encoder makes is resampled back to the caller's rate and added, so the
band above the mark is left as it was. The encoder is used at the strength it was trained for
(about 16 dB SNR, all of it below 2 kHz): at half strength tiny.en misheard the same Kokoro
sentence ("small wooden boat" -> "smile. Wouldn't boat?") while the mark lost its margin after MP3.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import VoxnbError
from .provenance import METHOD

THRESHOLD = 0.5                # decoder output at or above this: marked
VERIFIED = 0.9                 # marking reads its result back and adds another pass below this ...
EXTRA_PASSES = 2               # ... at most this many times (a pass costs ~5 dB of SNR; rarely needed)
WINDOW_S, HOP_S = 3.0, 1.5     # detection also reads windows, so a marked take spliced into other audio is found
_PRIVATE = "voxnb._perth_implicit"
_CHECKPOINT = "perth_net_250000.pth.tar"


class WatermarkError(VoxnbError):
    """The watermarker is missing or failed."""


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


def _package_dir() -> Path:
    spec = importlib.util.find_spec("perth")    # finds the files; runs nothing
    if spec is None or not spec.submodule_search_locations:
        raise WatermarkError("The watermarker (resemble-perth) is not installed.",
                             "Install it with `pip install resemble-perth`; voxnb marks every output it makes.")
    return Path(list(spec.submodule_search_locations)[0]) / "perth_net"


def _import_model_modules(implicit: Path):
    if _PRIVATE not in sys.modules:
        spec = importlib.util.spec_from_file_location(_PRIVATE, implicit / "__init__.py",
                                                      submodule_search_locations=[str(implicit)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[_PRIVATE] = package
        spec.loader.exec_module(package)
    return (importlib.import_module(f"{_PRIVATE}.config"), importlib.import_module(f"{_PRIVATE}.model"),
            importlib.import_module(f"{_PRIVATE}.model.encoder"), importlib.import_module(f"{_PRIVATE}.model.decoder"))


class Watermarker:
    """PerTh's encoder and decoder on the CPU (a few MB of conv layers; ~10 ms per second of audio)."""

    def __init__(self):
        import torch
        import yaml

        root = _package_dir()
        implicit, pretrained = root / "perth_net_implicit", root / "pretrained" / "implicit"
        config, model, encoder, decoder = _import_model_modules(implicit)
        self.hp = config.PerthConfig(**yaml.safe_load((pretrained / "hparams.yaml").read_text()))
        subband = model.compute_subband_freq(self.hp)
        self.encoder = encoder.Encoder(self.hp.hidden_size, subband)
        self.decoder = decoder.Decoder(self.hp.hidden_size, subband)
        try:
            state = torch.load(pretrained / _CHECKPOINT, map_location="cpu", weights_only=True)["model"]
        except (OSError, KeyError, RuntimeError) as err:
            raise WatermarkError(f"The watermarker's weights ({pretrained / _CHECKPOINT}) cannot be read: {err}",
                                 "Reinstall them with `pip install --force-reinstall resemble-perth`.") from err
        for part, net in (("encoder.", self.encoder), ("decoder.", self.decoder)):
            net.load_state_dict({k[len(part):]: v for k, v in state.items() if k.startswith(part)})
            net.eval()
        self.window = torch.hann_window(self.hp.window_size)
        self.sample_rate = int(self.hp.sample_rate)

    # torchaudio's Spectrogram(power=None) / InverseSpectrogram with centre padding, as PerTh was trained
    def _magphase(self, signal):
        import torch

        spec = torch.stft(signal, self.hp.n_fft, self.hp.hop_size, self.hp.window_size, self.window,
                          center=True, pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
        floor_db = 20 * np.log10(self.hp.stft_magnitude_min)
        mag_db = 20 * torch.log10(spec.abs().clip(self.hp.stft_magnitude_min))
        return (mag_db - floor_db) / (-floor_db + 15), torch.angle(spec)

    def _signal(self, mag, phase, length: int):
        import torch

        floor_db = 20 * np.log10(self.hp.stft_magnitude_min)
        magnitude = 10.0 ** (((mag * (-floor_db + 15) + floor_db) / 20).clip(max=10))
        spec = magnitude * torch.exp(1j * phase)
        return torch.istft(spec, self.hp.n_fft, self.hp.hop_size, self.hp.window_size, self.window,
                           center=True, normalized=False, onesided=True, length=length)

    def mark(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """``audio`` with the mark added; same length, rate and dtype (float32). The result is read back,
        and marked once more where the decoder is not yet sure of it (a few quiet or noisy clips)."""
        audio = np.asarray(audio, np.float32)
        if len(audio) < self.hp.n_fft // 2 + 1 or not np.any(audio):
            return audio.copy()          # too short to carry a mark, or silence (the mask skips it anyway)
        marked = self._mark_once(audio, sample_rate)
        for _ in range(EXTRA_PASSES):
            if self.confidence(marked, sample_rate) >= VERIFIED:
                break
            marked = self._mark_once(marked, sample_rate)
        return marked

    def _mark_once(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        import torch

        from ..reference.decode import resample

        x = resample(audio, sample_rate, self.sample_rate).astype(np.float32)
        with torch.inference_mode():
            mag, phase = self._magphase(torch.from_numpy(x))
            marked, _mask = self.encoder(mag[None])
            # the STFT round trip gives x back to within 1e-6, so x stands in for a second inverse STFT
            residual = self._signal(marked[0], phase, len(x)).numpy() - x
        residual = resample(residual, self.sample_rate, sample_rate)[: len(audio)]
        residual = np.pad(residual, (0, len(audio) - len(residual)))
        return (audio + residual).astype(np.float32)

    def confidence(self, audio: np.ndarray, sample_rate: int) -> float:
        import librosa
        import torch

        audio = np.asarray(audio, np.float32)
        if len(audio) < sample_rate // 4 or not np.any(audio):
            return 0.0
        x = audio if sample_rate == self.sample_rate else \
            librosa.resample(audio, orig_sr=sample_rate, target_sr=self.sample_rate, res_type="polyphase")
        with torch.inference_mode():
            mag, _ = self._magphase(torch.from_numpy(np.ascontiguousarray(x, np.float32)))
            return float(self.decoder(mag[None])[0].clip(0.0, 1.0))


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
        raise WatermarkError(f"Sample rate {sample_rate!r} is not valid.", "Pass the audio's rate in Hz, e.g. 24000.")
    audio = np.asarray(audio, np.float32)
    if audio.ndim == 2:    # [samples, channels] as soundfile reads, or [channels, samples] as librosa
        audio = audio.mean(axis=1) if audio.shape[1] < audio.shape[0] else audio.mean(axis=0)
    if audio.ndim != 1 or not np.all(np.isfinite(audio)):
        raise WatermarkError("The audio is not a mono or stereo array of finite samples.",
                             "Pass the samples as a 1-D float array (or [samples, channels]) and their rate.")
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
        entry["error"] = err.problem
        return entry
    entry.update(found.to_dict())
    entry["metadata"] = read(path)
    return entry
