import pytest

from voxnb.text import normalize
from voxnb.text.normalize import clean_text, normalize_en, normalize_zh


@pytest.mark.parametrize("text, expected", [
    ("I have 3 cats.", "I have three cats."),
    ("1,000,000 people", "one million people"),
    ("pi is 3.14", "pi is three point one four"),
    ("the 21st time", "the twenty-first time"),
    ("In 1999 we", "In nineteen ninety-nine we"),
    ("It is -5 now", "It is minus five now"),
])
def test_en_numbers(text, expected):
    assert normalize_en(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("$3.50", "three dollars and fifty cents"),
    ("$1", "one dollar"),
    ("€20", "twenty euros"),
    ("£5.01", "five pounds and one penny"),
    ("¥300", "three hundred yen"),
    ("$2 million", "two million dollars"),
])
def test_en_currency(text, expected):
    assert normalize_en(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2024-05-04", "May fourth, twenty twenty-four"),
    ("May 4th", "May fourth"),
    ("Jan 1", "January first"),
    ("3:30 pm", "three thirty PM"),
    ("10:45 a.m.", "ten forty-five AM"),
    ("10:05", "ten oh five"),
    ("7:00", "seven o'clock"),
])
def test_en_dates_and_times(text, expected):
    assert normalize_en(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("5 km", "five kilometers"),
    ("1 km", "one kilometer"),
    ("3kg", "three kilograms"),
    ("20°C", "twenty degrees Celsius"),
    ("50%", "fifty percent"),
    ("Tom & Jerry @ home + more", "Tom and Jerry at home plus more"),
])
def test_en_units_and_symbols(text, expected):
    assert normalize_en(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("有123个", "有一百二十三个"),
    ("3.14", "三点一四"),
    ("50%", "百分之五十"),
    ("2024年5月4日", "二零二四年五月四日"),
    ("2024-05-04", "二零二四年五月四日"),
    ("3:30", "三点三十分"),
    ("8:05", "八点零五分"),
    ("电话13812345678", "电话幺三八幺二三四五六七八"),
    ("5km", "五公里"),
    ("3kg", "三千克"),
    ("20℃", "二十摄氏度"),
    ("¥30", "三十元"),
    ("$5", "五美元"),
    ("30元", "三十元"),
    ("2个", "两个"),
    ("1,000人", "一千人"),
])
def test_zh(text, expected):
    assert normalize_zh(text) == expected


def test_html_script_dropped_text_kept():
    assert clean_text("<script>alert(1)</script><b>Hello</b> <style>p{}</style>world") == "Hello world"


def test_html_entities_are_text_not_markup():
    assert clean_text("a &lt;b&gt; &amp; c") == "a <b> & c"


def test_emoji_and_controls_dropped():
    assert clean_text("Hi😀\x07 there\u200d👍🏽\x1b!") == "Hi there!"


def test_variation_selector_dropped_accents_kept():
    assert clean_text("Hi\u2764\ufe0f!") == "Hi!"
    assert clean_text("cafe\u0301") == "cafe\u0301"


def test_degree_sign_survives_cleanup():
    assert clean_text("20°C") == "20°C"


def test_fullwidth_folded():
    assert clean_text("ＡＢＣ１２３！") == "ABC123!"


def test_auto_reads_each_language():
    assert normalize("我有3个苹果 and 5 pears", "auto") == "我有三个苹果 and five pears"


def test_unknown_lang_rejected():
    with pytest.raises(ValueError):
        normalize("x", "fr")
