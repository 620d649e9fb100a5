"""The voxnb command as a user runs it: one JSON object with --json, one-line errors otherwise."""
import json
import subprocess
import sys

import pytest
import soundfile as sf

from voxnb.transcript import transcribe, wer

FIFTEEN = "Please remember to water the tomato plants in the garden before you leave for work tomorrow."


def run(*args):
    return subprocess.run([sys.executable, "-m", "voxnb", *args], capture_output=True, text=True, timeout=300)


def test_synth_json_from_a_reference(ref_clip, tmp_path):
    out = tmp_path / "x.wav"
    p = run("synth", "--ref", str(ref_clip), "--text", FIFTEEN, "--out", str(out), "--seed", "5", "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)            # exactly one JSON object, nothing else on stdout
    assert set(info) == {"out", "duration_s", "sample_rate", "voice_id", "seed", "timings"}
    assert info["out"] == str(out) and info["seed"] == 5 and info["sample_rate"] == 24000
    audio, sr = sf.read(out, dtype="float32")
    assert abs(len(audio) / sr - info["duration_s"]) < 0.01
    assert json.loads(out.with_suffix(".json").read_text())["text"] == FIFTEEN
    assert wer(FIFTEEN, transcribe(audio, sr, language="en").text) <= 0.05


def test_clone_then_list_then_speak_by_name(ref_clip, tmp_path):
    lib = str(tmp_path / "lib")
    p = run("--voices-dir", lib, "clone", str(ref_clip), "--name", "narrator", "--transcribe", "--json")
    assert p.returncode == 0, p.stderr
    vid = json.loads(p.stdout)["id"]
    assert "smooth planks" in json.loads(p.stdout)["transcript"].lower()
    listed = json.loads(run("--voices-dir", lib, "voices", "--json").stdout)["voices"]
    assert [(v["name"], v["id"]) for v in listed] == [("narrator", vid)]
    p = run("--voices-dir", lib, "synth", "--voice", "narrator", "--text", "Hi.", "--out", str(tmp_path / "n.wav"),
            "--match-channel", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["voice_id"] == vid
    assert json.loads((tmp_path / "n.json").read_text())["settings"]["match_channel"] is True


@pytest.mark.parametrize("args, phrase", [
    (["synth", "--voice", "nobody", "--text", "hi", "--out", "x.wav"], "No saved voice"),
    (["synth", "--voice", "jf_alpha", "--text", "hi", "--out", "x.wav", "--speed", "9"], "Speed"),
    (["synth", "--voice", "jf_alpha", "--text", "  ", "--out", "x.wav"], "empty"),
    (["phonemes", "[h][xyz]"], "at character"),
])
def test_errors_are_one_line_without_traceback(args, phrase, tmp_path):
    p = subprocess.run([sys.executable, "-m", "voxnb", *args], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("error:") and phrase in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "x.wav").exists()


def test_not_audio_reference(tmp_path):
    fake = tmp_path / "notes.wav"
    fake.write_text("these are my notes, not a recording\n" * 20)
    p = run("clone", str(fake), "--name", "x")
    assert p.returncode == 2 and "notes.wav" in p.stderr and "Traceback" not in p.stderr


def test_phonemes_without_weights():
    p = run("phonemes", "你好, world! [M][AY0][N][UW1][T]", "--json")
    chunks = json.loads(p.stdout)["chunks"]
    langs = [s[0] for c in chunks for s in c["segments"]]
    assert "zh" in langs and "en" in langs and "ˈu" in chunks[0]["phonemes"]


def test_doctor_reports_weights_and_engines():
    info = json.loads(run("doctor", "--json").stdout)
    assert "kokoro" in info["engines"] and "sha256 ok" in info["weights"] and info["gpu"]


def test_batch_from_the_example_script(tmp_path):
    from voxnb.batch import read_manifest

    script = tmp_path / "two.csv"
    script.write_text("name,text,style\na,One short line.,calm\nb,你好。,slow\n", encoding="utf-8")
    p = run("batch", str(script), "--voice", "jf_tebukuro", "--out", str(tmp_path / "out"), "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert info["written"] == 2 and info["failed"] == []
    assert [r["file"] for r in read_manifest(info["manifest"])] == ["a.wav", "b.wav"]


def test_gpu_engine_outside_its_environment_says_where_it_lives(ref_clip, tmp_path):
    """This environment has no f5-tts (it lives in envs/f5 and .venv-engines): a clear message, not a traceback."""
    import importlib.util

    if importlib.util.find_spec("f5_tts") is not None:
        pytest.fail("tests/ (outside tests/engines) must run in an environment without the GPU engines")
    p = run("synth", "--engine", "f5", "--ref", str(ref_clip), "--text", "Hi.", "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "envs/f5" in p.stderr and "Traceback" not in p.stderr
    p = run("fetch", "nonsense")
    assert p.returncode == 2 and "Unknown engine 'nonsense'" in p.stderr and "whisper" in p.stderr
