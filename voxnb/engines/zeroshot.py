"""What the reference-conditioned engines (F5-TTS, VoxCPM) share: the prompt voice, chunking and seeds.

A Voice holds the reference audio at the engine's rate, its transcript and whatever prompt features
the engine caches. Text is cut by voxnb's own splitter and every chunk is generated with its own seed
(``chunk_seed``), so a chunk's audio does not depend on how many chunks came before or on threads:
the same text, voice and seed give the same audio. F0 and energy are measured on the output, since
these engines predict neither.
"""
from __future__ import annotations

import re
import time
from typing import Iterator

import numpy as np

from ..errors import BadReferenceError, TextError, VoiceNotFoundError
from ..output.chunk import ChunkOutput, refuse
from ..output.result import ChunkResult, pause_samples
from ..settings import SynthesisSettings
from ..voice import Voice, check_name, content_hash
from .base import Engine

F0_RANGE = (50.0, 600.0)
PAUSE_DB = -35.0    # frames this far below the clip's loudest count as a pause where a cut may go


def require_package(module: str, engine: str, pip_name: str) -> None:
    """A clear message where the engine's package is not in this environment (it lives in envs/<engine>)."""
    import importlib.util

    from ..errors import EngineError

    if importlib.util.find_spec(module) is None or importlib.util.find_spec("torchaudio") is None:
        raise EngineError(key="zeroshot.engine_s_package_torchaudio", engine=engine, pip_name=pip_name)


def chunk_seed(seed: int, index: int) -> int:
    """A chunk's own seed: reproducible per chunk, different between chunks."""
    return (int(seed) + 1_000_003 * index) % 2**32


