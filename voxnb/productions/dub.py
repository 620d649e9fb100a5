"""Subtitles spoken on their own timeline: each cue inside its slot, or reported, never cut or overlapped.

    cues = read_srt("subs.srt")
    dubbed = dub(cues, "dub.wav", engine_for=load, voice_for=..., voice="me")

Each cue is spoken at its natural speed first. One that overruns its slot is spoken again at the speed
that fits, where the engine has a speed control (within voxnb's speed range), and what still overruns is
time-stretched (voxnb.productions.stretch), never beyond ``max_speed`` times natural in all. A cue that
cannot fit even then is placed only where it overlaps no other cue, and reported either way (its index,
text and overrun): only the user shortens a line. The track runs from 0 to the last cue's end (or the
background's end), silent between cues; ``under`` lays a background beneath, ducked while someone speaks.
"""
from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..engines.generate import generate
from ..errors import VoxnbError
from ..output.watermark import mark
from ..settings import SPEED_RANGE
from .cast import Role, require
from .srt import Cue, stamp
from .stretch import speech_span, speed_up, stretcher
from .timeline import Placed, provenance, timeline_record, write_mix

MAX_SPEED = 1.5        # at most this much faster than natural, engine speed and stretching together
SPEED_MARGIN = 1.03    # ask the engine for a little more than the measured need: its rate is not exact
DUCK_DB = -14.0        # the background under speech
DUCK_RAMP_S = 0.15     # fade into and out of the duck


@dataclass(frozen=True)
class CueFit:
    """How one cue was made to fit (the dub's report)."""

    index: int
    start: float
    end: float
    text: str
    speaker: str
    natural_s: float       # its speech at natural speed
    spoken_s: float        # its speech as placed
    engine_speed: float    # the speed setting it was spoken at
    stretch: float         # time-stretch factor applied after (1.0: none)
    fits: bool             # inside its slot
    placed: bool           # in the track (a cue that does not fit is left out where it would overlap the next)
    overrun_s: float = 0.0

    @property
    def speed(self) -> float:
        """How much faster than natural it is spoken, in all."""
        return round(self.natural_s / self.spoken_s, 3) if self.spoken_s else 1.0

    def to_dict(self) -> dict:
        return {**asdict(self), "speed": self.speed, "slot_s": round(self.end - self.start, 3)}


@dataclass
class Dubbed:
    track: Path
    cues: list[CueFit]
    sample_rate: int
    stretcher: str

    @property
    def unfit(self) -> list[CueFit]:
        return [c for c in self.cues if not c.fits]

    def to_dict(self) -> dict:
        return {"track": str(self.track), "cues": len(self.cues), "fit": len(self.cues) - len(self.unfit),
                "unfit": [c.to_dict() for c in self.unfit], "stretcher": self.stretcher}


def dub(cues: list[Cue], out, *, engine_for: Callable, voice_for: Callable, voice: str | None = None,
        cast: dict[str, Role] | None = None, style: str = "neutral", seed: int = 0, max_speed: float = MAX_SPEED,
        under=None, duck_db: float = DUCK_DB, on_cue: Callable[[int, int, CueFit], None] | None = None) -> Dubbed:
    """Speak every cue into one track at ``out``. A cue's ``speaker`` picks its role in ``cast``; cues
    without one use ``voice``."""
    if not 1.0 <= max_speed <= 3.0:
        raise VoxnbError(key="dub.max_speed", value=max_speed)
    cast = dict(cast or {})
    if voice:
        cast[""] = Role(voice=voice)          # the voice of cues that name no speaker
    if "" not in cast and any(not c.speaker for c in cues):
        first = next(c for c in cues if not c.speaker)
        raise VoxnbError(key="dub.needs_voice", index=first.index, text=first.text[:60])
    require(cast, list(dict.fromkeys(c.speaker for c in cues if c.speaker)))
    engines, voices, fits, placed = {}, {}, [], []
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix=".voxnb-dub-", dir=out.parent if out.parent.is_dir() else None) as tmp:
        sample_rate = 0
        for n, cue in enumerate(cues):
            role = cast[cue.speaker]
            if role.engine not in engines:
                engines[role.engine] = engine_for(role.engine)
            engine = engines[role.engine]
            if (role.engine, role.voice) not in voices:
                voices[role.engine, role.voice] = voice_for(engine, role.voice)
            who = voices[role.engine, role.voice]
            settings = dict(style=role.style or style, seed=role.seed if role.seed is not None else seed,
                            inspect=False, **({"instruct": role.instruct} if role.instruct else {}))
            audio, rate, fit = _fit(engine, cue, who, settings, role.speed or 1.0, max_speed)
            sample_rate = sample_rate or rate
            if rate != sample_rate:
                from ..reference.decode import resample

                audio = resample(audio, rate, sample_rate)
            nxt = cues[n + 1].start if n + 1 < len(cues) else None
            start = int(round(cue.start * sample_rate))
            room = None if nxt is None else int(round(nxt * sample_rate)) - start
            fit = fit if fit.fits or room is None or len(audio) <= room else _replace(fit, placed=False)
            if fit.placed:
                file = Path(tmp) / f"{n:05d}.wav"
                _write_int16(file, audio, sample_rate)
                placed.append(Placed(file=file, start=start, length=len(audio), speaker=cue.speaker, text=cue.text,
                                     index=cue.index, voice_id=who.id,
                                     extra=(("speed", fit.speed), ("fits", fit.fits))))
            fits.append(fit)
            if on_cue is not None:
                on_cue(n + 1, len(cues), fit)
        bed, total = (None, None) if under is None else _bed(under, sample_rate, placed, duck_db)
        record = provenance("dub", list(voices.values()), [e.capabilities for e in engines.values()],
                            cues=len(cues), stretcher=stretcher())
        report = [f.to_dict() for f in fits]
        track = write_mix(placed, out, sample_rate, record,
                          {"provenance": record, "cues": report, "timeline": timeline_record(placed, sample_rate)},
                          total=max(int(round(cues[-1].end * sample_rate)), total or 0), bed=bed)
    return Dubbed(track=track, cues=fits, sample_rate=sample_rate, stretcher=stretcher())


