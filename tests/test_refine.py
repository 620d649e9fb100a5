"""Refinement: a Voice with its figures, never worse on the held-out guard, cached, cancellable."""
import threading

import numpy as np
import pytest

from voxnb.engines.kokoro import refine as krefine
from voxnb.engines.kokoro import style_map
from voxnb.errors import CancelledError
from voxnb.voice import Voice

QUICK = {"budget_s": 30, "max_steps": 1}   # the start points and the guard, no ES steps: a test, not a fit


@pytest.fixture(scope="module")
def refined(engine, cloned, ref_clip):
    calls = []
    voice = engine.refine(cloned, ref_clip, progress=lambda f, m: calls.append((f, m)), **QUICK)
    return voice, calls


def test_refine_returns_a_voice_with_its_figures(refined, cloned):
    voice, _ = refined
    info = voice.info["refine"]
    assert isinstance(voice, Voice) and voice.engine == "kokoro" and voice.name == cloned.name
    assert {"accepted", "reason", "syntheses", "seconds", "objective_dvector", "heldout"} <= set(info)
    if info["accepted"]:
        assert voice.method == krefine.METHOD and voice.id != cloned.id
        assert voice.conditioning["style_pack"].shape == (510, 256)
    else:   # refused: the fast clone comes back unchanged, saying why
        assert voice.id == cloned.id and info["reason"]
        assert np.array_equal(voice.conditioning["style_pack"], cloned.conditioning["style_pack"])


def test_refined_voice_is_never_worse_on_the_held_out_sentence(refined):
    info = refined[0].info["refine"]
    if info["accepted"]:
        c, r = info["heldout"]["clone"], info["heldout"]["refined"]
        assert r["dvector"] >= c["dvector"] and r["wer"] <= c["wer"]
    assert info["objective_dvector"]["refined"] >= info["objective_dvector"]["clone"]


def test_progress_rises_to_one(refined):
    fractions = [f for f, _ in refined[1]]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(0 <= f <= 1 for f in fractions)
    assert all(isinstance(m, str) and m for _, m in refined[1])


def test_second_refine_comes_from_the_cache(engine, cloned, ref_clip, refined, monkeypatch):
    def no_synthesis(*a, **k):
        raise AssertionError("a cached refinement synthesised again")

    monkeypatch.setattr(engine.model, "run", no_synthesis)
    again = engine.refine(cloned, ref_clip, **QUICK)       # from the cache: the model is not run at all
    assert again.id == refined[0].id and again.name == cloned.name


@pytest.mark.parametrize("make_cancel", [lambda: _set_event(), lambda: _after(3)])
def test_cancel_stops_between_syntheses_and_keeps_nothing(engine, cloned, ref_clip, make_cancel):
    from voxnb.engines.kokoro.clone import _enrollment_cache

    before = _enrollment_cache().names()
    with pytest.raises(CancelledError):
        engine.refine(cloned, ref_clip, budget_s=60, max_steps=1, seed=7, cancel=make_cancel())
    assert _enrollment_cache().names() == before


def _set_event():
    event = threading.Event()
    event.set()
    return event


def _after(n):
    calls = iter(range(10 ** 6))
    return lambda: next(calls) >= n


def test_shipped_style_map_matches_this_model(engine):
    m = style_map.load(engine)
    assert m.key == style_map.map_key(engine) and style_map.MAP_FILE.stat().st_size < 2_000_000
    assert m.basis.shape == (len(m.scale), 256) and m.weights.shape == (256, len(m.scale))
    assert m.info["n_variants"] >= 100 and np.isfinite(m.info["r2_heldout"])
    timbre, prosody = m.basis[~m.prosody], m.basis[m.prosody]
    assert not timbre[:, 128:].any() and not prosody[:, :128].any()   # each half moves only its own half


def test_a_map_for_another_model_is_refused(engine, tmp_path):
    from voxnb.errors import EngineError

    with np.load(style_map.MAP_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    np.savez(tmp_path / "other.npz", **{**arrays, "key": np.array("another-model")})
    with pytest.raises(EngineError, match="another model"):
        style_map.load(engine, tmp_path / "other.npz")


BASE = {"rate": 12.0, "f0_hz": 200.0, "f0_spread": 0.15}


@pytest.mark.parametrize("stats, ok", [(BASE, True), ({**BASE, "rate": 15.0}, False), ({**BASE, "f0_hz": 260.0}, False),
                                       ({**BASE, "f0_spread": 0.6}, False), ({**BASE, "f0_hz": float("nan")}, False),
                                       ({**BASE, "rate": 13.0, "f0_hz": 220.0}, True)])
def test_plausibility_of_rate_and_pitch(stats, ok):
    assert (krefine.plausible(stats, BASE) == "") is ok
