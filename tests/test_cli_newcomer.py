"""Traps a new user met on the command line: an empty voice name, --lang that seemed to do nothing."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parents[1] / "assets" / "reference" / "harvard_f" / "harvard_01.flac"


def _voxnb(*args, tmp_path):
    return subprocess.run([sys.executable, "-m", "voxnb", "--voices-dir", str(tmp_path / "voices"), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", ["", " ", "../x", "a" * 65])
def test_clone_refuses_an_unusable_name_before_any_work(tmp_path, name):
    p = _voxnb("clone", str(REF), "--name", name, "--consent", tmp_path=tmp_path)
    assert p.returncode == 2 and "is not a usable voice name" in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and not (tmp_path / "voices").exists()


def test_lang_decides_how_numbers_between_words_are_read(tmp_path):
    """--lang is documented as the language of what stands between words; words keep their script's."""
    text = "价格 12 call me"
    read = {}
    for lang in ("en", "zh"):
        p = _voxnb("phonemes", text, "--lang", lang, "--json", tmp_path=tmp_path)
        assert p.returncode == 0, p.stderr
        segments = [s for c in json.loads(p.stdout)["chunks"] for s in c["segments"]]
        read[lang] = {}
        for seg_lang, seg_text, _ in segments:
            read[lang][seg_lang] = read[lang].get(seg_lang, "") + seg_text
        assert "价格" in read[lang]["zh"] and "call me" in read[lang]["en"]   # scripts keep their language
    assert "twelve" in read["en"]["en"] and "十二" in read["zh"]["zh"]
