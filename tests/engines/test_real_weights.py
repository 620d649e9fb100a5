"""The real F5-TTS, VoxCPM and Whisper weights on a GPU: run where `voxnb fetch` has put them.

Marked `gpu` (tests/run.sh deselects them: CI has neither the weights nor a GPU). Speed is not a test
here: `voxnb bench --engine NAME` prints it. On a GPU box:
`.venv-engines/bin/python -m pytest -m gpu tests/engines` after `voxnb fetch f5 voxcpm whisper`.
"""
import numpy as np
import pytest

pytestmark = pytest.mark.gpu


def _weights_or_skip(name):
    import torch

    from voxnb.weights import hub

    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU on this machine")
    module = __import__(f"voxnb.engines.{name}", fromlist=["WEIGHTS"]) if name != "whisper" else \
        __import__("voxnb.reference.whisper", fromlist=["WEIGHTS"])
    try:
        hub.check(module.WEIGHTS)
    except hub.WeightsError as err:
        pytest.skip(f"{name} weights not fetched: {err.problem}")


@pytest.mark.parametrize("name", ["f5", "voxcpm"])
def test_real_engine_clones_intelligibly_and_reproducibly(name, ref_clip):
    from voxnb.bench import ge2e as speaker   # evaluation encoder
    from voxnb.engines import load_engine
    from voxnb.reference.transcript import transcribe, wer

    _weights_or_skip(name)
    engine = load_engine(name)
    voice = engine.clone(ref_clip, transcript="The birch canoe slid on the smooth planks.", consent=True)
    text = "A small boat drifted slowly across the quiet lake while the sun went down."
    a = engine.synthesize(text, voice, seed=5)
    b = engine.synthesize(text, voice, seed=5)
    assert np.array_equal(a.audio, b.audio)
    assert wer(text, transcribe(a.audio, a.sample_rate).text) < 0.3
    ref = speaker.embed(voice.conditioning["prompt_audio"], a.sample_rate)
    assert speaker.similarity(ref, speaker.embed(a.audio, a.sample_rate)) > 0.75
    print(f"{name}: RTF {a.rtf:.3f} for {a.duration_s:.1f} s of audio (speed is measured by `voxnb bench --engine {name}`)")


def test_real_whisper_transcribes_the_reference(ref_clip):
    from voxnb.reference.audio import prepare_reference
    from voxnb.reference.whisper import transcribe

    _weights_or_skip("whisper")
    ref = prepare_reference(ref_clip)
    out = transcribe(ref.audio, ref.sample_rate)
    assert out.language == "en" and "canoe" in out.text.lower()
