"""The text frontend: user text -> chunks of Kokoro phonemes, one engine call per chunk.

Markup is parsed first, on the original text, so error positions point at what the user typed;
then the text is cut into chunks, and only plain-text items are cleaned and normalized, run by
run of language, before G2P. Needs no model weights, so a UI can preview phonemes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..errors import TextError
from ..messages import Msg
from .g2p_en import arpabet_to_misaki, english_phonemes
from .g2p_zh import context_char, mandarin_phonemes, pinyin_to_ipa
from .markup import Arpabet, Item, Pinyin, Plain, Tag, parse_markup
from .normalize import clean_text, normalize_en, normalize_zh
from .split import BOUNDARIES, DEFAULT_MAX_CHARS, boundary, is_han, is_latin, language_runs, sentence_spans
from .unspoken import find_unspoken, note, nothing_speakable
from .vocab import out_of_vocab

MAX_TEXT_CHARS = 20_000   # longer text: split it and synthesise the parts one after another
MAX_PHONEMES = 500        # Kokoro's context is 510 tokens; keep a margin for the boundary tokens
LANGS = ("auto", "en", "zh")
PAUSE = "…"               # what [breath] and [sigh] become: Kokoro pauses at an ellipsis
# Symbols that make no sound on their own: a chunk of only these is not worth synthesising.
_SILENT = frozenset(" ;:,.!?—…\"()“”ˈˌ→↓↗↘")


@dataclass(frozen=True)
class Segment:
    """A same-language run inside a chunk."""
    text: str       # normalized text (for an override: the markup as written)
    lang: str       # 'en' or 'zh'
    phonemes: str


@dataclass(frozen=True)
class Chunk:
    """What the engine synthesises in one call."""
    text: str                      # the chunk's original text, for display
    segments: tuple[Segment, ...]
    phonemes: str                  # all segments' phonemes joined, at most MAX_PHONEMES symbols
    warnings: tuple[str, ...] = ()
    boundary: str = "end"          # the break after it (voxnb.text.split.BOUNDARIES): sets the pause


def check_text(text: str, lang: str = "auto") -> None:
    """What the frontend refuses before any work: a wrong language, no text, too much, an endless word."""
    if lang not in LANGS:
        raise TextError(key="text.unknown_language", lang=lang, langs=[repr(x) for x in LANGS])
    if not isinstance(text, str):
        raise TextError(key="text.text_must_string", type=type(text).__name__)
    if not text.strip():
        raise TextError(key="text.text_empty")
    if len(text) > MAX_TEXT_CHARS:
        raise TextError(key="text.text_characters_limit", n=len(text), max_text_chars=MAX_TEXT_CHARS)
    # the English G2P reads a word it does not know by a guess that stops after 30-odd letters, so a
    # run longer than any word would be cut short without a word: refused, naming where it is
    run = _LONG_RUN.search(text)
    if run:
        n = run.end() - run.start()
        raise TextError(key="text.text_run_letters_space", n=n, end=run.end(), max_word_letters=MAX_WORD_LETTERS,
                        start=run.start() + 1, head=run.group()[:12])


MAX_WORD_LETTERS = 45      # pneumonoultramicroscopicsilicovolcanoconiosis
_LONG_RUN = re.compile(rf"[A-Za-z\u00c0-\u024f]{{{MAX_WORD_LETTERS + 1},}}")


def _plain_segments(text: str, lang: str, default: str, before: str = "", after: str = "") -> list[Segment]:
    """Clean, split by language, normalize and phonemize one piece of plain text. ``before`` and
    ``after``: characters standing for the pronunciation markup next to it (g2p_zh.context_char)."""
    cleaned = clean_text(text)
    out = []
    for run_lang, start, end in language_runs(cleaned, default, attach=(lang == "auto")):
        piece = cleaned[start:end]
        if run_lang == "zh":
            normalized = normalize_zh(piece)
            phonemes = mandarin_phonemes(normalized, before if start == 0 else "",
                                         after if end == len(cleaned) else "")
        else:
            normalized = normalize_en(piece)
            phonemes = english_phonemes(normalized)
        if normalized:
            out.append(Segment(normalized, run_lang, phonemes))
    return out


def _item_segments(items: list[Item], lang: str, default: str) -> tuple[list[Segment], list[str]]:
    segments: list[Segment] = []
    warnings: list[str] = []
    for k, item in enumerate(items):
        if isinstance(item, Plain):
            segments += _plain_segments(item.text, lang, default, *_markup_context(items, k))
        elif isinstance(item, Pinyin):
            segments.append(Segment(item.source, "zh", "".join(map(pinyin_to_ipa, item.syllables))))
        elif isinstance(item, Arpabet):
            segments.append(Segment(item.source, "en", arpabet_to_misaki(item.phones)))
        elif isinstance(item, Tag) and item.name in ("breath", "sigh"):
            segments.append(Segment(f"[{item.name}]", segments[-1].lang if segments else default, PAUSE))
        elif isinstance(item, Tag) and item.name == "strong":
            warnings.append(Msg("text.warn_no_emphasis", n=item.start + 1))
        elif isinstance(item, Tag) and item.name != "/strong":
            warnings.append(Msg("text.warn_tag_skipped", tag=item.name, n=item.start + 1))
    return _merge(segments), warnings


def _markup_context(items: list[Item], k: int) -> tuple[str, str]:
    """Characters that stand for the pinyin markup right before and after plain item ``k`` when it
    touches Han text, so its first and last words are read in context (报道[j][ǐ]予: 给予, yǔ)."""
    text = items[k].text
    prev = items[k - 1] if k else None
    nxt = items[k + 1] if k + 1 < len(items) else None
    before = (context_char(prev.syllables[-1], text[0], precedes=True)
              if isinstance(prev, Pinyin) and text and is_han(text[0]) else "")
    after = (context_char(nxt.syllables[0], text[-1], precedes=False)
             if isinstance(nxt, Pinyin) and text and is_han(text[-1]) else "")
    return before, after


def _join_phonemes(parts: list[str]) -> str:
    joined = " ".join(p for p in parts if p)
    return re.sub(r" +([,.;:!?”)])", r"\1", joined).strip()


def _merge(segments: list[Segment]) -> list[Segment]:
    """Neighbouring segments of one language become one (an override inside a Chinese sentence)."""
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].lang == seg.lang:
            last = out[-1]
            glue = "" if seg.lang == "zh" else " "
            joined = re.sub(r" +([,.;:!?])", r"\1", last.text + glue + seg.text)
            out[-1] = Segment(joined, seg.lang, _join_phonemes([last.phonemes, seg.phonemes]))
        else:
            out.append(seg)
    return out


def _items_in(items: list[Item], start: int, end: int) -> list[Item]:
    """The items of one chunk: plain text clipped to it, markup wherever it starts."""
    out: list[Item] = []
    for item in items:
        if isinstance(item, Plain):
            s, e = max(start, item.start), min(end, item.end)
            if s < e:
                out.append(Plain(item.text[s - item.start:e - item.start], s, e))
        elif start <= item.start < end:
            out.append(item)
    return out


def _hard_split(chunk: Chunk) -> list[Chunk]:
    """Last resort for one unbreakable span (a giant number, a URL): cut the phonemes at spaces.
    The first piece keeps the text and segments, so joined texts still equal the input."""
    pieces, current = [], ""
    for word in chunk.phonemes.split(" "):
        while len(word) > MAX_PHONEMES:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:MAX_PHONEMES])
            word = word[MAX_PHONEMES:]
        if current and len(current) + 1 + len(word) > MAX_PHONEMES:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    pieces.append(current)
    pieces = [p for p in pieces if p]
    return [Chunk(chunk.text if i == 0 else "", chunk.segments if i == 0 else (), p,
                  chunk.warnings if i == 0 else (), chunk.boundary if i == len(pieces) - 1 else "word")
            for i, p in enumerate(pieces)]


def _chunks(text: str, items: list[Item], start: int, end: int, lang: str, default: str,
            max_chars: float) -> list[Chunk]:
    chunk_items = _items_in(items, start, end)
    segments, warnings = _item_segments(chunk_items, lang, default)
    left_out = note(unspoken_in(chunk_items))
    if left_out:
        warnings.insert(0, left_out)
    phonemes = _join_phonemes([s.phonemes for s in segments])
    bad = out_of_vocab(phonemes)
    if bad:  # G2P should never produce these; the model would fail on them, so drop and say so
        phonemes = "".join(c for c in phonemes if c not in bad)
        warnings.append(Msg("text.warn_dropped_symbols", bad=repr(bad)))
    chunk = Chunk(text[start:end], tuple(segments), phonemes, tuple(warnings), boundary(text, end))
    if len(phonemes) <= MAX_PHONEMES:
        return [chunk]
    # Normalization can expand text a lot (numbers, dates): cut this span finer and retry.
    spans = sentence_spans(text[start:end], max_chars / 2)
    if len(spans) > 1:
        return [c for s, e in spans for c in _chunks(text, items, start + s, start + e, lang, default, max_chars / 2)]
    return _hard_split(chunk)


def _default_language(text: str, lang: str) -> str:
    if lang != "auto":
        return lang
    han = sum(map(is_han, text))
    latin = sum(map(is_latin, text))
    return "zh" if han > latin else "en"


def is_speakable(phonemes: str) -> bool:
    return any(c not in _SILENT for c in phonemes)


def _drop_silent(chunks: list[Chunk]) -> list[Chunk]:
    """Chunks worth synthesising; a dropped chunk's break moves to the chunk before it if stronger, and
    its warnings (what it could not say) to the chunk before it, or after it when it was first."""
    out: list[Chunk] = []
    pending: tuple[str, ...] = ()
    for c in chunks:
        if is_speakable(c.phonemes):
            out.append(replace(c, warnings=pending + c.warnings) if pending else c)
            pending = ()
            continue
        if out:
            stronger = BOUNDARIES.index(c.boundary) > BOUNDARIES.index(out[-1].boundary)
            out[-1] = replace(out[-1], boundary=c.boundary if stronger else out[-1].boundary,
                              warnings=out[-1].warnings + c.warnings)
        else:
            pending += c.warnings
    return out


FIRST_CHUNK_CHARS = 80  # a short first chunk: streaming starts playing after one sentence, not 200 chars


def _spans(text: str, max_chars: float, first_chars: float) -> list[tuple[int, int]]:
    head = sentence_spans(text, first_chars)
    if len(head) <= 1:
        return head
    cut = head[0][1]
    return [head[0], *((cut + s, cut + e) for s, e in sentence_spans(text[cut:], max_chars))]


def phonemize(text: str, lang: str = "auto", max_chars: float = DEFAULT_MAX_CHARS,
              first_chars: float = FIRST_CHUNK_CHARS) -> list[Chunk]:
    """Text (English, Mandarin or mixed, with optional markup) -> chunks of Kokoro phonemes.

    ``lang``: 'auto' reads Han characters in Mandarin and Latin words in English, numbers and
    symbols in the language next to them; 'en' or 'zh' reads numbers and symbols in that language
    (Han characters are always Mandarin and Latin words English: no other G2P can read them).
    ``max_chars`` bounds a chunk (Han characters count 2.5); the first chunk is kept to
    ``first_chars`` so that streaming playback can start early.
    Raises TextError for empty, unspeakable or over-long text, MarkupError for bad markup.
    """
    check_text(text, lang)
    items = parse_markup(text)
    default = _default_language(text, lang)
    chunks = [chunk
              for start, end in _spans(text, max_chars, first_chars)
              for chunk in _chunks(text, items, start, end, lang, default, max_chars)]
    chunks = _drop_silent(chunks)
    if not chunks:
        raise TextError(**nothing_speakable(unspoken_in(items), text))
    return chunks


def unspoken_in(items: list[Item]) -> list:
    """What the plain text among ``items`` holds that cannot be said (voxnb.text.unspoken)."""
    return [run for item in items if isinstance(item, Plain) for run in find_unspoken(item.text, item.start)]
