"""`voxnb bench --engine cosyvoice3 --random-weights`: Fun-CosyVoice3-0.5B at full size, random weights.

Runs where CosyVoice's source is given (``COSYVOICE_SRC``) and its requirements are installed
(tests/run.sh runs it in .venv-cosyvoice); anywhere else it is skipped, saying which is missing. One
flow step and a short text keep it in minutes on a CPU; the README's figures come from the same
command at CosyVoice's own 10 steps.
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = os.environ.get("COSYVOICE_SRC", "")
if not SRC or not (Path(SRC) / "cosyvoice" / "cli" / "cosyvoice.py").is_file():
    pytest.skip("set COSYVOICE_SRC to a checkout of FunAudioLLM/CosyVoice (with its Matcha-TTS submodule) to run "
                "CosyVoice 3's random-weight bench", allow_module_level=True)
MISSING = [m for m in ("torchaudio", "hyperpyyaml", "whisper", "x_transformers", "wetext")
           if importlib.util.find_spec(m) is None]
if MISSING:
    pytest.skip(f"CosyVoice's requirements are not installed in this environment ({', '.join(MISSING)} missing); "
                "tests/run.sh runs this file in .venv-cosyvoice when COSYVOICE_SRC is set", allow_module_level=True)

FIGURES = ("params_m", "vocoder_params_m", "load_s", "rtf", "first_audio_s", "peak_rss_mb", "inspect_overhead",
           "audio_s", "device", "dtype", "steps")


def test_cosyvoice3_full_size_random_weights_stops_at_the_texts_length(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "TMPDIR": str(tmp_path), "VOXNB_CACHE": str(cache), "VOXNB_HOME": str(tmp_path / "home")}
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", "--engine", "cosyvoice3", "--random-weights", "--json",
                        "--steps", "1", "--text", "Hello there.", "--concurrent", "1"],
                       capture_output=True, text=True, env=env, timeout=2400)
    assert p.returncode == 0, p.stderr[-3000:]
    figures = json.loads(p.stdout)
    assert figures["note"] == "random weights: speed and memory only" and "random weights" in p.stderr
    assert not list(tmp_path.glob("voxnb-random-*")), "the random model must not outlive the bench"
    assert not (cache / "models").exists(), "random weights must never land where real weights are looked for"
    for key in FIGURES:
        assert figures[key] is not None, key
    # Qwen2.5-0.5B (494 M) with CosyVoice's speech embedding and head (12 M), and the 22-layer DiT flow
    assert 800 < figures["params_m"] < 900, figures["params_m"]
    assert 10 < figures["vocoder_params_m"] < 40, figures["vocoder_params_m"]     # causal HiFT, 512 channels
    assert figures["steps"] == 1 and figures["dtype"] == "float32" and figures["device"] == "cpu"
    # untrained, its stop is chance (any of 200 stop tokens at any step, up to 20 speech tokens a text
    # token); steered, "Hello there." takes the 1 s minimum: 25 speech tokens, 50 mel frames
    assert 0.8 < figures["audio_s"] < 1.5, figures["audio_s"]
    assert figures["rtf"] > 0 and figures["inspect_overhead"] > 0 and figures["inspect_attention"]
    served = figures["served"]
    assert served["requests"] == 1 and served["latency_max_s"] >= served["latency_mean_s"] > 0
    assert served["server_peak_rss_mb"] > 2000      # the server holds the full-size model
    print(json.dumps(figures))
