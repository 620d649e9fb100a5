"""A fine-tuning dataset on disk: ``segments/*.wav``, ``manifest.jsonl`` (one segment per line) and
``dataset.json`` (its name, sources, consent record and digest). The manifest is what a trainer reads
and what the dashboard edits: a transcript fixed, a segment dropped or restored.

    ds = Dataset.load("data/anna")
    ds.edit(3, transcript="The birch canoe slid on the smooth planks.")
    ds.edit(7, kept=False, reason="user")
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..errors import VoxnbError

MANIFEST, INFO = "manifest.jsonl", "dataset.json"


@dataclass(frozen=True)
class Segment:
    index: int
    audio: str                 # path relative to the dataset folder
    transcript: str
    duration_s: float
    source: str                # the file it was cut from (its name)
    start_s: float             # where in that file
    end_s: float
    kept: bool
    reason: str = ""           # why it is not kept: too_short, too_long, not_speech, other_speaker, ...
    scores: dict = field(default_factory=dict)   # snr_db, clipping, speaker_sim, asr_confidence, chars_per_s

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


@dataclass
class Dataset:
    folder: Path
    segments: list[Segment]
    info: dict

    @property
    def kept_s(self) -> float:
        return round(sum(s.duration_s for s in self.segments if s.kept), 3)

    @classmethod
    def load(cls, folder) -> "Dataset":
        folder = Path(folder)
        try:
            lines = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
            info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            raise VoxnbError(key="finetune.no_dataset", folder=folder) from None
        return cls(folder, [Segment(**json.loads(line)) for line in lines if line.strip()], info)

    def save(self) -> None:
        """Write the manifest and the info atomically (a crash leaves the old or the new, never half)."""
        self.info["digest"] = self.digest()
        self.info["kept_s"] = self.kept_s
        _atomic(self.folder / MANIFEST, "".join(s.to_json() + "\n" for s in self.segments))
        _atomic(self.folder / INFO, json.dumps(self.info, ensure_ascii=False, indent=2))

    def edit(self, index: int, **changes) -> Segment:
        """Change a segment's ``transcript``, ``kept`` (and ``reason``); saved at once."""
        unknown = set(changes) - {"transcript", "kept", "reason"}
        if unknown:
            raise ValueError(f"only transcript, kept and reason can be edited, not {sorted(unknown)}")
        at = next(i for i, s in enumerate(self.segments) if s.index == index)
        if changes.get("kept") and "reason" not in changes:
            changes["reason"] = ""
        self.segments[at] = replace(self.segments[at], **changes)
        self.save()
        return self.segments[at]

    def digest(self) -> str:
        """What a fine-tune trained on: the kept segments' audio and transcripts (a voice names it)."""
        h = hashlib.sha256()
        for s in self.segments:
            if s.kept:
                h.update((self.folder / s.audio).read_bytes())
                h.update(s.transcript.encode())
        return h.hexdigest()[:16]


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
