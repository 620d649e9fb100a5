"""Text frontend: user text (English, Mandarin, mixed, with pronunciation markup) -> Kokoro phonemes.

Importing this package loads nothing heavy; G2P lexicons and jieba load on first use.
"""
from .frontend import MAX_PHONEMES, MAX_TEXT_CHARS, Chunk, Segment, phonemize
from .markup import parse_markup
from .normalize import normalize
from .split import detect_language, language_runs, split_sentences

__all__ = [
    "phonemize", "normalize", "split_sentences", "detect_language", "language_runs", "parse_markup",
    "Chunk", "Segment", "MAX_TEXT_CHARS", "MAX_PHONEMES",
]
