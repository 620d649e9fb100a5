"""Whisper large-v3-turbo through transformers: the reference transcript in English or Mandarin.

Fetched with the GPU engines' weights (`voxnb fetch whisper`); where it is absent the CPU tiny.en
model (English only) in ``voxnb.reference.transcript`` is used instead. Like every hub model it is loaded
from a local directory only.
"""
from __future__ import annotations

import functools

import numpy as np

from ..weights.hub import Part, WeightsSpec
from .transcript import WHISPER_RATE, Transcript

WEIGHTS = WeightsSpec(
    name="whisper", title="Whisper large-v3-turbo",
    parts=(Part("openai/whisper-large-v3-turbo", "AI-ModelScope/whisper-large-v3-turbo", (),
                required=("config.json", "preprocessor_config.json", "tokenizer.json")),),
    size_hint_gb=1.6)


def fetch_weights(progress=print, **options) -> str:
    from ..weights import hub

    return hub.fetch(WEIGHTS, progress=progress, **options)


def available() -> bool:
    from ..weights import hub

    try:
        hub.check(WEIGHTS)
        return True
    except hub.WeightsError:
        return False


@functools.lru_cache(maxsize=1)
def _pipeline():
    import torch
    from transformers import pipeline

    from ..weights import hub

    directory = hub.check(WEIGHTS)
    cuda = torch.cuda.is_available()
    return pipeline("automatic-speech-recognition", model=str(directory), device="cuda" if cuda else "cpu",
                    torch_dtype=torch.float16 if cuda else torch.float32)


def transcribe(audio: np.ndarray, sample_rate: int, language: str | None = None) -> Transcript:
    """``language`` None: Whisper detects it (the reference may be English or Mandarin)."""
    import librosa

    audio = np.asarray(audio, np.float32)
    if sample_rate != WHISPER_RATE:
        audio = librosa.resample(audio, orig_sr=sample_rate, target_sr=WHISPER_RATE, res_type="soxr_hq")
    kwargs = {"task": "transcribe", **({"language": language} if language else {})}
    out = _pipeline()({"raw": audio, "sampling_rate": WHISPER_RATE}, generate_kwargs=kwargs, return_timestamps=False)
    text = out["text"].strip()
    lang = language or ("zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en")
    return Transcript(text=text, language=lang, segments=((0.0, len(audio) / WHISPER_RATE, text),),
                      model=WEIGHTS.title)


def transcribe_reference(audio: np.ndarray, sample_rate: int) -> Transcript:
    """The best ASR this box has: large-v3-turbo (English and Mandarin) if fetched, else tiny.en."""
    if available():
        return transcribe(audio, sample_rate)
    from .transcript import transcribe as tiny

    return tiny(audio, sample_rate, language="en")
