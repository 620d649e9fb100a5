"""The benchmark's reference speakers: real human speech, one enroll and one held-out clip each.

The list is explicit, not discovered from the folder, so adding a clip to
assets/ never silently changes what the benchmark measures.  Provenance and
licences of every file are in assets/reference/SOURCES.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voxnb.errors import VoxnbError

# repo/assets/reference: this file is repo/voxnb/bench/references.py
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "assets" / "reference"


@dataclass(frozen=True)
class Speaker:
    """One real speaker of the reference set."""

    name: str  # folder under REFERENCE_DIR, also the speaker's id in results
    gender: str  # "f" or "m"
    enroll: Path  # clip the clone is conditioned on (3-10 s of speech)
    heldout: Path  # a different utterance, never seen by cloning (>= 2.5 s of speech)
    source: str  # where the recording comes from (details in SOURCES.md)


_CODEC2 = "Debian codec2-examples 1.0.5-1, LGPL-2.1"
# what the benchmark states when it clones them: published recordings, licensed for this use
CONSENT = "benchmark reference: a published recording licensed for redistribution (assets/reference/SOURCES.md)"

# (name, gender, enroll file, held-out file, source)
_SPEAKERS = (
    ("harvard_f", "f", "harvard_01.flac", "harvard_02.flac", f"{_CODEC2}: raw/speech_orig_16k.wav (16 kHz)"),
    ("codec2_hts_f", "f", "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/hts.raw 6-12 s / 18-24 s (8 kHz)"),
    ("codec2_hts_m", "m", "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/hts.raw 0-6 s / 12-18 s (8 kHz)"),
    ("codec2_vk5qi_m", "m", "enroll.flac", "heldout.flac", f"{_CODEC2}: wav/vk5qi.wav split at 10.08 s (8 kHz)"),
    ("codec2_cqref_m", "m", "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/cq_ref.raw split at 5.24 s (8 kHz)"),
    ("codec2_ve9qrp_m", "m", "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/ve9qrp.raw 0.3-9.1 s / 34.7-40.4 s (8 kHz)"),
)


def reference_set(root: Path = REFERENCE_DIR) -> list[Speaker]:
    """The reference speakers, with their clips checked to exist under ``root``."""
    speakers = [Speaker(name, gender, root / name / enroll, root / name / heldout, source)
                for name, gender, enroll, heldout, source in _SPEAKERS]
    missing = [str(p) for s in speakers for p in (s.enroll, s.heldout) if not p.is_file()]
    if missing:
        raise VoxnbError(f"Benchmark reference clips missing from {root}: {', '.join(missing)}.",
                         "They ship with the repository in assets/reference/; restore them from git.")
    return speakers
