"""What a synthesis returns: the audio and every intermediate the inspector draws."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping

import numpy as np

from .chunk import EXTRAS, check_array, check_attention, check_extras, refuse
from .views import View

N_MELS = 80
MEL_HOP = 300          # 12.5 ms at 24 kHz: fine enough to see phoneme boundaries
MEL_FFT = 1200
VOICED_HZ = 40.0       # F0 below this is the model's "unvoiced" floor (it idles around 10-15 Hz)


def mel_spectrogram(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Log-mel (dB, ref=1.0) so reference and output share one absolute scale."""
    from ..reference.mel import log_mel

    return log_mel(audio, sample_rate, MEL_FFT, MEL_HOP, N_MELS, fmin=40, fmax=sample_rate // 2)


@dataclass(frozen=True, eq=False)
class ChunkResult:
    """One model call: a sentence or a piece of long text."""

    index: int                 # position in the text
    of: int                    # chunks in the whole text
    text: str                  # the chunk's original text
    phonemes: str              # what the model was given
    tokens: np.ndarray         # int64 token ids, including the boundary tokens
    durations: np.ndarray      # float frames per token predicted before speed and rounding
    frames: np.ndarray         # int frames per token actually used
    f0: np.ndarray             # Hz, f0_rate points per second
    energy: np.ndarray         # model energy curve, same rate as f0
    attention: np.ndarray | None  # float16 [layers, heads, tokens, tokens], None when not kept
    audio: np.ndarray          # float32 mono
    sample_rate: int
    samples_per_frame: int     # audio samples per alignment frame
    offset: int                # first sample of this chunk in the whole result
    seconds: float             # wall time of the model call
    frontend_seconds: float = 0.0   # text frontend time (carried by the first chunk)
    warnings: tuple[str, ...] = ()  # frontend notes (dropped tags, symbols)
    # what the attention map's rows and columns are: Kokoro's are tokens; F5's pooled frames;
    # VoxCPM's language-model steps over its positions (text, then prompt and generated patches)
    attention_axes: tuple[str, ...] = ("token", "token")
    # engine-specific intermediates, named (see EXTRAS): 'mel' before the vocoder, F5's ODE
    # 'trajectory', VoxCPM's 'latents' and 'stop_prob', ...
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)
    # seconds of silence after this chunk in the whole result, by the break that follows it
    # (SynthesisSettings.pause); the chunk's own audio is trimmed of the model's edge silence
    pause_after: float = 0.0

    def __post_init__(self):
        # cheap checks (no scan of the audio or the maps): this runs again on every dataclasses.replace
        who = f"Chunk {self.index + 1} of {self.of}"
        check_array(who, "audio", self.audio, 1, kinds="f")
        for name in ("sample_rate", "samples_per_frame"):
            value = getattr(self, name)
            if not (isinstance(value, (int, np.integer)) and value > 0):
                raise refuse(who, f"{name} is {value!r}; it must be a positive whole number.")
        check_array(who, "tokens", self.tokens, 1, kinds="iu")
        check_array(who, "durations", self.durations, 1, finite=True)
        check_array(who, "frames", self.frames, 1, kinds="iu")
        check_array(who, "f0", self.f0, 1, kinds="f", finite=True)
        check_array(who, "energy", self.energy, 1, kinds="f", finite=True)
        if len(self.f0) != len(self.energy):
            raise refuse(who, f"f0 has {len(self.f0)} points and energy {len(self.energy)}; they share one time axis.")
        check_attention(who, self.attention, self.attention_axes)
        check_extras(who, self.extras, tuple(EXTRAS))

    @property
    def views(self) -> tuple[View, ...]:
        """The inspector views this chunk can fill, in View order."""
        x = self.extras
        has = {View.MEL: True, View.F0: True, View.TIMINGS: True, View.TOKENS: "speech_tokens" in x,
               View.ALIGNMENT: self.frames.size > 0,
               View.ATTENTION: self.attention is not None or "flow_attention" in x,
               View.TRAJECTORY: "trajectory" in x, View.LATENTS: "latents" in x}
        return tuple(v for v in View if has.get(v, False))

    @property
    def alignment(self) -> np.ndarray:
        """Hard monotonic alignment, tokens x frames (1 where a frame belongs to a token)."""
        frames = self.frames.astype(int)
        ends = np.cumsum(frames)
        out = np.zeros((len(frames), int(ends[-1]) if len(ends) else 0), np.uint8)
        for i, (s, e) in enumerate(zip(ends - frames, ends)):
            out[i, s:e] = 1
        return out

    @property
    def token_labels(self) -> list[str]:
        return ["^", *self.phonemes, "$"]


