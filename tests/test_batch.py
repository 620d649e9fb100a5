"""Batch synthesis: a CSV script in, WAVs + a manifest out; bad rows named, failures recorded."""
import json

import pytest

from voxnb.batch import read_manifest, read_script, run_batch
from voxnb.errors import SettingsError, TextError, VoxnbError


def script(tmp_path, body, name="lines.csv"):
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_read_script_good_rows(tmp_path):
    lines = read_script(script(tmp_path, "name,text,style,speed,seed\nhi,\"Hello, world.\",happy,1.1,7\n,你好。,,,\n"))
    assert [(x.name, x.text, x.style, x.speed, x.seed, x.row) for x in lines] == [
        ("hi", "Hello, world.", "happy", 1.1, 7, 2), ("", "你好。", "neutral", 1.0, 0, 3)]


@pytest.mark.parametrize("body, error, phrase", [
    ("words\nhello\n", VoxnbError, "no 'text' column"),
    ("text,volume\nhello,3\n", VoxnbError, "unknown column"),
    ("text,style\nhello,neutral\n ,calm\n", TextError, "Row 3"),
    ("text,style\nhello,furious\n", SettingsError, "Row 2"),
    ("text,speed\nhello,9\n", SettingsError, "Row 2"),
    ("text,seed\nhello,abc\n", SettingsError, "not a whole number"),
    ("name,text\na,one\na,two\n", VoxnbError, "Rows 2 and 3"),
    ("text\n", TextError, "no lines"),
])
def test_bad_rows_are_named(tmp_path, body, error, phrase):
    with pytest.raises(error, match=phrase):
        read_script(script(tmp_path, body))


def test_run_batch_writes_wavs_and_manifest_and_never_overwrites(engine, tmp_path):
    lines = read_script(script(tmp_path, "name,text,voice\none,First line.,\ntwo,Second line.,nobody\n,Third.,\n"))
    voice = engine.stock_voice("jf_tebukuro")
    seen = []
    manifest = run_batch(engine, voice, lines, tmp_path / "out", on_progress=lambda i, n, line: seen.append((i, n)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    rows = read_manifest(manifest)
    assert [r["name"] for r in rows] == ["one", "two", "003"]
    assert rows[0]["file"] == "one.wav" and float(rows[0]["duration_s"]) > 0.3 and not rows[0]["error"]
    assert rows[1]["file"] == "" and "nobody" in rows[1]["error"]            # recorded, and the batch went on
    assert rows[2]["file"] == "003.wav"
    assert json.loads((tmp_path / "out" / "one.json").read_text())["text"] == "First line."
    again = run_batch(engine, voice, lines[:1], tmp_path / "out")
    assert again.name == "manifest-1.csv" and read_manifest(again)[0]["file"] == "one-1.wav"


def test_example_script_is_valid():
    from pathlib import Path

    lines = read_script(Path(__file__).resolve().parents[1] / "assets" / "examples" / "lines.csv")
    assert len(lines) == 5 and {x.style for x in lines} >= {"happy", "calm", "neutral"}
