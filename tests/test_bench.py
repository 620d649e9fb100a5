"""The benchmark harness runs end to end and its figures are well-formed (no speed thresholds here:
the figures themselves are the benchmark)."""
import json
import math
import subprocess
import sys

import pytest

from voxnb.bench.harness import SYSTEMS, run, table

SPEED = ("load_s", "rtf_1_thread", "rtf_2_threads", "first_audio_s", "long_text_s", "first_audio_ratio", "peak_rss_mb")
QUALITY = ("wer", "cer", "sim_ge2e", "norm_sim_ge2e", "sim_dvector", "norm_sim_dvector", "sim_ge2e_channel",
           "norm_sim_ge2e_channel", "sim_dvector_channel", "norm_sim_dvector_channel")


PROGRESS = []


@pytest.fixture(scope="module")
def figures():
    return run(quick=True, progress=PROGRESS.append)


def test_every_system_has_every_figure(figures):
    assert set(figures["systems"]) == set(SYSTEMS)
    for name, f in figures["systems"].items():
        for key in SPEED + QUALITY:
            assert isinstance(f[key], float) and math.isfinite(f[key]), (name, key)
        assert f["load_s"] > 0 and f["rtf_2_threads"] > 0 and f["peak_rss_mb"] > 50
        assert 0 <= f["wer"] and 0 <= f["cer"] and -1 <= f["sim_ge2e"] <= 1 and -1 <= f["sim_dvector"] <= 1
        assert f["first_audio_ratio"] > 0   # a figure, not a goal: the two timings come from separate runs


def test_voxnb_figures_and_calibration(figures):
    v = figures["systems"]["voxnb"]
    assert v["enroll_first_s"] > v["enroll_cached_s"] > 0 and v["enroll_peak_rss_mb"] > v["peak_rss_mb"] / 2
    assert v["overhead_vs_raw"] > 0
    for enc in ("ge2e", "dvector"):
        c = figures["calibration"][enc]
        assert c["same"] > c["stranger"], enc   # the encoders tell the reference speakers apart
    # the quick set: harvard_f (a 16 kHz recording) and codec2_hts_f (8 kHz)
    assert figures["heldout_bandwidth_hz"]["harvard_f"] > 7000 > 4200 > figures["heldout_bandwidth_hz"]["codec2_hts_f"]
    json.dumps(figures)                          # serialisable as --json prints it


def test_goal_figures_pauses_deletions_and_heldout_headline(figures):
    for name, f in figures["systems"].items():
        assert 0 <= f["lead_max_s"] < 5 and 0 <= f["tail_max_s"] < 5, name
        assert isinstance(f["deletions"], int) and 0 <= f["deletions_at_break"] <= f["deletions"], name
        assert set(f["wer_by_speaker"]) == set(figures["speakers"]) and f["wer_max_speaker"] >= f["wer"] - 1e-9
        # the quick set has one speaker of each role: codec2_hts_f is held out of every fitting step
        assert figures["roles"]["codec2_hts_f"] == "heldout" and math.isfinite(f["heldout"]["norm_sim_ge2e"])
    v = figures["systems"]["voxnb"]
    # the umbrella sentence and the long text have commas and sentence ends: both kinds were measured
    assert v["pause_comma_max_s"] is not None and v["pause_sentence_max_s"] is not None
    assert "GE2E n held" in table(figures) and "inner max" in table(figures)


def test_progress_counts_every_step(figures):
    n = len(SYSTEMS) + 3   # setup, enrollment, each system, quality
    assert [m.split("]")[0] for m in PROGRESS] == [f"[{k}/{n}" for k in range(1, n + 1)]


def test_table_lists_every_system(figures):
    text = table(figures)
    for name in SYSTEMS:
        assert name in text
    assert "pipeline overhead" in text and "calibration" in text


def test_bench_cli_refuses_unknown_systems():
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", "--systems", "voxnb,espeak"], capture_output=True,
                       text=True)
    assert p.returncode == 2 and "espeak" in p.stderr


def test_heldout_refined_bench_measures_refined_voices():
    """`voxnb bench --role heldout --refine S`: only held-out speakers are synthesized, each voice goes
    through engine.refine first, and calibration still uses the whole reference set."""
    from voxnb.bench.references import reference_set

    figures = run(quick=True, systems=("voxnb",), role="heldout", refine_s=25)
    heldout = {s.name for s in reference_set(role="heldout")}
    assert len(figures["speakers"]) == 2 and set(figures["speakers"]) <= heldout
    assert set(figures["heldout_bandwidth_hz"]) == {s.name for s in reference_set()}
    v = figures["systems"]["voxnb"]
    assert set(v["refine"]) == set(figures["speakers"]) and figures["refine_s"] == 25
    for r in v["refine"].values():
        assert isinstance(r["accepted"], bool) and r["syntheses"] >= 1 and "clone" in r["objective_dvector"]
        assert r["accepted"] or r["reason"]    # a refused refinement says why
    assert v["refine_accepted"] == sum(r["accepted"] for r in v["refine"].values())
    assert math.isfinite(v["heldout"]["norm_sim_ge2e"]) and "tune" not in v
    assert "refined with a 25 s budget" in table(figures)
