"""Voice files are validated when read: a damaged one is refused with its full path and the fix, a damaged
one in the library is named and skipped, and `Voice.save(name)` saves into the library the CLI reads."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voxnb.errors import BadVoiceFileError, VoiceNotFoundError, VoxnbError
from voxnb.engines.kokoro.timbre import BAND_HZ
from voxnb.voice import Voice, VoiceLibrary


def good_voice(name="alice", seed=0):
    rng = np.random.default_rng(seed)
    return Voice(id=f"id{seed}", name=name, engine="kokoro", method="kokoro-style-blend/5",
                 conditioning={"style_pack": rng.standard_normal((510, 256)).astype(np.float32) * 0.3,
                               "eq_db": np.zeros(len(BAND_HZ), np.float32)},
                 controls={"f0_level": 1.1, "f0_range": 1.0, "energy_shift": 0.0, "bandwidth_hz": 11000.0})


def tampered(path: Path, meta_edit=None, **arrays) -> Path:
    """A copy of good_voice()'s file with its metadata edited and/or arrays replaced (None removes one)."""
    voice = good_voice()
    meta = voice.meta()
    if meta_edit:
        meta_edit(meta)
    cond = {**voice.conditioning, **arrays}
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(meta)), **{f"c_{k}": v for k, v in cond.items() if v is not None})
    path.write_bytes(buf.getvalue())
    return path


def refused(path: Path, *fragments: str) -> BadVoiceFileError:
    with pytest.raises(BadVoiceFileError) as err:
        Voice.load(path)
    text = str(err.value)
    assert str(path.absolute()) in text and err.value.where == str(path.absolute()), text
    for fragment in fragments:
        assert fragment in text, text
    return err.value


def test_a_good_file_round_trips(tmp_path):
    path = good_voice().save(tmp_path / "alice")
    assert Voice.load(path) == good_voice()


def test_files_without_the_eq_or_the_format_field_still_load(tmp_path):
    old = tampered(tmp_path / "old.voice.npz", lambda m: m.pop("format"), eq_db=None)
    assert "eq_db" not in Voice.load(old).conditioning
    upstream = tampered(tmp_path / "pack.voice.npz", style_pack=np.zeros((510, 1, 256), np.float32))   # Kokoro's layout
    assert Voice.load(upstream).conditioning["style_pack"].shape == (510, 1, 256)


@pytest.mark.parametrize("arrays, fragments", [
    ({"eq_db": np.full(len(BAND_HZ), np.nan, np.float32)}, ("'eq_db'", f"{len(BAND_HZ)} NaN or infinite")),
    ({"eq_db": np.full(len(BAND_HZ), 200.0, np.float32)}, ("'eq_db'", "values from 200 to 200, outside -24 to 24")),
    ({"eq_db": np.zeros(7, np.float32)}, ("'eq_db' array has shape (7,)", f"{len(BAND_HZ)} values per row")),
    ({"style_pack": np.zeros(256, np.float32)}, ("'style_pack' array has shape (256,)", "2-D or 3-D")),
    ({"style_pack": np.zeros((0, 256), np.float32)}, ("'style_pack' array is empty",)),
    ({"style_pack": np.zeros((510, 2, 256), np.float32)}, ("shape (510, 2, 256)", "rows of shape (256,) or (1, 256)")),
    ({"style_pack": np.full((510, 256), "x")}, ("'style_pack' array holds <U1 values",)),
    ({"style_pack": np.full((510, 256), np.inf, np.float32)}, ("NaN or infinite",)),
    ({"style_pack": None}, ("no 'style_pack' array, which a kokoro voice needs",)),
])
def test_damaged_arrays_are_refused_with_the_path(tmp_path, arrays, fragments):
    refused(tampered(tmp_path / "bad.voice.npz", **arrays), "is damaged", *fragments, "Clone the voice again")


@pytest.mark.parametrize("edit, fragments", [
    (lambda m: m["controls"].update(f0_level=float("nan")), ("control 'f0_level' is nan, not a number",)),
    (lambda m: m["controls"].update(f0_level=40.0), ("control 'f0_level' is 40, outside 0.25 to 4",)),
    (lambda m: m["controls"].update(energy_shift="loud"), ("'energy_shift' is 'loud', not a number",)),
    (lambda m: m.update(engine=7), ("'engine' is missing or not text",)),
    (lambda m: m.pop("id"), ("'id' is missing",)),
    (lambda m: m.update(controls=[1, 2]), ("'controls' is not a record",)),
    (lambda m: m.update(format="one"), ("format version 'one'",)),
])
def test_damaged_metadata_is_refused_with_the_path(tmp_path, edit, fragments):
    refused(tampered(tmp_path / "bad.voice.npz", edit), *fragments)


def test_a_newer_format_asks_for_an_update(tmp_path):
    err = refused(tampered(tmp_path / "new.voice.npz", lambda m: m.update(format=9)), "format 9 voice file")
    assert "Update voxnb" in err.fix


@pytest.mark.parametrize("content", [b"", b"not a zip at all", None])
def test_files_that_are_not_voices_are_refused_with_the_path(tmp_path, content):
    path = tmp_path / "x.voice.npz"
    if content is None:        # a real voice file, cut short by a full disk
        content = good_voice().to_bytes()[:5000]
    path.write_bytes(content)
    refused(path, "is not a voxnb voice file")