def seed_everything(seed: int) -> None:
    import random

    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def f0_energy(audio: np.ndarray, sample_rate: int, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """F0 (Hz, 0 where unvoiced) and RMS energy (dB) every ``hop`` samples, measured on the output.

    YIN (fast: pYIN took 3x the synthesis time on the CPU) with frames more than 35 dB below the
    loudest, or outside the speech range, called unvoiced.
    """
    import librosa

    y = np.asarray(audio, np.float32)
    n = max(1, len(y) // hop)
    if len(y) < 2048:
        return np.zeros(n, np.float32), np.full(n, -100.0, np.float32)
    f0 = librosa.yin(y, fmin=F0_RANGE[0], fmax=F0_RANGE[1], sr=sample_rate, frame_length=2048, hop_length=hop)[:n]
    rms = librosa.feature.rms(y=y, frame_length=2048, hop_length=hop, center=True)[0][:n]
    energy = 20 * np.log10(np.maximum(rms, 1e-5))
    voiced = (energy > energy.max() + PAUSE_DB) & (f0 > F0_RANGE[0] * 1.05) & (f0 < F0_RANGE[1] * 0.95)
    return np.where(voiced, f0, 0.0).astype(np.float32), energy.astype(np.float32)


def cut_at_pause(audio: np.ndarray, sample_rate: int, max_s: float) -> tuple[np.ndarray, bool]:
    """At most ``max_s`` seconds, ending at the quietest 50 ms in the last third before the limit."""
    limit = int(max_s * sample_rate)
    if len(audio) <= limit:
        return audio, False
    hop = int(0.05 * sample_rate)
    start = int(limit * 2 / 3)
    window = audio[start:limit]
    frames = window[: len(window) // hop * hop].reshape(-1, hop)
    quiet = int(np.argmin((frames ** 2).mean(axis=1)))
    return audio[: start + quiet * hop + hop // 2].copy(), True


def join_words(parts: list[str]) -> str:
    """Join text pieces with a space only where two Latin words would otherwise run together."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and re.match(r"[A-Za-z0-9]", p[0]) and re.search(r"[A-Za-z0-9.,!?;:]$", out):
            out += " "
        out += p
    return out


class ZeroShotEngine(Engine):
    """Subclasses set SPEC (what they refuse), NAME, TITLE, SAMPLE_RATE, MAX_REFERENCE_S, and implement
    ``_prompt_features`` (cached in the Voice), ``_render`` (a TextChunk in the engine's own form)
    and ``_generate`` (one chunk -> a ChunkOutput, or the engine's subclass that declares its extras)."""

    NAME = ""
    TITLE = ""
    SAMPLE_RATE = 24000
    MAX_REFERENCE_S = 15.0
    METHOD = ""

    # -- voices ------------------------------------------------------------------------------------
    def stock_voice(self, name: str) -> Voice:
        raise VoiceNotFoundError(key="zeroshot.stock_voices_speaks_voice", title=self.TITLE)

    def clone(self, reference, name: str | None = None, transcript: str = "", consent=None) -> Voice:
        """A Voice from a reference clip (path, (audio, sr) or a prepared Reference) and what it says.

        ``consent``: True, or the statement as text, that you may clone this voice (refused without).
        No transcript: voxnb transcribes the clip (English on the CPU; Mandarin needs the Whisper
        weights that `voxnb fetch whisper` brings). A clip longer than the engine uses is cut at a
        pause, and then only an ASR transcript (of the cut clip) can match it.
        """
        from ..reference.audio import prepare_reference
        from ..output.consent import record, required
        from ..reference.decode import resample

        if not consent:
            raise required()
        ref = reference if hasattr(reference, "report") else prepare_reference(reference)
        stated = record(consent, ref.audio)
        audio, cut = cut_at_pause(ref.audio, ref.sample_rate, self.MAX_REFERENCE_S)
        warnings = list(ref.report.warnings)
        windowed = any(w.startswith("cut to the best") for w in warnings)   # prepare_reference's long-clip cut
        if windowed and transcript.strip():
            raise BadReferenceError(key="zeroshot.reference_s_long_takes",
                                    original_duration_s=ref.report.original_duration_s, title=self.TITLE,
                                    max_reference_s=self.MAX_REFERENCE_S)
        if cut:
            kept = len(audio) / ref.sample_rate
            if transcript.strip():
                raise BadReferenceError(key="zeroshot.reference_s_speech_uses", duration_s=ref.report.duration_s,
                                        title=self.TITLE, max_reference_s=self.MAX_REFERENCE_S, kept=kept)
            from ..messages import Msg

            warnings.append(Msg("zeroshot.warn_cut", kept=kept, title=self.TITLE, max_s=self.MAX_REFERENCE_S))
        transcript = transcript.strip() or self._transcribe(audio, ref.sample_rate)
        audio = resample(audio, ref.sample_rate, self.SAMPLE_RATE).astype(np.float32)
        key = content_hash(self.METHOD, self.capabilities.version, audio.tobytes(), transcript)
        features = self._prompt_features(audio, transcript)
        report = {**ref.report.to_dict(), "warnings": warnings, "duration_s": round(len(audio) / self.SAMPLE_RATE, 3)}
        return Voice(id=key, name=check_name(name) if name else f"voice-{key[:6]}", engine=self.NAME,
                     method=self.METHOD, conditioning={"prompt_audio": audio, **features}, report=report,
                     transcript=transcript, info={"sample_rate": self.SAMPLE_RATE, "cut": cut}, consent=stated)

    def _transcribe(self, audio: np.ndarray, sample_rate: int) -> str:
        from ..reference.whisper import transcribe_reference

        try:
            text = transcribe_reference(audio, sample_rate).text.strip()
        except Exception as err:   # ASR missing or failed: the user can still type the transcript
            raise BadReferenceError(key="zeroshot.needs_reference_s_transcript2", title=self.TITLE, err=err) from err
        if not text:
            raise BadReferenceError(key="zeroshot.needs_reference_s_transcript", title=self.TITLE)
        return text

    def _resolve(self, voice: Voice | str) -> Voice:
        if not isinstance(voice, Voice):
            return self.stock_voice(voice)
        if voice.engine != self.NAME:
            raise VoiceNotFoundError(key="zeroshot.voice_made_engine", name=voice.name, engine=voice.engine,
                                     name2=self.NAME, title=self.TITLE)
        if not voice.transcript.strip():
            raise VoiceNotFoundError(key="zeroshot.voice_transcript_which_needs", name=voice.name, title=self.TITLE)
        return voice

    # -- synthesis ---------------------------------------------------------------------------------
    def _stream(self, text: str, voice: Voice | str, settings: SynthesisSettings) -> Iterator[ChunkResult]:
        from ..text.chunks import text_chunks

        voice = self._resolve(voice)
        t = time.perf_counter()
        chunks = text_chunks(text, lang=settings.lang)
        rendered = [self._render(c) for c in chunks]     # markup errors surface before any audio
        frontend = time.perf_counter() - t
        offset = 0
        for i, (chunk, text_in) in enumerate(zip(chunks, rendered)):
            t = time.perf_counter()
            out = self._generate(text_in, voice, settings, chunk_seed(settings.seed, i))
            seconds = time.perf_counter() - t
            result = self._chunk(out, i, len(chunks), chunk, offset, seconds, frontend if i == 0 else 0.0,
                                 settings.pause(chunk.boundary))
            yield result
            offset += len(result.audio) + pause_samples(result)

    def _chunk(self, out: ChunkOutput, index: int, of: int, chunk, offset: int, seconds: float, frontend: float,
               pause_after: float) -> ChunkResult:
        """The ChunkResult of one model call: F0 and energy measured on its audio (or the model's own F0)."""
        if not isinstance(out, ChunkOutput):
            raise refuse(self.TITLE, f"_generate returned a {type(out).__name__}, not a ChunkOutput.")
        audio = out.audio.astype(np.float32, copy=False)
        f0, energy = f0_energy(audio, out.sample_rate, out.samples_per_frame // 2)
        if out.f0 is not None:    # the engine's own pitch (CosyVoice's vocoder predicts one)
            own = out.f0.astype(np.float32)[: len(energy)]
            f0 = np.pad(own, (0, len(energy) - len(own)))
        extras = dict(out.extras) if out.mel is None else {"mel": out.mel, **out.extras}
        return ChunkResult(index=index, of=of, text=chunk.text, phonemes=out.shown, tokens=out.tokens.astype(np.int64),
                           durations=np.zeros(0, np.float32), frames=np.zeros(0, np.int64), f0=f0, energy=energy,
                           attention=out.attention, audio=audio, sample_rate=out.sample_rate,
                           samples_per_frame=out.samples_per_frame, offset=offset, seconds=seconds,
                           frontend_seconds=frontend, warnings=tuple(chunk.warnings) + tuple(out.warnings),
                           attention_axes=tuple(out.attention_axes), extras=extras, pause_after=pause_after)

    def _refuse_markup(self, chunk, kinds=("pinyin", "arpabet")) -> None:
        for kind in kinds:
            if chunk.has(kind):
                raise TextError(key="zeroshot.cannot_read_markup", title=self.TITLE, text=chunk.text,
                                kind='pinyin' if kind == 'pinyin' else 'ARPAbet', pinyin_engine="f5")

    # subclass hooks
    def _prompt_features(self, audio: np.ndarray, transcript: str) -> dict[str, np.ndarray]:
        return {}

    def _render(self, chunk):
        raise NotImplementedError

    def _generate(self, text_in, voice: Voice, settings: SynthesisSettings, seed: int) -> ChunkOutput:
        raise NotImplementedError
