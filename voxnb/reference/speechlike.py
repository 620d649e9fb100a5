"""Does a clip sound like a person speaking?  Three measurements that speech has and test signals lack.

Arrays in, a :class:`SpeechFeatures` out.  Everything is measured at 8 kHz (0-4 kHz), the band
every source has, so a phone clip and a studio clip are judged alike; only frames the voice
detector calls speech and that are loud take part.

* ``sustained_voicing``: voiced (periodic) frames whose frame 100 ms earlier is voiced too, per
  loud frame.  Speech carries its voice through vowels; noise bursts and chords do not.
* ``envelope_motion``: how far the spectral envelope moves in 100 ms (about one phoneme) between
  voiced frames.  Vowels follow each other and formants glide; a buzz through a fixed filter keeps
  one envelope however its pitch moves (the envelope is taken over the harmonics' peaks, so a pitch
  change alone barely moves it).
* ``tone_purity_db``: how far a voiced frame's strongest partial (+-55 Hz) stands above all the
  rest of its power.  A voice has overtones shaped by formants, even a dark one whose first
  harmonic dominates; a beep or whistle has one partial and nothing else.

Each kind of non-speech is caught by one feature; thresholds sit between the extremes measured on
every clip in assets/reference/ and assets/watermark_bench/ (7 s pieces), that speech with white
noise at 15 and 10 dB SNR, at 8 kHz, soft-clipped, hard-clipped, very quiet, with a DC offset,
espeak-ng (5 voices x 3 sentences), and the generators in tests/audio_fixtures.py:

=====================  ======================================  ========================================  =========
feature                speech (all accepted)                   refused                                   threshold
=====================  ======================================  ========================================  =========
sustained_voicing      >= 0.27; 0.18 at 10 dB SNR;             <= 0.012: white / pink noise bursts,       >= 0.05
                       espeak-ng >= 0.46                       chords (tones and buzzes: 0.34-0.62)
envelope_motion        >= 4.16 (zh_gcin_m heldout,             <= 1.97: sawtooth / pulse buzz 80-300 Hz,  >= 2.9
                       Mandarin); espeak-ng >= 9.9             raw or formant-filtered, up to +-8
                                                               semitones of intonation
tone_purity_db         <= 12.3 (en_klettres_f heldout: its     >= 33.5: sine tone sequences (random,      <= 22
                       strongest partial holds ~93 % of a      constant, vibrato, gliding pitch)
                       median frame's power)
=====================  ======================================  ========================================  =========

Whispering has no voicing and is refused too; the message says so.  Measuring takes about 30-50 ms
for 10 s of audio.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

RATE = 8000           # measure at 8 kHz: phone clips have nothing above 4 kHz
FRAME = 320           # 40 ms: at least 2.4 periods of a 60 Hz voice for the autocorrelation
HOP = 80              # 10 ms
N_FFT = 1024          # > 2 * FRAME, so the autocorrelation from the power spectrum does not wrap
PITCH_HZ = (60, 400)  # the voice's F0 range searched for periodicity
VOICED = 0.6          # normalised autocorrelation peak above this: a periodic (voiced) frame
LAG_FRAMES = 10       # 100 ms between the frames compared: about one phoneme
LOUD_DB = 35.0        # loud frames: within this of the 95th percentile of the speech frames ...
FLOOR_DB = 10.0       # ... and this far above the clip's floor (5th percentile)
PEAK_HALF_BINS = 7    # +-55 Hz at 7.8 Hz per bin: a whole Hann main lobe of a 40 ms frame
ENVELOPE_SPAN_BINS = 51  # peak-hold over 400 Hz: fills the gaps between harmonics up to F0 = 400 Hz
N_MELS, N_CEPS = 24, 8   # envelope: 24 mel bands 60-3900 Hz, cepstral coefficients 1-8

MIN_SUSTAINED_VOICING = 0.05
MIN_ENVELOPE_MOTION = 2.9
MAX_TONE_PURITY_DB = 22.0


@dataclass(frozen=True)
class SpeechFeatures:
    """What :func:`measure` found; :meth:`refusal` says why it is not speech, or None."""

    sustained_voicing: float  # voiced frames (also voiced 100 ms earlier) per loud frame, 0-1
    envelope_motion: float    # median cepstral distance between voiced frames 100 ms apart; nan if too few
    tone_purity_db: float     # median dB by which a voiced frame's strongest partial exceeds the rest
    loud_frames: int          # 10 ms frames that took part

    def refusal(self) -> str | None:
        """Why the clip is not human speech, in words for the user; None when it sounds like speech."""
        from ..messages import Msg

        if self.loud_frames == 0 or self.sustained_voicing < MIN_SUSTAINED_VOICING:
            return Msg("notes.unvoiced")
        if self.tone_purity_db > MAX_TONE_PURITY_DB:
            return Msg("notes.pure_tones")
        if not self.envelope_motion >= MIN_ENVELOPE_MOTION:
            return Msg("notes.steady")
        return None


def measure(audio: np.ndarray, sample_rate: int, mask: np.ndarray | None = None) -> SpeechFeatures:
    """Measure ``audio`` (mono float); ``mask`` is voxnb.reference.vad's speech mask (30 ms frames), None for all."""
    from scipy.fft import dct
    from scipy.ndimage import maximum_filter1d

    from voxnb.reference.decode import resample
    from voxnb.reference.vad import FRAME_S

    x = resample(np.asarray(audio, np.float32), sample_rate, RATE)
    n = 1 + (x.size - FRAME) // HOP if x.size >= FRAME else 0
    speech = np.ones(max(n, 0), bool)
    if mask is not None and mask.size and n > 0:
        centres = (np.arange(n) * HOP + FRAME / 2) / RATE
        speech = mask[np.minimum((centres / FRAME_S).astype(int), mask.size - 1)]
    if not speech.any():
        return SpeechFeatures(0.0, float("nan"), 0.0, 0)
    window, window_acf, mel = _tables()
    frames = x[np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]] * window
    db = 10.0 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = speech & (db > max(np.percentile(db[speech], 95) - LOUD_DB, np.percentile(db, 5) + FLOOR_DB))
    at = np.flatnonzero(loud)        # only loud frames are transformed: about half of a clip
    power = np.abs(np.fft.rfft(frames[at], N_FFT)) ** 2

    # periodicity: autocorrelation (from the power spectrum) over the window's own, as in Praat
    acf = np.fft.irfft(power, N_FFT)[:, :FRAME]
    acf = acf / (acf[:, :1] + 1e-20) / window_acf
    voiced = acf[:, RATE // PITCH_HZ[1]:RATE // PITCH_HZ[0] + 1].max(axis=1) > VOICED
    power, idx = power[voiced], at[voiced]
    pairs = np.flatnonzero(np.isin(idx - LAG_FRAMES, idx))   # rows of voiced frames voiced 100 ms earlier too

    envelope = np.log(maximum_filter1d(power, ENVELOPE_SPAN_BINS, axis=1) @ mel.T + 1e-10)
    ceps = dct(envelope, type=2, norm="ortho", axis=1)[:, 1:N_CEPS + 1]
    earlier = np.searchsorted(idx, idx[pairs] - LAG_FRAMES)
    motion = (float(np.median(np.linalg.norm(ceps[pairs] - ceps[earlier], axis=1)))
              if pairs.size >= 5 else float("nan"))

    held = np.cumsum(np.pad(power, ((0, 0), (PEAK_HALF_BINS + 1, PEAK_HALF_BINS))), axis=1)
    peak = (held[:, 2 * PEAK_HALF_BINS + 1:] - held[:, :-2 * PEAK_HALF_BINS - 1]).max(axis=1)
    total = power.sum(axis=1) + 1e-20
    purity = float(10.0 * np.log10(np.median(peak / np.maximum(total - peak, 1e-12 * total)))) if idx.size else 0.0

    return SpeechFeatures(sustained_voicing=round(pairs.size / max(at.size, 1), 4), envelope_motion=round(motion, 3),
                          tone_purity_db=round(purity, 2), loud_frames=int(at.size))


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hann window, its normalised autocorrelation, and the mel filterbank (built on first use)."""
    from voxnb.reference.mel import mel_filters

    window = np.hanning(FRAME + 2)[1:-1]
    acf = np.fft.irfft(np.abs(np.fft.rfft(window, N_FFT)) ** 2, N_FFT)[:FRAME]
    mel = mel_filters(RATE, N_FFT, N_MELS, fmin=60, fmax=3900)
    return window, acf / acf[0], mel
