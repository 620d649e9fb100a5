"""The voxnb command as a user runs it: one JSON object with --json, one-line errors otherwise."""
import json
import subprocess
import sys

import pytest
import soundfile as sf

from voxnb.reference.transcript import transcribe, wer

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
    saved = (tmp_path / "lib" / "narrator.voice.npz").read_bytes()
    p = run("--voices-dir", lib, "clone", str(ref_clip), "--name", "narrator", "--consent", "--json")   # again
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["already_enrolled"] is True and json.loads(p.stdout)["id"] == vid
    assert (tmp_path / "lib" / "narrator.voice.npz").read_bytes() == saved


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
    from voxnb.runs.batch import read_manifest

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


def _saved_voice(directory, reference, name="narrator"):
    """A voice saved as a clone of ``reference`` would be, with its consent record; no engine involved."""
    import numpy as np

    from voxnb.reference.audio import prepare_reference
    from voxnb.output.consent import record
    from voxnb.voice import Voice, VoiceLibrary

    ref = prepare_reference(reference)
    voice = Voice(id="0123456789abcdef", name=name, engine="kokoro", method="kokoro-style-blend/5",
                  conditioning={"style_pack": np.zeros((4, 256), np.float32)}, report=ref.report.to_dict(),
                  transcript="The birch canoe slid on the smooth planks.", consent=record(True, ref.audio))
    return VoiceLibrary(directory).save(voice)


@pytest.fixture
def no_engine(monkeypatch):
    from voxnb import engines

    monkeypatch.setattr(engines, "load_engine", lambda *a, **k: pytest.fail("an engine was loaded"))


def test_cloning_the_same_recording_again_answers_from_the_library(tmp_path, no_engine, capsys):
    from audio_fixtures import HARVARD_1
    from voxnb.cli.commands import main

    lib = tmp_path / "lib"
    saved = _saved_voice(lib, HARVARD_1)
    before, mtime = saved.read_bytes(), saved.stat().st_mtime_ns
    clone = ["--voices-dir", str(lib), "clone", str(HARVARD_1), "--name", "narrator"]
    assert main(clone + ["--consent"]) == 0
    out = capsys.readouterr().out
    assert "'narrator' [0123456789abcdef] is already enrolled from this recording" in out
    assert main(clone + ["--consent", "--json", "--transcript", "The birch canoe slid on the smooth planks."]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["already_enrolled"] is True and info["id"] == "0123456789abcdef" and info["consent"]["id"]
    assert main(clone) == 2 and "--consent" in capsys.readouterr().err     # the statement is still asked for
    assert saved.read_bytes() == before and saved.stat().st_mtime_ns == mtime


def test_a_different_enrollment_never_replaces_a_saved_voice(tmp_path, no_engine, capsys, monkeypatch):
    from audio_fixtures import HARVARD_1, HARVARD_2
    from voxnb import engines
    from voxnb.cli.commands import main
    from voxnb.errors import EngineError

    lib = tmp_path / "lib"
    saved = _saved_voice(lib, HARVARD_1)
    before = saved.read_bytes()
    base = ["--voices-dir", str(lib), "clone"]
    for args, phrase in [([str(HARVARD_2)], "A different voice is already saved as 'narrator': it was enrolled "
                                           "from other audio than harvard_02.flac"),
                         ([str(HARVARD_1), "--engine", "f5"], "with the kokoro engine, not f5"),
                         ([str(HARVARD_1), "--transcript", "Something else."], "with another transcript")]:
        assert main(base + args + ["--name", "narrator", "--consent"]) == 2, args
        err = capsys.readouterr().err
        assert phrase in err and "another name, or pass --overwrite" in err, err
    assert saved.read_bytes() == before

    def asked(*a, **k):
        raise EngineError("engine asked for")

    monkeypatch.setattr(engines, "load_engine", asked)   # --overwrite goes on to enroll
    assert main(base + [str(HARVARD_2), "--name", "narrator", "--consent", "--overwrite"]) == 2
    assert "engine asked for" in capsys.readouterr().err and saved.read_bytes() == before


class _Refiner:
    """An engine that refines at once: the CLI's part (progress, verdict, saving) is what is tested."""

    def __init__(self, refines=True):
        from types import SimpleNamespace

        self.capabilities = SimpleNamespace(name="kokoro", refines=refines)

    def refine(self, voice, reference, budget_s, progress):
        import dataclasses

        from voxnb.engines.kokoro.refine import METHOD

        assert budget_s == 30 and str(reference).endswith("harvard_01.flac")
        progress(0.5, "timbre")
        progress(1.0, "done")
        info = {"refine": {"seconds": 12.0, "syntheses": 40, "reason": "",
                           "heldout": {"clone": {"dvector": 0.61}, "refined": {"dvector": 0.7}}}}
        return dataclasses.replace(voice, id="fedcba9876543210", method=METHOD, info=info)


def test_clone_refine_replaces_the_saved_fast_clone(tmp_path, monkeypatch, capsys):
    from audio_fixtures import HARVARD_1
    from voxnb import engines
    from voxnb.cli.commands import main
    from voxnb.engines.kokoro.refine import METHOD
    from voxnb.voice import Voice

    lib = tmp_path / "lib"
    saved = _saved_voice(lib, HARVARD_1)
    monkeypatch.setattr(engines, "load_engine", lambda *a, **k: _Refiner())
    args = ["--voices-dir", str(lib), "clone", str(HARVARD_1), "--name", "narrator", "--consent", "--refine",
            "--refine-budget", "30"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "refining 100%" in err and "refinement kept: 12 s, 40 syntheses, held-out d-vector 0.610 -> 0.700" in err
    assert Voice.load(saved).method == METHOD and Voice.load(saved).id == "fedcba9876543210"
    monkeypatch.setattr(engines, "load_engine", lambda *a, **k: pytest.fail("refined twice"))
    assert main(args) == 0          # already refined: answered from the library


def test_clone_refine_with_an_engine_that_cannot(tmp_path, monkeypatch, capsys):
    from audio_fixtures import HARVARD_1
    from voxnb import engines
    from voxnb.cli.commands import main

    lib = tmp_path / "lib"
    saved = _saved_voice(lib, HARVARD_1)
    before = saved.read_bytes()
    monkeypatch.setattr(engines, "load_engine", lambda *a, **k: _Refiner(refines=False))
    assert main(["--voices-dir", str(lib), "clone", str(HARVARD_1), "--name", "narrator", "--consent", "--refine"]) == 2
    assert "cannot refine" in capsys.readouterr().err and saved.read_bytes() == before


def test_synth_json_carries_the_notes_stderr_gets(tmp_path):
    out = tmp_path / "n.wav"
    p = run("synth", "--voice", "jf_alpha", "--text", "Hello there 😀 مرحبا.", "--out", str(out), "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)            # still exactly one JSON object on stdout
    notes = [line[len("note: "):] for line in p.stderr.splitlines() if line.startswith("note: ")]
    assert notes and info["warnings"] == notes
    assert any("😀" in n for n in info["warnings"])
    assert json.loads(out.with_suffix(".json").read_text())["warnings"] == notes
