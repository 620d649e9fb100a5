"""Where outputs land: concurrent writers, paths that are not files, formats and their provenance."""
import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voxnb.output import provenance
from voxnb.errors import VoxnbError
from voxnb.output.write import formats
from voxnb.output.result import ChunkResult, Result

RECORD = {provenance.TAG: "test", "engine": "kokoro", "weights": "x", "created": "2026-01-02T03:04:05Z",
          "voice": {"id": "abc", "name": "v", "cloned": False, "consent": None}, "seed": 3, "settings": {},
          "watermark": "off", "watermarked": False}


def small_result() -> Result:
    audio = (np.sin(np.linspace(0, 300, 4800)) * 0.3).astype(np.float32)
    frames = np.array([3, 5], np.int32)
    chunk = ChunkResult(index=0, of=1, text="hi", phonemes="h", tokens=np.array([0, 50, 0]), durations=frames * 1.0,
                        frames=frames, f0=np.zeros(16, np.float32), energy=np.zeros(16, np.float32), attention=None,
                        audio=audio, sample_rate=24000, samples_per_frame=600, offset=0, seconds=0.1)
    return Result(audio=audio, sample_rate=24000, text="hi", chunks=(chunk,), voice_id="abc", voice_name="v",
                  engine="kokoro", engine_version="x", settings={"speed": 1.0}, seed=3, timings={"total": 0.1},
                  provenance=RECORD)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") or "tmp" in p.name]


def test_concurrent_writers_to_one_path_each_get_their_own_file(tmp_path):
    result, paths, errors = small_result(), [], []
    start = threading.Barrier(8)

    def save():
        start.wait()
        try:
            paths.append(result.save(tmp_path / "take.wav"))
        except Exception as err:  # noqa: BLE001 -- reported below
            errors.append(err)

    threads = [threading.Thread(target=save) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(paths)) == 8 and all(p.parent == tmp_path for p in paths)
    assert {p.name for p in paths} == {"take.wav", *(f"take-{n}.wav" for n in range(1, 8))}
    for p in paths:
        assert sf.info(p).frames == 4800
        assert json.loads(p.with_suffix(".json").read_text())["seed"] == 3
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_never_replaced(tmp_path):
    (tmp_path / "take.wav").write_bytes(b"mine")
    (tmp_path / "take-1.json").write_text("{}")   # a sidecar alone also holds its name
    path = small_result().save(tmp_path / "take.wav")
    assert path.name == "take-2.wav" and (tmp_path / "take.wav").read_bytes() == b"mine"
    assert (tmp_path / "take-1.json").read_text() == "{}"


@pytest.mark.parametrize("given, phrases", [
    ("/dev/null", ["/dev/null", "not a regular file", "take.wav"]),
    ("FOLDER", ["is a folder", "take.wav"]),
    ("FOLDER/", ["is a folder", "take.wav"]),
    ("NEWDIR/", ["is a folder", "take.wav"]),
    ("/proc/x.wav", ["Cannot write /proc/x.wav", "folder you can write to"]),
    ("TMP/take.xyz", ["'.xyz'", ".wav", ".flac"]),
])
def test_paths_that_cannot_take_audio_are_refused_with_the_fix(tmp_path, given, phrases):
    (tmp_path / "folder").mkdir()
    given = given.replace("FOLDER", str(tmp_path / "folder")).replace("NEWDIR", str(tmp_path / "new"))
    given = given.replace("TMP", str(tmp_path))
    before = set(tmp_path.rglob("*"))
    with pytest.raises(VoxnbError) as err:
        small_result().save(given)
    for phrase in phrases:
        assert phrase in str(err.value)
    assert set(tmp_path.rglob("*")) == before
    assert not Path("/dev/null.wav").exists() and not (tmp_path / "folder.wav").exists()


