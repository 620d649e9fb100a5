"""The Kokoro model itself: phoneme ids + style row in, audio and intermediates out.

Language-blind (the text frontend lives in voxnb.text) and voice-blind (the caller passes
the style row and controls), like kokoro's KModel.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import graph, weights

MAX_TOKENS = 510           # style packs have one row per phoneme count up to this
SAMPLES_PER_FRAME = 600    # 24 kHz audio / 40 alignment frames per second


@dataclass(frozen=True)
class ModelOutput:
    audio: np.ndarray
    durations: np.ndarray
    frames: np.ndarray
    f0: np.ndarray
    energy: np.ndarray
    attention: np.ndarray | None   # [layers, heads, T, T] float16


class KokoroModel:
    def __init__(self, model_dir: str | Path | None = None, threads: int | None = None):
        import onnxruntime as ort

        model_dir = Path(model_dir) if model_dir else None
        self.path = graph.instrumented(weights.model_path(model_dir))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.vocab = weights.load_vocab()
        self.stock = weights.load_stock_voices()
        self.version = f"kokoro-v1.0-int8+{weights.expected_sha256()[:8]}"

    def token_ids(self, phonemes: str) -> np.ndarray:
        ids = [self.vocab[c] for c in phonemes if c in self.vocab]
        return np.array([0, *ids[: MAX_TOKENS], 0], np.int64)

    @staticmethod
    def style_row(pack: np.ndarray, n_tokens: int) -> np.ndarray:
        """Kokoro's packs hold one style per phoneme count; pick the one for this length."""
        return pack[min(max(n_tokens, 1), len(pack)) - 1].reshape(1, 256).astype(np.float32)

    def run(self, tokens: np.ndarray, style: np.ndarray, speed: float = 1.0, f0_level: float = 1.0,
            f0_range: float = 1.0, energy_shift: float = 0.0, attention: bool = True) -> ModelOutput:
        feed = {"tokens": tokens.reshape(1, -1), "style": style, "speed": np.array([speed], np.float32),
                "f0_level": np.array([f0_level], np.float32), "f0_range": np.array([f0_range], np.float32),
                "energy_shift": np.array([energy_shift], np.float32)}
        names = graph.output_names()
        wanted = names if attention else names[:5]
        out = dict(zip(wanted, self.session.run(wanted, feed)))
        att = None
        if attention:
            att = np.stack([out[f"attention_{i}"][0] for i in range(graph.N_ATTENTION_LAYERS)]).astype(np.float16)
        return ModelOutput(audio=np.asarray(out["audio"], np.float32).ravel(),
                           durations=out["durations"].ravel().astype(np.float32),
                           frames=out["frames"].ravel().astype(np.int32),
                           f0=out["f0"].ravel().astype(np.float32), energy=out["energy"].ravel().astype(np.float32),
                           attention=att)