def _fit(engine, cue: Cue, voice, settings: dict, speed: float, max_speed: float):
    """(audio, sample rate, CueFit): the cue's speech trimmed of its silent ends, made to fit where it can."""
    result = generate(engine, cue.text, voice, {**settings, "speed": speed})
    rate = result.sample_rate
    audio = _speech(result.audio, rate)
    natural = len(audio) / rate
    slot = cue.end - cue.start
    engine_speed, stretch = speed, 1.0
    need = natural / slot
    if need > 1.0 and "speed" in engine.capabilities.settings:
        engine_speed = round(min(speed * min(need, max_speed) * SPEED_MARGIN, SPEED_RANGE[1], speed * max_speed), 3)
        audio = _speech(generate(engine, cue.text, voice, {**settings, "speed": engine_speed}).audio, rate)
    left = len(audio) / rate / slot
    if left > 1.0:
        room = max_speed * (len(audio) / rate) / natural     # stretching allowed before max_speed in all
        factor = round(min(left * 1.01, room), 4)
        if factor > 1.0:
            stretch = factor
            # stretching smears the engine's watermark: the stretched take is marked again
            audio = mark(speed_up(audio, rate, stretch), rate)
    spoken = len(audio) / rate
    fits = spoken <= slot + 1e-3
    return audio, rate, CueFit(index=cue.index, start=cue.start, end=cue.end, text=cue.text, speaker=cue.speaker,
                               natural_s=round(natural, 3), spoken_s=round(spoken, 3), engine_speed=engine_speed,
                               stretch=stretch, fits=fits, placed=True,
                               overrun_s=0.0 if fits else round(spoken - slot, 3))


def _speech(audio: np.ndarray, rate: int) -> np.ndarray:
    first, end = speech_span(audio, rate)
    return np.asarray(audio[first:end], np.float32)


def _replace(fit: CueFit, **changes) -> CueFit:
    from dataclasses import replace

    return replace(fit, **changes)


def _write_int16(path: Path, audio: np.ndarray, rate: int) -> None:
    import soundfile as sf

    sf.write(str(path), np.clip(audio, -1, 1), rate, subtype="PCM_16")


def _bed(under, sample_rate: int, placed: list[Placed], duck_db: float):
    """(bed(start, n) -> float samples, its length): the background at the track's rate, ducked under speech."""
    import soundfile as sf

    from ..reference.decode import resample, to_mono

    try:
        data, rate = sf.read(str(under), dtype="float32", always_2d=True)
    except (RuntimeError, OSError) as err:    # soundfile's errors are RuntimeErrors
        raise VoxnbError(key="dub.bad_under", path=under, reason=str(err)[:160]) from None
    music = resample(to_mono(data), rate, sample_rate) if rate != sample_rate else to_mono(data)
    duck = 10 ** (duck_db / 20)
    ramp = max(1, int(DUCK_RAMP_S * sample_rate))
    spans = [(p.start, p.end) for p in placed]

    def bed(start: int, n: int) -> np.ndarray:
        block = np.zeros(n, np.float32)
        have = music[start:start + n]
        block[: len(have)] = have
        t = np.arange(start, start + n)
        under_speech = np.zeros(n, np.float32)
        for a, b in spans:
            if b + ramp < start or a - ramp > start + n:
                continue
            # 1 inside the speech, falling linearly to 0 over ``ramp`` samples on each side
            inside = np.clip(np.minimum(t - (a - ramp), (b + ramp) - t) / ramp, 0, 1)
            under_speech = np.maximum(under_speech, inside)
        return block * (1 - (1 - duck) * under_speech)

    return bed, len(music)


def describe(fit: CueFit) -> str:
    """One line of the report for a cue that does not fit."""
    where = "placed, running into the gap after it" if fit.placed else "left out: it would overlap the next cue"
    return (f"cue {fit.index} ({stamp(fit.start)} --> {stamp(fit.end)}) {fit.text[:50]!r}: {fit.spoken_s:.2f} s of "
            f"speech at {fit.speed:.2f}x in a {fit.end - fit.start:.2f} s slot, {fit.overrun_s:.2f} s over; {where}. "
            f"Shorten its text or widen its slot.")
