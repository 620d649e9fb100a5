"""`voxnb finetune prepare`: a long real recording cut at its pauses into transcribed 2-15 s segments, with
inserted music and a second speaker dropped for the right reasons, and too little speech refused."""
import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from audio_fixtures import chords

from voxnb.errors import VoxnbError
from voxnb.finetune.dataset import Dataset
from voxnb.finetune.prepare import RATE, prepare
from voxnb.finetune.slicing import cut_at_pauses
from voxnb.reference.decode import resample
from voxnb.reference.transcript import wer

from conftest import REFERENCES

SAID = {"harvard_01": "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background.",
        "harvard_02": "It's easy to tell the depth of a well. Four hours of steady work faced us."}


def _mask(spec, frame_s=0.03):
    """'1' speech, '0' pause, one character per frame."""
    return np.array([c == "1" for c in spec])


def test_cuts_fall_in_pauses_short_pieces_join_their_nearer_neighbour_and_a_run_is_never_split():
    frame = 0.03
    # 3 s of speech, a 0.6 s pause, 0.6 s of speech, a 0.45 s pause, 3 s of speech
    spec = "1" * 100 + "0" * 20 + "1" * 20 + "0" * 15 + "1" * 100
    cuts = cut_at_pauses(_mask(spec), frame, len(spec) * 720, 24000)
    assert len(cuts) == 2
    # the 0.6 s piece joined the segment after it: its pause there (0.45 s) is shorter than before (0.6 s)
    assert cuts[1].start < 120 * 720 < 140 * 720 < cuts[1].end and cuts[0].end <= 110 * 720
    for c in cuts:   # every cut lies in a pause, never inside a run of speech
        for edge in (c.start // 720, c.end // 720 - 1):
            assert edge == 0 or edge >= len(spec) - 1 or spec[edge] == "0"
    long = cut_at_pauses(_mask("1" * 600), frame, 600 * 720, 24000)      # 18 s without a pause
    assert [c.reason for c in long] == ["too_long"]
    split = cut_at_pauses(_mask(("1" * 150 + "0" * 5) * 4), frame, 620 * 720, 24000)   # short pauses only
    assert len(split) >= 2 and all(c.end - c.start <= 15.4 * 24000 for c in split)


def _clip(path):
    audio, rate = sf.read(path, dtype="float32")
    return resample(audio, rate, RATE)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """90 s of the Harvard reader (her two clips, six times, at other levels) with 5 s of chords and 8 s of
    another speaker inserted, pauses of 0.7-1.2 s between; and where each part lies."""
    rng = np.random.default_rng(0)
    main = {k: _clip(REFERENCES / "harvard_f" / f"{k}.flac") for k in SAID}
    other = _clip(REFERENCES / "en_klettres_m" / "enroll.flac")
    music = resample(chords(16000, 5.0, seed=1).astype(np.float32) * 0.3, 16000, RATE)
    parts, truth, at = [], [], 0
    for k in range(6):
        for name in SAID:
            items = [(name, main[name] * rng.uniform(0.6, 1.0))]
            if (k, name) == (2, "harvard_02"):
                items.append(("music", music))
            if (k, name) == (4, "harvard_02"):
                items.append(("other", other))
            for what, x in items:
                truth.append((what, at / RATE, (at + len(x)) / RATE))
                gap = np.zeros(int(rng.uniform(0.7, 1.2) * RATE), np.float32)
                parts += [x, gap]
                at += len(x) + len(gap)
    path = tmp_path_factory.mktemp("recording") / "long.wav"
    sf.write(path, np.concatenate(parts), RATE)
    return path, truth


def test_a_long_recording_becomes_segments_at_pauses_with_transcripts_and_reasons(recording, tmp_path):
    path, truth = recording
    ds = prepare([path], name="harvard", out=tmp_path / "ds", consent=True)
    assert ds.kept_s > 60
    loaded = Dataset.load(tmp_path / "ds")
    assert loaded.segments == ds.segments and loaded.info["consent"]["statement"]
    lines = (tmp_path / "ds" / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == len(ds.segments) and {"audio", "transcript", "duration_s", "start_s", "end_s", "kept",
                                               "reason", "scores"} <= set(json.loads(lines[0]))
    for s in ds.segments:
        audio, rate = sf.read(tmp_path / "ds" / s.audio)
        assert rate == RATE and abs(len(audio) / rate - s.duration_s) < 0.01
        inside = [what for what, a, b in truth if a < s.end_s and b > s.start_s]
        assert len(inside) == 1, (s, inside)               # cut at the pauses: one part per segment
        what, a, b = next(t for t in truth if t[0] == inside[0] and t[1] < s.end_s and t[2] > s.start_s)
        assert s.start_s <= a + 0.05 and s.end_s >= b - 0.05   # nothing of it cut off
        if what == "music":
            assert not s.kept and s.reason == "not_speech"
        elif what == "other":
            assert not s.kept and s.reason == "other_speaker" and s.scores["speaker_sim"] < 0.72
        else:
            assert s.kept and 2 <= s.duration_s <= 15.5, s
            assert wer(SAID[what], s.transcript) < 0.3, (SAID[what], s.transcript)
            assert s.scores["snr_db"] > 30 and s.scores["speaker_sim"] > 0.85
    assert {s.reason for s in ds.segments if not s.kept} == {"not_speech", "other_speaker"}


def test_edits_are_saved_and_change_the_digest(recording, tmp_path):
    path, _ = recording
    ds = prepare([path], name="harvard", out=tmp_path / "ds", consent=True)
    before = ds.info["digest"]
    ds.edit(1, transcript="The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background.")
    dropped = next(s for s in ds.segments if not s.kept)
    ds.edit(dropped.index, kept=True)
    again = Dataset.load(tmp_path / "ds")
    assert again.segments[0].transcript.startswith("The birch canoe slid") and again.info["digest"] != before
    assert next(s for s in again.segments if s.index == dropped.index).kept
    with pytest.raises(VoxnbError) as err:                          # a dataset is never overwritten
        prepare([path], name="harvard", out=tmp_path / "ds", consent=True)
    assert err.value.key == "finetune.dataset_exists"


def test_twenty_seconds_of_speech_is_refused_with_how_much_more_is_needed(tmp_path):
    clips = [_clip(REFERENCES / "harvard_f" / f"{k}.flac") for k in SAID] * 2
    x = np.concatenate([np.concatenate([c, np.zeros(RATE, np.float32)]) for c in clips])
    sf.write(tmp_path / "short.wav", x, RATE)
    with pytest.raises(VoxnbError) as err:
        prepare([tmp_path / "short.wav"], name="h", out=tmp_path / "ds", consent=True)
    assert err.value.key == "finetune.too_little" and err.value.params["more"] > 35
    assert "manifest.jsonl" in err.value.fix and (tmp_path / "ds" / "manifest.jsonl").exists()


def test_the_cli_asks_for_consent_and_names_a_file_that_is_not_audio(tmp_path):
    (tmp_path / "notes.wav").write_text("not audio at all")
    base = [sys.executable, "-m", "voxnb", "finetune", "prepare", str(tmp_path / "notes.wav"), "--name", "x",
            "--out", str(tmp_path / "ds")]
    run = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "--consent" in run.stderr
    run = subprocess.run(base + ["--consent", "--json"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "notes.wav" in run.stderr
    assert json.loads(run.stdout)["key"] == "finetune.not_audio"
