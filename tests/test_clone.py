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
    scores = {c["label"]: c["dvector"] for c in cloned.info["candidates"]}
    assert cloned.info["dvector"] == max(scores.values()) >= scores["nearest"]


def test_second_enrollment_comes_from_the_cache(engine, ref_clip, cloned, monkeypatch):
    def no_fit(*a, **k):
        raise AssertionError("the same clip was fitted twice")

    monkeypatch.setattr(kclone, "fit", no_fit)
    again = engine.clone(ref_clip, name="other-name", transcript="typed by hand", consent=True)
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
        engine.clone(path, consent=True)
    assert sorted(kclone._enrollment_cache().names()) == before


def test_clone_carries_a_bounded_timbre_eq_and_the_reference_bandwidth(cloned):
    from voxnb.engines.kokoro import timbre

    eq = cloned.conditioning["eq_db"]
    assert eq.shape == timbre.BAND_HZ.shape and np.all(np.abs(eq) <= timbre.MAX_GAIN_DB + 1e-6) and np.any(eq)
    assert 7000 < cloned.controls["bandwidth_hz"] < 8200          # harvard_01 is a 16 kHz recording
    with np.load(kclone.TABLE) as z:
        assert set(cloned.info["stock_dvector"]) == set(z["names"])     # every stock voice ranked in channel


def _distance_to(reference, audio, lo=150, hi=7000):
    """Mean absolute gap (dB) between two long-term spectra inside a band, levels aligned."""
    from voxnb.engines.kokoro import timbre

    f = np.fft.rfftfreq(timbre.N_FFT, 1 / 24000)
    band = (f >= lo) & (f <= hi)
    gap = timbre.long_term_spectrum(reference, 24000)[band] - timbre.long_term_spectrum(audio, 24000)[band]
    return float(np.mean(np.abs(gap - np.median(gap))))


def test_timbre_eq_brings_the_output_spectrum_to_the_reference(engine, ref_clip, cloned):
    import dataclasses

    from voxnb.reference.audio import prepare_reference

    text = "Every evening the old ferry crosses the river with a handful of tired passengers."
    plain = dataclasses.replace(cloned, conditioning={"style_pack": cloned.conditioning["style_pack"]})
    with_eq = engine.synthesize(text, cloned, inspect=False).audio
    without = engine.synthesize(text, plain, inspect=False).audio   # a voice saved before timbre EQ still speaks
    reference = prepare_reference(ref_clip).audio
    assert _distance_to(reference, with_eq) < 0.8 * _distance_to(reference, without)


def test_match_channel_copies_the_reference_bandwidth(engine, cloned):
    from voxnb.engines.kokoro import timbre

    text = "A phone call sounds like a phone call."
    full = engine.synthesize(text, cloned, inspect=False).audio
    phone = engine.synthesize(text, cloned, inspect=False, match_channel=True).audio
    f = np.fft.rfftfreq(timbre.N_FFT, 1 / 24000)
    top = f > cloned.controls["bandwidth_hz"] + 200

    def above(x):
        return float(np.mean(timbre.long_term_spectrum(x, 24000)[top]))

    # nothing above the band (the -120 dB floor) where the full band has speech; the d-vector's
    # nearest voice for this clip (jf_nezumi) is itself soft up there, ~-87 dB
    assert above(phone) < -110 < above(full) - 20 and len(phone) == len(full)


def test_fit_takes_a_reference_at_any_sample_rate(engine, ref_clip):
    import soundfile as sf

    audio, sr = sf.read(ref_clip, dtype="float32")     # 16 kHz, as recorded
    pack, controls, eq, info = kclone.fit(engine, audio, sr)
    assert pack.shape == (510, 256) and eq.shape == (len(kclone.timbre.BAND_HZ),)
    assert 7000 < controls["bandwidth_hz"] < 8200 and info["chosen"] in {c["label"] for c in info["candidates"]}
