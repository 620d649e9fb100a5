"""Batch synthesis: scripts are checked row by row; a batch never overwrites and survives a bad line."""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

import voxnb
from voxnb.runs.batch import Line, read_manifest, read_script, run_batch
from voxnb.errors import SettingsError, TextError, VoxnbError

EXAMPLE = Path(__file__).resolve().parents[1] / "assets" / "examples" / "lines.csv"


def script(tmp_path, text: str) -> Path:
    path = tmp_path / "script.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_example_reads_cleanly():
    lines = read_script(EXAMPLE)
    assert len(lines) == 5
    assert {line.style for line in lines} >= {"happy", "calm", "neutral"}
    assert any("\u4e00" <= ch <= "\u9fff" for line in lines for ch in line.text)   # Mandarin lines too
    assert len({line.speed for line in lines}) > 1


def test_read_script_defaults_quotes_bom_and_blank_rows(tmp_path):
    path = script(tmp_path, '\ufefftext,Speed,seed\n"Hello, world.",0.8,3\n,,\n你好。,,\n')
    assert read_script(path) == [
        Line(text="Hello, world.", speed=0.8, seed=3, row=2),
        Line(text="你好。", row=4),
    ]


@pytest.mark.parametrize("body, error, phrases", [
    ("text,style\nfine,calm\n ,happy\n", TextError, ["Row 3", "text is empty"]),
    ("text,style\nfine,calm\nhi,angry\n", SettingsError, ["Row 3", "Unknown style 'angry'", "happy"]),
    ("text,speed\nhi,1\nhi,1\nhi,3.5\n", SettingsError, ["Row 4", "Speed 3.5 is out of range", "0.5"]),
    ("text,speed\nhi,quick\n", SettingsError, ["Row 2", "not a number"]),
    ("text,seed\nhi,1.5\n", SettingsError, ["Row 2", "not a whole number"]),
    ("text,name\na,take\nb,take\n", VoxnbError, ["Rows 2 and 3", "'take'"]),
    ("text,name\na,../escape\n", VoxnbError, ["Row 2", "cannot be a file name"]),
    ("text\nHello, world\n", VoxnbError, ["Row 2", "more cells", "Quote"]),
    ("words,style\nhi,calm\n", VoxnbError, ["no 'text' column"]),
    ("text,styel\nhi,calm\n", VoxnbError, ["unknown column", "styel"]),
    ("text\n", TextError, ["no lines"]),
])
def test_read_script_names_the_row_and_the_fix(tmp_path, body, error, phrases):
    with pytest.raises(error) as info:
        read_script(script(tmp_path, body))
    for phrase in phrases:
        assert phrase in str(info.value)
    assert info.value.fix


