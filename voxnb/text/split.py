"""Where text changes language and where it may be cut into chunks: pure functions on strings.

Chunks are what the engine synthesises in one call. Kokoro reads up to 510 phoneme tokens, but
prosody degrades well before that, so we aim for about a long sentence per chunk.
"""
from __future__ import annotations

import re

# A Han character is a whole syllable (3-6 phoneme symbols and a tone), an English letter about
# one symbol; weighting Han by 2.5 lets one limit mean ~200 English or ~80 Chinese characters.
HAN_WEIGHT = 2.5
DEFAULT_MAX_CHARS = 200

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0002ebef]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")

# Cut points, coarsest first. Each pattern's match end is where a cut may go.
_SENTENCE_END = re.compile(
    r"[.!?…]+[\"'”’)\]]*(?=\s|$)"      # ASCII ends only before a space: keeps 3.14 and e.g.x whole
    r"|[。！？]+[”’）」』]*"            # CJK ends need no space after them
    r"|\n+"
)
_CLAUSE_END = re.compile(r"[,;:—](?=\s)|[，；：、]")
_SPACE = re.compile(r"\s+")
_PARAGRAPH = re.compile(r"[ \t\r\f\v]*\n\s*\n")   # a blank line


def is_han(char: str) -> bool:
    return bool(_HAN.match(char))


def is_latin(char: str) -> bool:
    return bool(_LATIN.match(char))


def detect_language(text: str) -> str:
    """'zh' if the text has Han characters only, 'en' if Latin letters only (or neither), else 'mixed'."""
    has_han = bool(_HAN.search(text))
    has_latin = bool(_LATIN.search(text))
    if has_han and has_latin:
        return "mixed"
    return "zh" if has_han else "en"


def language_runs(text: str, default: str = "en", attach: bool = True) -> list[tuple[str, int, int]]:
    """Contiguous (lang, start, end) runs covering all of ``text``.

    Han characters are 'zh', Latin letters 'en'. Script-neutral characters (digits, punctuation,
    spaces, symbols) join the run before them, except that a number written right before a Han
    character joins the Chinese run (3个, 5月, 30元), and leading neutrals join the first run.
    Text with no letters at all is one ``default`` run. With ``attach=False`` every neutral
    character is read in ``default`` instead (the caller asked for that language).
    """
    labels = ["zh" if is_han(c) else "en" if is_latin(c) else None for c in text]
    if not attach:
        labels = [label or default for label in labels]
    # A digit run glued to a following Han character is read in Chinese.
    for m in re.finditer(r"[\d.,:%]*\d[%]?(?=[\u3400-\u9fff])", text):
        for i in range(m.start(), m.end()):
            labels[i] = "zh"
    first = next((label for label in labels if label), default)
    current = first
    for i, label in enumerate(labels):
        if label is None:
            labels[i] = current
        else:
            current = label
    runs: list[tuple[str, int, int]] = []
    for i, label in enumerate(labels):
        if runs and runs[-1][0] == label:
            runs[-1] = (label, runs[-1][1], i + 1)
        else:
            runs.append((label, i, i + 1))
    return runs


def text_length(text: str) -> float:
    """Length in English-character units (a Han character counts HAN_WEIGHT)."""
    han = len(_HAN.findall(text))
    return len(text) - han + han * HAN_WEIGHT


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without its outer whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _cut(text: str, start: int, end: int, level: int) -> list[tuple[int, int]]:
    """The span cut at every boundary of the given level."""
    if level == 3:
        # Last resort between characters, only where a Han character is on either side:
        # Chinese has no spaces, and a Latin word must never be cut.
        cuts = [i for i in range(start + 1, end) if is_han(text[i - 1]) or is_han(text[i])]
    else:
        pattern = (_SENTENCE_END, _CLAUSE_END, _SPACE)[level]
        cuts = [m.end() for m in pattern.finditer(text, start, end) if start < m.end() < end]
    bounds = [start, *cuts, end]
    return [s for a, b in zip(bounds, bounds[1:]) if (s := _trim(text, a, b))]


def _split(text: str, start: int, end: int, limit: float, level: int) -> list[tuple[int, int]]:
    pieces = _cut(text, start, end, level)
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if text_length(text[s:e]) > limit and level < 3:
            out.extend(_split(text, s, e, limit, level + 1))
        else:
            out.append((s, e))
    # Pack neighbours back together while they fit: short sentences share a chunk.
    packed: list[tuple[int, int]] = []
    for s, e in out:
        # a blank line always ends a chunk, so the paragraph gets its own pause
        if packed and text_length(text[packed[-1][0]:e]) <= limit and not _PARAGRAPH.match(text, packed[-1][1]):
            packed[-1] = (packed[-1][0], e)
        else:
            packed.append((s, e))
    return packed


def sentence_spans(text: str, max_chars: float = DEFAULT_MAX_CHARS) -> list[tuple[int, int]]:
    """(start, end) spans of the chunks ``split_sentences`` returns, in order.

    Cuts at sentence ends, then clause marks, then spaces, then (Chinese only) between characters;
    never inside a Latin word, so a single word longer than ``max_chars`` stays one chunk.
    """
    if max_chars <= 0:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    whole = _trim(text, 0, len(text))
    if whole is None:
        return []
    return _split(text, whole[0], whole[1], max_chars, 0)


def split_sentences(text: str, max_chars: float = DEFAULT_MAX_CHARS) -> list[str]:
    """Chunks of ``text`` of at most ``max_chars`` (Han characters weigh 2.5) where possible.

    Joining the chunks gives back the text, up to whitespace between them.
    """
    return [text[s:e] for s, e in sentence_spans(text, max_chars)]


BOUNDARIES = ("word", "comma", "clause", "sentence", "paragraph", "end")
_COMMA = frozenset(",，、")
_CLAUSE = frozenset(";:—；：")
_CLOSERS = "\"'”’)]）」』"


def boundary(text: str, end: int) -> str:
    """What kind of break follows the chunk that ends at ``end``: how long a listener expects the
    voice to pause there. 'end' after the last chunk; 'paragraph' at a blank line; 'sentence',
    'clause' or 'comma' by the chunk's last mark; 'word' where a long clause had to be cut at a space."""
    if not text[end:].strip():
        return "end"
    if _PARAGRAPH.match(text, end):
        return "paragraph"
    last = text[:end].rstrip().rstrip(_CLOSERS)[-1:]
    if _SENTENCE_END.match(last) or last in "。！？" or text[end:end + 1] == "\n":
        return "sentence"
    return "comma" if last in _COMMA else "clause" if last in _CLAUSE else "word"
