"""GE2E speaker embeddings (resemblyzer's pretrained encoder): EVALUATION ONLY.

The benchmark's headline similarity is GE2E, so no fitting, selection or tuning step in voxnb
may use it: a fit that climbs the metric it is judged by learns to fool that metric (a style
search with GE2E as its objective raised GE2E and lowered every other measure). Fitting uses
the d-vector (voxnb.reference.speaker); a test holds every module outside voxnb.bench (and voxnb.runs.compare,
which evaluates engines the same way) to never import this one.

The encoder runs on onnxruntime: resemblyzer's LSTM is exported once (the bench's setup step,
or the first embedding on a machine) into the cache, because importing torch for a 1.4 M-parameter
LSTM costs a kernel ~290 MB of RSS and ~1.5 s. The preprocessing follows resemblyzer's
(-30 dBFS volume floor, webrtcvad trimming of long pauses, 40-band mel at 16 kHz, 1.6 s
partials at 1.3 per second averaged); a test holds this path to resemblyzer's own embeddings.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from ..reference.decode import resample
from ..paths import cache_dir

GE2E_RATE = 16000
MEL_FFT, MEL_HOP, N_MELS = 400, 160, 40     # 25 ms windows, 10 ms steps
PARTIAL_FRAMES = 160                        # 1.6 s per partial utterance
PARTIALS_PER_SECOND, MIN_COVERAGE = 1.3, 0.75
VAD_WINDOW = 480                            # 30 ms at 16 kHz, a length webrtcvad accepts
VAD_SMOOTHING, VAD_MAX_SILENCE = 8, 6       # windows
TARGET_DBFS = -30.0
ONNX_VERSION = "ge2e/1"                     # bump when the export changes


def _resemblyzer():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # webrtcvad's pkg_resources deprecation notice
        import resemblyzer
    return resemblyzer


def onnx_path() -> Path:
    return cache_dir() / "ge2e" / f"{ONNX_VERSION.replace('/', '-')}.onnx"


def export_onnx(path: Path | None = None) -> Path:
    """Export resemblyzer's pretrained encoder (mels [n, 160, 40] -> unit embeddings [n, 256])."""
    import os
    import warnings

    import torch

    path = Path(path or onnx_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    encoder = _resemblyzer().VoiceEncoder("cpu", verbose=False)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    example = torch.rand(2, PARTIAL_FRAMES, N_MELS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the tracer's notes on LSTM shape checks
        torch.onnx.export(encoder, (example,), str(tmp), dynamo=False, input_names=["mels"], output_names=["embeds"],
                          dynamic_axes={"mels": {0: "n"}}, opset_version=17)
    os.replace(tmp, path)   # atomic: a concurrent reader never sees half a model
    return path


def encoder_path() -> Path:
    """The exported encoder, exporting it first if this machine has none yet."""
    path = onnx_path()
    return path if path.exists() else export_onnx(path)


@functools.lru_cache(maxsize=1)
def _session():
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1    # a 1.4 M-parameter LSTM: threads cost more than they save
    return ort.InferenceSession(str(encoder_path()), sess_options=opts, providers=["CPUExecutionProvider"])


def _trim_long_pauses(wav: np.ndarray) -> np.ndarray:
    """Drop pauses longer than VAD_MAX_SILENCE windows, as the encoder was trained on."""
    from scipy.ndimage import binary_dilation

    from ..reference.vad import import_webrtcvad

    webrtcvad = import_webrtcvad()

    wav = wav[: len(wav) - len(wav) % VAD_WINDOW]
    if not len(wav):
        return wav
    pcm = np.round(np.clip(wav, -1, 1) * 32767).astype("<i2").tobytes()
    vad = webrtcvad.Vad(3)
    flags = np.array([vad.is_speech(pcm[i * 2: (i + VAD_WINDOW) * 2], GE2E_RATE)
                      for i in range(0, len(wav), VAD_WINDOW)], float)
    padded = np.concatenate([np.zeros((VAD_SMOOTHING - 1) // 2), flags, np.zeros(VAD_SMOOTHING // 2)])
    smooth = np.convolve(padded, np.ones(VAD_SMOOTHING) / VAD_SMOOTHING, mode="valid")
    keep = binary_dilation(np.round(smooth).astype(bool), np.ones(VAD_MAX_SILENCE + 1))
    return wav[np.repeat(keep, VAD_WINDOW)]


def _partial_starts(n_samples: int) -> list[int]:
    """Start frames of the 1.6 s partials; the last is kept only if audio covers 75% of it."""
    n_frames = n_samples // MEL_HOP + 1
    step = int(round(GE2E_RATE / PARTIALS_PER_SECOND / MEL_HOP))
    starts = list(range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step))
    if len(starts) > 1 and (n_samples - starts[-1] * MEL_HOP) / (PARTIAL_FRAMES * MEL_HOP) < MIN_COVERAGE:
        starts.pop()
    return starts


def embed(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Unit-norm 256-d GE2E embedding of an utterance."""
    import librosa

    wav = resample(np.asarray(audio, np.float32), sample_rate, GE2E_RATE)
    rms = np.sqrt(np.mean(wav.astype(np.float64) ** 2)) if len(wav) else 0.0
    if 0 < rms < 10 ** (TARGET_DBFS / 20):   # quiet clips are raised, loud ones left alone
        wav = wav * (10 ** (TARGET_DBFS / 20) / rms)
    wav = _trim_long_pauses(wav)
    starts = _partial_starts(len(wav))
    wav = np.pad(wav, (0, max(0, (starts[-1] + PARTIAL_FRAMES) * MEL_HOP - len(wav))))
    mel = librosa.feature.melspectrogram(y=wav, sr=GE2E_RATE, n_fft=MEL_FFT, hop_length=MEL_HOP,
                                         n_mels=N_MELS).astype(np.float32).T
    mels = np.stack([mel[s: s + PARTIAL_FRAMES] for s in starts])
    e = _session().run(None, {"mels": mels})[0].mean(axis=0)
    return (e / (np.linalg.norm(e) + 1e-9)).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-9))
