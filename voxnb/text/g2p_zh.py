"""Mandarin text -> pinyin -> phonemes in the alphabet Kokoro v1.0 reads.

Words come from jieba (so pypinyin can pick a polyphone's reading by phrase: 银行 háng, 行走
xíng); tone sandhi for 不, 一 and third tones is applied here over the whole sentence, because
pypinyin's own sandhi only sees one word at a time (it leaves 我很好 and 不对 untouched).

Pinyin -> IPA follows the misaki zh convention Kokoro v1.0 was trained with: initial + final in
IPA, then the tone as an arrow (1 →, 2 ↗, 3 ↓, 4 ↘, neutral nothing), words separated by spaces.
Where misaki's IPA has a symbol outside the model's vocab (syllabic ɹ̩/ʐ̩ after z c s / zh ch sh r)
we use the nearest one in it (ɨ / ɻ). Every symbol used is checked against vocab.json in tests.
"""
from __future__ import annotations

import logging
import re
import warnings
from functools import lru_cache

from .split import is_han

INITIALS = {
    "b": "p", "p": "pʰ", "m": "m", "f": "f", "d": "t", "t": "tʰ", "n": "n", "l": "l",
    "g": "k", "k": "kʰ", "h": "x", "j": "ʨ", "q": "ʨʰ", "x": "ɕ",
    "zh": "ʈʂ", "ch": "ʈʂʰ", "sh": "ʂ", "r": "ɻ", "z": "ʦ", "c": "ʦʰ", "s": "s",
}
# Keyed by pypinyin's strict finals (yuan -> van, liu -> iou, gui -> uei, lun -> uen).
FINALS = {
    "a": "a", "o": "wo", "e": "ɤ", "ê": "ɛ", "i": "i", "u": "u", "v": "y",
    "ai": "ai", "ei": "ei", "ao": "au", "ou": "ou",
    "an": "an", "en": "ən", "ang": "aŋ", "eng": "əŋ", "ong": "ʊŋ", "er": "ɚ",
    "ia": "ja", "ie": "jɛ", "iao": "jau", "iou": "jou", "io": "jo",
    "ian": "jɛn", "in": "in", "iang": "jaŋ", "ing": "iŋ", "iong": "jʊŋ",
    "ua": "wa", "uo": "wo", "uai": "wai", "uei": "wei", "uan": "wan", "uen": "wən",
    "uang": "waŋ", "ueng": "wəŋ", "ve": "ɥɛ", "van": "ɥɛn", "vn": "yn",
}
# The apical vowel written "i" after sibilants and retroflexes.
_APICAL = {"z": "ɨ", "c": "ɨ", "s": "ɨ", "zh": "ɻ", "ch": "ɻ", "sh": "ɻ", "r": "ɻ"}
# Syllabic nasals in interjections (嗯 n, 呣 m, 哼 hng) have no final.
_NASAL_SYLLABLES = {"m": "m", "n": "n", "ng": "ŋ", "hm": "hm", "hng": "hŋ"}
TONES = {"1": "→", "2": "↗", "3": "↓", "4": "↘", "5": ""}
# Chinese punctuation -> the ASCII marks in the vocab.
PUNCTUATION = {"，": ",", "。": ".", "！": "!", "？": "?", "、": ",", "；": ";", "：": ":", "…": "…",
               ",": ",", ".": ".", "!": "!", "?": "?", ";": ";", ":": ":", "—": "—", "-": ",",
               "“": "“", "”": "”", "\"": "\"", "（": "(", "）": ")", "(": "(", ")": ")",
               "《": "“", "》": "”", "「": "“", "」": "”", "『": "“", "』": "”", "～": "—", "~": "—"}

_SYLLABLE = re.compile(r"^[a-zêü]+[1-5]$")
_CN_NUMERALS = set("零〇一二三四五六七八九十百千万亿幺两")


