"""English text -> misaki phonemes (hibari's port of misaki), and ARPAbet overrides -> misaki."""
from __future__ import annotations

import re
from functools import lru_cache

# CMU ARPAbet -> misaki (American). Diphthongs are misaki's one-letter symbols (AY -> I, OW -> O).
ARPABET_VOWELS = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "W", "AY": "I", "EH": "ɛ", "ER": "ɜɹ",
    "EY": "A", "IH": "ɪ", "IY": "i", "OW": "O", "OY": "Y", "UH": "ʊ", "UW": "u",
}
# Unstressed AH and ER are reduced vowels in misaki, as in its lexicon ("minute" mˈɪnət).
ARPABET_UNSTRESSED = {"AH": "ə", "ER": "əɹ"}
ARPABET_CONSONANTS = {
    "B": "b", "CH": "ʧ", "D": "d", "DH": "ð", "F": "f", "G": "ɡ", "HH": "h", "JH": "ʤ", "K": "k",
    "L": "l", "M": "m", "N": "n", "NG": "ŋ", "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t",
    "TH": "θ", "V": "v", "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ",
}
# misaki puts the stress mark right before the stressed vowel.
STRESS_MARKS = {"0": "", "1": "ˈ", "2": "ˌ"}


@lru_cache(maxsize=1)
def _g2p():
    # Loading the lexicons and tagger takes ~0.6 s: done once, on first use.
    from hibari.g2p import G2P
    return G2P()


def english_phonemes(text: str) -> str:
    """misaki phonemes for normalized English text ('Hello there.' -> 'həlˈO ðˈɛɹ.')."""
    text = text.strip()
    return _stress_first_word(_g2p()(text)) if text else ""


def _stress_first_word(phonemes: str) -> str:
    """A sentence's first word carries a stress: misaki gives a leading possessive only a secondary
    one ("Our neighbours" -> ˌWəɹ), which Kokoro reduces until listeners and Whisper hear "or"."""
    def promote(m: re.Match) -> str:
        word = m.group(2)
        return m.group(1) + (word.replace("ˌ", "ˈ", 1) if "ˌ" in word and "ˈ" not in word else word)

    return re.sub(r"(^|[.!?…] )([^ .,!?…]+)", promote, phonemes)


def arpabet_to_misaki(phones: tuple[str, ...] | list[str]) -> str:
    """('M', 'AY0', 'N', 'UW1', 'T') -> 'mInˈut'. Phones must be valid (see markup.py)."""
    out = []
    for phone in phones:
        base, stress = phone.rstrip("012"), phone[len(phone.rstrip("012")):]
        if base in ARPABET_CONSONANTS:
            out.append(ARPABET_CONSONANTS[base])
        elif stress == "0" and base in ARPABET_UNSTRESSED:
            out.append(ARPABET_UNSTRESSED[base])
        else:
            out.append(STRESS_MARKS[stress] + ARPABET_VOWELS[base])
    return "".join(out)
