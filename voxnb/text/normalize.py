"""Text -> speakable words: markup-free cleanup, then numbers, dates, units and symbols per language.

Everything here is a pure function on strings. Text is either spoken or dropped, never
interpreted: HTML tags are removed (their text kept, script/style content dropped), control
characters and emoji say nothing.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from .split import language_runs
from .unspoken import KEEP_SYMBOLS, foreign_script

# -- cleanup ----------------------------------------------------------------------------------

_HTML_DROP = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)|<!--.*?(?:-->|$)", re.I | re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def strip_html(text: str) -> str:
    """Remove tags, keeping their text; script, style and comment content is dropped."""
    text = _HTML_DROP.sub(" ", text)
    return html.unescape(_HTML_TAG.sub(" ", text))


def drop_unspeakable(text: str) -> str:
    """Remove control/format characters, emoji and letters of scripts voxnb cannot read (a space stands
    for those, so the words around them stay apart); tabs and newlines survive as layout. What is
    removed is reported by voxnb.text.unspoken, on the text as typed."""
    out = []
    for c in text:
        category = unicodedata.category(c)
        if c in "\n\t":
            out.append(c)
        elif foreign_script(c):
            out.append(" ")
        elif category == "Mn":
            # Variation selectors (emoji presentation) are Mn too, but never an accent.
            if out and out[-1].isalpha() and not (0xFE00 <= ord(c) <= 0xFE0F or 0xE0100 <= ord(c) <= 0xE01EF):
                out.append(c)  # an accent on a letter (decomposed é); alone it is emoji debris
        elif category in ("Cc", "Cf", "Co", "Cs", "Cn"):
            continue  # controls, zero-width joiners, private use, unassigned
        elif category in ("So", "Sk") and c not in KEEP_SYMBOLS:
            continue
        else:
            out.append(c)
    return "".join(out)


def clean_text(text: str) -> str:
    """HTML stripped, unspeakable characters dropped, full-width ASCII folded, spaces collapsed."""
    text = drop_unspeakable(strip_html(text)).translate(_FULLWIDTH)
    text = text.replace("...", "…")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r" *\n[\s]*", "\n", text).strip()


# -- English -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _num2words():
    # Imported on first use: nothing heavy happens at import time.
    from num2words import num2words
    return num2words


# Longer numbers are no quantity anyone says (an id, a hash, a run of digits): they are read digit by
# digit, which also keeps num2words from overflowing (it stops below 10**303).
MAX_NUMBER_DIGITS = 21


def _cardinal(digits: str) -> str:
    digits = digits.replace(",", "")
    if len(digits.lstrip("0")) > MAX_NUMBER_DIGITS:
        return " ".join(_num2words()(int(d)) for d in digits)
    return _num2words()(int(digits))


def _number(text: str) -> str:
    text = text.replace(",", "")
    if "." in text:
        whole, frac = text.split(".", 1)
        return f"{_cardinal(whole or '0')} point {' '.join(_cardinal(d) for d in frac)}"
    return _cardinal(text)


def _year(digits: str) -> str:
    return _num2words()(int(digits), to="year")


def _ordinal(digits: str) -> str:
    return _num2words()(int(digits), to="ordinal")


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
_MONTH_ALT = "|".join(sorted([*MONTHS, *(m[:3] for m in MONTHS), "Sept"], key=len, reverse=True))
_CURRENCY_EN = {"$": ("dollar", "dollars", "cent", "cents"), "€": ("euro", "euros", "cent", "cents"),
                "£": ("pound", "pounds", "penny", "pence"), "¥": ("yen", "yen", "", "")}
_UNITS_EN = {"km": "kilometer", "m": "meter", "cm": "centimeter", "mm": "millimeter", "kg": "kilogram",
             "g": "gram", "mg": "milligram", "lb": "pound", "lbs": "pound", "oz": "ounce", "mi": "mile",
             "ft": "foot", "mph": "mile per hour", "km/h": "kilometer per hour", "kph": "kilometer per hour",
             "ml": "milliliter", "l": "liter", "L": "liter", "ms": "millisecond", "min": "minute",
             "hr": "hour", "Hz": "hertz", "kHz": "kilohertz", "GB": "gigabyte", "MB": "megabyte",
             "KB": "kilobyte", "TB": "terabyte"}
# Chinese marks next to English words (full-width ones are already folded by clean_text).
_CJK_PUNCT_TO_ASCII = str.maketrans({"。": ".", "、": ",", "「": '"', "」": '"', "『": '"', "』": '"', "《": '"', "》": '"'})
_PLURAL_EXCEPTIONS = {"foot": "feet", "hertz": "hertz", "kilohertz": "kilohertz"}
_SYMBOLS_EN = {"&": " and ", "@": " at ", "+": " plus ", "=": " equals ", "#": " number ", "%": " percent "}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RE_MONEY = re.compile(rf"([$€£¥])\s?({_NUM})(?:\s?(thousand|million|billion|trillion))?")
_RE_TIME = re.compile(r"\b(\d{1,2}):(\d{2})(?:\s?([AaPp])\.?[Mm]\b\.?)?")
_RE_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_RE_MONTH_DAY = re.compile(rf"\b({_MONTH_ALT})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b(?![\d:])")
_RE_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_RE_PERCENT = re.compile(rf"({_NUM})\s?%")
_RE_DEGREES = re.compile(rf"(-?)({_NUM})\s?(?:°\s?([CF])\b|(℃)|(℉)|°)")
_RE_UNIT = re.compile(rf"({_NUM})\s?({'|'.join(sorted(map(re.escape, _UNITS_EN), key=len, reverse=True))})(?![\w/])")
_RE_YEAR = re.compile(r"(?<![\d,.])(1[1-9]\d\d|20\d\d)(?![\d,.]\d)(?!\s?%)")
_RE_NEGATIVE = re.compile(r"(?<![\w])-(?=\d)")
_RE_NUMBER = re.compile(_NUM)


def _money_en(m: re.Match) -> str:
    big, small, cent, cents = _CURRENCY_EN[m.group(1)]
    amount, scale = m.group(2).replace(",", ""), m.group(3)
    if scale:
        return f"{_number(amount)} {scale} {small}"
    whole, _, frac = amount.partition(".")
    words = f"{_cardinal(whole)} {big if int(whole) == 1 else small}"
    if frac and cent and int(frac[:2].ljust(2, "0")):
        n = int(frac[:2].ljust(2, "0"))
        words += f" and {_cardinal(str(n))} {cent if n == 1 else cents}"
    elif frac and not cent:
        words = f"{_number(amount)} {small}"
    return words


def _time_en(m: re.Match) -> str:
    hour, minute, half = int(m.group(1)), int(m.group(2)), m.group(3)
    words = _cardinal(str(hour))
    if minute == 0:
        words += "" if half else " o'clock"
    elif minute < 10:
        words += f" oh {_cardinal(str(minute))}"
    else:
        words += f" {_cardinal(str(minute))}"
    return words + (f" {half.upper()}M" if half else "")  # "AM": the G2P spells it out


def _unit_en(m: re.Match) -> str:
    name = _UNITS_EN[m.group(2)]
    if m.group(1) != "1":
        head, _, tail = name.partition(" ")
        name = " ".join(filter(None, [_PLURAL_EXCEPTIONS.get(head, head + "s"), tail]))
    return f"{_number(m.group(1))} {name}"


def _degrees_en(m: re.Match) -> str:
    scale = m.group(3) or ("C" if m.group(4) else "F" if m.group(5) else "")
    words = ("minus " if m.group(1) else "") + _number(m.group(2))
    words += " degree" if m.group(2) == "1" else " degrees"
    return words + {"C": " Celsius", "F": " Fahrenheit", "": ""}[scale]


def _month(name: str) -> str:
    return next(full for full in MONTHS if full.lower().startswith(name.lower()[:3]))


def normalize_en(text: str) -> str:
    """English numbers, dates, times, units, money and symbols spelled out as words."""
    text = text.translate(_CJK_PUNCT_TO_ASCII)
    text = _RE_MONEY.sub(lambda m: f" {_money_en(m)} ", text)
    text = _RE_ISO_DATE.sub(
        lambda m: f"{MONTHS[int(m.group(2)) - 1]} {_ordinal(m.group(3))}, {_year(m.group(1))}"
        if 1 <= int(m.group(2)) <= 12 else m.group(0), text)
    text = _RE_TIME.sub(lambda m: _time_en(m) if int(m.group(1)) < 24 and int(m.group(2)) < 60 else m.group(0), text)
    text = _RE_MONTH_DAY.sub(lambda m: f"{_month(m.group(1))} {_ordinal(m.group(2))}", text)
    text = _RE_ORDINAL.sub(lambda m: _ordinal(m.group(1)), text)
    text = _RE_DEGREES.sub(lambda m: f" {_degrees_en(m)} ", text)
    text = _RE_PERCENT.sub(lambda m: f"{_number(m.group(1))} percent", text)
    text = _RE_UNIT.sub(lambda m: f" {_unit_en(m)} ", text)
    text = _RE_YEAR.sub(lambda m: _year(m.group(1)), text)
    text = _RE_NEGATIVE.sub("minus ", text)
    text = _RE_NUMBER.sub(lambda m: f" {_number(m.group(0))} ", text)
    text = re.sub(r"[&@+=#%]", lambda m: _SYMBOLS_EN[m.group(0)], text)
    return _tidy(text)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r" ([,.;:!?…])", r"\1", text).strip()


# -- Mandarin ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _an2cn():
    from cn2an import an2cn
    return an2cn


_CN_DIGITS = "零一二三四五六七八九"
_CURRENCY_ZH = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}
_UNITS_ZH = {"km": "公里", "kg": "千克", "cm": "厘米", "mm": "毫米", "m": "米", "g": "克", "mg": "毫克",
             "ml": "毫升", "L": "升", "l": "升", "℃": "摄氏度", "°C": "摄氏度", "℉": "华氏度", "°F": "华氏度",
             "°": "度", "h": "小时", "min": "分钟", "s": "秒", "GB": "G", "MB": "兆"}
_SYMBOLS_ZH = {"+": "加", "=": "等于", "&": "和", "@": "艾特", "%": "百分之", "#": "井号"}

_RE_ZH_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_RE_ZH_YEAR = re.compile(r"(?<!\d)(\d{2,4})年")
_RE_ZH_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})(月|日|号)")
_RE_ZH_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?::(\d{2}))?(?!\d)")
_RE_ZH_MONEY = re.compile(rf"([¥￥$€£])\s?({_NUM})")
_RE_ZH_PERCENT = re.compile(rf"(-?)({_NUM})\s?[%％]")
_RE_ZH_UNIT = re.compile(rf"({_NUM})\s?({'|'.join(sorted(map(re.escape, _UNITS_ZH), key=len, reverse=True))})(?![A-Za-z])")
# Phone numbers, ids and codes are read digit by digit: long digit strings, or ones with a leading 0.
_RE_ZH_DIGIT_STRING = re.compile(r"(?<![\d.,])(?:\d{7,}|0\d{2,})(?![\d.,])|(?<!\d)\d{3,4}-\d{3,4}-?\d{0,4}(?!\d)")
# A lone 2 counting things is 两 (两个), not 二.
_RE_ZH_TWO = re.compile(r"(?<![\d.])2(?=[个位只本件条张次天年种名岁辆头台把块杯份场])")
_RE_ZH_NUMBER = re.compile(rf"-?(?:{_NUM})")


def _digits_zh(digits: str, phone: bool = False) -> str:
    # In phone numbers 1 is said 幺 (yāo) so it cannot be heard as 七 (qī).
    return "".join(("幺" if phone and d == "1" else _CN_DIGITS[int(d)]) for d in digits if d.isdigit())


def _number_zh(text: str) -> str:
    text = text.replace(",", "")
    if len(text.split(".")[0].lstrip("-0")) > 16:   # cn2an reads up to 亿亿; longer is an id: digit by digit
        return ("负" if text.startswith("-") else "") + _digits_zh(text.split(".")[0]) + (
            "点" + _digits_zh(text.split(".")[1]) if "." in text else "")
    return _an2cn()(text)


def normalize_zh(text: str) -> str:
    """Mandarin numbers, dates, times, units, money and symbols written out in Chinese characters."""
    text = _RE_ZH_ISO_DATE.sub(
        lambda m: f"{_digits_zh(m.group(1))}年{_number_zh(str(int(m.group(2))))}月{_number_zh(str(int(m.group(3))))}日",
        text)
    text = _RE_ZH_YEAR.sub(lambda m: _digits_zh(m.group(1)) + "年", text)
    text = _RE_ZH_MONTH_DAY.sub(lambda m: _number_zh(str(int(m.group(1)))) + m.group(2), text)
    text = _RE_ZH_TIME.sub(_time_zh, text)
    text = _RE_ZH_MONEY.sub(lambda m: _number_zh(m.group(2)) + _CURRENCY_ZH[m.group(1)], text)
    text = _RE_ZH_PERCENT.sub(lambda m: ("负" if m.group(1) else "") + "百分之" + _number_zh(m.group(2)), text)
    text = _RE_ZH_DIGIT_STRING.sub(lambda m: _digits_zh(m.group(0), phone=True), text)
    text = _RE_ZH_UNIT.sub(lambda m: _number_zh(m.group(1)) + _UNITS_ZH[m.group(2)], text)
    text = _RE_ZH_TWO.sub("两", text)
    text = _RE_ZH_NUMBER.sub(lambda m: _number_zh(m.group(0)), text)
    text = re.sub(r"[+=&@%#]", lambda m: _SYMBOLS_ZH[m.group(0)], text)
    return text.strip()


def _time_zh(m: re.Match) -> str:
    hour, minute, second = int(m.group(1)), int(m.group(2)), m.group(3)
    if hour > 24 or minute > 59:
        return m.group(0)
    words = _number_zh(str(hour)) + "点"
    if minute:
        words += ("零" if minute < 10 else "") + _number_zh(str(minute)) + "分"
    if second and int(second):
        words += _number_zh(str(int(second))) + "秒"
    return words


# -- entry -------------------------------------------------------------------------------------

def normalize(text: str, lang: str = "auto") -> str:
    """Cleaned, speakable text: 'en' or 'zh' reads everything in that language; 'auto' reads each
    run of Han characters (and numbers next to them) in Chinese and the rest in English."""
    if lang not in ("auto", "en", "zh"):
        raise ValueError(f"lang must be 'auto', 'en' or 'zh', got {lang!r}")
    text = clean_text(text)
    if lang == "en":
        return normalize_en(text)
    if lang == "zh":
        return normalize_zh(text)
    parts = []
    for run_lang, start, end in language_runs(text):
        piece = text[start:end]
        normalized = normalize_zh(piece) if run_lang == "zh" else normalize_en(piece)
        # Keep the space that separated the runs, which normalizing a run strips.
        parts.append((" " if piece[:1].isspace() else "") + normalized + (" " if piece[-1:].isspace() else ""))
    return "".join(parts).strip()