def test_a_file_inside_a_file_is_refused(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(VoxnbError, match="Cannot write"):
        small_result().save(tmp_path / "afile" / "take.wav")


def test_no_extension_means_wav(tmp_path):
    path = small_result().save(tmp_path / "take")
    assert path == tmp_path / "take.wav" and sf.info(path).format == "WAV"


@pytest.mark.parametrize("ext", sorted(formats()))
def test_each_format_round_trips_with_its_provenance(tmp_path, ext):
    path = small_result().save(tmp_path / f"take{ext.upper()}")
    assert path.suffix == ext.upper() and sf.info(path).format == formats()[ext][0]
    audio, sr = sf.read(path, dtype="float32")
    assert sr == 24000 and abs(len(audio) - 4800) < 2400     # lossy codecs pad a little
    assert provenance.read(path)["source"] == "file + sidecar"
    path.with_suffix(".json").unlink()
    alone = provenance.read(path)
    assert alone is not None and alone["created"] == RECORD["created"] and alone["voice"]["id"] == "abc"
    assert leftovers(tmp_path) == []


def test_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    import voxnb.output.write as output

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output, "claim", broken)
    with pytest.raises(VoxnbError, match="No space left"):
        small_result().save(tmp_path / "take.wav")
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_names_are_still_claimed_once(tmp_path, monkeypatch):
    def no_link(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    result = small_result()
    names = [result.save(tmp_path / "take.wav").name for _ in range(3)]
    assert names == ["take.wav", "take-1.wav", "take-2.wav"]
    assert leftovers(tmp_path) == [] and sf.info(tmp_path / "take-2.wav").frames == 4800


SAVE_IN_A_PROCESS = """
import sys
sys.path.insert(0, {tests!r})
from test_outputs import small_result
print(small_result().save({path!r}).name)
"""


def test_concurrent_processes_to_one_path_each_get_their_own_file(tmp_path):
    import subprocess
    import sys

    code = SAVE_IN_A_PROCESS.format(tests=str(Path(__file__).parent), path=str(tmp_path / "take.wav"))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(8)]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in outcomes]
    names = [out.strip() for out, _ in outcomes]
    assert sorted(names) == sorted(["take.wav", *(f"take-{n}.wav" for n in range(1, 8))])
    for name in names:
        record = provenance.read(tmp_path / name)
        assert record["source"] == "file + sidecar" and record["created"] == RECORD["created"]
    assert leftovers(tmp_path) == [] and len(list(tmp_path.iterdir())) == 16


def test_dev_zero_is_refused_too():
    with pytest.raises(VoxnbError, match="/dev/zero is not a regular file"):
        small_result().save("/dev/zero")


def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable (the /proc case covers root)")
        with pytest.raises(VoxnbError, match="Cannot write .*locked/take.wav"):
            small_result().save(folder / "take.wav")
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_missing_folders_are_created(tmp_path):
    path = small_result().save(tmp_path / "a" / "b" / "take.flac")
    assert path == tmp_path / "a" / "b" / "take.flac" and path.with_suffix(".json").is_file()


def test_a_folder_that_cannot_be_created_is_refused():
    with pytest.raises(VoxnbError, match="Cannot write /proc/voxnb-x/take.wav"):
        small_result().save("/proc/voxnb-x/take.wav")


def test_a_failed_take_removes_the_folders_it_created(tmp_path, monkeypatch):
    import voxnb.output.write as output

    (tmp_path / "kept").mkdir()
    monkeypatch.setattr(output, "claim", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(VoxnbError):
        small_result().save(tmp_path / "kept" / "new" / "deeper" / "take.wav")
    assert [p.name for p in tmp_path.rglob("*")] == ["kept"]


def test_the_message_lists_the_formats_this_installation_writes(tmp_path):
    with pytest.raises(VoxnbError) as err:
        small_result().save(tmp_path / "notes.txt")
    assert "'.txt'" in str(err.value) and str(tmp_path / "notes.txt") in str(err.value)
    for ext in formats():
        assert ext in str(err.value)


def test_reserved_names_are_distinct_across_threads(tmp_path):
    from voxnb.output.write import reserve

    names, start = [], threading.Barrier(8)

    def take():
        start.wait()
        names.append(reserve(tmp_path / "manifest.csv").name)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(names) == sorted(["manifest.csv", *(f"manifest-{n}.csv" for n in range(1, 8))])