@dataclass(frozen=True, eq=False)
class Result:
    audio: np.ndarray            # float32 mono, the whole text
    sample_rate: int
    text: str
    chunks: tuple[ChunkResult, ...]
    voice_id: str
    voice_name: str
    engine: str
    engine_version: str
    settings: dict               # SynthesisSettings.to_dict()
    seed: int
    timings: dict                # stage -> seconds
    warnings: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)   # voxnb.output.provenance.build(): generator, voice, consent, watermark

    @cached_property
    def mel(self) -> np.ndarray:
        """[N_MELS, frames] dB, MEL_HOP samples per frame; computed on first use, since a batch run
        that never looks at it should not pay for librosa (and numba, ~130 MB of RSS)."""
        return mel_spectrogram(self.audio, self.sample_rate)

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate

    @property
    def views(self) -> tuple[View, ...]:
        """The inspector views this result holds (every chunk of one result comes from one engine)."""
        return self.chunks[0].views if self.chunks else (View.MEL, View.F0, View.TIMINGS)

    @property
    def phonemes(self) -> list[str]:
        return [c.phonemes for c in self.chunks]

    @property
    def rtf(self) -> float:
        return self.timings.get("total", 0.0) / max(self.duration_s, 1e-9)

    def f0_track(self) -> tuple[np.ndarray, np.ndarray]:
        """(times in s, Hz) across all chunks, NaN where unvoiced."""
        return self._track("f0")

    def energy_track(self) -> tuple[np.ndarray, np.ndarray]:
        return self._track("energy")

    def _track(self, name: str):
        ts, vs = [], []
        for c in self.chunks:
            v = np.asarray(getattr(c, name), np.float32).ravel()
            step = c.samples_per_frame / 2 / c.sample_rate   # two curve points per frame
            ts.append(c.offset / c.sample_rate + np.arange(len(v)) * step)
            vs.append(np.where(v > VOICED_HZ, v, np.nan) if name == "f0" else v)
        if not ts:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(ts), np.concatenate(vs)

    def sidecar(self) -> dict:
        return {"text": self.text, "voice_id": self.voice_id, "voice_name": self.voice_name,
                "engine": self.engine, "engine_version": self.engine_version, "settings": self.settings,
                "seed": self.seed, "sample_rate": self.sample_rate, "duration_s": round(self.duration_s, 3),
                "timings": {k: round(v, 4) for k, v in self.timings.items()},
                "phonemes": self.phonemes, "warnings": list(self.warnings), "provenance": self.provenance}

    def wav_bytes(self) -> bytes:
        """The WAV a download gets: 16-bit, tagged with the provenance like a saved file."""
        buf = io.BytesIO()
        write_audio(buf, self.audio, self.sample_rate, self.provenance, format="WAV")
        return buf.getvalue()

    def save(self, path: str | Path) -> Path:
        """Write the audio + JSON sidecar; the extension picks the format (.wav, .flac, .ogg, .mp3; none:
        .wav). An existing file is never replaced: a free name is chosen (take.wav -> take-1.wav) and
        returned, even when other processes or threads save to the same path at once."""
        from .write import AudioOutput

        with AudioOutput(path, self.provenance) as out:
            out.write(self.audio, self.sample_rate)
            return out.commit(self.sidecar())


def write_audio(target, audio: np.ndarray, sample_rate: int, provenance: dict, format: str = "WAV") -> None:
    """16-bit audio with the provenance embedded (see voxnb.output.provenance); ``target`` a path or a file object.
    Files on disk go through Result.save (voxnb.output.write), which never replaces one and leaves no temp file."""
    import soundfile as sf

    from .provenance import write_tags

    subtype = {"OGG": "VORBIS", "MP3": "MPEG_LAYER_III"}.get(format.upper(), "PCM_16")
    with sf.SoundFile(target, "w", sample_rate, 1, subtype=subtype, format=format) as f:
        if provenance:
            write_tags(f, provenance)
        f.write(np.clip(audio, -1, 1))


def pause_samples(chunk: ChunkResult) -> int:
    """The silence after ``chunk`` in samples: what engines add to the next chunk's offset."""
    return int(round(chunk.pause_after * chunk.sample_rate))


def with_pauses(chunks):
    """(chunk, the silence before it) for each chunk: the previous chunk's pause, none before the first.
    ``assemble`` joins them; a streamed output writes them as they come, so both hold the same samples."""
    pause = np.zeros(0, np.float32)
    for c in chunks:
        yield c, pause
        pause = np.zeros(pause_samples(c), np.float32)


def assemble(text: str, chunks: list[ChunkResult], voice, settings, engine: str, engine_version: str,
             started: float, warnings: tuple[str, ...] = ()) -> Result:
    """Join chunk results, each followed by its ``pause_after`` of silence, into one Result."""
    pieces = [piece for c, lead in with_pauses(chunks) for piece in (lead, c.audio)]
    audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    return finish(text, chunks, voice, settings, engine, engine_version, started, audio, warnings)


def finish(text: str, chunks: list[ChunkResult], voice, settings, engine: str, engine_version: str,
           started: float, audio: np.ndarray, warnings: tuple[str, ...] = (), record: dict | None = None) -> Result:
    """The Result of chunks whose joined ``audio`` is given: timings, notes and provenance. A streamed
    output passes the ``record`` it embedded before its first sample, so file and sidecar agree."""
    import time

    sample_rate = chunks[0].sample_rate if chunks else 24000
    timings = {"frontend": sum(c.frontend_seconds for c in chunks), "acoustic": sum(c.seconds for c in chunks)}
    timings["total"] = time.perf_counter() - started
    notes = tuple(w for c in chunks for w in c.warnings) + tuple(warnings)
    if record is None:
        record = provenance_record(voice, settings, engine, engine_version)
    return Result(audio=audio, sample_rate=sample_rate, text=text, chunks=tuple(chunks), voice_id=voice.id,
                  voice_name=voice.name, engine=engine, engine_version=engine_version, settings=settings.to_dict(),
                  seed=settings.seed, timings=timings, warnings=notes, provenance=record)


def provenance_record(voice, settings, engine: str, engine_version: str) -> dict:
    """What a Result of these validated ``settings`` carries as its provenance; a streamed output builds it
    here before its first sample (a WAV keeps its tags in the header) and hands it to ``finish``."""
    from . import provenance

    return provenance.build(voice, settings.to_dict(), engine, engine_version, settings.seed)
