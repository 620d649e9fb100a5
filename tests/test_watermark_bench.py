"""The watermark benchmark runs end to end (quick set) and its figures are well-formed and sane.

No robustness thresholds beyond the trivial ones: with no attack every marked clip is found and no
clean clip is; everything else is a figure the benchmark reports, not a goal this test enforces.
"""
import json
import math

import numpy as np
import pytest

from voxnb.bench.watermark import ATTACKS, QUICK_ATTACKS, log_spectral_distance, run, snr_db, split, table

PROGRESS = []


@pytest.fixture(scope="module")
def figures(engine):
    return run(quick=True, engine=engine, progress=PROGRESS.append)


def test_every_attack_has_rates_in_range(figures):
    assert [r["attack"] for r in figures["attacks"]] == list(QUICK_ATTACKS)
    assert figures["clips"]["real"] >= 2 and figures["clips"]["voxnb"] >= 1
    n = figures["clips"]["real"] + figures["clips"]["voxnb"]
    for r in figures["attacks"]:
        for key in ("detected", "detected_real", "detected_voxnb", "false_positive"):
            assert 0.0 <= r[key] <= 1.0, (r["attack"], key)
        assert 0.0 <= r["min_confidence_marked"] <= 1.0 and 0.0 <= r["max_confidence_clean"] <= 1.0
        # the rates are the confidences counted, not figures made up apart from them
        marked = figures["confidences"][r["attack"]]["marked"]
        assert len(marked) == n and r["detected"] == pytest.approx(np.mean(np.array(marked) >= 0.5), abs=1e-3)
        assert len(r["missed"]) == round((1 - r["detected"]) * n)
    mp3 = next(r for r in figures["attacks"] if r["attack"] == "mp3_64k")
    assert 55 <= mp3["kbps"] <= 75     # measured from the encoded size


def test_no_attack_finds_every_mark_and_no_clean_clip(figures):
    none = figures["attacks"][0]
    assert none["attack"] == "none"
    assert none["detected"] == 1.0 and none["missed"] == []
    assert figures["false_positive"]["clean"] == 0.0 and none["false_alarms"] == []
    assert none["min_confidence_marked"] >= 0.5 > none["max_confidence_clean"]


def test_cost_and_quality_are_measured(figures):
    cost, q = figures["cost"], figures["quality"]
    assert cost["mark_ms_per_s"] > 0 and cost["detect_ms_per_s"] > 0 and cost["synthesis_ms_per_s"] > 0
    assert 0 < cost["mark_pct_of_synthesis"] < 1000
    assert math.isfinite(q["snr_db"]) and 0 < q["snr_db_min"] <= q["snr_db"] < 60   # marked, and not destroyed
    assert 0 < q["lsd_db"] < 10
    assert q["asr"]["sentences"] == 1 and 0 <= q["asr"]["wer_clean"] <= 0.2 and 0 <= q["asr"]["wer_marked"] <= 0.3
    assert set(figures["goals"]) and all(isinstance(v, bool) for v in figures["goals"].values())


def test_figures_print_as_table_and_json(figures):
    text = table(figures)
    for name in QUICK_ATTACKS:
        assert name in text
    assert "goals:" in text and "ms per s" in text and "tiny.en WER" in text
    json.loads(json.dumps(figures))
    assert PROGRESS and PROGRESS[-1].startswith(QUICK_ATTACKS[-1])


# -- the pure parts -----------------------------------------------------------------------------

def test_split_keeps_pieces_within_bounds():
    sr = 8000
    rng = np.random.default_rng(0)
    for seconds in (3.9, 4.0, 8.0, 8.8, 13.5, 25.6):
        audio = rng.normal(0, 0.1, int(seconds * sr)).astype(np.float32)
        pieces = split(audio, sr)
        assert sum(len(p) for p in pieces) == (len(audio) if pieces else 0)
        assert all(4.0 - 1e-3 <= len(p) / sr <= 8.0 + 1e-3 for p in pieces), (seconds, [len(p) / sr for p in pieces])
    assert split(np.zeros(int(3.9 * sr), np.float32), sr) == []
    # a cut moves to a pause near the nominal boundary
    speech = rng.normal(0, 0.1, 10 * sr).astype(np.float32)
    speech[int(4.8 * sr):int(4.9 * sr)] = 0
    first, second = split(speech, sr)
    assert 4.8 <= len(first) / sr <= 4.9


def test_every_attack_returns_audio_and_rate():
    sr = 24000
    t = np.arange(2 * sr) / sr
    audio = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    partner = np.zeros(sr, np.float32)
    for name, attack in ATTACKS.items():
        out, rate, kbps = attack(audio, sr, partner, np.random.default_rng(0))
        assert out.ndim == 1 and rate in (sr, 16000) and np.all(np.isfinite(out)), name
        assert np.max(np.abs(out)) <= 1.0 + 1e-6, name
        assert kbps is None or kbps > 0, name
    noisy = ATTACKS["noise_20db"](audio, sr, partner, np.random.default_rng(0))[0]
    assert snr_db(audio, noisy) == pytest.approx(20.0, abs=0.3)
    assert len(ATTACKS["trim_0.5s"](audio, sr, partner, None)[0]) == len(audio) - sr // 2
    assert len(ATTACKS["concat_unmarked"](audio, sr, partner, None)[0]) == len(audio) + len(partner)


def test_quality_measures():
    rng = np.random.default_rng(1)
    clean = rng.normal(0, 0.1, 24000).astype(np.float32)
    assert log_spectral_distance(clean, clean) == 0.0
    assert snr_db(clean, clean + 0.01 * clean) == pytest.approx(40.0, abs=1e-3)
    assert log_spectral_distance(clean, clean * 2) == pytest.approx(20 * np.log10(2), abs=0.01)
