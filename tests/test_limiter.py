"""No output sample is non-finite or at full scale: the guard every engine's stream ends with."""
import json
import re

import numpy as np
import soundfile as sf

from voxnb.output.limiter import CEILING, guard
from voxnb.engines.kokoro.timbre import BAND_HZ
from voxnb.voice import Voice

SR = 24000


def tone(seconds=2.0, level=0.5):
    t = np.arange(int(seconds * SR)) / SR
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_audio_within_the_ceiling_is_untouched():
    audio = tone()
    out, note = guard(audio, SR)
    assert note == "" and np.array_equal(out, audio)


def test_peaks_are_limited_around_themselves_only():
    audio = tone()
    t = np.arange(len(audio)) / SR
    audio *= 1 + 2 * np.exp(-(((t - 1.0) / 0.005) ** 2)).astype(np.float32)   # a 10 ms swell to about +3 dBFS
    out, note = guard(audio, SR)
    over = int((np.abs(audio) > CEILING).sum())
    assert np.abs(out).max() <= CEILING and re.fullmatch(rf"{over} sample\(s\) peaked at \+3\.\d dBFS; a limiter .*", note)
    # the rest keeps its loudness (not peak-normalised): the gain recovers within a few window lengths
    assert np.array_equal(out[:22500], audio[:22500]) and np.array_equal(out[25500:], audio[25500:])
    # and the gain moves smoothly (no click): at most 3 % from one sample to the next
    loud = np.abs(audio) > 0.05
    gain = np.where(loud, out / np.where(loud, audio, 1), np.nan)
    steps = np.abs(np.diff(gain))
    assert np.nanmax(steps) < 0.03


def test_non_finite_samples_are_silenced_and_reported():
    audio = tone()
    audio[100:110] = np.nan
    audio[200] = np.inf
    out, note = guard(audio, SR)
    assert np.isfinite(out).all() and "11 non-finite sample(s)" in note and np.abs(out).max() <= CEILING
    assert np.array_equal(out[:100], audio[:100])


def test_a_voice_built_with_a_broken_eq_speaks_finite_audio_with_a_warning(engine, tmp_path, monkeypatch):
    """A Voice made in code is not read from a file, so only the final guard stands between it and the output;
    an overshooting model (stood in for by an EQ stage that adds 18 dB) is caught there too."""
    from voxnb.engines.kokoro import timbre

    stock = engine.stock_voice("jf_alpha")
    broken = Voice(id="broken-eq", name="broken", engine="kokoro", method="test/1",
                   conditioning={"style_pack": stock.conditioning["style_pack"],
                                 "eq_db": np.full(len(BAND_HZ), np.nan, np.float32)})
    loud = Voice(id="loud-eq", name="loud", engine="kokoro", method="test/1",
                 conditioning={"style_pack": stock.conditioning["style_pack"], "eq_db": np.ones(len(BAND_HZ), np.float32)})
    real_eq = timbre.apply_eq
    monkeypatch.setattr(timbre, "apply_eq", lambda audio, sr, eq: real_eq(audio, sr, eq) * 8.0)
    for voice, expected in ((broken, "non-finite"), (loud, "a limiter brought them to -0.3 dBFS")):
        result = engine.synthesize("Hello there.", voice)
        assert np.isfinite(result.audio).all() and np.abs(result.audio).max() <= CEILING
        assert any(expected in w and w.startswith("chunk 1:") for w in result.warnings), result.warnings
        path = result.save(tmp_path / "take.wav")
        written, _ = sf.read(path, dtype="float32")
        assert np.abs(written).max() < 1.0
        assert any(expected in w for w in json.loads(path.with_suffix(".json").read_text())["warnings"])


def test_ordinary_speech_is_not_touched(engine):
    result = engine.synthesize("The river was wide and slow that morning.", "jf_alpha")
    assert result.warnings == () and np.abs(result.audio).max() < CEILING
