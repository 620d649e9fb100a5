"""Cloning: a Voice value, cached enrollment, never below the nearest stock voice."""
import numpy as np
import pytest

from voxnb.engines.kokoro import clone as kclone
from voxnb.errors import BadReferenceError
from voxnb.voice import Voice


def test_clone_is_a_value_with_report_and_fit(cloned):
    assert isinstance(cloned, Voice) and cloned.engine == "kokoro" and cloned.method == kclone.METHOD
    assert cloned.conditioning["style_pack"].shape == (510, 256)
    assert cloned.report["speech_s"] >= 3 and "snr_db" in cloned.report
    lo, hi = kclone.LEVEL_RANGE
    assert lo - 1e-6 <= cloned.controls["f0_level"] <= hi + 1e-6


def test_fit_never_scores_below_the_nearest_stock_voice(cloned):
    scores = {c["label"]: c["ge2e"] for c in cloned.info["candidates"]}
    assert cloned.info["ge2e"] == max(scores.values()) >= scores["nearest"]


def test_second_enrollment_comes_from_the_cache(engine, ref_clip, cloned, monkeypatch):
    def no_fit(*a, **k):
        raise AssertionError("the same clip was fitted twice")

    monkeypatch.setattr(kclone, "fit", no_fit)
    again = engine.clone(ref_clip, name="other-name", transcript="typed by hand")
    assert again.id == cloned.id and again.name == "other-name" and again.transcript == "typed by hand"
    assert np.array_equal(again.conditioning["style_pack"], cloned.conditioning["style_pack"])


def test_shipped_stock_table_matches_this_model(engine):
    with np.load(kclone.TABLE) as z:
        assert str(z["key"]) == kclone._table_key(engine)
        names = list(z["names"])
    assert names == sorted(engine.model.stock)


def test_reference_pitch_finds_a_tone():
    sr = 24000
    t = np.arange(sr * 4) / sr
    tone = 0.3 * np.sin(2 * np.pi * 180 * t) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    median, spread = kclone.reference_pitch(tone.astype(np.float32), sr)
    assert abs(median - 180) < 5 and spread < 0.05


def test_silent_reference_is_refused_and_nothing_saved(engine, tmp_path):
    import soundfile as sf

    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(24000 * 5, np.float32), 24000)
    before = sorted(kclone._enrollment_cache().names())
    with pytest.raises(BadReferenceError, match="No speech"):
        engine.clone(path)
    assert sorted(kclone._enrollment_cache().names()) == before
