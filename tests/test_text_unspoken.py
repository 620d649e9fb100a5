"""Nothing in a text is dropped in silence: what cannot be said is reported (which, where, what was done),
refusals say what the text held, runs longer than any word are refused, and markup keeps its context."""
import subprocess
import sys

import pytest

from voxnb.errors import MarkupError, TextError
from voxnb.text import phonemize
from voxnb.text.chunks import text_chunks
from voxnb.text.g2p_en import english_phonemes
from voxnb.text.unspoken import find_unspoken


def notes(text, chunker=phonemize):
    return [w for c in chunker(text) for w in c.warnings]


@pytest.mark.parametrize("chunker", [phonemize, text_chunks])
@pytest.mark.parametrize("text, expected", [
    ("Hello مرحبا world, how are you?", "Not spoken: Arabic 'مرحبا' (characters 7-11); voxnb reads English and Mandarin only"),
    ("I like すし very much.", "Japanese kana 'すし' (characters 8-9)"),
    ("Say Привет мир to them.", "Cyrillic 'Привет мир' (characters 5-14)"),
    ("안녕하세요 hello", "Korean Hangul '안녕하세요' (characters 1-5)"),
    ("Great job 👍🏽 everyone", "Not spoken: emoji or symbols '👍🏽' (characters 11-12); they have no spoken form here"),
    ("bell\x07ring", "control characters U+0007 (character 5)"),
])
def test_what_cannot_be_said_is_reported_with_its_place(text, expected, chunker):
    found = notes(text, chunker)
    assert len(found) == 1 and expected in found[0] and found[0].endswith("so they were left out."), found


def test_left_out_letters_are_not_spelled_as_noise():
    chunks = phonemize("Hello مرحبا world")
    assert chunks[0].phonemes == english_phonemes("Hello world")
    assert phonemize("Say Привет now")[0].phonemes == english_phonemes("Say now")


def test_several_kinds_in_one_text_are_grouped_in_one_note_per_chunk():
    found = notes("Hi すし and 😀 and مرحبا there.")
    assert len(found) == 1
    assert "Japanese kana 'すし' (characters 4-5), emoji or symbols '😀' (character 11), Arabic 'مرحبا'" in found[0]


@pytest.mark.parametrize("chunker", [phonemize, text_chunks])
def test_a_chunk_of_only_unspeakable_text_passes_its_note_on(chunker):
    chunks = chunker("😀😀. Goodbye now, see you soon. Then more words here. مرحبا بالعالم.", first_chars=5,
                     max_chars=30)
    found = [w for c in chunks for w in c.warnings]
    assert any("emoji or symbols '😀😀'" in w for w in chunks[0].warnings)
    assert any("Arabic 'مرحبا بالعالم'" in w for w in chunks[-1].warnings) and len(found) == 2


def test_what_can_be_said_gets_no_note():
    for text in ("café naïve Việt façade", "温度是 25°C，价格 ¥30。", "3½ km², © 2024 ACME™", "zero\u200bwidth soft\u00adhyphen"):
        assert notes(text) == [], text
    assert find_unspoken("plain English, nothing else.") == []


@pytest.mark.parametrize("text, expected", [
    ("مرحبا بالعالم", "it is written in Arabic ('مرحبا بالعالم'), and voxnb reads English and Mandarin only"),
    ("すしとてんぷら", "it is written in Japanese kana"),
    ("😀 👍", "it holds only emoji or symbols '😀 👍' (characters 1-3)"),
    ("... !!! ???", "it holds only punctuation, symbols or markup ('... !!! ???')"),
])
@pytest.mark.parametrize("chunker", [phonemize, text_chunks])
def test_refusals_say_what_the_text_held(text, expected, chunker):
    with pytest.raises(TextError) as err:
        chunker(text)
    assert expected in str(err.value) and "Type something to say in words" in str(err.value)


@pytest.mark.parametrize("text, n, where", [("a" * 5000, "5,000", "characters 1-5000"),
                                            ("x" * 3000, "3,000", "characters 1-3000"),
                                            ("Fine words, then " + "ab" * 30 + ".", "60", "characters 18-77")])
def test_a_run_longer_than_any_word_is_refused_not_cut_short(text, n, where):
    with pytest.raises(TextError, match=f"a run of {n} letters with no space or punctuation \\({where}"):
        phonemize(text)
    with pytest.raises(TextError, match="Put spaces between the words"):
        text_chunks(text)


def test_the_longest_words_are_still_read():
    word = "pneumonoultramicroscopicsilicovolcanoconiosis"
    assert len(word) == 45 and phonemize(word)[0].phonemes == english_phonemes(word)


def test_numbers_too_long_to_say_as_quantities_are_read_digit_by_digit():
    chunks = phonemize("The code is " + "7" * 3000 + ".")          # num2words once overflowed here
    words = " ".join(c.phonemes for c in chunks)
    assert words.count(english_phonemes("seven").strip(".")) == 3000
    zh = phonemize("编号" + "3" * 40 + "。")
    assert "".join(c.phonemes for c in zh).count("san→") == 40


def test_marked_syllables_keep_the_context_of_the_text_beside_them():
    """The README's example: [j][ǐ] stands for 给, and 予 after it is yǔ (给予), not the yú it has alone."""
    marked = phonemize("报道[j][ǐ]予好评")[0].phonemes
    assert marked == "pau↘tau↘ ʨi↓ y↓ xau↓pʰiŋ↗"
    assert phonemize("予好评")[0].phonemes.startswith("y↗")            # alone, 予 is yú
    assert phonemize("银[h][áng]卡")[0].phonemes == "in↗ xaŋ↗ kʰa↓"


def test_markup_positions_count_from_one():
    with pytest.raises(MarkupError) as err:
        phonemize("Hi [h][xx] there")
    assert err.value.position == 6 and "(at character 7)." in str(err.value)
    assert notes("a [laughter] b") == ["[laughter] at character 3: Kokoro cannot produce it; skipped."]


def test_the_phonemes_command_prints_the_note():
    p = subprocess.run([sys.executable, "-m", "voxnb", "phonemes", "Hello مرحبا world"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "note: Not spoken: Arabic 'مرحبا' (characters 7-11)" in p.stderr
