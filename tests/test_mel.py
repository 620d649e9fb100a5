"""voxnb's numpy mel (voxnb.reference.mel) is librosa's, which the viewers' kernels no longer import."""
import subprocess
import sys

import librosa
import numpy as np
import pytest
import soundfile as sf
from audio_fixtures import HARVARD_1

from voxnb.output.result import MEL_FFT, MEL_HOP, N_MELS, mel_spectrogram
from voxnb.reference.mel import mel_filters


@pytest.mark.parametrize("sr, n_fft, n_mels, fmin, fmax", [(16000, 512, 40, 60, 3900), (24000, 1200, 80, 40, 12000),
                                                           (44100, 2048, 128, 0, None)])
def test_filters_are_librosas(sr, n_fft, n_mels, fmin, fmax):
    ours = mel_filters(sr, n_fft, n_mels, fmin, fmax)
    theirs = librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    assert ours.shape == theirs.shape and np.abs(ours - theirs).max() < 1e-6 * max(1.0, float(theirs.max()))


@pytest.mark.parametrize("seconds", [0.01, 0.3, 4.0])
def test_log_mel_is_librosas(seconds):
    audio, sr = sf.read(str(HARVARD_1), dtype="float32")
    audio = audio[: int(seconds * sr)]
    ours = mel_spectrogram(audio, sr)
    m = librosa.feature.melspectrogram(y=audio, sr=sr, n_fft=MEL_FFT, hop_length=MEL_HOP, n_mels=N_MELS, fmin=40,
                                       fmax=sr // 2)
    theirs = librosa.power_to_db(m, ref=1.0, amin=1e-10, top_db=None)
    assert ours.shape == theirs.shape
    loud = theirs > theirs.max() - 80          # 80 dB down is float32 rounding in either STFT
    assert np.abs(ours - theirs)[loud].max() < 0.01


def test_checking_a_reference_and_drawing_its_mel_import_no_librosa():
    code = ("import sys; from voxnb.reference.audio import prepare_reference; from voxnb.output.result import "
            "mel_spectrogram; r = prepare_reference(sys.argv[1]); mel_spectrogram(r.audio, r.sample_rate); "
            "print(sorted(m for m in ('librosa', 'numba', 'torch') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code, str(HARVARD_1)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.strip() == "[]"
