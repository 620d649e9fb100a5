"""The benchmark's reference set: real clips usable by voxnb, and a d-vector that tells the speakers apart."""

from functools import lru_cache

import numpy as np
import pytest
import soundfile as sf

from voxnb.audio import prepare_reference
from voxnb.bench import dvector
from voxnb.bench.references import REFERENCE_DIR, Speaker, reference_set
from voxnb.errors import VoxnbError
from voxnb.vad import FRAME_S, detect_speech

SPEAKERS = reference_set()


def _speech_s(path) -> float:
    audio, sr = sf.read(path, dtype="float32")
    return float(detect_speech(audio, sr).sum() * FRAME_S)


@lru_cache(maxsize=None)
def _dvec(path) -> np.ndarray:
    audio, sr = sf.read(path, dtype="float32")
    return dvector.embed(audio, sr)


def test_set_covers_both_genders_and_three_speakers():
    assert len(SPEAKERS) >= 3
    assert {s.gender for s in SPEAKERS} == {"f", "m"}
    assert len({s.name for s in SPEAKERS}) == len(SPEAKERS)
    assert all(isinstance(s, Speaker) and s.enroll != s.heldout for s in SPEAKERS)
    assert all(s.enroll.parent.parent == REFERENCE_DIR for s in SPEAKERS)


def test_missing_assets_raise_a_clear_error(tmp_path):
    with pytest.raises(VoxnbError, match=str(tmp_path)):
        reference_set(tmp_path)


@pytest.mark.parametrize("speaker", SPEAKERS, ids=lambda s: s.name)
def test_enroll_clip_is_accepted_by_prepare_reference(speaker):
    ref = prepare_reference(speaker.enroll)
    assert ref.report.speech_s >= 3.0


@pytest.mark.parametrize("speaker", SPEAKERS, ids=lambda s: s.name)
def test_heldout_clip_has_enough_speech(speaker):
    assert _speech_s(speaker.heldout) >= 2.5


def test_dvector_is_unit_norm_and_deterministic():
    path = SPEAKERS[0].enroll
    a = _dvec(path)
    audio, sr = sf.read(path, dtype="float32")
    b = dvector.embed(audio, sr)
    assert a.shape == (256,)
    assert abs(float(np.linalg.norm(a)) - 1.0) < 1e-5
    np.testing.assert_array_equal(a, b)


def test_dvector_prefers_the_same_speaker():
    # same speaker's held-out clip vs the mean over every other speaker's held-out clip
    margins = []
    for s in SPEAKERS:
        same = dvector.similarity(_dvec(s.enroll), _dvec(s.heldout))
        strangers = np.mean([dvector.similarity(_dvec(s.enroll), _dvec(o.heldout))
                             for o in SPEAKERS if o is not s])
        margins.append(same - strangers)
    assert np.mean(margins) > 0.1
    assert min(margins) > 0.0
