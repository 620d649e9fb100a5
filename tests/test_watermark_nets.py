"""The watermark runs without torch: PerTh's networks, exported to ONNX, and the numpy spectrogram around
them give what PerTh's own torch modules give, and a process that marks and detects never imports torch."""
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
import torch
from audio_fixtures import HARVARD_1

from voxnb.output import watermark_nets
from voxnb.reference.decode import resample


@pytest.fixture(scope="module")
def speech():
    audio, sr = sf.read(str(HARVARD_1), dtype="float32")
    return resample(audio if audio.ndim == 1 else audio.mean(axis=1), sr, 32000)[: 32000 * 4]


@pytest.fixture(scope="module")
def both():
    nets = watermark_nets.Nets(watermark_nets.ensure_exported())
    hp, encoder, decoder = watermark_nets._torch_nets()
    return nets, hp, encoder, decoder


def _torch_spec(x, hp):
    window = torch.hann_window(hp["window_size"])
    return torch.stft(torch.from_numpy(x), hp["n_fft"], hp["hop_size"], hp["window_size"], window, center=True,
                      pad_mode="reflect", normalized=False, onesided=True, return_complex=True), window


def test_the_spectrogram_and_its_inverse_are_torchaudios(both, speech):
    nets, hp, _, _ = both
    spec, window = _torch_spec(speech, hp)
    floor = 20 * np.log10(hp["stft_magnitude_min"])
    mag_t = ((20 * torch.log10(spec.abs().clip(hp["stft_magnitude_min"])) - floor) / (-floor + 15)).numpy()
    mag, phase = nets.magphase(speech)
    assert mag.shape == mag_t.shape
    # bins 100 dB below the loudest are float32 rounding noise, which differs between FFT libraries
    heard = spec.abs().numpy() > 1e-5 * float(spec.abs().max())
    assert heard.mean() > 0.3 and np.abs(mag - mag_t)[heard].max() < 1e-4
    back = torch.istft(spec, hp["n_fft"], hp["hop_size"], hp["window_size"], window, center=True,
                       length=len(speech)).numpy()
    mine = nets.signal(mag, phase, len(speech))
    assert np.abs(mine - back).max() < 1e-4 and np.abs(mine - speech).max() < 1e-4


def test_encoder_and_decoder_give_perths_own_results(both, speech):
    nets, _, encoder, decoder = both
    mag, _ = nets.magphase(speech)
    with torch.inference_mode():
        marked_t, _mask = encoder(torch.from_numpy(mag)[None])
        marked_t = marked_t[0].numpy()
        score_clean_t = float(decoder(torch.from_numpy(mag)[None])[0])
        score_marked_t = float(decoder(torch.from_numpy(marked_t)[None])[0])
    marked = nets.encode(mag)
    assert np.abs(marked - mag).max() > 1e-3               # the mark is there ...
    assert np.abs(marked - marked_t).max() < 1e-4          # ... and it is PerTh's
    assert abs(nets.decode(mag) - score_clean_t) < 1e-4
    assert abs(nets.decode(marked) - score_marked_t) < 1e-4
    assert score_marked_t > 0.5 > score_clean_t


def test_a_marking_process_never_imports_torch(speech):
    code = ("import sys, numpy as np; from voxnb.output.watermark import mark, detect; "
            "a = np.load(sys.argv[1]); m = mark(a, 32000); d = detect(m, 32000); c = detect(a, 32000); "
            "print(d.marked, c.marked, 'torch' in sys.modules)")
    path = watermark_nets.cache_folder().parent / "speech.npy"
    np.save(path, speech)
    p = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    path.unlink()
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.split() == ["True", "False", "False"]
