"""Takes placed on one time line, and the mix of them: written as it is read, never held whole.

    placed = [Placed(stem_path, start_sample, ...), ...]
    path = write_mix(placed, "show.wav", 24000, provenance, sidecar)   # silence between, stems verbatim

Stems at the mix's rate are copied sample for sample (read and written as 16-bit integers), so a line's
samples in the mix equal its stem's, and a timeline's times are exact to the sample.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import __version__
from ..output.provenance import METHOD, TAG

BLOCK = 1 << 16   # samples read and written at a time


@dataclass(frozen=True)
class Placed:
    """One take on the time line."""

    file: Path              # its audio (a stem of a script, a fitted cue of a dub)
    start: int              # first sample in the mix
    length: int             # samples, at the mix's rate
    speaker: str = ""
    text: str = ""
    index: int = 0          # the script line's or cue's number
    voice_id: str = ""
    extra: tuple = ()       # (key, value) pairs the timeline JSON also carries (a dub's speed factor)

    @property
    def end(self) -> int:
        return self.start + self.length

    def record(self, sample_rate: int, root: Path | None = None) -> dict:
        file = self.file.relative_to(root) if root and self.file.is_relative_to(root) else self.file
        return {"index": self.index, "speaker": self.speaker, "text": self.text, "voice_id": self.voice_id,
                "start_s": round(self.start / sample_rate, 4), "end_s": round(self.end / sample_rate, 4),
                "file": str(file), **dict(self.extra)}


def frames_of(path: Path) -> tuple[int, int]:
    """(frames, sample rate) of an audio file, from its header."""
    import soundfile as sf

    info = sf.info(str(path))
    return info.frames, info.samplerate


def provenance(kind: str, voices: list, engines: list, **more) -> dict:
    """The record a mix carries: what made it and every voice in it, with their consent records. Each take
    in it is watermarked by its engine; so is the mix (made of those takes, or marked again: see callers)."""
    people = {v.id: {"id": v.id, "name": v.name, "cloned": v.cloned, "consent": v.consent_id} for v in voices}
    caps = {c.name: c.version for c in engines}    # each engine's Capabilities
    return {TAG: __version__, "kind": kind, "engine": ", ".join(caps), "weights": ", ".join(caps.values()),
            "voices": list(people.values()),
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "watermark": METHOD, "watermarked": True,
            **more}


def write_mix(placed: list[Placed], path, sample_rate: int, record: dict, sidecar: dict | None,
              total: int | None = None, bed=None) -> Path:
    """Write the takes at their places, silence elsewhere, into ``path`` (a free name is claimed, see
    voxnb.output.write); ``total`` samples long (default: to the last take's end). ``bed(start, n)``,
    if given, returns float samples laid under the takes (a dub's ducked background); then the sum is
    written as floats."""
    from ..output.write import AudioOutput

    placed = sorted(placed, key=lambda p: p.start)
    total = max([p.end for p in placed] + [total or 0])
    with AudioOutput(path, record) as out:
        at = 0
        while at < total:
            n = min(BLOCK, total - at)
            block = np.zeros(n, np.int16) if bed is None else bed(at, n)
            for p in placed:
                lo, hi = max(p.start, at), min(p.end, at + n)
                if lo >= hi:
                    continue
                piece = _read(p.file, lo - p.start, hi - lo, sample_rate, integers=bed is None)
                block[lo - at:lo - at + len(piece)] += piece
            out.write(block, sample_rate)
            at += n
        return out.commit(sidecar)


def _read(path: Path, offset: int, n: int, sample_rate: int, integers: bool) -> np.ndarray:
    import soundfile as sf

    with sf.SoundFile(str(path)) as f:
        if f.samplerate == sample_rate:
            f.seek(offset)
            return f.read(n, dtype="int16" if integers else "float32", always_2d=True)[:, 0]
        from ..reference.decode import resample

        whole = resample(f.read(dtype="float32", always_2d=True)[:, 0], f.samplerate, sample_rate)
    piece = whole[offset:offset + n]
    return np.round(np.clip(piece, -1, 1) * 32767).astype(np.int16) if integers else piece


def timeline_record(placed: list[Placed], sample_rate: int, root: Path | None = None) -> list[dict]:
    return [p.record(sample_rate, root) for p in sorted(placed, key=lambda p: p.start)]

