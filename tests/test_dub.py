"""`voxnb dub`: subtitles spoken on their own timeline. Every cue's speech (measured by voice activity on the
track) lies inside its slot, or the cue is reported; a bad SRT is answered with the cue and the fix."""
import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

import voxnb
from voxnb.errors import VoxnbError
from voxnb.productions.cast import parse_cast
from voxnb.productions.dub import dub
from voxnb.productions.srt import format_srt, parse_srt, read_srt, stamp
from voxnb.reference import vad
from voxnb.voice import VoiceLibrary

from conftest import REFERENCES

SENTENCES = ["Good morning.", "The weather is fine today.", "We leave at noon.", "Bring a coat, just in case.",
             "Where is the station?", "Turn left at the bridge.", "Thank you so much.", "It was a long day.",
             "The tea is ready.", "Please sit down.", "I will call you later tonight.", "Nobody saw it coming.",
             "Open the window, please.", "The river is wide here.", "She smiled and waved.", "Let us begin.",
             "Everything is ready for the show.", "One more time.", "That is all for now.", "See you tomorrow."]


def test_cues_read_with_speakers_markup_and_either_separator():
    cues = parse_srt("1\n00:00:01,000 --> 00:00:02,500\n<i>Alice:</i> Hello\nthere.\n\n"
                     "2\n00:00:03.000 --> 00:00:04.000 X1:0\n{\\an8}Bob： 你好\n\n"
                     "00:00:05,000 --> 00:00:06,000\n♪\n")
    assert [(c.index, c.start, c.end, c.speaker, c.text) for c in cues] == [
        (1, 1.0, 2.5, "Alice", "Hello there."), (2, 3.0, 4.0, "Bob", "你好"), (3, 5.0, 6.0, "", "♪")]
    assert parse_srt("1\n00:00:01,000 --> 00:00:02,000\nNote: wet floor\n", speakers=False)[0].text == "Note: wet floor"
    assert stamp(3723.4567) == "01:02:03,457"
    assert parse_srt(format_srt([(0.5, 1.25, "A: hi")]))[0].start == 0.5


@pytest.mark.parametrize("srt, key, named", [
    ("1\n00:00:01,000 -> 00:00:02,000\nHi\n", "srt.bad_timing", "line 2"),
    ("1\n00:00:61,000 --> 00:01:02,000\nHi\n", "srt.bad_timing", "line 2"),
    ("1\n00:00:02,000 --> 00:00:01,000\nHi\n", "srt.end_before_start", "cue 1"),
    ("1\n00:00:05,000 --> 00:00:06,000\nA\n\n2\n00:00:01,000 --> 00:00:02,000\nB\n", "srt.out_of_order", "cue 2"),
    ("1\n00:00:01,000 --> 00:00:03,000\nA\n\n2\n00:00:02,500 --> 00:00:04,000\nB\n", "srt.overlap", "0.5 s"),
    ("\n\n", "srt.empty", "subs.srt"),
])
def test_a_bad_srt_names_the_cue_and_the_fix(srt, key, named):
    with pytest.raises(VoxnbError) as err:
        parse_srt(srt, "subs.srt")
    assert err.value.key == key and named in str(err.value) and err.value.fix
    assert err.value.render("zh") != err.value.render("en")


@pytest.fixture(scope="module")
def library(engine, tmp_path_factory):
    lib = VoiceLibrary(tmp_path_factory.mktemp("dub-voices"))
    lib.save(engine.clone(REFERENCES / "harvard_f" / "harvard_01.flac", name="me", consent=True))
    lib.save(engine.clone(REFERENCES / "codec2_hts_m" / "enroll.flac", name="him", consent=True))
    return lib


def _slots():
    """20 cues: roomy slots, slots a little short (they need speeding up), and three that cannot fit."""
    cues, t = [], 0.5
    for i, text in enumerate(SENTENCES):
        words = len(text.split())
        slot = {0: 0.42 * words + 0.8, 1: 0.27 * words + 0.1, 2: 0.06 * words}[i % 3 if i < 9 else i % 2]
        cues.append((t, t + max(slot, 0.25), text))
        t += max(slot, 0.25) + 0.6
    return format_srt(cues)


