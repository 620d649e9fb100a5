"""The phoneme alphabet of Kokoro-82M v1.0 (misaki symbols), read from hibari's vocab.json."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def kokoro_vocab() -> frozenset[str]:
    """The 114 symbols the model has embeddings for (letters, IPA, stress, tone arrows, punctuation)."""
    with resources.files("hibari").joinpath("assets/vocab.json").open(encoding="utf-8") as f:
        return frozenset(json.load(f))


def out_of_vocab(phonemes: str) -> str:
    """The symbols in ``phonemes`` the model cannot read, in order of first appearance."""
    vocab = kokoro_vocab()
    return "".join(dict.fromkeys(c for c in phonemes if c not in vocab))