def test_read_script_refuses_non_utf8_and_missing_files(tmp_path):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("text\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(VoxnbError, match="not UTF-8"):
        read_script(bad)
    with pytest.raises(VoxnbError, match="No script"):
        read_script(tmp_path / "missing.csv")


LINES = [Line("Good morning.", name="morning", style="calm", speed=0.9, seed=1, row=2),
         Line("早上好。", style="happy", row=3)]


@pytest.fixture(scope="module")
def first_batch(engine, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    calls = []
    voice = engine.stock_voice("jf_tebukuro")
    manifest = run_batch(engine, voice, LINES, out, on_progress=lambda p: calls.append((p.done, p.total, p.line)))
    return engine, voice, out, manifest, calls


def test_run_batch_writes_wavs_sidecars_and_a_manifest(first_batch):
    _, voice, out, manifest, calls = first_batch
    assert manifest == out / "manifest.csv"
    assert [(i, n) for i, n, _ in calls] == [(1, 2), (2, 2)] and calls[-1][2] == LINES[1]
    rows = read_manifest(manifest)
    assert list(rows[0]) == ["row", "name", "file", "text", "voice_id", "style", "speed", "seed",
                             "duration_s", "rtf", "error", "key"]
    assert [(r["name"], r["file"], r["text"], r["style"], r["error"]) for r in rows] == [
        ("morning", "morning.wav", "Good morning.", "calm", ""),
        ("002", "002.wav", "早上好。", "happy", "")]
    for r in rows:
        assert r["voice_id"] == voice.id
        audio, sr = sf.read(out / r["file"], dtype="float32")
        assert sr == 24000 and abs(len(audio) / sr - float(r["duration_s"])) < 0.01 and float(r["rtf"]) > 0
        sidecar = json.loads((out / r["file"]).with_suffix(".json").read_text(encoding="utf-8"))
        assert sidecar["text"] == r["text"] and sidecar["settings"]["inspect"] is False
        assert voxnb.detect(audio, sr).marked and sidecar["provenance"]["voice"]["id"] == voice.id
    assert json.loads((out / "morning.json").read_text())["settings"]["speed"] == 0.9
    assert not list(out.glob(".*"))                       # no temporary files left behind


def test_a_rerun_speaks_only_what_is_not_done_and_never_overwrites(first_batch):
    engine, voice, out, manifest, _ = first_batch
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    seen = []
    assert run_batch(engine, voice, LINES, out, on_progress=seen.append) == manifest
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before        # nothing spoken, nothing new
    assert seen[-1].skipped == 2 and seen[-1].done == 2 and "2 done before" in str(seen[-1])

    # an edited line: its new take goes beside the old one, which is kept; the manifest lists the new one
    edited = [LINES[0], Line("晚上好。", style="happy", row=3)]
    rows = read_manifest(run_batch(engine, voice, edited, out))
    assert [r["file"] for r in rows] == ["morning.wav", "002-1.wav"] and (out / "002.wav").read_bytes() == before["002.wav"]
    assert len(rows) == 2 and rows[1]["text"] == "晚上好。"


def test_a_take_written_before_a_kill_is_listed_not_spoken_again(engine, tmp_path):
    voice = engine.stock_voice("jf_alpha")
    lines = [Line("One line.", name="a"), Line("Another line.", name="b")]
    manifest = run_batch(engine, voice, lines, tmp_path)
    rows = read_manifest(manifest)
    # as if the run was killed after writing b.wav but before listing it, while writing a temp file
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerow(rows[0])
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".c.{dead.stdout.strip()}-1-0123abcd.tmp.wav"
    stale.write_bytes(b"half")
    b_before = (tmp_path / "b.wav").read_bytes()
    seen = []
    rows = read_manifest(run_batch(engine, voice, lines, tmp_path, on_progress=seen.append))
    assert [r["file"] for r in rows] == ["a.wav", "b.wav"] and seen[-1].skipped == 2
    assert (tmp_path / "b.wav").read_bytes() == b_before and not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.wav", "b.json", "b.wav", "manifest.csv"]


def test_one_batch_writes_into_a_folder_at_a_time(tmp_path):
    from voxnb.runs.folder import BatchFolder

    with BatchFolder(tmp_path):
        with pytest.raises(VoxnbError, match="Another batch is writing") as err:
            BatchFolder(tmp_path)
        assert "--out" in err.value.fix
    with BatchFolder(tmp_path):   # free again once the first is done
        pass


def test_a_failing_line_is_recorded_and_the_batch_goes_on(engine, tmp_path):
    lines = [Line("Fine.", name="a"), Line("Bad [h][xyz] markup.", name="b", row=3),
             Line("Someone else.", name="c", voice="nobody"), Line("Still fine.", name="d")]
    done = []
    manifest = run_batch(engine, engine.stock_voice("jf_alpha"), lines, tmp_path,
                         on_progress=lambda p: done.append(p.done))
    rows = {r["name"]: r for r in read_manifest(manifest)}
    assert done == [1, 2, 3, 4]
    assert rows["a"]["error"] == "" and rows["d"]["error"] == "" and (tmp_path / "d.wav").exists()
    assert "at character" in rows["b"]["error"] and rows["b"]["file"] == "" and rows["b"]["row"] == "3"
    assert "'nobody'" in rows["c"]["error"] and "voxnb clone" in rows["c"]["error"]
    assert not (tmp_path / "b.wav").exists() and not (tmp_path / "c.wav").exists()


def test_lines_can_name_their_own_voice(engine, tmp_path):
    given = engine.stock_voice("jf_alpha").renamed("narrator")
    lines = [Line("One.", voice="narrator"), Line("Two.", voice="jm_kumo")]
    rows = read_manifest(run_batch(engine, None, lines, tmp_path, voices={"narrator": given}))
    assert [r["voice_id"] for r in rows] == [given.id, engine.stock_voice("jm_kumo").id]
    with pytest.raises(VoxnbError, match="No voice for lines"):
        run_batch(engine, None, [Line("Who speaks?")], tmp_path)


def test_cli_batch_json(tmp_path):
    path = script(tmp_path, "name,text,style\nhi,Hi there.,happy\nbad,Oops [h][xyz].,calm\n")
    p = subprocess.run([sys.executable, "-m", "voxnb", "batch", str(path), "--voice", "jf_alpha",
                        "--out", str(tmp_path / "out"), "--json"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2, p.stderr                    # a line failed: the rest was still written
    info = json.loads(p.stdout)
    assert info["lines"] == 2 and info["written"] == 1 and info["failed"][0]["row"] == "3"
    assert (tmp_path / "out" / "hi.wav").exists()
    with open(info["manifest"], encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == 2


def test_cli_batch_bad_script_is_one_line(tmp_path):
    path = script(tmp_path, "text,speed\nhi,9\n")
    p = subprocess.run([sys.executable, "-m", "voxnb", "batch", str(path), "--voice", "jf_alpha",
                        "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2 and p.stdout == "" and "Row 2" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()