def test_twenty_cues_each_inside_its_slot_or_reported(engine, library, tmp_path):
    (tmp_path / "subs.srt").write_text(_slots())
    cues = read_srt(tmp_path / "subs.srt")
    assert len(cues) == 20
    seen = []
    result = dub(cues, tmp_path / "dub.wav", engine_for=lambda name: engine,
                 voice_for=lambda e, name: library.load(name), voice="me", on_cue=lambda n, total, fit: seen.append(n))
    assert seen == list(range(1, 21))
    audio, rate = sf.read(result.track, dtype="float32")
    assert len(audio) >= round(cues[-1].end * rate)
    report = {c["index"]: c for c in json.loads(result.track.with_suffix(".json").read_text())["cues"]}
    assert len(report) == 20 and all({"speed", "fits", "overrun_s", "slot_s"} <= set(c) for c in report.values())
    # voice activity, frame by frame (30 ms, no hangover): speech only inside the slots of the cues that fit
    # (and where an unfit cue was placed, inside its slot and the gap after it)
    frame = vad.frame_len(rate)
    speech = vad._webrtc_vad(audio, rate, len(audio) // frame)
    allowed = np.zeros(len(speech), bool)
    for cue in cues:
        fit = report[cue.index]
        end = cue.end if fit["fits"] else cue.start + fit["spoken_s"]
        if fit["placed"]:
            allowed[int(cue.start / 0.03) - 1: int(np.ceil(end / 0.03)) + 1] = True
    assert not np.any(speech & ~allowed), np.flatnonzero(speech & ~allowed)[:10] * 0.03
    for cue in cues:
        fit = report[cue.index]
        inside = speech[int(cue.start / 0.03): int(cue.end / 0.03)]
        if fit["fits"]:
            assert fit["spoken_s"] <= cue.slot + 1e-3 and inside.mean() > 0.3, fit
    unfit = [c for c in report.values() if not c["fits"]]
    assert {c["index"] for c in unfit} == {c.index for c in result.unfit} and len(unfit) >= 2
    assert all(c["overrun_s"] > 0 and c["speed"] >= 1.4 for c in unfit)
    sped = [c for c in report.values() if c["fits"] and c["speed"] > 1.05]
    assert sped, "no cue needed speeding up: the test's slots are too roomy"
    assert all(c["speed"] <= 1.5 * 1.25 for c in sped)   # the engine's own rate is not exact; stretching stops at 1.5
    assert voxnb.detect(audio, rate).marked


def test_a_cast_speaks_named_cues_and_a_background_is_ducked(engine, library, tmp_path):
    srt = tmp_path / "two.srt"
    srt.write_text(format_srt([(0.5, 3.0, "Ann: Hello, how are you?"), (4.0, 6.5, "Ben: Very well, thank you.")]))
    rate = engine.capabilities.sample_rate
    t = np.arange(int(9 * rate)) / rate
    sf.write(tmp_path / "bed.wav", 0.2 * np.sin(2 * np.pi * 110 * t).astype(np.float32), rate)
    cues = read_srt(srt)
    result = dub(cues, tmp_path / "dub.wav", engine_for=lambda name: engine, voice_for=lambda e, n: library.load(n),
                 cast=parse_cast("Ann=me,Ben=him"), under=tmp_path / "bed.wav")
    timeline = json.loads(result.track.with_suffix(".json").read_text())["timeline"]
    assert [t["voice_id"] for t in timeline] == [library.load("me").id, library.load("him").id]
    audio, _ = sf.read(result.track, dtype="float32")
    assert len(audio) == len(t)                                    # as long as the background
    quiet = audio[int(7.5 * rate): int(8.5 * rate)]                # background alone
    assert np.sqrt(np.mean(quiet ** 2)) == pytest.approx(0.2 / np.sqrt(2), rel=0.05)
    # under Ann's speech the bed is 14 dB down: the 110 Hz line there is about a fifth of its level alone
    first = timeline[0]
    seg = audio[int((first["start_s"] + 0.3) * rate): int((first["end_s"] - 0.3) * rate)]
    level = lambda x: np.abs(np.fft.rfft(x * np.hanning(len(x))))[round(110 * len(x) / rate)] / len(x)
    assert level(seg) < 0.35 * level(quiet[: len(seg)])
    assert voxnb.detect(audio, rate).marked


def test_the_cli_reports_an_overlap_and_a_missing_speaker(tmp_path, library):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:03,000\nA\n\n2\n00:00:02,000 --> 00:00:04,000\nB\n")
    run = subprocess.run([sys.executable, "-m", "voxnb", "dub", str(bad), "--voice", "me", "--out",
                          str(tmp_path / "d.wav")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "cue 2" in run.stderr and "overlap" not in run.stdout
    named = tmp_path / "named.srt"
    named.write_text(format_srt([(0.5, 2.0, "Ann: Hi."), (2.5, 4.0, "Zed: Hello.")]))
    run = subprocess.run([sys.executable, "-m", "voxnb", "--voices-dir", str(library.directory), "dub", str(named),
                          "--cast", "Ann=me", "--out", str(tmp_path / "d.wav")], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 2 and "Zed" in run.stderr, run.stderr
    assert not list(tmp_path.glob("d*.wav"))
