"""`voxnb synth` streams a long text into its file with progress on stderr, and the file is the API's audio."""
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from voxnb.output import provenance
from voxnb.errors import VoxnbError

THREE = ("The river was wide and slow that morning. "
         "We carried the boat down to the water before the sun came up. "
         "By noon the wind had turned and the waves were white.")


def run(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "voxnb", *args], capture_output=True, text=True, timeout=300,
                          **kwargs)


def test_synth_prints_progress_and_writes_the_apis_audio(engine, tmp_path):
    out = tmp_path / "x.wav"
    p = run("synth", "--voice", "jf_alpha", "--text", THREE, "--out", str(out), "--json")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)              # progress never reaches stdout
    lines = re.findall(r"chunk (\d+)/(\d+): ([\d.]+) s of audio, about .+ left", p.stderr)
    assert len(lines) >= 2, p.stderr
    total = int(lines[0][1])
    assert [int(done) for done, _, _ in lines] == list(range(1, total + 1))
    seconds = [float(s) for _, _, s in lines]
    assert seconds == sorted(seconds) and abs(seconds[-1] - info["duration_s"]) < 0.06

    streamed, sr = sf.read(out, dtype="int16")
    api = engine.synthesize(THREE, engine.stock_voice("jf_alpha"))
    assert len(api.chunks) == total
    reference = api.save(tmp_path / "api.wav")
    expected, _ = sf.read(reference, dtype="int16")
    assert sr == api.sample_rate and np.array_equal(streamed, expected)

    sidecar = json.loads(out.with_suffix(".json").read_text())
    assert sidecar["text"] == THREE and abs(sidecar["duration_s"] - len(streamed) / sr) < 0.002
    assert len(sidecar["phonemes"]) == total
    assert provenance.read(out)["source"] == "file + sidecar"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["api.json", "api.wav", "x.json", "x.wav"]


def test_a_bad_output_is_refused_before_synthesis_and_leaves_nothing(tmp_path):
    (tmp_path / "d").mkdir()
    p = run("synth", "--voice", "jf_alpha", "--text", THREE, "--out", str(tmp_path / "d") + "/")
    assert p.returncode == 2 and "is a folder" in p.stderr and "Traceback" not in p.stderr
    assert "chunk" not in p.stderr
    assert [q.name for q in tmp_path.rglob("*")] == ["d"]


def test_a_single_sentence_prints_no_progress(tmp_path):
    p = run("synth", "--voice", "jf_alpha", "--text", "Hello there.", "--out", str(tmp_path / "one.flac"))
    assert p.returncode == 0, p.stderr
    assert "chunk" not in p.stderr and sf.info(tmp_path / "one.flac").format == "FLAC"


class Terminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_rewrites_one_line_on_a_terminal_and_prints_lines_elsewhere():
    from voxnb.cli.synth import Progress

    for tty in (True, False):
        stream = Terminal(tty)
        progress = Progress(stream)
        for done in (1, 2, 3):
            progress(done, 3, done * 2.5, done * 10.0)
        progress.end()
        text = stream.getvalue()
        if tty:
            assert text.count("\r") == 3 and text.count("\n") == 1 and text.endswith("about 0 s left\x1b[K\n")
            assert "\r  chunk 1/3: 2.5 s of audio, about 20 s left\x1b[K" in text
        else:
            assert text.splitlines() == [f"  chunk {n}/3: {n * 2.5:.1f} s of audio, about {(3 - n) * 10} s left"
                                         for n in (1, 2, 3)]
    one = Terminal(True)
    Progress(one)(1, 1, 2.0, 1.0)
    assert one.getvalue() == ""


@pytest.mark.parametrize("failure", ["engine", "disk"])
def test_a_failure_mid_stream_leaves_no_temp_file(engine, tmp_path, monkeypatch, failure):
    import voxnb.output.write as output
    from voxnb.cli.synth import stream_to_file

    done = []
    if failure == "engine":      # Ctrl-C between chunks
        def interrupt(*progress):
            done.append(progress)
            if len(done) == 2:
                raise KeyboardInterrupt
        expected = KeyboardInterrupt
    else:                        # the disk fills after the first chunk
        real_write = output.AudioOutput.write

        def full(self, audio, sample_rate):
            if self.samples:
                raise output.unwritable(self.final, OSError(28, "No space left on device"))
            real_write(self, audio, sample_rate)
        monkeypatch.setattr(output.AudioOutput, "write", full)
        interrupt, expected = (lambda *progress: done.append(progress)), VoxnbError
    with pytest.raises(expected):
        stream_to_file(engine, THREE, engine.stock_voice("jf_alpha"), {}, tmp_path / "new" / "x.wav",
                       progress=interrupt)
    assert done and list(tmp_path.iterdir()) == []     # nor the folder it made for the take
