"""`voxnb script`: a cast speaks a script; each line in its own voice, a mix whose timeline and SRT are exact,
a line re-rendered alone, bad scripts and casts answered before any model loads."""
import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

import voxnb
from voxnb.errors import VoxnbError
from voxnb.productions.cast import parse_cast, read_cast, require
from voxnb.productions.render import load_timeline, render_script
from voxnb.productions.script import parse_script, read_script, speakers
from voxnb.productions.srt import stamp
from voxnb.voice import VoiceLibrary

from conftest import REFERENCES

SCRIPT = """# two hosts
Alice: Welcome back to the show. Today we talk about how voices are made.
Bob [seed=3 pause=0.8]: Thanks for having me, it is good to be here.
Alice: So tell me, where does a voice begin?
Bob: It begins with breath,
and the rest follows from there.
"""


def test_a_text_script_reads_turns_settings_and_continuations():
    lines = parse_script(SCRIPT, "show.txt")
    assert [line.speaker for line in lines] == ["Alice", "Bob", "Alice", "Bob"]
    assert lines[1].seed == 3 and lines[1].pause == 0.8 and lines[0].seed is None
    assert lines[3].text == "It begins with breath, and the rest follows from there."
    assert [line.line for line in lines] == [2, 3, 4, 5]
    assert speakers(lines) == ["Alice", "Bob"]
    zh = parse_script("张三：大家好。\n李四 [style=happy]：你好！", "zh.txt")
    assert [(x.speaker, x.text, x.style) for x in zh] == [("张三", "大家好。", None), ("李四", "你好！", "happy")]
    assert parse_script("Ann: The train leaves at 10:30 sharp.")[0].text == "The train leaves at 10:30 sharp."


def test_a_csv_script_and_a_cast_file(tmp_path):
    (tmp_path / "s.csv").write_text("speaker,text,seed,pause\nAlice,Hello there.,5,\nBob,\"Hi, you.\",,1.5\n")
    lines = read_script(tmp_path / "s.csv")
    assert [(x.speaker, x.text, x.seed, x.pause) for x in lines] == [("Alice", "Hello there.", 5, None),
                                                                      ("Bob", "Hi, you.", None, 1.5)]
    (tmp_path / "cast.csv").write_text("speaker,voice,style,speed\nAlice,alice,happy,1.1\nBob,bob,,\n")
    cast = read_cast(tmp_path / "cast.csv")
    assert cast["Alice"].style == "happy" and cast["Alice"].speed == 1.1 and cast["Bob"].style is None
    assert parse_cast(str(tmp_path / "cast.csv")) == cast
    assert parse_cast("Alice=alice, Bob=bob:calm")["Bob"].style == "calm"


@pytest.mark.parametrize("text, key, named", [
    ("Hello there.\nAlice: Hi.", "script.no_speaker", "line 1"),
    ("Alice:   \n", "script.line_empty", "line 1"),
    ("# only a comment\n\n", "script.empty", "s.txt"),
    ("Bob [sed=3]: Hi.", "script.bad_option", "'sed=3'"),
    ("Bob [speed=9]: Hi.", "script.line_setting", "line 1"),
    ("Bob [pause=-1]: Hi.", "script.bad_pause", "line 1"),
    ("Bob [style=angry]: Hi.", "script.line_setting", "angry"),
])
def test_a_bad_script_names_its_line_and_the_fix(text, key, named):
    with pytest.raises(VoxnbError) as err:
        parse_script(text, "s.txt")
    assert err.value.key == key and named in str(err.value) and err.value.fix
    assert err.value.render("zh") != err.value.render("en")


