"""PerTh's networks as ONNX, and the spectrogram they read, so a process that marks audio never imports
torch (about 270 MB of RSS in every synthesising process and every viewer that checks a file).

``resemble-perth`` ships a torch checkpoint. Its encoder and decoder are stacks of 1-D convolutions with
a little arithmetic around them (a loudness mask, interpolation, a softmax over three branches); the
stacks are exported once with torch, in a subprocess (``python -m voxnb.output.watermark_nets OUT``),
into voxnb's cache, and run with onnxruntime, which the engines load anyway; the arithmetic and the
STFT are numpy here. Their package imports torchaudio (no wheel matches every torch voxnb runs on) and
pkg_resources for its file lookup; the export loads only the model modules, under a private name.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..errors import VoxnbError

_PRIVATE = "voxnb._perth_implicit"
_CHECKPOINT = "perth_net_250000.pth.tar"
STACKS = ("encoder", "slow", "normal", "fast")   # the encoder's conv stack, then the decoder's three branches
BRANCH_SCALE = {"slow": 1.25, "normal": 1.0, "fast": 0.75}
EXPORT_TIMEOUT_S = 600


def package_dir() -> Path | None:
    spec = importlib.util.find_spec("perth")    # finds the files; runs nothing
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "perth_net"


class WatermarkError(VoxnbError):
    """The watermarker is missing or failed."""


def _missing():
    return WatermarkError(key="watermark.not_installed")


def checkpoint() -> Path:
    root = package_dir()
    if root is None:
        raise _missing()
    return root / "pretrained" / "implicit" / _CHECKPOINT


def cache_folder() -> Path:
    """Where this checkpoint's export lives: named by the checkpoint's size and perth's version, so an
    upgraded package exports anew."""
    from importlib.metadata import version

    from ..paths import cache_dir

    size = checkpoint().stat().st_size
    return cache_dir() / "watermark" / f"perth-{version('resemble-perth')}-{size}"


# ------------------------------------------------------------------ the export (torch, in a subprocess)


def _torch_nets():
    """(hparams dict, encoder, decoder): PerTh's own modules with the pretrained weights, on the CPU."""
    import torch
    import yaml

    root = package_dir()
    if root is None:
        raise _missing()
    implicit, pretrained = root / "perth_net_implicit", root / "pretrained" / "implicit"
    if _PRIVATE not in sys.modules:
        spec = importlib.util.spec_from_file_location(_PRIVATE, implicit / "__init__.py",
                                                      submodule_search_locations=[str(implicit)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[_PRIVATE] = package
        spec.loader.exec_module(package)
    config, model = importlib.import_module(f"{_PRIVATE}.config"), importlib.import_module(f"{_PRIVATE}.model")
    encoder = importlib.import_module(f"{_PRIVATE}.model.encoder")
    decoder = importlib.import_module(f"{_PRIVATE}.model.decoder")
    hp = yaml.safe_load((pretrained / "hparams.yaml").read_text())
    subband = model.compute_subband_freq(config.PerthConfig(**hp))
    enc, dec = encoder.Encoder(hp["hidden_size"], subband), decoder.Decoder(hp["hidden_size"], subband)
    try:
        state = torch.load(pretrained / _CHECKPOINT, map_location="cpu", weights_only=True)["model"]
    except (OSError, KeyError, RuntimeError) as err:
        raise WatermarkError(key="watermark.weights_unreadable", path=str(pretrained / _CHECKPOINT),
                             err=str(err)) from err
    for part, net in (("encoder.", enc), ("decoder.", dec)):
        net.load_state_dict({k[len(part):]: v for k, v in state.items() if k.startswith(part)})
        net.eval()
    return {**hp, "subband": subband}, enc, dec


def export(folder: Path) -> None:
    """Write the four conv stacks (``<stack>.onnx``) and ``hparams.json`` into ``folder``, atomically."""
    import torch

    hp, enc, dec = _torch_nets()
    nets = {"encoder": enc.layers, "slow": dec.slow_layers, "normal": dec.normal_layers, "fast": dec.fast_layers}
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        example = torch.zeros(1, hp["subband"], 64)
        # the TorchScript exporter: it needs no onnxscript; torch before 2.5 has no `dynamo` argument
        legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
        for name, net in nets.items():
            torch.onnx.export(net, (example,), str(work / f"{name}.onnx"), input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {2: "frames"}, "y": {2: "frames"}}, opset_version=17, **legacy)
        (work / "hparams.json").write_text(json.dumps(hp))
        try:
            os.replace(work, folder)
        except OSError:       # another process exported it first: theirs stands
            if not (folder / "hparams.json").is_file():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_exported() -> Path:
    """The export's folder, made first (a few seconds, once per machine) where it is missing."""
    folder = cache_folder()
    if all((folder / f"{name}.onnx").is_file() for name in STACKS) and (folder / "hparams.json").is_file():
        return folder
    if folder.exists():          # an export cut off half way
        shutil.rmtree(folder, ignore_errors=True)
    # this voxnb, however this process found it (a notebook may have put it on sys.path by hand)
    home = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (home, os.environ.get("PYTHONPATH", "")) if p)
    p = subprocess.run([sys.executable, "-m", __name__, str(folder)], capture_output=True, text=True,
                       timeout=EXPORT_TIMEOUT_S, env={**os.environ, "PYTHONPATH": path})
    if p.returncode != 0:
        raise WatermarkError(key="watermark.export_failed", folder=str(folder),
                             why=(p.stderr.strip().splitlines() or ["no output"])[-1])
    return folder