def test_a_folder_and_a_missing_file(tmp_path):
    refused(tmp_path, "cannot be read as a voice file")
    with pytest.raises(VoiceNotFoundError, match=f"There is no voice file at {tmp_path / 'nope.voice.npz'}"):
        Voice.load(tmp_path / "nope.voice.npz")


def library_with_one_damaged_file(folder: Path) -> VoiceLibrary:
    library = VoiceLibrary(folder)
    library.save(good_voice("alice", 0))
    library.save(good_voice("bob", 1))
    tampered(folder / "broken.voice.npz", eq_db=np.full(len(BAND_HZ), np.nan, np.float32))
    return library


def test_a_damaged_file_in_the_library_is_skipped_and_named(tmp_path):
    library = library_with_one_damaged_file(tmp_path)
    voices, problems = library.scan()
    assert list(voices) == ["alice", "bob"]
    assert [p.where for p in problems] == [str(tmp_path / "broken.voice.npz")]
    assert library.load("id1").name == "bob"                 # by id: the damaged file is not in the way
    refused(tmp_path / "broken.voice.npz")
    with pytest.raises(BadVoiceFileError, match="broken.voice.npz is damaged"):
        library.load("broken")
    with pytest.raises(VoiceNotFoundError, match="Damaged files skipped: .*broken.voice.npz"):
        library.load("nobody")


def test_saving_over_a_damaged_file_needs_overwrite(tmp_path):
    library = library_with_one_damaged_file(tmp_path)
    before = (tmp_path / "broken.voice.npz").read_bytes()
    with pytest.raises(VoxnbError, match="already saved as 'broken', and it is damaged"):
        library.save(good_voice("broken", 2))
    assert (tmp_path / "broken.voice.npz").read_bytes() == before     # kept: the user may restore it
    library.save(good_voice("broken", 2), overwrite=True)
    assert library.load("broken").id == "id2"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "voxnb", *args], capture_output=True, text=True, timeout=300)


def test_voxnb_voices_lists_the_good_ones_and_names_the_damaged_one(tmp_path):
    library_with_one_damaged_file(tmp_path)
    p = cli("--voices-dir", str(tmp_path), "voices")
    assert p.returncode == 0 and "alice" in p.stdout and "bob" in p.stdout and "broken" not in p.stdout
    assert f"skipped: {tmp_path / 'broken.voice.npz'} is damaged" in p.stderr
    listing = json.loads(cli("--voices-dir", str(tmp_path), "voices", "--json").stdout)
    assert [v["name"] for v in listing["voices"]] == ["alice", "bob"]
    assert listing["skipped"][0]["path"] == str(tmp_path / "broken.voice.npz")


def test_synth_with_a_damaged_voice_is_refused_before_any_audio(tmp_path):
    library_with_one_damaged_file(tmp_path)
    out = tmp_path / "x.wav"
    p = cli("--voices-dir", str(tmp_path), "synth", "--voice", "broken", "--text", "Hi.", "--out", str(out))
    assert p.returncode == 2 and not out.exists()
    assert f"{tmp_path / 'broken.voice.npz'} is damaged: its 'eq_db' array holds" in p.stderr
    assert "Traceback" not in p.stderr


def test_voices_stock_lists_what_synth_accepts():
    from voxnb.engines.kokoro.weights import STOCK_VOICES

    p = cli("voices", "--stock")
    assert p.returncode == 0 and p.stdout.split() == list(STOCK_VOICES)
    assert json.loads(cli("voices", "--stock", "--json").stdout) == {"engine": "kokoro", "stock_voices": list(STOCK_VOICES)}
    p = cli("voices", "--stock", "--engine", "f5")
    assert p.returncode == 0 and "f5 has no stock voices" in p.stdout
    p = cli("voices", "--stock", "--engine", "nope")
    assert p.returncode == 2 and "Unknown engine 'nope'" in p.stderr


def test_save_by_name_goes_to_the_library_that_synth_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("VOXNB_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    path = good_voice("harvard").save("harvard")
    assert path == tmp_path / "home" / "voices" / "harvard.voice.npz"
    assert not (tmp_path / "harvard.voice.npz").exists()
    listed = json.loads(subprocess.run([sys.executable, "-m", "voxnb", "voices", "--json"], capture_output=True,
                                       text=True, env={**os.environ}, timeout=120).stdout)
    assert [v["name"] for v in listed["voices"]] == ["harvard"]
    with pytest.raises(VoxnbError, match="already saved as 'harvard'"):
        good_voice("other", 3).save("harvard")             # a different voice under that name is never replaced
    with pytest.raises(VoxnbError, match="not a usable voice name"):
        good_voice().save("a?b")


@pytest.mark.parametrize("target, expected", [
    (lambda d: d / "mine", "mine.voice.npz"),                        # a Path is a path
    (lambda d: str(d / "sub" / "mine"), "sub/mine.voice.npz"),       # text with a folder too
    (lambda d: "mine.voice.npz", "mine.voice.npz"),                  # and text with the suffix (cwd)
    (lambda d: "~/mine", "mine.voice.npz"),                          # ~ is the home folder, as in a shell
])
def test_paths_stay_explicit(tmp_path, monkeypatch, target, expected):
    monkeypatch.setenv("VOXNB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    path = good_voice().save(target(tmp_path))
    assert (tmp_path / expected).is_file() and Path(path).resolve() == (tmp_path / expected).resolve()
    assert not (tmp_path / "home" / "voices").exists() or not any((tmp_path / "home" / "voices").iterdir())
