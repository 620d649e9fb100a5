"""GE2E (evaluation only) on onnxruntime: the same embeddings as resemblyzer's own code, without torch."""
import subprocess
import sys

import numpy as np
import pytest

from voxnb.bench import ge2e


def _resemblyzer_embedding(audio, sr):
    import librosa

    res = ge2e._resemblyzer()
    wav = librosa.resample(audio, orig_sr=sr, target_sr=16000, res_type="soxr_hq") if sr != 16000 else audio
    e = res.VoiceEncoder("cpu", verbose=False).embed_utterance(res.preprocess_wav(wav, source_sr=16000))
    return e / np.linalg.norm(e)


@pytest.mark.parametrize("clip, seconds, gain", [("harvard_f/harvard_01.flac", None, 1.0),
                                                 ("codec2_vk5qi_m/enroll.flac", None, 0.01),   # quiet: raised
                                                 ("codec2_hts_m/enroll.flac", 2.1, 1.0)])       # one partial
def test_matches_resemblyzer(clip, seconds, gain):
    import soundfile as sf

    from conftest import REFERENCES

    audio, sr = sf.read(REFERENCES / clip, dtype="float32")
    audio = audio[: int(sr * seconds) if seconds else None] * gain
    assert float(ge2e.embed(audio, sr) @ _resemblyzer_embedding(audio, sr)) > 0.9999


def test_embedding_does_not_import_torch(ref_clip):
    ge2e.embed(np.random.default_rng(0).standard_normal(32000).astype(np.float32) * 0.1, 16000)  # export once
    code = ("import sys, soundfile as sf; from voxnb.bench import ge2e; a, sr = sf.read(sys.argv[1], dtype='float32'); "
            "e = ge2e.embed(a, sr); assert e.shape == (256,) and abs(float(e @ e) - 1) < 1e-5; "
            "print('torch' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code, str(ref_clip)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_export_replaces_the_file_atomically(tmp_path):
    path = ge2e.export_onnx(tmp_path / "ge2e.onnx")
    assert path.stat().st_size > 1_000_000 and not list(tmp_path.glob(".*tmp"))
