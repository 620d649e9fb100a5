import random
import re

from voxnb.text import detect_language, language_runs, split_sentences
from voxnb.text.split import text_length


def _squash(s):
    return re.sub(r"\s", "", s)


def test_detect_language():
    assert detect_language("你好世界") == "zh"
    assert detect_language("Hello world") == "en"
    assert detect_language("我喜欢 music") == "mixed"
    assert detect_language("123") == "en"


def test_language_runs_cover_text_and_attach_neutrals():
    text = "我喜欢 music, 和3个 apples"
    runs = language_runs(text)
    assert [text[s:e] for _, s, e in runs] == ["我喜欢 ", "music, ", "和3个 ", "apples"]
    assert [lang for lang, _, _ in runs] == ["zh", "en", "zh", "en"]
    assert runs[0][1] == 0 and runs[-1][2] == len(text)


def test_digits_before_han_join_chinese():
    runs = language_runs("I paid 30元")
    assert runs[-1][0] == "zh" and "30元" == "I paid 30元"[runs[-1][1]:runs[-1][2]]


def test_leading_neutrals_join_first_run():
    assert language_runs("123 你好") == [("zh", 0, 6)]


def test_short_text_one_chunk():
    assert split_sentences("Hello there. How are you?") == ["Hello there. How are you?"]


def test_splits_at_sentence_ends():
    chunks = split_sentences("One two three. Four five six! Seven eight?", max_chars=20)
    assert chunks == ["One two three.", "Four five six!", "Seven eight?"]


def test_decimal_point_is_not_a_sentence_end():
    assert split_sentences("It is 3.14 wide. Yes.", max_chars=17) == ["It is 3.14 wide.", "Yes."]


def test_chinese_sentence_ends():
    assert split_sentences("你好。我很好！你呢？", max_chars=10) == ["你好。", "我很好！", "你呢？"]


def test_long_sentence_splits_at_commas_then_spaces_never_mid_word():
    text = "alpha beta gamma, delta epsilon zeta, eta theta iota kappa lambda mu"
    chunks = split_sentences(text, max_chars=20)
    assert all(text_length(c) <= 20 for c in chunks)
    words = text.replace(",", "").split()
    assert [w for c in chunks for w in c.replace(",", "").split()] == words


def test_overlong_word_kept_whole():
    word = "x" * 50
    assert split_sentences(f"a {word} b", max_chars=10) == ["a", word, "b"]


def test_chinese_without_punctuation_cut_between_characters():
    text = "我" * 100
    chunks = split_sentences(text, max_chars=80)
    assert "".join(chunks) == text
    assert all(text_length(c) <= 80 for c in chunks)


def test_20000_chars_never_lose_text_and_respect_limit():
    random.seed(1)
    pieces = ["The quick brown fox jumps over the lazy dog", "我们今天去银行取钱", "然后散步", "3.14",
              "Hello", "，", "。", ". ", ", ", "! ", "\n", " ", "超长的句子没有标点符号" * 3]
    text = ""
    while len(text) < 20_000:
        text += random.choice(pieces)
    text = text[:20_000]
    chunks = split_sentences(text, max_chars=200)
    assert _squash("".join(chunks)) == _squash(text)
    assert all(text_length(c) <= 200 for c in chunks)
    assert all(c == c.strip() and c for c in chunks)


def test_empty():
    assert split_sentences("   \n ") == []


def test_boundary_names_the_break_after_a_chunk():
    from voxnb.text.split import boundary

    text = "Hello, world. Next; part\n\nPara two said “yes.” 中文，好。结束 and on"
    assert boundary(text, text.index(",") + 1) == "comma"
    assert boundary(text, text.index(".") + 1) == "sentence"
    assert boundary(text, text.index(";") + 1) == "clause"
    assert boundary(text, text.index("part") + 4) == "paragraph"
    assert boundary(text, text.index("”") + 1) == "sentence"      # a closing quote after the full stop
    assert boundary(text, text.index("，") + 1) == "comma"
    assert boundary(text, text.index("。") + 1) == "sentence"
    assert boundary(text, text.index(" and")) == "word"           # a long clause cut at a space
    assert boundary(text, len(text)) == "end"


def test_a_blank_line_always_ends_a_chunk():
    from voxnb.text import phonemize

    chunks = phonemize("One short line.\n\nAnother short line.")
    assert [c.boundary for c in chunks] == ["paragraph", "end"]
    assert [c.boundary for c in phonemize("One. Two.")] == ["end"]     # short sentences still share a chunk
