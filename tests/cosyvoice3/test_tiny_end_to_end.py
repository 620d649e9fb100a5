"""CosyVoice 3's real code end to end, on a tiny random-weight instance built from its own classes.

CosyVoice is not on PyPI, so this runs where a checkout of its source is given (``COSYVOICE_SRC``)
and its requirements are installed (`COSYVOICE_SRC=DIR bash tests/run.sh` makes .venv-cosyvoice with
python 3.10 and runs this file there); anywhere else it is skipped, saying which of the two is missing.
What the instance says is noise: the test checks the adapter's plumbing on the real classes.
"""
import importlib.util
import os
import sys
from pathlib import Path

import numpy as np
import pytest

SRC = os.environ.get("COSYVOICE_SRC", "")
if not SRC or not (Path(SRC) / "cosyvoice" / "cli" / "cosyvoice.py").is_file():
    pytest.skip("set COSYVOICE_SRC to a checkout of FunAudioLLM/CosyVoice (with its Matcha-TTS submodule) to run "
                "CosyVoice 3's end-to-end test", allow_module_level=True)
MISSING = [m for m in ("torchaudio", "hyperpyyaml", "whisper", "x_transformers", "wetext")
           if importlib.util.find_spec(m) is None]
if MISSING:
    pytest.skip(f"CosyVoice's requirements are not installed in this environment ({', '.join(MISSING)} missing); "
                "tests/run.sh runs this file in .venv-cosyvoice when COSYVOICE_SRC is set", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))      # tests/ for tiny_cosyvoice3
from tiny_cosyvoice3 import build_cosyvoice3  # noqa: E402

TEXT = "The quick brown fox jumps over the lazy dog. 我们今天去公园散步，好吗？ It is a fine day."
TRANSCRIPT = "The birch canoe slid on the smooth planks."


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from voxnb.engines import fetch, load_engine
    from voxnb.engines.cosyvoice3 import install

    tiny = build_cosyvoice3(tmp_path_factory.mktemp("tiny-cosyvoice3"), Path(SRC))
    fetch("cosyvoice3", source_dir=tiny, progress=lambda m: None)
    engine = load_engine("cosyvoice3", source_dir=SRC)
    head = (Path(SRC) / ".git").exists()
    print(f"\nCosyVoice source {SRC} at {engine.capabilities.version} (pinned {install.COMMIT[:7]}; git: {head})")
    return engine


@pytest.fixture(scope="module")
def voice(engine, ref_clip):
    return engine.clone(ref_clip, name="cv3-ref", transcript=TRANSCRIPT, consent=True)


@pytest.fixture(scope="module")
def result(engine, voice):
    return engine.synthesize(TEXT, voice, seed=7)


def test_clone_keeps_the_frontends_prompt_features(engine, voice):
    c = voice.conditioning
    feat, tokens, emb = c["prompt_feat"], c["prompt_tokens"], c["embedding"]
    assert feat.ndim == 2 and feat.shape[1] == 80 and emb.shape == (192,)
    assert feat.shape[0] == 2 * len(tokens), "the frontend keeps 2 mel frames per speech token"
    assert ((tokens >= 0) & (tokens < 6561)).all() and voice.transcript == TRANSCRIPT


def test_synthesis_carries_tokens_mel_f0_and_both_attentions(engine, result):
    assert len(result.chunks) >= 2 and np.isfinite(result.audio).all() and result.duration_s > 0
    for c in result.chunks:
        tokens, mel = c.extras["speech_tokens"], c.extras["mel"]
        assert len(tokens) > 0 and mel.shape == (80, 2 * len(tokens)), "1 speech token = 2 mel frames"
        assert abs(len(c.audio) - mel.shape[1] * c.samples_per_frame) <= c.samples_per_frame
        assert c.f0.shape == c.energy.shape and np.isfinite(c.f0).all()
        layers, heads, steps, keys = c.attention.shape
        assert layers == 2 and heads == 2 and 0 < steps <= 128
        flow = c.extras["flow_attention"]
        assert flow.shape[:2] == (2, 2) and np.allclose(flow.astype(np.float32).sum(-1), 1, atol=0.02)
        assert c.extras["speaker_embedding"].shape == (192,) and len(c.extras["prompt_tokens"]) > 0


def test_same_seed_same_audio_and_other_seed_differs(engine, voice, result):
    assert np.array_equal(engine.synthesize(TEXT, voice, seed=7).audio, result.audio)
    assert not np.array_equal(engine.synthesize(TEXT, voice, seed=8).audio, result.audio)


def test_instruct_markup_tags_and_speed(engine, voice):
    r = engine.synthesize("报道[j][ǐ]予好评，[breath]<strong>真的</strong>。[M][AY0][N][UW1][T]", voice,
                          instruct="sichuan", seed=1)
    shown = r.chunks[0].phonemes
    assert "[j][ǐ]" in shown and "[breath]" in shown and "<strong>" in shown and "[M][AY0][N][UW1][T]" in shown
    assert any("四川话" in w for w in r.chunks[0].warnings)
    slow = engine.synthesize("Hello there, friend.", voice, seed=1, speed=0.5)
    fast = engine.synthesize("Hello there, friend.", voice, seed=1, speed=1.0)
    assert np.array_equal(slow.chunks[0].extras["speech_tokens"], fast.chunks[0].extras["speech_tokens"])
    assert len(slow.audio) > 1.8 * len(fast.audio), "speed stretches the mel, not the tokens"


def test_streaming_state_is_reset_between_requests(engine, voice):
    engine.model.token_hop_len = 100          # what a streamed call leaves behind
    r = engine.synthesize("Hello there.", voice, seed=3)
    assert engine.model.token_hop_len == 25 and r.duration_s > 0


def test_saved_voice_and_served_engine_speak_the_same(engine, voice, result, tmp_path):
    from voxnb.voice import Voice

    path = voice.save(tmp_path / "cv3")
    again = engine.synthesize(TEXT, Voice.load(path), seed=7)
    assert np.array_equal(again.audio, result.audio)


def test_no_network_and_no_modelscope_fallback(engine, tmp_path):
    from voxnb.engines import load_engine
    from voxnb.weights.hub import WeightsError

    with pytest.raises(WeightsError) as err:          # a missing directory is our error, not a hub download
        load_engine("cosyvoice3", model_dir=tmp_path / "nothing", source_dir=SRC)
    assert "voxnb fetch cosyvoice3" in str(err.value) or "cosyvoice3" in str(err.value)
