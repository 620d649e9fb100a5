"""Timbre EQ and bandwidth: measured on signals whose spectra we know."""
import numpy as np
import pytest
from scipy.signal import butter, resample_poly, sosfilt

from voxnb.engines.kokoro import timbre

SR = 24000


def noise(seconds=3.0, seed=0):
    return (np.random.default_rng(seed).standard_normal(int(SR * seconds)) * 0.1).astype(np.float32)


def lowpassed(x, hz):
    """Through a recording chain sampled at 2 * hz (a phone call at 8 kHz, a 16 kHz recorder)."""
    down = int(2 * hz)
    return resample_poly(resample_poly(x, down, SR), SR, down)[: len(x)].astype(np.float32)


def band_db(x, lo, hi):
    spec = timbre.long_term_spectrum(x, SR)
    f = np.fft.rfftfreq(timbre.N_FFT, 1 / SR)
    return float(np.mean(spec[(f >= lo) & (f < hi)]))


@pytest.mark.parametrize("cutoff", [4000, 8000])
def test_bandwidth_finds_a_phone_or_16k_recording(cutoff):
    assert cutoff * 0.9 < timbre.bandwidth(lowpassed(noise(), cutoff), SR) < cutoff * 1.3   # the resampler filter's skirt


def test_bandwidth_of_full_band_audio_is_near_nyquist():
    assert timbre.bandwidth(noise(), SR) > 11000


def test_fit_eq_moves_the_clone_towards_the_reference():
    target = sosfilt(butter(2, [300, 1500], btype="band", fs=SR, output="sos"), noise(seed=1)).astype(np.float32)
    target = target + 0.1 * noise(seed=2)     # a coloured "speaker": strong 300-1500 Hz band
    clone = noise(seed=3)                     # flat
    eq = timbre.fit_eq(target, clone, SR, max_hz=SR / 2)
    assert eq.shape == timbre.BAND_HZ.shape and np.all(np.abs(eq) <= timbre.MAX_GAIN_DB + 1e-6)
    fixed = timbre.apply_eq(clone, SR, eq)

    def tilt(x):   # the band's level relative to 3-6 kHz
        return band_db(x, 400, 1200) - band_db(x, 3000, 6000)

    assert abs(tilt(fixed) - tilt(target)) < 0.5 * abs(tilt(clone) - tilt(target))


def test_fit_eq_leaves_frequencies_the_reference_lacks_alone():
    reference = lowpassed(noise(seed=4), 4000)
    band = timbre.bandwidth(reference, SR)
    eq = timbre.fit_eq(reference, noise(seed=5), SR, max_hz=band)
    assert band < 1.3 * 4000 and np.all(eq[timbre.BAND_HZ > 0.9 * band] == 0)
    assert np.any(eq[timbre.BAND_HZ < 3000] != 0)


def test_flat_eq_is_the_identity_and_lengths_are_kept():
    x = noise(1.23)
    assert np.array_equal(timbre.apply_eq(x, SR, np.zeros(len(timbre.BAND_HZ))), x)
    y = timbre.apply_eq(x, SR, np.full(len(timbre.BAND_HZ), 6.0))
    # +6 dB everywhere changes the colour of nothing, and the EQ keeps the loudness it was given
    assert len(y) == len(x) and np.allclose(y, x, atol=1e-4)


def test_the_eq_colours_without_making_louder():
    """A boost where speech has its energy once raised clones by up to 5.4 dB and their peaks past full scale."""
    x = sosfilt(butter(2, [200, 1000], btype="band", fs=SR, output="sos"), noise(seed=6)).astype(np.float32)
    eq = np.where(timbre.BAND_HZ < 1200, 12.0, -12.0)
    y = timbre.apply_eq(x, SR, eq)
    assert abs(20 * np.log10(np.std(y) / np.std(x))) < 0.01
    assert band_db(y, 3000, 6000) - band_db(y, 300, 900) < band_db(x, 3000, 6000) - band_db(x, 300, 900) - 20


def test_band_limit_removes_what_is_above():
    y = timbre.band_limit(noise(), SR, 4000)
    assert band_db(y, 5000, 11000) < band_db(y, 500, 3000) - 40
    assert len(y) == SR * 3
    short = noise(0.01)
    assert np.array_equal(timbre.band_limit(short, SR, 4000), short)   # too short to filter: unchanged
