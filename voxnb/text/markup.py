"""Inline pronunciation markup (CosyVoice style), parsed into positioned items.

    报道[j][ǐ]予好评          the syllable jǐ is spoken where the brackets stand (they replace a character)
    [hao4] or [h][ao4]        the same, with a tone digit (5 = neutral)
    [M][AY0][N][UW1][T]       ARPAbet phones spoken in place of a word (vowels carry stress 0/1/2)
    [breath] [sigh] [laughter] [cough]   paralinguistic tags
    <strong>...</strong>      emphasis

A run of brackets with nothing between them is one group. HTML tags and the content of
<script>/<style> are recognised too, so a bracket inside them is never taken for markup; they
become ``Dropped`` items. Positions are 0-based indices into the original string.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..errors import MarkupError


@dataclass(frozen=True)
class Plain:
    """Ordinary text to normalize and read."""
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Pinyin:
    """Syllables in TONE3 form ('hao4', 'lv4', 'de5') spoken instead of characters."""
    syllables: tuple[str, ...]
    source: str
    start: int
    end: int


@dataclass(frozen=True)
class Arpabet:
    """CMU phones ('M', 'AY0', ...) spoken instead of a word."""
    phones: tuple[str, ...]
    source: str
    start: int
    end: int


@dataclass(frozen=True)
class Tag:
    """A paralinguistic tag ('breath', 'laughter', 'cough', 'sigh') or emphasis ('strong', '/strong')."""
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Dropped:
    """Markup that is never spoken: an HTML tag, comment, or script/style element."""
    source: str
    start: int
    end: int


Item = Plain | Pinyin | Arpabet | Tag | Dropped

PARALINGUISTIC_TAGS = ("breath", "laughter", "cough", "sigh")
ARPABET_VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
ARPABET_CONSONANTS = frozenset("B CH D DH F G HH JH K L M N NG P R S SH T TH V W Y Z ZH".split())
PINYIN_INITIALS = frozenset("b p m f d t n l g k h j q x zh ch sh r z c s y w".split())

FIX = ("Write pinyin like [h][ào] or [hao4] (tone 1-5), ARPAbet like [M][AY0][N][UW1][T] "
       "(vowels with stress 0/1/2), or a tag: " + ", ".join(f"[{t}]" for t in PARALINGUISTIC_TAGS) + ".")


def _hint():
    """FIX as a message by key, so the dashboard and the CLI can show it in Chinese."""
    from ..messages import Msg

    return Msg("text.markup_hint", tags=[f"[{t}]" for t in PARALINGUISTIC_TAGS])

_SCAN = re.compile(
    r"(?P<raw><(?P<rawtag>script|style)\b[^>]*>.*?(?:</(?P=rawtag)\s*>|$)|<!--.*?(?:-->|$))"
    r"|(?P<strong><strong\s*>)|(?P<endstrong></strong\s*>)"
    r"|(?P<html></?[A-Za-z][^<>]*>)"
    r"|(?P<open>\[)|(?P<close>\])",
    re.I | re.S,
)


@lru_cache(maxsize=1)
def pinyin_inventory() -> frozenset[str]:
    """Every toneless Mandarin syllable pypinyin knows ('hao', 'lv', 'ju', ...); loaded on first use."""
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict
    return frozenset(to_normal(p) for readings in pinyin_dict.values() for p in readings.split(","))


def _tone3(token: str) -> str:
    """'ào' -> 'ao4', 'lǜ' -> 'lv4', 'hao4' -> 'hao4'; a toneless token comes back toneless."""
    from pypinyin.contrib.tone_convert import to_tone3
    return to_tone3(token.lower().replace("u:", "v").replace("ü", "v")) if not token[-1:].isdigit() \
        else token.lower().replace("u:", "v").replace("ü", "v")


def _syllable(body: str, tone: str, position: int) -> str:
    # j q x y write ü as u (ju, que, yuan); pypinyin's inventory spells them that way.
    if body[:1] in "jqxy" and "v" in body:
        body = body.replace("v", "u")
    if body not in pinyin_inventory():
        raise MarkupError(key="text.mandarin_syllable", position=position, body=body, tone=tone, hint=_hint())
    return body + tone


def _parse_pinyin(tokens: list[tuple[str, int]]) -> tuple[str, ...]:
    """Group tokens -> syllables: each is a full syllable, or an initial then a final."""
    syllables, pending = [], None
    for token, pos in tokens:
        if not re.fullmatch(r"[a-zü:āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿêế̄̌]+[1-5]?", token.lower()):
            raise MarkupError(key="text.pinyin", position=pos, token=token, hint=_hint())
        spelled = _tone3(token)
        body, tone = spelled.rstrip("12345"), spelled[len(spelled.rstrip("12345")):]
        if pending is not None:
            if not tone:
                raise MarkupError(key="text.final_tone", position=pos, token=token, hint=_hint())
            syllables.append(_syllable(pending[0] + body, tone, pending[1]))
            pending = None
        elif not tone and body in PINYIN_INITIALS:
            pending = (body, pos)
        elif not tone:
            raise MarkupError(key="text.pinyin_tone", position=pos, token=token, hint=_hint())
        else:
            syllables.append(_syllable(body, tone, pos))
    if pending is not None:
        raise MarkupError(key="text.initial_final_after", position=pending[1], pending=pending[0], hint=_hint())
    return tuple(syllables)


def _parse_arpabet(tokens: list[tuple[str, int]]) -> tuple[str, ...]:
    for token, pos in tokens:
        base, stress = re.fullmatch(r"([A-Z]+)(\d?)", token).groups()
        if base in ARPABET_VOWELS and not stress:
            raise MarkupError(key="text.arpabet_vowel_stress_digit", position=pos, token=token, hint=_hint())
        if not ((base in ARPABET_VOWELS and stress in ("0", "1", "2"))
                or (base in ARPABET_CONSONANTS and not stress)):
            raise MarkupError(key="text.arpabet_phone", position=pos, token=token, hint=_hint())
    return tuple(token for token, _ in tokens)


def _group(tokens: list[tuple[str, int]], text: str) -> Pinyin | Arpabet:
    """One run of adjacent bracket tokens -> a Pinyin or Arpabet item."""
    start = tokens[0][1]
    end = text.index("]", tokens[-1][1]) + 1
    is_arpabet = [bool(re.fullmatch(r"[A-Z]+\d?", t)) for t, _ in tokens]
    if any(is_arpabet) and not all(is_arpabet):
        odd = next(pos for (t, pos), a in zip(tokens, is_arpabet) if a != is_arpabet[0])
        raise MarkupError(key="text.bracket_group_mixes_pinyin", position=odd, hint=_hint())
    if is_arpabet[0]:
        return Arpabet(_parse_arpabet(tokens), text[start:end], start, end)
    return Pinyin(_parse_pinyin(tokens), text[start:end], start, end)


def parse_markup(text: str) -> list[Item]:
    """Items covering ``text`` in order; raises MarkupError at the first malformed markup."""
    items: list[Item] = []
    plain_start = 0
    group: list[tuple[str, int]] = []     # (token, position of its '[') for the run being read
    strong_open: list[int] = []

    def flush_plain(upto: int):
        if upto > plain_start:
            items.append(Plain(text[plain_start:upto], plain_start, upto))

    def flush_group():
        if group:
            items.append(_group(group, text))
            group.clear()

    pos = 0
    while (m := _SCAN.search(text, pos)):
        # The raw alternative nests a group, so lastgroup may name the inner one.
        kind = "raw" if m.group("raw") is not None else m.lastgroup
        if group and (m.start() != pos or kind != "open"):
            flush_group()
            plain_start = pos
        if kind == "close":
            raise MarkupError(key="text.before", position=m.start(), hint=_hint())
        flush_plain(m.start())
        if kind == "open":
            close = text.find("]", m.end())
            reopen = text.find("[", m.end())
            if close < 0 or 0 <= reopen < close:
                raise MarkupError(key="text.never_closed", position=m.start(), hint=_hint())
            token = text[m.end():close].strip()
            if not token:
                raise MarkupError(key="text.empty_brackets", position=m.start(), hint=_hint())
            if token.lower() in PARALINGUISTIC_TAGS:
                flush_group()
                items.append(Tag(token.lower(), m.start(), close + 1))
            else:
                group.append((token, m.start()))
            pos = plain_start = close + 1
            continue
        if kind == "strong":
            strong_open.append(m.start())
            items.append(Tag("strong", m.start(), m.end()))
        elif kind == "endstrong":
            if not strong_open:
                raise MarkupError(key="text.strong_strong_before", position=m.start())
            strong_open.pop()
            items.append(Tag("/strong", m.start(), m.end()))
        else:
            items.append(Dropped(m.group(0), m.start(), m.end()))
        pos = plain_start = m.end()
    flush_group()
    if strong_open:
        raise MarkupError(key="text.strong_never_closed", position=strong_open[-1])
    flush_plain(len(text))
    return items
