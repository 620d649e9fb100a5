"""Kokoro-82M (int8 ONNX, CPU) as a voxnb engine: frontend -> model -> Result."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

from . import timbre
from ...errors import VoiceNotFoundError
from ...messages import Msg
from ...output.result import ChunkResult, pause_samples
from ...settings import STYLES, SynthesisSettings, get_style
from ...voice import Voice, content_hash
from ..base import Capabilities, Engine, declared
from .runtime import SAMPLES_PER_FRAME, KokoroModel
from .spec import SPEC
from .trim import LEAD_FRAMES, trim
from .weights import STOCK_VOICES

NAME = SPEC.name
SAMPLE_RATE = 24000


class KokoroEngine(Engine):
    SPEC = SPEC

    def __init__(self, model_dir: str | Path | None = None, threads: int | None = None):
        self.model = KokoroModel(model_dir, threads)
        self.capabilities = Capabilities(
            **declared(SPEC), version=self.model.version, sample_rate=SAMPLE_RATE,
            styles=tuple(STYLES), approximate_styles=tuple(n for n, s in STYLES.items() if s.approximate),
            streams=True, attention=True, seeded=False, device="cpu", stock_voices=STOCK_VOICES,
            notes=Msg("kokoro.notes"))

    # -- voices ------------------------------------------------------------------------------
    def stock_voice(self, name: str) -> Voice:
        if name not in self.model.stock:
            raise VoiceNotFoundError(key="kokoro.kokoro_stock_voice", name=name, stock_voices=STOCK_VOICES)
        pack = self.model.stock[name]
        return Voice(id=content_hash(NAME, name, pack.tobytes()), name=name, engine=NAME, method="stock",
                     conditioning={"style_pack": pack})

    def clone(self, reference, name: str | None = None, transcript: str = "", cache: bool = True,
              consent=None) -> Voice:
        from .clone import clone_voice

        return clone_voice(self, reference, name=name, transcript=transcript, cache=cache, consent=consent)

    # -- synthesis ---------------------------------------------------------------------------
    def _resolve(self, voice: Voice | str) -> Voice:
        if isinstance(voice, Voice):
            if voice.engine != NAME:
                raise VoiceNotFoundError(key="kokoro.voice_made_engine", name=voice.name, engine=voice.engine)
            return voice
        return self.stock_voice(voice)

    def _stream(self, text: str, voice: Voice | str, settings: SynthesisSettings) -> Iterator[ChunkResult]:
        """Each chunk as soon as it is synthesised (for streaming playback)."""
        from ...text import phonemize

        voice = self._resolve(voice)
        t = time.perf_counter()
        chunks = phonemize(text, lang=settings.lang)
        frontend = time.perf_counter() - t
        style = get_style(settings.style)
        c = voice.controls
        pack = voice.conditioning["style_pack"]
        eq = voice.conditioning.get("eq_db")   # voices cloned before voxnb had timbre EQ have none
        band = c.get("bandwidth_hz") if settings.match_channel else None
        offset = 0
        for i, ch in enumerate(chunks):
            tokens = self.model.token_ids(ch.phonemes)
            t = time.perf_counter()
            out = self.model.run(tokens, self.model.style_row(pack, len(tokens) - 2),
                                 speed=settings.speed * style.speed,
                                 f0_level=c.get("f0_level", 1.0) * style.f0_level,
                                 f0_range=c.get("f0_range", 1.0) * style.f0_range,
                                 energy_shift=c.get("energy_shift", 0.0) + style.energy_shift,
                                 attention=settings.inspect)
            audio = out.audio if eq is None else timbre.apply_eq(out.audio, SAMPLE_RATE, eq)
            audio = audio if band is None else timbre.band_limit(audio, SAMPLE_RATE, band)
            labels = ["^", *(c for c in ch.phonemes if c in self.model.vocab), "$"]
            cut = trim(audio, out.frames, out.f0, out.energy, labels, settings.pause, SAMPLES_PER_FRAME, SAMPLE_RATE)
            seconds = time.perf_counter() - t
            # the margins trim() leaves count toward the pause the punctuation asks for
            pause = max(0.0, settings.pause(ch.boundary) - cut.tail_s - LEAD_FRAMES * SAMPLES_PER_FRAME / SAMPLE_RATE)
            chunk = ChunkResult(index=i, of=len(chunks), text=ch.text, phonemes=ch.phonemes, tokens=tokens,
                                durations=out.durations, frames=cut.frames, f0=cut.f0, energy=cut.energy,
                                attention=out.attention, audio=cut.audio, sample_rate=SAMPLE_RATE,
                                samples_per_frame=SAMPLES_PER_FRAME, offset=offset, seconds=seconds,
                                frontend_seconds=frontend if i == 0 else 0.0, warnings=tuple(ch.warnings),
                                pause_after=pause)
            yield chunk
            offset += len(cut.audio) + pause_samples(chunk)

    def refine(self, voice: Voice, reference, **options) -> Voice:
        """Tune a cloned voice's style vector to its reference (minutes; see voxnb.engines.kokoro.refine
        for the options: budget_s, progress(fraction, message), cancel)."""
        from .refine import refine

        return refine(self, self._resolve(voice), reference, **options)