# ------------------------------------------------------------------ running them (numpy + onnxruntime)


class Nets:
    """The exported stacks in onnxruntime sessions, with PerTh's spectrogram and the decoder's arithmetic."""

    def __init__(self, folder: Path):
        import onnxruntime as ort

        hp = json.loads((folder / "hparams.json").read_text())
        self.n_fft, self.hop, self.win = int(hp["n_fft"]), int(hp["hop_size"]), int(hp["window_size"])
        self.sample_rate, self.subband = int(hp["sample_rate"]), int(hp["subband"])
        self.floor_db = 20 * np.log10(float(hp["stft_magnitude_min"]))
        self.mag_min = float(hp["stft_magnitude_min"])
        # torch.hann_window: periodic, zero-padded to n_fft in the middle when shorter
        window = np.zeros(self.n_fft, np.float32)
        left = (self.n_fft - self.win) // 2
        window[left:left + self.win] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(self.win) / self.win)
        self.window = window
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # no spinning: idle pools would spin against the engine's own session, which runs right after
        # these on the same cores; no memory pattern: every take has another length
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.enable_mem_pattern = False
        self.sessions = {name: ort.InferenceSession(str(folder / f"{name}.onnx"), options,
                                                    providers=["CPUExecutionProvider"]) for name in STACKS}

    def _run(self, name: str, x: np.ndarray) -> np.ndarray:
        return self.sessions[name].run(None, {"x": np.ascontiguousarray(x[None], np.float32)})[0][0]

    # torchaudio's Spectrogram(power=None) / InverseSpectrogram with centre padding, as PerTh was trained
    def magphase(self, signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(normalised log magnitude [freqs, frames], phase [freqs, frames]) of ``signal``."""
        half = self.n_fft // 2
        padded = np.pad(signal.astype(np.float32), (half, half), mode="reflect")
        frames = 1 + (len(padded) - self.n_fft) // self.hop
        index = np.arange(self.n_fft)[None, :] + self.hop * np.arange(frames)[:, None]
        spec = np.fft.rfft(padded[index] * self.window, axis=1).T
        mag_db = 20 * np.log10(np.maximum(np.abs(spec), self.mag_min))
        mag = (mag_db - self.floor_db) / (-self.floor_db + 15)
        return mag.astype(np.float32), np.angle(spec).astype(np.float32)

    def _magnitude(self, mag: np.ndarray) -> np.ndarray:
        return np.power(np.float32(10.0), np.minimum((mag * (-self.floor_db + 15) + self.floor_db) / 20, 10),
                        dtype=np.float32)

    def signal(self, mag: np.ndarray, phase: np.ndarray, length: int) -> np.ndarray:
        """The inverse of ``magphase``: overlap-added, window-normalised, ``length`` samples."""
        return self._overlap_add(self._magnitude(mag), phase, length)

    def residual(self, mag: np.ndarray, marked: np.ndarray, phase: np.ndarray, length: int) -> np.ndarray:
        """``signal(marked) - signal(mag)``: the inverse STFT is linear, and the mark changes only the bins
        below PerTh's top frequency, so only those are turned back into magnitudes (an eighth of the work)."""
        band = slice(0, self.subband)
        delta = np.zeros_like(mag)
        delta[band] = self._magnitude(marked[band]) - self._magnitude(mag[band])
        return self._overlap_add(delta, phase, length)

    def _overlap_add(self, magnitude: np.ndarray, phase: np.ndarray, length: int) -> np.ndarray:
        spec = np.empty(magnitude.shape, np.complex64)
        spec.real, spec.imag = magnitude * np.cos(phase), magnitude * np.sin(phase)
        frames = np.fft.irfft(spec, n=self.n_fft, axis=0).T * self.window
        count = frames.shape[0]
        total = self.n_fft + self.hop * (count - 1)
        out, envelope = np.zeros(total), np.zeros(total)
        square = self.window.astype(np.float64) ** 2
        for i in range(count):     # a slice per frame: several times faster than np.add.at's scatter
            out[i * self.hop:i * self.hop + self.n_fft] += frames[i]
            envelope[i * self.hop:i * self.hop + self.n_fft] += square
        out = out / np.where(envelope > 1e-11, envelope, 1.0)
        half = self.n_fft // 2
        out = out[half:half + length]
        return np.pad(out, (0, length - len(out))).astype(np.float32)

    @staticmethod
    def _mask(mag: np.ndarray) -> np.ndarray:
        loudness = mag.sum(axis=0)
        return (loudness > loudness.max() * 0.05).astype(np.float32)

    def encode(self, mag: np.ndarray) -> np.ndarray:
        """The magnitude with the mark added below PerTh's top frequency, where the frame is loud enough."""
        marked = mag.copy()
        marked[: self.subband] += self._run("encoder", mag[: self.subband]) * self._mask(mag)[None]
        return marked

    def decode(self, mag: np.ndarray) -> float:
        """The decoder's confidence that ``mag`` carries the mark (not yet clipped to 0..1)."""
        mask, sub = self._mask(mag), mag[: self.subband]
        frames = sub.shape[1]
        attention, marks = [], []
        for name, scale in BRANCH_SCALE.items():
            size = int(frames * scale)
            out = self._run(name, sub if scale == 1.0 else _linear(sub, size))
            weights = _nearest(mask, out.shape[1])
            total = weights.sum()
            attention.append((out[0] * weights).sum() / total)
            marks.append((out[1] * weights).sum() / total)
        attention = np.exp(np.array(attention) - max(attention))
        return float((np.array(marks) * attention / attention.sum()).sum())


def _linear(x: np.ndarray, size: int) -> np.ndarray:
    """torch's interpolate(mode='linear', align_corners=True) along the last axis."""
    frames = x.shape[-1]
    where = np.arange(size) * ((frames - 1) / (size - 1)) if size > 1 else np.zeros(1)
    lo = np.floor(where).astype(int).clip(0, frames - 1)
    hi = np.minimum(lo + 1, frames - 1)
    frac = (where - lo).astype(np.float32)
    return x[..., lo] * (1 - frac) + x[..., hi] * frac


def _nearest(x: np.ndarray, size: int) -> np.ndarray:
    """torch's interpolate(mode='nearest') along the last axis."""
    frames = x.shape[-1]
    return x[..., np.minimum((np.arange(size) * (frames / size)).astype(int), frames - 1)]


if __name__ == "__main__":
    export(Path(sys.argv[1]) if len(sys.argv) > 1 else cache_folder())
