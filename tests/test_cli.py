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
    p = run("synth", "--ref", str(ref_clip), "--consent", "--text", FIFTEEN, "--out", str(out), "--seed", "5", "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)            # exactly one JSON object, nothing else on stdout
    assert set(info) == {"out", "duration_s", "sample_rate", "voice_id", "seed", "timings", "watermarked", "consent"}
    assert info["out"] == str(out) and info["seed"] == 5 and info["sample_rate"] == 24000
    assert info["watermarked"] is True and len(info["consent"]) == 16
    audio, sr = sf.read(out, dtype="float32")
    assert abs(len(audio) / sr - info["duration_s"]) < 0.01
    assert json.loads(out.with_suffix(".json").read_text())["text"] == FIFTEEN
    # at most one word of 16 misheard by tiny.en (measured: the watermark moves single words both ways,
    # mean WER 0.0125 marked vs 0.015 unmarked over 5 sentences)
    assert wer(FIFTEEN, transcribe(audio, sr, language="en").text) <= 0.07


def test_clone_then_list_then_speak_by_name(ref_clip, tmp_path):
    lib = str(tmp_path / "lib")
    p = run("--voices-dir", lib, "clone", str(ref_clip), "--name", "narrator", "--transcribe", "--consent", "--json")
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
    p = run("clone", str(fake), "--name", "x", "--consent")
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
    p = run("synth", "--engine", "f5", "--ref", str(ref_clip), "--consent", "--text", "Hi.", "--out", str(tmp_path / "x"))
    assert p.returncode == 2 and "envs/f5" in p.stderr and "Traceback" not in p.stderr
    p = run("fetch", "nonsense")
    assert p.returncode == 2 and "Unknown engine 'nonsense'" in p.stderr and "whisper" in p.stderr


def test_cloning_without_consent_is_refused_before_any_model_loads(ref_clip, tmp_path):
    for args in (["synth", "--ref", str(ref_clip), "--text", "Hi.", "--out", str(tmp_path / "x.wav")],
                 ["clone", str(ref_clip), "--name", "me"],
                 ["compare", "--ref", str(ref_clip), "--text", "Hi.", "--engines", "kokoro"]):
        p = run("--voices-dir", str(tmp_path / "lib"), *args)
        assert p.returncode == 2 and "--consent" in p.stderr and "harvard_01.flac" in p.stderr, args
        assert "Traceback" not in p.stderr
    assert not (tmp_path / "x.wav").exists() and not (tmp_path / "lib").exists()


def test_detect_marked_unmarked_and_unreadable_files(ref_clip, tmp_path):
    marked, plain = tmp_path / "marked.wav", tmp_path / "plain.wav"
    assert run("synth", "--voice", "jf_tebukuro", "--text", "One two three four five.", "--out", str(marked)).returncode == 0
    p = run("synth", "--voice", "jf_tebukuro", "--text", "One two three four five.", "--out", str(plain), "--no-watermark")
    assert p.returncode == 0, p.stderr
    audio, sr = sf.read(marked, dtype="float32")
    mp3 = tmp_path / "copy.mp3"         # a lossy copy that travelled without its sidecar
    sf.write(mp3, audio, sr, format="MP3", bitrate_mode="CONSTANT", compression_level=0.7)

    p = run("detect", str(marked), str(mp3))
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("voxnb watermark found") == 2 and "jf_tebukuro" in p.stdout and "consent not needed" in p.stdout
    p = run("detect", str(marked), str(plain), "--json")
    assert p.returncode == 1
    files = json.loads(p.stdout)["files"]
    assert [f["marked"] for f in files] == [True, False] and all(f["error"] is None for f in files)
    assert files[0]["confidence"] >= 0.5 > files[1]["confidence"]
    assert files[0]["metadata"]["watermarked"] is True and files[1]["metadata"]["watermark"].startswith("off")
    assert run("detect", str(ref_clip)).returncode == 1          # a real recording: clean
    notes = tmp_path / "notes.txt"
    notes.write_text("not audio")
    p = run("detect", str(marked), str(notes), str(tmp_path / "missing.wav"), "--json")
    assert p.returncode == 2
    errors = [f["error"] for f in json.loads(p.stdout)["files"]]
    assert errors[0] is None and "notes.txt" in errors[1] and "missing.wav" in errors[2]
