import numpy as np
import pytest

from voxnb.errors import VoiceNotFoundError, VoxnbError
from voxnb.voice import Voice, VoiceLibrary


def make_voice(seed=0, name="alice"):
    rng = np.random.default_rng(seed)
    return Voice(id=f"id{seed}", name=name, engine="kokoro", method="test/1",
                 conditioning={"style_pack": rng.standard_normal((510, 256)).astype(np.float32)},
                 controls={"f0_level": 1.1}, report={"duration_s": 5.0}, transcript="hello")


def test_voice_is_an_immutable_value():
    v = make_voice()
    with pytest.raises(Exception):
        v.name = "bob"
    with pytest.raises(ValueError):
        v.conditioning["style_pack"][0, 0] = 1.0
    with pytest.raises(TypeError):
        v.controls["f0_level"] = 2.0


def test_save_load_round_trip(tmp_path):
    v = make_voice()
    path = v.save(tmp_path / "alice")
    assert path.name == "alice.voice.npz"
    w = Voice.load(path)
    assert w == v and w.controls == v.controls and w.transcript == "hello" and w.report == v.report
    assert np.array_equal(w.conditioning["style_pack"], v.conditioning["style_pack"])


def test_library_never_replaces_a_different_voice(tmp_path):
    lib = VoiceLibrary(tmp_path)
    lib.save(make_voice(0))
    lib.save(make_voice(0))                       # same voice again: fine
    with pytest.raises(VoxnbError, match="already saved"):
        lib.save(make_voice(1))                   # different voice, same name
    assert lib.load("alice").id == "id0"          # the saved one is untouched
    lib.save(make_voice(1), overwrite=True)
    assert lib.load("alice").id == "id1"
    assert lib.load("id1").name == "alice"        # by id too


def test_unknown_voice_names_the_saved_ones(tmp_path):
    lib = VoiceLibrary(tmp_path)
    lib.save(make_voice(0))
    with pytest.raises(VoiceNotFoundError, match="alice"):
        lib.load("nobody")


@pytest.mark.parametrize("name", ["", "../escape", "a/b", "x" * 65, " lead"])
def test_bad_names(tmp_path, name):
    with pytest.raises(VoxnbError, match="voice name"):
        VoiceLibrary(tmp_path).save(make_voice(), name=name)


def test_chinese_name(tmp_path):
    assert VoiceLibrary(tmp_path).save(make_voice(), name="小明 v2").name == "小明 v2.voice.npz"


def test_not_a_voice_file(tmp_path):
    p = tmp_path / "junk.voice.npz"
    p.write_bytes(b"not a zip")
    with pytest.raises(VoxnbError, match="not a voxnb voice"):
        Voice.load(p)