def test_bad_files_and_casts(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Zoë: café".encode("latin-1"))
    (tmp_path / "subs.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    (tmp_path / "nohead.csv").write_text("Alice,Hello\n")
    for name, key in [("latin1.txt", "script.not_utf8"), ("subs.srt", "script.is_subtitles"),
                      ("nohead.csv", "script.csv_header"), ("missing.txt", "script.no_file")]:
        with pytest.raises(VoxnbError) as err:
            read_script(tmp_path / name)
        assert err.value.key == key, name
    for cast, key in [("Alice", "cast.bad_item"), ("Alice=", "cast.bad_item"), ("Alice=a:angry", "cast.bad_style")]:
        with pytest.raises(VoxnbError) as err:
            parse_cast(cast)
        assert err.value.key == key
    with pytest.raises(VoxnbError) as err:
        require(parse_cast("Alice=alice"), ["Alice", "Bob", "Carol"])
    assert err.value.key == "cast.missing_speakers" and "Bob" in str(err.value) and "Carol" in str(err.value)
    assert "Carol=VOICE" in err.value.fix


@pytest.fixture(scope="module")
def voices(engine, tmp_path_factory):
    """Two cloned hosts from two different people's recordings, saved in a library."""
    library = VoiceLibrary(tmp_path_factory.mktemp("cast-voices"))
    refs = {"alice": REFERENCES / "harvard_f" / "harvard_01.flac", "bob": REFERENCES / "codec2_hts_m" / "enroll.flac"}
    for name, ref in refs.items():
        library.save(engine.clone(ref, name=name, consent=True))
    return library, refs


def _render(engine, library, lines, out, **kw):
    return render_script(lines, parse_cast("Alice=alice,Bob=bob"), out, engine_for=lambda name: engine,
                         voice_for=lambda e, name: library.load(name), **kw)


def test_two_speakers_render_in_their_own_voices_with_an_exact_timeline(engine, voices, tmp_path):
    from voxnb.bench import ge2e

    library, refs = voices
    lines = parse_script(SCRIPT)
    seen = []
    show = _render(engine, library, lines, tmp_path / "show.wav", on_progress=lambda p: seen.append(p.done))
    assert seen == [1, 2, 3, 4] and show.rendered == 4
    mix, rate = sf.read(show.mix, dtype="int16")
    assert rate == engine.capabilities.sample_rate
    timeline = load_timeline(show.mix)
    assert [t["speaker"] for t in timeline] == ["Alice", "Bob", "Alice", "Bob"]
    # every line's stem lies in the mix sample for sample where the timeline says: the SRT agrees within 1 ms
    srt = show.srt.read_text().split("\n\n")
    for t, cue in zip(timeline, srt):
        stem, _ = sf.read(tmp_path / t["file"], dtype="int16")
        start = round(t["start_s"] * rate)
        assert np.array_equal(mix[start:start + len(stem)], stem)
        assert abs(t["end_s"] - (start + len(stem)) / rate) < 0.001
        assert f"{t['speaker']}: {t['text']}" in cue
        assert f"{stamp(t['start_s'])} --> {stamp(t['end_s'])}" in cue
    gaps = [round(b["start_s"] - a["end_s"], 3) for a, b in zip(timeline, timeline[1:])]
    assert gaps == [0.8, 0.4, 0.4]    # Bob's own pause before his first line, the turn pause elsewhere
    # each stem is nearer its own speaker's recording than the other's (GE2E: an evaluation encoder)
    ref_emb = {name: ge2e.embed(*_mono(path)) for name, path in refs.items()}
    own = {"Alice": "alice", "Bob": "bob"}
    for t in timeline:
        emb = ge2e.embed(*_mono(tmp_path / t["file"]))
        mine, other = own[t["speaker"]], "bob" if own[t["speaker"]] == "alice" else "alice"
        assert ge2e.similarity(emb, ref_emb[mine]) > ge2e.similarity(emb, ref_emb[other]), t
    # the mix is watermarked and names both voices and their consent
    assert voxnb.detect(mix.astype(np.float32) / 32768, rate).marked
    record = json.loads(show.mix.with_suffix(".json").read_text())["provenance"]
    assert {v["name"] for v in record["voices"]} == {"alice", "bob"} and all(v["consent"] for v in record["voices"])


def test_one_line_re_rendered_alone_and_the_mix_rebuilt(engine, voices, tmp_path):
    library, _ = voices
    lines = parse_script(SCRIPT)
    first = _render(engine, library, lines, tmp_path / "show.wav")
    stems = {i: (p, p.stat().st_mtime_ns, p.stat().st_ino) for i, p in first.files.items()}
    # Kokoro is deterministic (a seed changes nothing): the line gets another style
    edited = parse_script(SCRIPT.replace("seed=3", "style=happy"))
    second = _render(engine, library, edited, tmp_path / "show.wav")
    assert second.rendered == 1 and second.reused == 3
    assert second.mix.name == "show-1.wav" and first.mix.exists()        # the earlier mix is kept
    for i, (path, mtime, ino) in stems.items():
        if i != 2:
            assert second.files[i] == path and path.stat().st_mtime_ns == mtime and path.stat().st_ino == ino
    assert second.files[2] != stems[2][0]                                  # Bob's line: a new take beside the old
    old, new = sf.read(stems[2][0])[0], sf.read(second.files[2])[0]
    assert old.shape != new.shape or not np.array_equal(old, new)
    assert json.loads(second.files[2].with_suffix('.json').read_text())['settings']['style'] == 'happy'
    rebuilt = load_timeline(second.mix)
    assert rebuilt[2]["start_s"] == pytest.approx(
        rebuilt[1]["end_s"] + 0.4, abs=1e-3) and second.srt.name == "show-1.srt"


def test_the_cli_refuses_a_cast_missing_a_speaker_before_loading_a_model(tmp_path):
    script = tmp_path / "show.txt"
    script.write_text(SCRIPT)
    run = subprocess.run([sys.executable, "-m", "voxnb", "script", str(script), "--cast", "Alice=alice",
                          "--out", str(tmp_path / "show.wav"), "--json"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2, run.stderr
    assert "Bob" in run.stderr and "--cast" in run.stderr
    assert json.loads(run.stdout.splitlines()[-1])["key"] == "cast.missing_speakers"
    assert "torch" not in run.stderr and not (tmp_path / "show.lines").exists()


def test_the_cli_speaks_a_script_in_saved_voices(voices, tmp_path):
    library, _ = voices
    script = tmp_path / "show.txt"
    script.write_text("Alice: One.\nBob: Two.\n")
    run = subprocess.run([sys.executable, "-m", "voxnb", "--voices-dir", str(library.directory), "script", str(script),
                          "--cast", "Alice=alice,Bob=bob", "--out", str(tmp_path / "show.wav"), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info["lines"] == 2 and info["rendered"] == 2 and (tmp_path / "show.srt").exists()
    assert "[2/2] Bob: Two." not in run.stderr     # --json: progress is not mixed into what a script reads


def _mono(path):
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    return audio[:, 0], rate


def test_a_line_that_fails_is_named_and_only_it_is_spoken_after_the_fix(engine, voices, tmp_path):
    library, _ = voices
    bad = "Alice: First line is fine.\nBob: " + "x" * 60 + "\nAlice: Third line is fine.\n"
    with pytest.raises(VoxnbError) as err:
        _render(engine, library, parse_script(bad), tmp_path / "show.wav")
    assert err.value.key == "script.lines_failed" and "line 2 (Bob)" in str(err.value)
    assert not (tmp_path / "show.wav").exists() and len(list((tmp_path / "show.lines").glob("*.wav"))) == 2
    fixed = _render(engine, library, parse_script(bad.replace("x" * 60, "Now it is fine too.")), tmp_path / "show.wav")
    assert fixed.rendered == 1 and fixed.reused == 2 and fixed.mix.name == "show.wav"
