"""The benchmark's reference set: real clips usable by voxnb, and a d-vector that tells the speakers apart."""

from functools import lru_cache

import numpy as np
import pytest
import soundfile as sf

from voxnb.reference.audio import prepare_reference
from voxnb.reference import speaker as dvector
from voxnb.bench.references import LANGS, REFERENCE_DIR, ROLES, Speaker, reference_set
from voxnb.errors import VoxnbError
from voxnb.engines.kokoro.timbre import bandwidth
from voxnb.reference.vad import FRAME_S, detect_speech

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


def test_roles_split_the_set_and_cover_both_languages():
    assert {s.role for s in SPEAKERS} == set(ROLES)
    assert {s.lang for s in SPEAKERS} == set(LANGS)
    for role in ROLES:
        part = reference_set(role=role)
        assert part and all(s.role == role for s in part)
        assert {s.lang for s in part} == set(LANGS), role   # both languages in tune and in heldout
    heldout, tune = reference_set(role="heldout"), reference_set(role="tune")
    assert {s.name for s in heldout} | {s.name for s in tune} == {s.name for s in SPEAKERS}
    assert not {s.name for s in heldout} & {s.name for s in tune}
    assert {s.gender for s in heldout} == {"f", "m"}
    assert [s.name for s in reference_set(role=None)] == [s.name for s in SPEAKERS]
    with pytest.raises(ValueError):
        reference_set(role="train")


def test_full_band_speakers_in_both_languages_and_genders():
    full = [s for s in SPEAKERS if s.bandwidth_hz >= 16000]
    assert {(s.lang, s.gender) for s in full} == {("en", "f"), ("en", "m"), ("zh", "f"), ("zh", "m")}
    assert {s.lang for s in full if s.role == "heldout"} == set(LANGS)


def _clips(speakers):
    return [(s, p) for s in speakers for p in (s.enroll, s.heldout)]


@pytest.mark.parametrize("speaker,path", _clips(SPEAKERS), ids=[f"{s.name}/{p.stem}" for s, p in _clips(SPEAKERS)])
def test_clips_are_mono_flac_with_their_stated_bandwidth(speaker, path):
    info = sf.info(path)
    assert (info.format, info.subtype, info.channels) == ("FLAC", "PCM_16", 1)
    assert info.samplerate >= 2 * speaker.bandwidth_hz
    audio, sr = sf.read(path, dtype="float32")
    assert bandwidth(audio, sr) >= 0.9 * speaker.bandwidth_hz
    if speaker.bandwidth_hz > 8000:   # full band: real energy above 8 kHz (fricatives), not just a high rate
        spec = np.abs(np.fft.rfft(audio)) ** 2
        freqs = np.fft.rfftfreq(len(audio), 1 / sr)
        assert spec[freqs > 8000].sum() / spec.sum() > 1e-4
    if path == speaker.enroll and speaker.bandwidth_hz > 8000:
        assert 5.0 <= info.duration <= 10.0   # new clips: 5-10 s, so the dashboard offers them as samples


@pytest.mark.parametrize("speaker", SPEAKERS, ids=lambda s: s.name)
def test_enroll_clip_is_accepted_by_prepare_reference(speaker):
    ref = prepare_reference(speaker.enroll)
    assert ref.report.speech_s >= 3.0
    assert ref.report.speech_s <= 10.0


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
