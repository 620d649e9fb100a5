"""What every engine offers, and the shape of the calls the rest of voxnb makes."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field, replace
from typing import Iterator

from ..errors import SettingsError
from ..output.result import ChunkResult, Result
from ..settings import PAUSE_SETTINGS, SynthesisSettings
from ..voice import Voice

# every setting an engine may take besides text and voice; a spec's ``refuses`` names the ones it lacks
CONTROLS = ("style", "instruct", "speed", "seed", "lang", *PAUSE_SETTINGS, "inspect", "match_channel")


@dataclass(frozen=True)
class Capabilities:
    name: str                          # registry name
    version: str                       # engine + weights version, recorded in sidecars
    languages: tuple[str, ...]         # 'en', 'zh', ...
    sample_rate: int
    styles: tuple[str, ...]            # presets it accepts
    approximate_styles: tuple[str, ...]  # presets rendered by prosody controls, not trained emotions
    clones: bool                       # can make a Voice from a reference clip
    streams: bool                      # stream() yields chunks as they are ready
    attention: bool                    # results carry attention maps
    seeded: bool                       # False: deterministic, the seed cannot change the audio
    device: str                        # 'cpu' or 'cuda'
    stock_voices: tuple[str, ...] = ()
    notes: str = ""
    # what the inspector can draw from this engine's results, and why the other views are absent
    views: tuple[str, ...] = ("mel", "alignment", "attention", "f0", "timings")
    lacks: dict = field(default_factory=dict)
    settings: tuple[str, ...] = ("style", "speed", "seed", "lang", *PAUSE_SETTINGS, "inspect", "match_channel")
    # instruction presets an engine was trained on: key -> {"group", "text", "en", "zh"}
    instructions: dict = field(default_factory=dict)
    refines: bool = False              # has refine(voice, reference, ...): minutes of tuning after clone()

    def to_dict(self) -> dict:
        return asdict(self)


def declared(spec) -> dict:
    """The Capabilities fields an engine's spec (voxnb.engines.spec.EngineSpec) states: the settings it
    takes are every control but those it refuses, so the refusal and the greyed-out widget read one list."""
    return dict(name=spec.name, languages=tuple(spec.languages), clones=spec.clones, refines=spec.refines,
                views=tuple(v.value for v in spec.views), lacks=dict(spec.lacks),
                settings=tuple(s for s in CONTROLS if s not in spec.refuses))


def refuse(spec, settings: SynthesisSettings) -> None:
    """A setting the engine refuses, moved from its default, is an error naming the spec's reason."""
    default = SynthesisSettings()
    for name, why in spec.refuses.items():
        if getattr(settings, name) != getattr(default, name):
            from ..messages import Msg, has

            setting = Msg(f"engines.setting.{name}") if has(f"engines.setting.{name}") else name.replace("_", " ")
            raise SettingsError(key="engines.no_control", title=spec.title, setting=setting, why=why, name=name,
                                default=getattr(default, name))


class Engine(ABC):
    """An engine turns (text, Voice, settings) into a Result. It holds weights, never a voice."""

    capabilities: Capabilities
    SPEC = None     # its voxnb.engines.spec.EngineSpec: the settings it refuses are checked against it

    @abstractmethod
    def clone(self, reference, name: str | None = None, transcript: str = "", consent=None) -> Voice:
        """Make a Voice from a reference clip (path, (audio, sr), or a prepared Reference).
        ``consent`` (True, or a statement in words) says you may clone this voice; without it the
        clone is refused. It is kept with the voice and named in every output's metadata."""

    @abstractmethod
    def stock_voice(self, name: str) -> Voice:
        """A voice that ships with the engine."""

    def stream(self, text: str, voice: Voice, **settings) -> Iterator[ChunkResult]:
        """Yield one ChunkResult per chunk of text, as each is ready. Every chunk's audio carries
        voxnb's watermark (see voxnb.output.watermark) unless ``watermark=False`` was passed, and is finite and
        below full scale (voxnb.output.limiter; what the guard changed is in the chunk's warnings)."""
        from ..messages import Msg
        from ..output.limiter import guard
        from ..output.watermark import mark

        parsed = self._settings(settings)
        chunks = self._stream(text, voice, parsed)
        try:
            for chunk in chunks:
                # before the mark (one NaN would spread over the watermarker's frames) and after it
                audio, before = guard(chunk.audio, chunk.sample_rate)
                if parsed.watermark:
                    audio = mark(audio, chunk.sample_rate)
                audio, after = guard(audio, chunk.sample_rate)
                notes = tuple(Msg("notes.in_chunk", n=chunk.index + 1, note=n) for n in (before, after) if n)
                yield replace(chunk, audio=audio, warnings=(*chunk.warnings, *notes))
        finally:
            chunks.close()    # a consumer that stops early frees the engine's generator at once

    def _stream(self, text: str, voice: Voice, settings: SynthesisSettings) -> Iterator[ChunkResult]:
        """The engine's chunks, unmarked, for validated settings."""
        raise NotImplementedError

    def _settings(self, kwargs: dict) -> SynthesisSettings:
        """Validate keyword settings; engines refuse on top of this the ones they lack."""
        unknown = set(kwargs) - set(SynthesisSettings.__dataclass_fields__)
        if unknown:
            raise SettingsError(key="engines.unknown_setting_s", unknown=list(sorted(unknown)),
                                settings=SynthesisSettings.__dataclass_fields__)
        settings = SynthesisSettings(**kwargs).validated()
        if self.SPEC is not None:
            refuse(self.SPEC, settings)
        return settings

    def synthesize(self, text: str, voice: Voice, **settings) -> Result:
        """The whole text: every chunk of ``stream`` joined with the settings' pause; see
        SynthesisSettings for the keyword arguments. Engines define ``_settings`` (validate them)
        and ``_resolve`` (a Voice or a stock voice name -> the Voice to speak)."""
        from .generate import generate

        return generate(self, text, voice, settings)
