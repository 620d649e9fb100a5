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
        from .messages import Both

        styles = [Both(n, f"{s.label_zh} ({n})") for n, s in STYLES.items()]
        raise SettingsError(key="settings.unknown_style", name=name, styles=styles) from None


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
            raise SettingsError(key="settings.speed_number", speed=self.speed, lo=lo, hi=hi)
        if not lo <= float(self.speed) <= hi:
            raise SettingsError(key="settings.speed_out_range", speed=self.speed, lo=lo, hi=hi)
        lo, hi = SEED_RANGE
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not lo <= self.seed <= hi:
            raise SettingsError(key="settings.seed_valid", seed=self.seed, lo=lo, hi=hi)
        if self.lang not in LANGUAGES:
            raise SettingsError(key="settings.unknown_language", languages=LANGUAGES, lang_name=self.lang)
        lo, hi = PAUSE_RANGE
        for kind in PAUSES:
            value = getattr(self, f"{kind}_pause")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= float(value) <= hi:
                raise SettingsError(key="settings.pause_s_out_range", value=value, lo=lo, hi=hi,
                                    kind=kind.capitalize())
        if not isinstance(self.inspect, bool):
            raise SettingsError(key="settings.inspect_must_true_false", inspect=self.inspect)
        if not isinstance(self.match_channel, bool):
            raise SettingsError(key="settings.match_channel_must_true", match_channel=self.match_channel)
        if not isinstance(self.instruct, str):
            raise SettingsError(key="settings.instruct_must_text", type=type(self.instruct).__name__)
        if not isinstance(self.watermark, bool):
            raise SettingsError(key="settings.watermark_must_true_false", watermark=self.watermark)
        return replace(self, speed=float(self.speed), **{f"{k}_pause": float(getattr(self, f"{k}_pause")) for k in PAUSES})

    def pause(self, boundary: str) -> float:
        """Seconds of silence at a break of this kind (a chunk's ``boundary``); none inside a clause
        cut at a space, or after the last chunk."""
        return float(getattr(self, f"{boundary}_pause")) if boundary in PAUSES else 0.0

    def to_dict(self) -> dict:
        return asdict(self)
