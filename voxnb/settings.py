"""Synthesis settings and style presets: the one place their defaults and ranges live.

Widgets and the CLI read ranges from here instead of copying numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from .errors import SettingsError

SPEED_RANGE = (0.5, 2.0)      # CosyVoice and F5-TTS offer about this; beyond it Kokoro slurs or drags
SEED_RANGE = (0, 2**32 - 1)   # numpy's seed range
PAUSE_RANGE = (0.0, 2.0)      # seconds of silence at a break between chunks
PAUSES = ("comma", "clause", "sentence", "paragraph")   # SynthesisSettings has a <kind>_pause for each
PAUSE_SETTINGS = tuple(f"{k}_pause" for k in PAUSES)
LANGUAGES = ("auto", "en", "zh")


@dataclass(frozen=True)
class Style:
    """A preset mapped onto controls the engine really has."""

    name: str
    speed: float = 1.0          # multiplies the user's speed
    f0_level: float = 1.0       # multiplies pitch
    f0_range: float = 1.0       # stretches pitch movement around the utterance's mean
    energy_shift: float = 0.0   # added to the model's energy curve (louder, brighter > 0)
    approximate: bool = True    # True: an emotion approximated by prosody, not a trained emotion
    label_en: str = ""
    label_zh: str = ""


STYLES: dict[str, Style] = {s.name: s for s in (
    Style("neutral", approximate=False, label_en="Neutral", label_zh="自然"),
    Style("happy", speed=1.06, f0_level=1.08, f0_range=1.35, energy_shift=0.3, label_en="Happy", label_zh="开心"),
    Style("sad", speed=0.88, f0_level=0.93, f0_range=0.65, energy_shift=-0.4, label_en="Sad", label_zh="悲伤"),
    Style("calm", speed=0.94, f0_level=0.97, f0_range=0.8, energy_shift=-0.2, label_en="Calm", label_zh="平静"),
    Style("excited", speed=1.12, f0_level=1.12, f0_range=1.5, energy_shift=0.5, label_en="Excited", label_zh="激动"),
    Style("fast", speed=1.3, approximate=False, label_en="Fast", label_zh="快速"),
    Style("slow", speed=0.75, approximate=False, label_en="Slow", label_zh="慢速"),
)}


def get_style(name: str) -> Style:
    try:
        return STYLES[name]
    except KeyError:
        raise SettingsError(f"Unknown style {name!r}.", f"Choose one of: {', '.join(STYLES)}.") from None


@dataclass(frozen=True)
class SynthesisSettings:
    """Everything besides text and voice that decides the audio; saved in every sidecar."""

    style: str = "neutral"        # a key of STYLES
    speed: float = 1.0            # 1.0 = the voice's natural rate; see SPEED_RANGE
    seed: int = 0                 # recorded always; engines that sample use it
    lang: str = "auto"            # 'auto' detects zh/en per segment
    # Seconds of silence heard at each kind of break between chunks (voxnb.text.split.BOUNDARIES);
    # people pause about 0.1-0.4 s at a comma and 0.3-0.7 s between sentences.
    comma_pause: float = 0.2
    clause_pause: float = 0.3     # ; : —
    sentence_pause: float = 0.45
    paragraph_pause: float = 0.8
    inspect: bool = True          # keep attention maps (large for long text)
    match_channel: bool = False   # also copy the reference's bandwidth (a phone clip's clone sounds like a phone)
    instruct: str = ""            # engines that follow instructions (CosyVoice 3): a preset key or words
    watermark: bool = True        # False leaves the audio unmarked; recorded in every output's metadata

    def validated(self) -> "SynthesisSettings":
        get_style(self.style)
        lo, hi = SPEED_RANGE
        if isinstance(self.speed, bool) or not isinstance(self.speed, (int, float)):
            raise SettingsError(f"Speed {self.speed!r} is not a number.", f"Use a value from {lo} to {hi} (1.0 is normal).")
        if not lo <= float(self.speed) <= hi:
            raise SettingsError(f"Speed {self.speed!r} is out of range.", f"Use a value from {lo} to {hi} (1.0 is normal).")
        lo, hi = SEED_RANGE
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not lo <= self.seed <= hi:
            raise SettingsError(f"Seed {self.seed!r} is not valid.", f"Use a whole number from {lo} to {hi}.")
        if self.lang not in LANGUAGES:
            raise SettingsError(f"Unknown language {self.lang!r}.", f"Use one of: {', '.join(LANGUAGES)}.")
        lo, hi = PAUSE_RANGE
        for kind in PAUSES:
            value = getattr(self, f"{kind}_pause")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
                raise SettingsError(f"{kind.capitalize()} pause {value!r} s is out of range.", f"Use {lo} to {hi} s.")
        if not isinstance(self.inspect, bool):
            raise SettingsError(f"inspect must be True or False, not {self.inspect!r}.",
                                "Pass inspect=False to leave out the attention maps (long texts), else leave it out.")
        if not isinstance(self.match_channel, bool):
            raise SettingsError(f"match_channel must be True or False, not {self.match_channel!r}.",
                                "Pass match_channel=True to copy the reference's bandwidth, else leave it out.")
        if not isinstance(self.instruct, str):
            raise SettingsError(f"instruct must be text, not {type(self.instruct).__name__}.",
                                "Pass a preset name (e.g. 'sichuan') or an instruction in words, or leave it out.")
        if not isinstance(self.watermark, bool):
            raise SettingsError(f"watermark must be True or False, not {self.watermark!r}.",
                                "Leave it out: voxnb marks every output. watermark=False is for your own analysis only.")
        return replace(self, speed=float(self.speed), **{f"{k}_pause": float(getattr(self, f"{k}_pause")) for k in PAUSES})

    def pause(self, boundary: str) -> float:
        """Seconds of silence at a break of this kind (a chunk's ``boundary``); none inside a clause
        cut at a space, or after the last chunk."""
        return float(getattr(self, f"{boundary}_pause")) if boundary in PAUSES else 0.0

    def to_dict(self) -> dict:
        return asdict(self)