@lru_cache(maxsize=1)
def _tokenizer():
    with warnings.catch_warnings():
        # jieba imports pkg_resources, which warns about its own deprecation.
        warnings.simplefilter("ignore", UserWarning)
        import jieba
    # A private tokenizer, so we never change jieba's shared default; its one-time "Building
    # prefix dict" chatter goes to a logger we quieten here, on first use, not at import.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=1)
def _pinyin_module():
    import pypinyin
    return pypinyin


def _word_pinyin(word: str) -> list[str]:
    """TONE3 syllables (neutral tone 5) of one word of Han characters, without sandhi."""
    pypinyin = _pinyin_module()
    out = pypinyin.lazy_pinyin(word, style=pypinyin.Style.TONE3, neutral_tone_with_five=True,
                               errors=lambda chars: [""] * len(chars))
    return [s if _SYLLABLE.match(s) else "" for s in out]


def _sandhi(words: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """不, 一 and third-tone sandhi over one stretch of words (no punctuation inside)."""
    chars = [c for w, _ in words for c in w]
    tones = [s for _, syl in words for s in syl]
    original = list(tones)
    for i, (char, syl) in enumerate(zip(chars, original)):
        nxt = original[i + 1] if i + 1 < len(original) else ""
        prev = chars[i - 1] if i else ""
        if char == "不" and syl == "bu4" and nxt.endswith("4"):
            tones[i] = "bu2"                                     # 不对 bú duì
        elif char == "一" and syl.startswith("yi"):
            nxt_char = chars[i + 1] if i + 1 < len(chars) else ""
            if prev == "第" or not nxt or nxt_char in _CN_NUMERALS - {"百", "千", "万", "亿", "十"}:
                tones[i] = "yi1"                                 # 第一, 一二三: counting keeps tone 1
            elif prev and prev == nxt_char:
                tones[i] = "yi5"                                 # 看一看
            elif nxt.endswith("4") or nxt.endswith("5"):
                tones[i] = "yi2"                                 # 一样 yí yàng
            else:
                tones[i] = "yi4"                                 # 一天 yì tiān
    # Third tone before a third tone becomes second. Inside a word every 3-3 pair changes
    # (展览馆 zhǎn lǎn guǎn -> zhán lán guǎn); across words only where one side is a single
    # syllable, read right to left, which is how short phrases group (我很好 wǒ hén hǎo).
    bounds, pos = [], 0
    for _, syl in words:
        bounds.append((pos, pos + len(syl)))
        pos += len(syl)
    for start, end in bounds:
        for i in range(start, end - 1):
            if tones[i].endswith("3") and tones[i + 1].endswith("3"):
                tones[i] = tones[i][:-1] + "2"
    for k in range(len(bounds) - 2, -1, -1):
        (s1, e1), (s2, e2) = bounds[k], bounds[k + 1]
        if e1 - s1 and e2 - s2 and tones[e1 - 1].endswith("3") and tones[s2].endswith("3") \
                and (e1 - s1 == 1 or e2 - s2 == 1):
            tones[e1 - 1] = tones[e1 - 1][:-1] + "2"
    return [(w, tones[s:e]) for (w, _), (s, e) in zip(words, bounds)]


def pinyin_words(text: str) -> list[tuple[str, list[str]]]:
    """(word, TONE3 syllables) for Mandarin text, tone sandhi applied; punctuation and other
    non-Han tokens come through with no syllables."""
    out: list[tuple[str, list[str]]] = []
    stretch: list[tuple[str, list[str]]] = []
    for word in _tokenizer().lcut(text):
        if word and all(is_han(c) for c in word):
            stretch.append((word, _word_pinyin(word)))
            continue
        out += _sandhi(stretch) if stretch else []
        stretch = []
        out.append((word, []))
    return out + (_sandhi(stretch) if stretch else [])


@lru_cache(maxsize=4096)
def pinyin_to_ipa(syllable: str) -> str:
    """One TONE3 syllable ('zhang1', 'lv4', 'de5') as IPA with a tone arrow ('ʈʂaŋ→').

    Raises ValueError for something that is not a Mandarin syllable.
    """
    m = re.fullmatch(r"([a-zêü]+)([1-5]?)", syllable.replace("ü", "v").replace("u:", "v"))
    if not m:
        raise ValueError(f"not a pinyin syllable: {syllable!r}")
    body, tone = m.group(1), TONES[m.group(2) or "5"]
    if body in _NASAL_SYLLABLES:
        return _NASAL_SYLLABLES[body] + tone
    convert = _pinyin_module().contrib.tone_convert
    initial = convert.to_initials(body, strict=True)
    final = convert.to_finals(body, strict=True)
    if initial not in INITIALS and initial != "":
        raise ValueError(f"not a pinyin syllable: {syllable!r}")
    if body == "yo":
        final_ipa = "jo"                                         # 哟 yo
    elif final == "i" and initial in _APICAL:
        final_ipa = _APICAL[initial]
    elif final == "o" and initial in ("", "l", "y"):
        final_ipa = "o"                                          # 哦 o, 咯 lo: no labial glide
    elif final in FINALS:
        final_ipa = FINALS[final]
    else:
        raise ValueError(f"not a pinyin syllable: {syllable!r}")
    return INITIALS.get(initial, "") + final_ipa + tone


@lru_cache(maxsize=1)
def _chars_by_reading() -> dict[str, list[str]]:
    """TONE3 syllable -> the Han characters pypinyin knows with that reading (first reading first)."""
    from pypinyin.contrib.tone_convert import to_tone3
    from pypinyin.pinyin_dict import pinyin_dict

    index: dict[str, list[str]] = {}
    for code, readings in pinyin_dict.items():
        for reading in readings.split(","):
            index.setdefault(to_tone3(reading, neutral_tone_with_five=True), []).append(chr(code))
    return index


def context_char(syllable: str, neighbour: str, precedes: bool) -> str:
    """A Han character read ``syllable`` that forms a word with ``neighbour`` (it comes before the
    neighbour if ``precedes``), or ''. Pronunciation markup takes the place of a character; putting one
    back that makes a word with the text beside it lets jieba and pypinyin read that text in context:
    in 报道[j][ǐ]予好评, 给 (jǐ) before 予 makes 给予 and 予 is read yǔ, not the yú it has alone."""
    from pypinyin.contrib.tone_convert import to_tone3
    from pypinyin.phrases_dict import phrases_dict

    for char in _chars_by_reading().get(syllable, ()):
        word = char + neighbour if precedes else neighbour + char
        readings = phrases_dict.get(word)
        if readings and to_tone3(readings[0 if precedes else 1][0], neutral_tone_with_five=True) == syllable:
            return char
    return ""


def mandarin_phonemes(text: str, before: str = "", after: str = "") -> str:
    """Phonemes for normalized Mandarin text (numbers already written in Chinese characters).

    ``before`` and ``after`` are characters read with the text, for its words and tone sandhi, but not
    spoken (voxnb.text.g2p_zh.context_char: what stands where pronunciation markup was)."""
    parts: list[str] = []
    first, last = len(before), len(before) + len(text)
    pos = 0
    for word, syllables in pinyin_words(before + text + after):
        span = range(pos, pos + len(word))
        pos += len(word)
        if syllables:
            kept = [s for i, s in zip(span, syllables) if first <= i < last and s]
            ipa = "".join(pinyin_to_ipa(s) for s in kept)
            if ipa:
                parts.append(" " + ipa)
        elif first <= span.start < last:
            # Punctuation sticks to the word before it; other symbols are not spoken.
            marks = "".join(PUNCTUATION.get(c, "") for c in word)
            if marks:
                parts.append(marks)
    return "".join(parts).strip()
