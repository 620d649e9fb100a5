"""The real Fun-CosyVoice3-0.5B-2512 on a GPU: run where `voxnb fetch cosyvoice3` has put it.

Marked `gpu` (tests/run.sh deselects them: CI has neither the weights nor a GPU). On a GPU box with
the start script's environment: `envs/cosyvoice3/bin/python -m pytest -m gpu tests/cosyvoice3`.
Speed is printed, never asserted: `voxnb bench --engine cosyvoice3` measures it.
"""
import numpy as np
import pytest

pytestmark = pytest.mark.gpu
TRANSCRIPT = "The birch canoe slid on the smooth planks."


@pytest.fixture(scope="module")
def engine():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU on this machine")
    from voxnb.weights import hub
    from voxnb.engines import load_engine
    from voxnb.engines.cosyvoice3 import WEIGHTS

    try:
        hub.check(WEIGHTS)
    except hub.WeightsError as err:
        pytest.skip(f"cosyvoice3 weights not fetched: {err.problem}")
    return load_engine("cosyvoice3")


def test_real_cosyvoice3_clones_intelligibly_and_reproducibly(engine, ref_clip):
    from voxnb.reference import speaker
    from voxnb.reference.transcript import transcribe, wer

    voice = engine.clone(ref_clip, transcript=TRANSCRIPT, consent=True)
    text = "A small boat drifted slowly across the quiet lake while the sun went down."
    a = engine.synthesize(text, voice, seed=5)
    assert np.array_equal(a.audio, engine.synthesize(text, voice, seed=5).audio)
    assert wer(text, transcribe(a.audio, a.sample_rate).text) < 0.3
    ref = speaker.embed(voice.conditioning["prompt_audio"], a.sample_rate)
    assert speaker.similarity(ref, speaker.embed(a.audio, a.sample_rate)) > 0.75
    tokens = a.chunks[0].extras["speech_tokens"]
    assert a.chunks[0].extras["mel"].shape[1] == 2 * len(tokens)
    print(f"cosyvoice3: RTF {a.rtf:.3f} for {a.duration_s:.1f} s of audio")


def test_real_cosyvoice3_follows_speed_instructions(engine, ref_clip):
    voice = engine.clone(ref_clip, transcript=TRANSCRIPT, consent=True)
    text = "收到好友从远方寄来的生日礼物，那份意外的惊喜让我心中充满了快乐。"
    slow = engine.synthesize(text, voice, instruct="slow", seed=3)
    fast = engine.synthesize(text, voice, instruct="fast", seed=3)
    assert slow.duration_s > 1.15 * fast.duration_s, (slow.duration_s, fast.duration_s)
