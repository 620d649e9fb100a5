"""`voxnb bench --engine NAME --random-weights`: the full-size model, random weights, real figures.

Run with one solver step and a short text so the test stays in minutes; the README's figures come
from the same command at the engine's own step count.
"""
import json
import os
import subprocess
import sys

import pytest

FIGURES = ("params_m", "vocoder_params_m", "load_s", "rtf", "first_audio_s", "peak_rss_mb", "inspect_overhead",
           "audio_s", "device", "dtype", "steps")


def bench(engine, tmp_path, *extra):
    cache = tmp_path / "cache"
    env = {**os.environ, "TMPDIR": str(tmp_path), "VOXNB_CACHE": str(cache), "VOXNB_HOME": str(tmp_path / "home")}
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", "--engine", engine, "--random-weights", "--json",
                        "--steps", "1", "--text", "Hello there.", *extra],
                       capture_output=True, text=True, env=env, timeout=1500)
    assert p.returncode == 0, p.stderr[-3000:]
    figures = json.loads(p.stdout)
    assert figures["note"] == "random weights: speed and memory only"
    assert "random weights" in p.stderr
    assert not list(tmp_path.glob("voxnb-random-*")), "the random model must not outlive the bench"
    assert not (cache / "models").exists(), "random weights must never land where real weights are looked for"
    return figures


def test_f5_full_size_random_weights(tmp_path):
    figures = bench("f5", tmp_path, "--concurrent", "2")
    for key in FIGURES:
        assert figures[key] is not None, key
    assert abs(figures["params_m"] - 336) / 336 < 0.03, figures["params_m"]     # F5 v1 Base's published size
    assert 12 < figures["vocoder_params_m"] < 15                                # Vocos mel-24khz: 13.5 M
    assert figures["steps"] == 1 and figures["dtype"] == "float32" and figures["device"] == "cpu"
    assert figures["audio_s"] > 0.5 and figures["rtf"] > 0 and figures["inspect_overhead"] > 0
    served = figures["served"]
    assert served["requests"] == 2 and served["latency_max_s"] >= served["latency_mean_s"] > 0
    assert served["server_peak_rss_mb"] > 1000      # the server holds the full-size model
    print(json.dumps(figures))


def test_voxcpm_full_size_random_weights_stops_at_the_texts_length(tmp_path):
    figures = bench("voxcpm", tmp_path, "--concurrent", "0")
    for key in FIGURES:
        assert figures[key] is not None, key
    assert figures["params_m"] > 500                 # VoxCPM 1.5's language models and diffusion head
    # the untrained stop head is steered to the text's length: 1 s at least (6 steps of 7056 samples)
    assert 0.5 < figures["audio_s"] < 2.0, figures["audio_s"]
    assert "served" not in figures
    print(json.dumps(figures))


def test_unknown_engine_is_refused(tmp_path):
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", "--engine", "kokoro", "--random-weights"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "--random-weights knows f5, voxcpm" in p.stderr


@pytest.mark.parametrize("args", [["--random-weights"]])
def test_random_weights_needs_an_engine(args):
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", *args], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Add --engine f5" in p.stderr
