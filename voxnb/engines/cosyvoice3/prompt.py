"""CosyVoice 3's text side, without its weights: prompts, instructions and markup in its own form.

The language model reads ``[system text]<|endofprompt|>[reference transcript or nothing]`` before the
text to speak. Zero-shot cloning gives it the reference's exact transcript after the marker (a wrong
prefix or transcript makes it repeat or leak the reference); instruct mode gives it an instruction
before the marker and no transcript. Pinyin markup becomes its initial and toned-final tokens
(``[h][ào]``), ARPAbet its phone tokens (``[M][AY0]``), tags its own ``[breath]``, ``<strong>``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import SettingsError, TextError

SYSTEM = "You are a helpful assistant."
END_OF_PROMPT = "<|endofprompt|>"
END_OF_PROMPT_ID = 151646          # the LM checks for this id (llm.py)
MAX_INSTRUCTION_CHARS = 200


@dataclass(frozen=True)
class Instruction:
    key: str
    group: str          # 'dialect', 'emotion', 'speed', 'volume', 'role'
    text: str           # what the model was trained on (CosyVoice's instruct_list)
    label_en: str
    label_zh: str


def _dialect(key: str, zh: str, en: str) -> Instruction:
    return Instruction(key, "dialect", f"请用{zh}表达。", en, zh)


# The instructions CosyVoice 3 lists (cosyvoice/utils/common.py), in its own words.
INSTRUCTIONS: dict[str, Instruction] = {i.key: i for i in (
    _dialect("cantonese", "广东话", "Cantonese"), _dialect("dongbei", "东北话", "Northeastern"),
    _dialect("gansu", "甘肃话", "Gansu"), _dialect("guizhou", "贵州话", "Guizhou"),
    _dialect("henan", "河南话", "Henan"), _dialect("hubei", "湖北话", "Hubei"),
    _dialect("hunan", "湖南话", "Hunan"), _dialect("jiangxi", "江西话", "Jiangxi"),
    _dialect("minnan", "闽南话", "Hokkien (Minnan)"), _dialect("ningxia", "宁夏话", "Ningxia"),
    _dialect("shanxi", "山西话", "Shanxi"), _dialect("shaanxi", "陕西话", "Shaanxi"),
    _dialect("shandong", "山东话", "Shandong"), _dialect("shanghai", "上海话", "Shanghainese"),
    _dialect("sichuan", "四川话", "Sichuanese"), _dialect("tianjin", "天津话", "Tianjin"),
    _dialect("yunnan", "云南话", "Yunnan"),
    Instruction("loud", "volume", "Please say a sentence as loudly as possible.", "Loud", "大声"),
    Instruction("soft", "volume", "Please say a sentence in a very soft voice.", "Soft", "轻声"),
    Instruction("slow", "speed", "请用尽可能慢地语速说一句话。", "Slow", "慢速"),
    Instruction("fast", "speed", "请用尽可能快地语速说一句话。", "Fast", "快速"),
    Instruction("happy", "emotion", "请非常开心地说一句话。", "Happy", "开心"),
    Instruction("sad", "emotion", "请非常伤心地说一句话。", "Sad", "伤心"),
    Instruction("angry", "emotion", "请非常生气地说一句话。", "Angry", "生气"),
    Instruction("robot", "role", "你可以尝试用机器人的方式解答吗？", "Robot", "机器人"),
    Instruction("peppa", "role", "我想体验一下小猪佩奇风格，可以吗？", "Peppa Pig", "小猪佩奇"),
)}
# voxnb's style presets that CosyVoice 3 has a trained instruction for
STYLE_INSTRUCTIONS = {"happy": "happy", "sad": "sad", "fast": "fast", "slow": "slow"}

TAGS = {"breath": "[breath]", "laughter": "[laughter]", "cough": "[cough]", "sigh": "[sigh]",
        "strong": "<strong>", "/strong": "</strong>"}

# CosyVoice 3's pinyin tokens: initials, and finals written with tone marks ('ào'); neutral tone bare.
INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z",
            "c", "s", "y", "w")
_MARKS = {"a": "āáǎà", "o": "ōóǒò", "e": "ēéěè", "i": "īíǐì", "u": "ūúǔù", "v": "ǖǘǚǜ"}


def zero_shot_prompt(transcript: str) -> str:
    transcript = transcript.strip()
    if not transcript:
        raise TextError(key="cosyvoice.cosyvoice_needs_reference_s")
    if END_OF_PROMPT in transcript or "<|" in transcript:
        raise TextError(key="cosyvoice.reference_transcript_contains_cosyvoice")
    return f"{SYSTEM}{END_OF_PROMPT}{transcript}"


def instruction_text(value: str) -> str:
    """A preset key ('sichuan', 'happy') -> its trained text; anything else is free text, checked."""
    value = (value or "").strip()
    if value in INSTRUCTIONS:
        return INSTRUCTIONS[value].text
    if "<|" in value or "|>" in value:
        raise SettingsError(key="cosyvoice.instruction_contains_cosyvoice_s")
    if len(value) > MAX_INSTRUCTION_CHARS:
        raise SettingsError(key="cosyvoice.instruction_characters_long", n=len(value),
                            max_instruction_chars=MAX_INSTRUCTION_CHARS)
    return value


def instruct_prompt(instruction: str) -> str:
    return f"{SYSTEM} {instruction_text(instruction)}{END_OF_PROMPT}"


def resolve_instruction(style: str, instruct: str) -> str:
    """The instruction for a request: the typed one, else the one for the style preset, else ''."""
    if instruct.strip():
        if style != "neutral":
            raise SettingsError(key="cosyvoice.both_style_instruction_were", style=style)
        return instruct.strip()
    if style == "neutral":
        return ""
    if style not in STYLE_INSTRUCTIONS:
        raise SettingsError(key="cosyvoice.cosyvoice_trained_instruction_style", style=style,
                            style_instructions=STYLE_INSTRUCTIONS)
    return STYLE_INSTRUCTIONS[style]


def _toned(final: str, tone: int) -> str:
    if tone == 5:
        return final.replace("v", "ü") if final == "v" else final
    # the tone mark goes on a, else o or e, else the last of i/u/ü (iu -> iù, ui -> uì)
    for vowel in ("a", "o", "e"):
        if vowel in final:
            break
    else:
        vowel = [c for c in final if c in "iuv"][-1]
    i = final.rindex(vowel) if vowel in "iuv" else final.index(vowel)
    return final[:i] + _MARKS[vowel][tone - 1] + final[i + 1:]


def pinyin_tokens(syllable: str) -> str:
    """'hao4' -> '[h][ào]', 'ji3' -> '[j][ǐ]', 'er2' -> '[ér]', 'lv4' -> '[l][ǜ]', 'de5' -> '[d][e]',
    'jue2' -> '[j][ué]', 'lve4' -> '[l][vè]'."""
    body, tone = syllable[:-1], int(syllable[-1])
    initial = next((i for i in INITIALS if body.startswith(i) and len(body) > len(i)), "")
    final = body[len(initial):]
    # finals as written: ju, que, yuan keep their u; only lü, nü, lüe write ü (the tokenizer's [ǚ], [vè])
    return (f"[{initial}]" if initial else "") + f"[{_toned(final, tone)}]"


def render(pieces, vocabulary: frozenset[str] | None = None) -> tuple[str, tuple[str, ...]]:
    """A chunk's pieces as the text CosyVoice 3 reads, and warnings. ``vocabulary``: the tokenizer's
    special tokens, to refuse a syllable it has no token for."""
    out, warnings = "", []
    for kind, value in pieces:
        if kind == "text":
            if out and value[:1].isascii() and value[:1].isalnum() and out[-1:].isalnum():
                out += " "
            out += value
        elif kind == "pinyin":
            for syllable in value:
                tokens = pinyin_tokens(syllable)
                if vocabulary is not None:
                    missing = [t for t in _split_tokens(tokens) if t not in vocabulary]
                    if missing:
                        raise TextError(key="cosyvoice.cosyvoice_token_pinyin", syllable=syllable,
                                        missing=' '.join(missing))
                out += tokens
        elif kind == "arpabet":
            out += "".join(f"[{p}]" for p in value)
        elif kind == "tag":
            out += TAGS[value]
    return out.strip(), tuple(warnings)


def _split_tokens(tokens: str) -> list[str]:
    return [t + "]" for t in tokens.split("]") if t]
