import random
import re

import pytest

import voxnb.text as text_api
from voxnb.errors import MarkupError, TextError
from voxnb.text import MAX_PHONEMES, MAX_TEXT_CHARS, Chunk, phonemize
from voxnb.text.vocab import kokoro_vocab


def _phonemes(text, lang="auto"):
    return " ".join(c.phonemes for c in phonemize(text, lang))


def _all_in_vocab(chunks):
    vocab = kokoro_vocab()
    return all(set(c.phonemes) <= vocab and all(set(s.phonemes) <= vocab for s in c.segments) for c in chunks)


def test_public_api():
    assert set(text_api.__all__) >= {"phonemize", "normalize", "split_sentences", "detect_language", "Chunk",
                                     "Segment", "MAX_TEXT_CHARS", "parse_markup"}


def test_english_sentence():
    (chunk,) = phonemize("Hello there.")
    assert isinstance(chunk, Chunk)
    assert chunk.phonemes == "həlˈO ðˈɛɹ."
    assert [s.lang for s in chunk.segments] == ["en"]


def test_numbers_are_normalized_before_g2p():
    (chunk,) = phonemize("It costs $3.50.")
    assert chunk.segments[0].text == "It costs three dollars and fifty cents."
    assert "dˈɑləɹz" in chunk.phonemes


def test_mandarin_sentence():
    (chunk,) = phonemize("你好，世界。")
    assert chunk.phonemes == "ni↗xau↓, ʂɻ↘ʨjɛ↘."
    assert chunk.segments[0].lang == "zh"


def test_mixed_sentence_two_segments():
    (chunk,) = phonemize("我喜欢 music")
    assert [(s.lang, s.text) for s in chunk.segments] == [("zh", "我喜欢"), ("en", "music")]
    assert chunk.phonemes == "wo↗ ɕi↓xwan→ mjˈuzɪk"


def test_lang_decides_numbers():
    assert "θɹˈi" in _phonemes("3", "en")
    assert _phonemes("3", "zh") == "san→"
    assert _phonemes("3") == "θɹˈi"


def test_pinyin_override_spellings_agree():
    a, b, c = (_phonemes(f"报道{m}予好评") for m in ("[j][ǐ]", "[ji3]", "[jǐ]"))
    assert a == b == c
    assert "ʨi↓" in a


def test_pinyin_override_same_as_reading_the_character():
    assert _phonemes("[h][ào]") == _phonemes("[hao4]") == "xau↘"


def test_arpabet_override():
    ph = _phonemes("A [M][AY0][N][UW1][T] detail.")
    assert "mInˈut" in ph
    assert _phonemes("[M][AY1][N][AH0][T]") == "mˈInət"     # stress mark before the AY vowel


def test_breath_is_a_pause_other_tags_warn():
    (chunk,) = phonemize("[breath] Hi [laughter] <strong>there</strong>.")
    assert chunk.phonemes.startswith("…")
    assert "lˈæftəɹ" not in chunk.phonemes and "laughter" not in chunk.phonemes
    assert len(chunk.warnings) == 2
    assert any("[laughter]" in w for w in chunk.warnings)


def test_html_script_spoken_as_nothing():
    assert _phonemes("<script>alert(1)</script>Hello") == _phonemes("Hello") == "həlˈO"


def test_emoji_and_control_characters_dropped():
    assert _phonemes("Hello 😀\x07\u200b") == "həlˈO"


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text(text):
    with pytest.raises(TextError, match="empty") as info:
        phonemize(text)
    assert info.value.fix


@pytest.mark.parametrize("text", ["😀👍", "\x07\x1b", "<b></b>", "...!?"])
def test_nothing_speakable(text):
    with pytest.raises(TextError, match="nothing speakable"):
        phonemize(text)


def test_unknown_language():
    with pytest.raises(TextError, match="'fr'") as info:
        phonemize("hi", "fr")
    assert "'en'" in info.value.fix and "'zh'" in info.value.fix


def test_too_long():
    with pytest.raises(TextError, match="20,000") as info:
        phonemize("a " * (MAX_TEXT_CHARS // 2 + 1))
    assert "Split" in info.value.fix


def test_markup_error_position_is_in_original_text():
    text = "It costs $3.50 today. 你好 [q][ong1]"
    with pytest.raises(MarkupError) as info:
        phonemize(text)
    assert info.value.position == text.index("[q]")


def test_markup_spanning_chunks():
    text = "<strong>" + "This is a sentence. " * 30 + "</strong>"
    chunks = phonemize(text)
    assert len(chunks) > 1


def test_every_symbol_in_vocab():
    text = ("Dr. Smith paid €12.5 at 10:45 am on 2024-05-04 — “wow”! (Really?) 我在2024年5月4日花了¥30，"
            "温度20℃，湿度50%。女儿说：“绿色的！” 嗯。 [breath] [lü4] [M][AY0][N][UW1][T] Ça va? naïve café")
    chunks = phonemize(text)
    assert _all_in_vocab(chunks)


def test_20000_chars_fast_complete_and_bounded():
    random.seed(2)
    pieces = ["The quick brown fox, 3 years old, jumped over 12 lazy dogs on May 4th. ",
              "我们今天去银行取了1000元，然后散步了2个小时。", "我喜欢 Python programming，因为它很 simple。",
              "1234567890123456789 ", "没有标点的很长的中文句子" * 5, "\n"]
    text = ""
    while len(text) < MAX_TEXT_CHARS - 200:
        text += random.choice(pieces)
    chunks = phonemize(text)
    assert re.sub(r"\s", "", "".join(c.text for c in chunks)) == re.sub(r"\s", "", text)
    assert all(0 < len(c.phonemes) <= MAX_PHONEMES for c in chunks)
    assert _all_in_vocab(chunks)


def test_giant_number_is_split_by_phonemes():
    chunks = phonemize("9" * 300)
    assert len(chunks) > 1
    assert all(len(c.phonemes) <= MAX_PHONEMES for c in chunks)
    assert "".join(c.text for c in chunks) == "9" * 300
