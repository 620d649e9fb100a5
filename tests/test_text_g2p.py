import pytest

from voxnb.text.g2p_en import ARPABET_CONSONANTS, ARPABET_VOWELS, arpabet_to_misaki, english_phonemes
from voxnb.text.g2p_zh import FINALS, INITIALS, mandarin_phonemes, pinyin_to_ipa, pinyin_words
from voxnb.text.markup import pinyin_inventory
from voxnb.text.vocab import kokoro_vocab, out_of_vocab


def _syllables(text):
    return [s for _, syl in pinyin_words(text) for s in syl]


def test_vocab_is_the_model_alphabet():
    vocab = kokoro_vocab()
    assert len(vocab) == 114 and {" ", "↓", "→", "↗", "↘", "ʰ", "…"} <= vocab


def test_polyphones_by_context():
    assert _syllables("我去银行") == ["wo3", "qu4", "yin2", "hang2"]
    assert _syllables("他在行走") == ["ta1", "zai4", "xing2", "zou3"]


@pytest.mark.parametrize("text, expected", [
    ("你好", ["ni2", "hao3"]),
    ("我很好", ["wo3", "hen2", "hao3"]),
    ("不对", ["bu2", "dui4"]),
    ("不好", ["bu4", "hao3"]),
    ("一样", ["yi2", "yang4"]),
    ("一天", ["yi4", "tian1"]),
    ("第一", ["di4", "yi1"]),
    ("看一看", ["kan4", "yi5", "kan4"]),
    ("好了", ["hao3", "le5"]),
])
def test_tone_sandhi_and_neutral_tone(text, expected):
    assert _syllables(text) == expected


@pytest.mark.parametrize("syllable, ipa", [
    ("ba1", "pa→"), ("pa2", "pʰa↗"), ("hao3", "xau↓"), ("zhang4", "ʈʂaŋ↘"), ("de5", "tɤ"),
    ("lv4", "ly↘"), ("ju3", "ʨy↓"), ("yuan2", "ɥɛn↗"), ("zi3", "ʦɨ↓"), ("shi4", "ʂɻ↘"),
    ("liu2", "ljou↗"), ("gui4", "kwei↘"), ("er2", "ɚ↗"), ("xiong2", "ɕjʊŋ↗"),
])
def test_pinyin_to_ipa(syllable, ipa):
    assert pinyin_to_ipa(syllable) == ipa


def test_every_pinyin_syllable_maps_into_vocab():
    for body in pinyin_inventory():
        for tone in "12345":
            ipa = pinyin_to_ipa(body + tone)
            assert ipa and not out_of_vocab(ipa), (body, ipa)


def test_tables_use_vocab_symbols_only():
    assert not out_of_vocab("".join(INITIALS.values()) + "".join(FINALS.values()))
    assert not out_of_vocab("".join(ARPABET_VOWELS.values()) + "".join(ARPABET_CONSONANTS.values()))


def test_pinyin_to_ipa_rejects_garbage():
    with pytest.raises(ValueError):
        pinyin_to_ipa("h4o")


def test_mandarin_phonemes_punctuation_becomes_ascii():
    assert mandarin_phonemes("你好，世界！") == "ni↗xau↓, ʂɻ↘ʨjɛ↘!"


def test_english_phonemes_from_hibari():
    assert english_phonemes("minute") == "mˈɪnət"
    assert english_phonemes("") == ""


def test_arpabet_stress_goes_before_the_vowel():
    assert arpabet_to_misaki(["M", "AY1", "N", "AH0", "T"]) == "mˈInət"      # minute (time)
    assert arpabet_to_misaki(["M", "AY0", "N", "UW1", "T"]) == "mInˈut"      # minute (tiny)
    assert arpabet_to_misaki(["B", "ER1", "D", "ER0"]) == english_phonemes("birder")
    assert arpabet_to_misaki(["HH", "AH0", "L", "OW1"]) == english_phonemes("hello")
    assert arpabet_to_misaki(["S", "IH2", "T", "IY1"]) == "sˌɪtˈi"


def test_a_sentence_starts_with_a_stressed_word():
    # misaki's secondary stress on a leading "Our" made Kokoro say something tiny.en heard as "or"
    from voxnb.text.g2p_en import english_phonemes

    assert english_phonemes("Our neighbors planted trees.").startswith("ˈWəɹ ")
    assert english_phonemes("We left. Our car was old.").split(". ")[1].startswith("ˈWəɹ ")
    assert english_phonemes("Hello there.") == "həlˈO ðˈɛɹ."
