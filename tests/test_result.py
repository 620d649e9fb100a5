import json

import numpy as np
import soundfile as sf

from voxnb.output.result import ChunkResult, Result, mel_spectrogram


def make_result(audio=None):
    audio = np.sin(np.linspace(0, 800, 24000)).astype(np.float32) * 0.3 if audio is None else audio
    frames = np.array([3, 5, 2], np.int32)
    chunk = ChunkResult(index=0, of=1, text="hi", phonemes="hI", tokens=np.array([0, 50, 25, 0]), durations=frames * 1.0,
                        frames=frames, f0=np.full(20, 200.0, np.float32), energy=np.zeros(20, np.float32),
                        attention=None, audio=audio, sample_rate=24000, samples_per_frame=600, offset=0, seconds=0.1)
    return Result(audio=audio, sample_rate=24000, text="hi", chunks=(chunk,), voice_id="abc", voice_name="v",
                  engine="kokoro", engine_version="x", settings={"speed": 1.0}, seed=3, timings={"total": 0.5})


def test_alignment_is_monotonic_and_covers_frames():
    a = make_result().chunks[0].alignment
    assert a.shape == (3, 10)
    assert (a.sum(axis=0) == 1).all()
    assert [np.flatnonzero(r)[0] for r in a] == [0, 3, 8]


def test_save_writes_wav_and_sidecar_and_never_overwrites(tmp_path):
    r = make_result()
    p1 = r.save(tmp_path / "take.wav")
    p2 = r.save(tmp_path / "take.wav")
    assert p1.name == "take.wav" and p2.name == "take-1.wav"
    audio, sr = sf.read(p1)
    assert sr == 24000 and len(audio) == 24000
    meta = json.loads(p1.with_suffix(".json").read_text())
    assert meta["seed"] == 3 and meta["voice_id"] == "abc" and meta["engine"] == "kokoro"
    assert not [p for p in tmp_path.iterdir() if "tmp" in p.name]


def test_tracks_and_mel():
    r = make_result()
    t, f0 = r.f0_track()
    assert len(t) == len(f0) == 20 and np.allclose(np.diff(t), 600 / 2 / 24000)
    assert r.mel.shape[0] == 80 and r.rtf == 0.5
    assert r.mel is r.mel and np.array_equal(r.mel, mel_spectrogram(r.audio, 24000))   # computed once, on use
