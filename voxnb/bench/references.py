"""The benchmark's reference speakers: real human speech, one enroll and one held-out clip each.

The list is explicit, not discovered from the folder, so adding a clip to
assets/ never silently changes what the benchmark measures.  Provenance and
licences of every file are in assets/reference/SOURCES.md.

Each speaker has a role: "tune" speakers may be used by any fitting, tuning or
selection step; "heldout" speakers never are, and the benchmark's headline
figures are the ones on them (``reference_set(role="heldout")``).
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
    lang: str = "en"  # "en" or "zh": the language spoken in both clips
    role: str = "tune"  # "tune": fitting/tuning/selection may use it; "heldout": never, headline figures only
    bandwidth_hz: int = 8000  # stated audio bandwidth of the clips (half the rate for full-band sources)


_CODEC2 = "Debian codec2-examples 1.0.5-1, LGPL-2.1"
_KLETTRES = "Debian klettres-data 4:22.12.3-1, GPL-2+"
_GCIN = "Debian gcin-voice 0~20170223-3"
ROLES = ("tune", "heldout")
LANGS = ("en", "zh")
# what the benchmark states when it clones them: published recordings, licensed for this use
# the random-weights bench: what its reference says, its warm-up, and how long an untrained stop head is let run
REFERENCE_TEXT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."
WARM_TEXT = "Hello there."
CHARS_PER_SECOND = 14.0        # English read speech
CONSENT = "benchmark reference: a published recording licensed for redistribution (assets/reference/SOURCES.md)"

# (name, gender, lang, role, bandwidth Hz, enroll file, held-out file, source)
_SPEAKERS = (
    ("harvard_f", "f", "en", "tune", 8000,
     "harvard_01.flac", "harvard_02.flac", f"{_CODEC2}: raw/speech_orig_16k.wav (16 kHz)"),
    ("codec2_hts_f", "f", "en", "heldout", 4000,
     "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/hts.raw 6-12 s / 18-24 s (8 kHz)"),
    ("codec2_hts_m", "m", "en", "tune", 4000,
     "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/hts.raw 0-6 s / 12-18 s (8 kHz)"),
    ("codec2_vk5qi_m", "m", "en", "tune", 4000,
     "enroll.flac", "heldout.flac", f"{_CODEC2}: wav/vk5qi.wav split at 10.08 s (8 kHz)"),
    ("codec2_cqref_m", "m", "en", "tune", 4000,
     "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/cq_ref.raw split at 5.24 s (8 kHz)"),
    ("codec2_ve9qrp_m", "m", "en", "tune", 4000,
     "enroll.flac", "heldout.flac", f"{_CODEC2}: raw/ve9qrp.raw 0.3-9.1 s / 34.7-40.4 s (8 kHz)"),
    # full-band (44.1 kHz) real voices; each clip joins isolated words or syllables, see SOURCES.md
    ("en_klettres_m", "m", "en", "heldout", 16000,
     "enroll.flac", "heldout.flac", f"{_KLETTRES}: en/syllab words / en/alpha letters (44.1 kHz)"),
    ("en_klettres_f", "f", "en", "tune", 16000,
     "enroll.flac", "heldout.flac", f"{_KLETTRES}: en_GB/syllab words / en_GB/alpha letters (44.1 kHz)"),
    ("zh_gcin_f", "f", "zh", "heldout", 16000,
     "enroll.flac", "heldout.flac", f"{_GCIN}, CC-BY-3.0: */5.ogg syllables (44.1 kHz)"),
    ("zh_gcin_m", "m", "zh", "tune", 16000,
     "enroll.flac", "heldout.flac", f"{_GCIN}, GPL-3 or LGPL-3: */3.ogg syllables (44.1 kHz, noisy)"),
)


def reference_set(root: Path = REFERENCE_DIR, *, role: str | None = None) -> list[Speaker]:
    """The reference speakers (all of them, or only those of ``role``: "tune" or "heldout"),
    with their clips checked to exist under ``root``."""
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {ROLES} or None, not {role!r}")
    speakers = [Speaker(name, gender, root / name / enroll, root / name / heldout, source, lang, rl, band)
                for name, gender, lang, rl, band, enroll, heldout, source in _SPEAKERS
                if role is None or rl == role]
    missing = [str(p) for s in speakers for p in (s.enroll, s.heldout) if not p.is_file()]
    if missing:
        raise VoxnbError(key="bench.benchmark_reference_clips_missing", root=root, missing=missing)
    return speakers
