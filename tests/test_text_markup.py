import pytest

from voxnb.errors import MarkupError
from voxnb.text import parse_markup
from voxnb.text.markup import Arpabet, Dropped, Pinyin, Plain, Tag


def test_plain_text_is_one_item():
    assert parse_markup("Hello, world") == [Plain("Hello, world", 0, 12)]


def test_pinyin_stands_in_for_a_character():
    items = parse_markup("报道[j][ǐ]予好评")
    assert items == [Plain("报道", 0, 2), Pinyin(("ji3",), "[j][ǐ]", 2, 8), Plain("予好评", 8, 11)]


@pytest.mark.parametrize("markup", ["[h][ào]", "[hao4]", "[h][ao4]", "[hào]"])
def test_pinyin_spellings_agree(markup):
    (item,) = parse_markup(markup)
    assert item.syllables == ("hao4",)


def test_pinyin_umlaut_and_several_syllables():
    (item,) = parse_markup("[lü4][nv3][j][ǚ][de5]")
    assert item.syllables == ("lv4", "nv3", "ju3", "de5")


def test_arpabet_group():
    items = parse_markup("a [M][AY0][N][UW1][T] b")
    assert items[1] == Arpabet(("M", "AY0", "N", "UW1", "T"), "[M][AY0][N][UW1][T]", 2, 21)


def test_tags_and_strong():
    items = parse_markup("[breath]Hi <strong>yes</strong>[laughter]")
    tags = [(i.name, i.start) for i in items if isinstance(i, Tag)]
    assert tags == [("breath", 0), ("strong", 11), ("/strong", 22), ("laughter", 31)]


def test_tag_breaks_a_group():
    items = parse_markup("[hao3][sigh][hao4]")
    assert [type(i) for i in items] == [Pinyin, Tag, Pinyin]


def test_brackets_inside_script_are_not_markup():
    items = parse_markup("<script>a[0]]</script>Hi")
    assert items == [Dropped("<script>a[0]]</script>", 0, 22), Plain("Hi", 22, 24)]


def test_items_cover_the_text_in_order():
    text = "说[h][ào]好 and [M][AY0][N][UW1][T]! <b>x</b>"
    items = parse_markup(text)
    assert items[0].start == 0 and items[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(items, items[1:]))


@pytest.mark.parametrize("text, position, words", [
    ("oops [h", 5, "never closed"),
    ("a [b [hao3]", 2, "never closed"),
    ("x ] y", 2, "no '['"),
    ("a [] b", 2, "Empty"),
    ("a [  ] b", 2, "Empty"),
    ("[XX1]", 0, "not an ARPAbet phone"),
    ("[M][XX1]", 3, "not an ARPAbet phone"),
    ("[K1]", 0, "not an ARPAbet phone"),
    ("ok [q][ong1]", 3, "not a Mandarin syllable"),
    ("[qong1]", 0, "not a Mandarin syllable"),
    ("[hello]", 0, "no tone"),
    ("[h][ao]", 3, "no tone"),
    ("[h]", 0, "no final"),
    ("[M][AY][N]", 3, "no stress digit"),
    ("[h][AY1]", 3, "mixes pinyin and ARPAbet"),
    ("[M][ào]", 3, "mixes pinyin and ARPAbet"),
    ("hi <strong>there", 3, "never closed"),
    ("hi</strong>", 2, "no '<strong>'"),
    ("[1]", 0, "not pinyin"),
])
def test_errors_have_position_problem_and_fix(text, position, words):
    with pytest.raises(MarkupError) as info:
        parse_markup(text)
    err = info.value
    assert err.position == position
    assert words in err.problem
    assert err.fix  # every error says what to do
