"""Text for engines that read characters, not phonemes (F5-TTS, VoxCPM, CosyVoice).

The same splitting, cleaning and number normalization as the phoneme frontend, but each chunk
keeps its text and its markup as pieces, and each engine renders the pieces in its own form
(F5 reads pinyin syllables as tokens; an engine without such a form refuses markup clearly).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import TextError
from .frontend import FIRST_CHUNK_CHARS, check_text, _default_language, _items_in, _spans, unspoken_in
from .markup import Arpabet, Pinyin, Plain, Tag, parse_markup
from .normalize import clean_text, normalize_en, normalize_zh
from .split import boundary, language_runs
from .unspoken import note, nothing_speakable

# Engines that read characters are given less per call than Kokoro: F5 and VoxCPM drift and skip
# words on long inputs (their issue trackers), and a short chunk starts streaming sooner.
MAX_CHARS = 120


@dataclass(frozen=True)
class TextChunk:
    text: str                               # the chunk as the user wrote it
    pieces: tuple[tuple[str, object], ...]  # ('text', str) | ('pinyin', syllables) | ('arpabet', phones) | ('tag', name)
    warnings: tuple[str, ...] = ()
    boundary: str = "end"                   # the break after it (voxnb.text.split.BOUNDARIES): sets the pause

    @property
    def plain(self) -> str:
        """The normalized words alone (markup left out): what an ASR check compares against."""
        return "".join(p for kind, p in self.pieces if kind == "text").strip()

    def has(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.pieces)


def _normalized(text: str, lang: str, default: str) -> str:
    cleaned = clean_text(text)
    out = ""
    for run_lang, start, end in language_runs(cleaned, default, attach=(lang == "auto")):
        piece = cleaned[start:end]
        words = normalize_zh(piece) if run_lang == "zh" else normalize_en(piece)
        if out and (piece[:1].isspace() or cleaned[start - 1].isspace()):
            out += " "      # normalizers strip the edges; keep the space the user typed between runs
        out += words
    return out


def text_chunks(text: str, lang: str = "auto", max_chars: float = MAX_CHARS,
                first_chars: float = FIRST_CHUNK_CHARS) -> list[TextChunk]:
    """Cut ``text`` at sentence (then clause) ends into chunks of at most ``max_chars`` (Han count 2.5)."""
    check_text(text, lang)
    items = parse_markup(text)
    default = _default_language(text, lang)
    chunks: list[TextChunk] = []
    pending: tuple[str, ...] = ()      # notes of chunks with nothing to say, for the next chunk
    for start, end in _spans(text, max_chars, min(first_chars, max_chars)):
        pieces = []
        span_items = _items_in(items, start, end)
        for item in span_items:
            if isinstance(item, Plain):
                words = _normalized(item.text, lang, default)
                if words.strip():
                    pieces.append(("text", words))
            elif isinstance(item, Pinyin):
                pieces.append(("pinyin", item.syllables))
            elif isinstance(item, Arpabet):
                pieces.append(("arpabet", item.phones))
            elif isinstance(item, Tag):
                pieces.append(("tag", item.name))
        left_out = note(unspoken_in(span_items))
        pending += (left_out,) if left_out else ()
        if any(kind != "tag" and (kind != "text" or any(c.isalnum() for c in p)) for kind, p in pieces):
            chunks.append(TextChunk(text[start:end], tuple(pieces), pending, boundary=boundary(text, end)))
            pending = ()
        elif chunks and pending:     # nothing to say here: what it left out is noted on the chunk before
            chunks[-1] = dataclasses.replace(chunks[-1], warnings=chunks[-1].warnings + pending)
            pending = ()
    if not chunks:
        raise TextError(**nothing_speakable(unspoken_in(items), text))
    return chunks
