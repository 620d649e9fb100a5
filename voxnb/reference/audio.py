"""Reference audio: decode, check and tidy the clip a voice is cloned from.

Pure functions on arrays.  ``prepare_reference`` takes a file path or an
``(array, sample_rate)`` pair and returns a :class:`Reference`: mono float32 at
:data:`SAMPLE_RATE`, trimmed to the speech, cut to a 10-15 s window when the
clip is long, loudness-normalised, with a :class:`ReferenceReport` of what was
measured and what was changed.  Every refusal is a
:class:`~voxnb.errors.BadReferenceError` that names the problem and the fix.
"""
from __future__ import annotations

import os

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from voxnb.reference.decode import SAMPLE_RATE, check_header_duration, load_audio, resample, to_mono
from voxnb.errors import BadReferenceError
from voxnb.reference.speechlike import measure as measure_speechlike
from voxnb.reference.vad import FRAME_S, detect_speech, frame_db, frame_len

MIN_SPEECH_S = 3.0  # less speech than this is refused
MAX_SPEECH_S = 30.0  # a longer clip is cut to a window of WINDOW_S
WINDOW_S = (10.0, 15.0)  # shortest and longest cut window for long clips

EDGE_PAD_S = 0.1  # silence kept before the first and after the last speech frame
TARGET_SPEECH_DBFS = -20.0  # RMS of the speech frames after normalisation
PEAK_LIMIT_DBFS = -1.0  # the normalised clip never peaks above this
CLIP_LEVEL = 0.99  # |x| at or above this (full scale = 1.0) counts as clipped
HEAVY_CLIPPING = 0.01  # more than this fraction of clipped samples earns a warning
LOW_SNR_DB = 15.0  # below this the report warns that the noise will be cloned too
MUFFLED_BELOW_HZ = 16000  # sources sampled below this lack the high band
DC_CUTOFF_HZ = 20.0  # below this a clip holds no speech, only offset and drift
# Remove the sub-20 Hz part when its RMS is over this fraction of the rest's (within 14 dB): then
# it hides pauses from the loudness gates and skews normalisation.  Measured: most real clips
# 0.002-0.17 (librivox_sense, a +0.007 offset, 0.14-0.17), hard-clipped speech 0.08; zh_gcin_m, a
# real -0.03 offset, 0.55-0.65 (removed); speech * 0.5 + 0.45, 8-16.  Clips under it are left
# bit-identical, so voices enrolled from them before keep their content hash and consent digest.
DC_RELATIVE = 0.2



@dataclass(frozen=True)
class ReferenceReport:
    """What was measured on a reference clip and what was done to it."""

    duration_s: float  # of the processed clip
    speech_s: float  # seconds of the processed clip the VAD calls speech
    speech_ratio: float  # speech_s / duration_s
    peak: float  # max |x| of the original, before loudness normalisation
    clipping_ratio: float  # fraction of original samples at/near full scale (|x| >= CLIP_LEVEL)
    snr_db: float  # estimated: speech frames' power vs non-speech frames' (percentiles when no pauses)
    original_sample_rate: int  # of the decoded file or given array
    original_channels: int  # before mixing to mono
    original_duration_s: float  # before trimming and cutting
    warnings: tuple[str, ...]  # accepted-but-worth-knowing notes, e.g. "heavy clipping ..."

    def to_dict(self) -> dict:
        """Plain types only, ready for JSON."""
        d = asdict(self)
        d["warnings"] = list(self.warnings)
        return d


@dataclass(frozen=True)
class Reference:
    """A reference clip ready for speaker conditioning."""

    audio: np.ndarray  # float32 mono at SAMPLE_RATE, trimmed and loudness-normalised
    sample_rate: int  # always SAMPLE_RATE
    report: ReferenceReport  # measurements and warnings
    source: str  # file name, or "<array>"


# ---------------------------------------------------------------- decoding


def prepare_reference(source) -> Reference:
    """Turn a file path or an ``(array, sample_rate)`` pair into a :class:`Reference`.

    decode -> mix to mono -> resample to 24 kHz -> remove a DC offset -> VAD -> trim -> cut long
    clips to the best 10-15 s window -> refuse what does not sound like human speech
    (voxnb.reference.speechlike) -> loudness-normalise.  Deterministic.
    """
    if isinstance(source, tuple):
        data, sr, channels = _from_array(source)
        name = "<array>"
    elif not isinstance(source, (str, os.PathLike)):
        raise BadReferenceError(key="reference.reference_must_file_path", type=type(source).__name__)
    else:
        data, sr, channels = load_audio(source)
        name = Path(source).name

    if not np.all(np.isfinite(data)):
        bad = int(np.size(data) - np.count_nonzero(np.isfinite(data)))
        raise BadReferenceError(key="reference.contains_nan_infinite_samples", name=name, bad=bad)
    original_duration = data.shape[0] / sr
    check_header_duration(name, data.shape[0], sr)
    # peak and clipping before DC removal: a converter clips at its rails (+-1.0), wherever the
    # offset puts the speech, so a sample at +0.95 only because of an offset is not clipped
    peak = float(np.max(np.abs(data))) if data.size else 0.0
    clipping_ratio = float(np.count_nonzero(np.abs(data) >= CLIP_LEVEL) / max(data.size, 1))

    mono = to_mono(data)
    audio = resample(mono, sr, SAMPLE_RATE)
    if peak == 0.0 or audio.size < frame_len():
        raise BadReferenceError(key="reference.speech_found_clip_pure", name=name)
    audio, dc_offset = remove_dc(audio, SAMPLE_RATE)

    mask = detect_speech(audio, SAMPLE_RATE)
    if not mask.any():
        raise BadReferenceError(key="reference.speech_found_clip_voice", name=name)
    fl = frame_len()
    from voxnb.messages import Msg

    warnings: list[str] = []
    if sr < MUFFLED_BELOW_HZ:
        warnings.append(Msg("reference.warn_muffled", khz=sr / 1000))
    if channels > 1:
        warnings.append(Msg("reference.warn_mixed", channels=channels))
    if dc_offset:
        warnings.append(Msg("reference.warn_dc", offset=dc_offset))
    if clipping_ratio > HEAVY_CLIPPING:
        warnings.append(Msg("reference.warn_clipping", percent=100 * clipping_ratio))

    # trim to the speech, keeping EDGE_PAD_S either side
    first, last = np.flatnonzero(mask)[[0, -1]]
    pad = int(round(EDGE_PAD_S * SAMPLE_RATE))
    start, end = max(first * fl - pad, 0), min((last + 1) * fl + pad, audio.size)
    all_speech_s = float(mask.sum() * FRAME_S)
    if all_speech_s < MIN_SPEECH_S:
        raise BadReferenceError(key="reference.only_s_speech_clip", all_speech_s=all_speech_s, name=name,
                                min_speech_s=MIN_SPEECH_S)

    if (end - start) / SAMPLE_RATE > MAX_SPEECH_S:
        start, end, no_pause = best_window(audio, mask, SAMPLE_RATE)
        how = Msg("reference.cut_no_pause" if no_pause else "reference.cut_at_pauses")
        warnings.append(Msg("reference.warn_cut", seconds=(end - start) / SAMPLE_RATE, start=start / SAMPLE_RATE,
                            end=end / SAMPLE_RATE, how=how))

    clip = audio[start:end]
    clip_mask = _mask_for_span(mask, start, end, fl)
    speech_s = float(clip_mask.sum() * FRAME_S)
    snr_db = estimate_snr(audio, mask, start, end, SAMPLE_RATE)
    if speech_s < MIN_SPEECH_S:  # only possible after a cut; keep the rule
        raise BadReferenceError(key="reference.only_s_speech_clip2", speech_s=speech_s, name=name,
                                min_speech_s=MIN_SPEECH_S)
    reason = measure_speechlike(clip, SAMPLE_RATE, clip_mask).refusal()
    if reason:
        raise BadReferenceError(key="reference.clip_does_sound_like", name=name, reason=reason)
    if snr_db < LOW_SNR_DB:
        warnings.append(Msg("reference.warn_noisy", snr=snr_db))

    normalised = normalize_loudness(clip, clip_mask, SAMPLE_RATE)
    duration = clip.size / SAMPLE_RATE
    report = ReferenceReport(
        duration_s=round(duration, 3),
        speech_s=round(speech_s, 3),
        speech_ratio=round(min(speech_s / duration, 1.0), 3),
        peak=round(peak, 4),
        clipping_ratio=round(clipping_ratio, 5),
        snr_db=round(snr_db, 1),
        original_sample_rate=int(sr),
        original_channels=int(channels),
        original_duration_s=round(original_duration, 3),
        warnings=tuple(warnings),
    )
    return Reference(audio=normalised, sample_rate=SAMPLE_RATE, report=report, source=name)


def remove_dc(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> tuple[np.ndarray, float]:
    """``(audio, offset)``: the clip less its sub-DC_CUTOFF_HZ part (a constant or drifting offset)
    when that part is large enough to matter (DC_RELATIVE), with its mean; else untouched and 0.0."""
    from scipy.signal import butter, sosfiltfilt

    x = audio.astype(np.float64)
    if x.size < 4 * sample_rate / DC_CUTOFF_HZ:  # too short for the filter to settle; a mean will do
        slow = np.full(x.size, x.mean())
    else:   # zero-phase, so speech onsets do not move
        slow = sosfiltfilt(butter(2, DC_CUTOFF_HZ, btype="low", fs=sample_rate, output="sos"), x)
    rest = x - slow
    dc_rms, ac_rms = float(np.sqrt(np.mean(slow ** 2))), float(np.sqrt(np.mean(rest ** 2)))
    if dc_rms <= DC_RELATIVE * ac_rms:
        return audio, 0.0
    return rest.astype(np.float32), float(np.mean(slow))


def _from_array(source) -> tuple[np.ndarray, int, int]:
    if len(source) != 2:
        raise BadReferenceError(key="reference.array_reference_must_pair")
    data, sr = source
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise BadReferenceError(key="reference.sample_rate_positive_integer", sr=sr)
    data = np.asarray(data)
    if data.size == 0:
        raise BadReferenceError(key="reference.array_holds_samples")
    if np.issubdtype(data.dtype, np.integer):  # PCM integers: scale to [-1, 1)
        data = data.astype(np.float64) / float(2 ** (8 * data.dtype.itemsize - 1))
    elif not np.issubdtype(data.dtype, np.floating):
        raise BadReferenceError(key="reference.array_dtype_audio_samples", dtype=data.dtype)
    if data.ndim == 2 and data.shape[0] < data.shape[1] and data.shape[0] <= 8:
        data = data.T  # [channels, samples] given: make it [samples, channels]
    if data.ndim not in (1, 2):
        raise BadReferenceError(key="reference.array_dimensions", ndim=data.ndim)
    data = np.ascontiguousarray(data, dtype=np.float32)
    channels = 1 if data.ndim == 1 else data.shape[1]
    if data.ndim == 2 and channels == 1:
        data = data[:, 0]
    return data, int(sr), int(channels)


def _mask_for_span(mask: np.ndarray, start: int, end: int, fl: int) -> np.ndarray:
    """The frames of ``mask`` that lie inside samples [start, end), re-framed from ``start``."""
    n = (end - start) // fl
    centres = start + np.arange(n) * fl + fl // 2
    src = np.minimum(centres // fl, mask.size - 1)
    return mask[src]


# ---------------------------------------------------------------- measurement


def estimate_snr(audio: np.ndarray, mask: np.ndarray, start: int = 0, end: int | None = None,
                 sample_rate: int = SAMPLE_RATE) -> float:
    """Speech-to-noise ratio in dB of ``audio[start:end]``.

    Speech power from the speech frames of the span; noise power from the
    non-speech frames (of the span, or the whole clip when the span has too
    few pauses); with no pauses at all, the 10th vs 90th percentile of frame
    power.  Capped at 80 dB (digital silence has no noise to measure).
    """
    fl = frame_len(sample_rate)
    end = audio.size if end is None else end
    power = 10.0 ** (frame_db(audio, sample_rate) / 10.0)
    mask = mask[:power.size]
    return _span_snr(power, mask, start // fl, end // fl, _clip_noise(power, mask))


def _clip_noise(power: np.ndarray, mask: np.ndarray) -> float | None:
    """Median power of a whole clip's non-speech frames, None with fewer than 5."""
    noise = power[~mask]
    return float(np.median(noise)) if noise.size >= 5 else None


def _span_snr(power: np.ndarray, mask: np.ndarray, a: int, b: int, clip_noise: float | None) -> float:
    p, m = power[a:b], mask[a:b]
    speech, noise = p[m], p[~m]
    if speech.size == 0:
        return 0.0
    if noise.size >= 5:
        p_noise = float(np.median(noise))
    elif clip_noise is not None:
        p_noise = clip_noise
    else:  # no pauses anywhere: quiet vs loud frames
        p_noise = float(np.percentile(p, 10))
    p_speech = float(np.mean(speech))
    p_noise = max(p_noise, 1e-10)
    snr = 10.0 * np.log10(max(p_speech - p_noise, 1e-12) / p_noise)
    return float(np.clip(snr, -20.0, 80.0))


def best_window(audio: np.ndarray, mask: np.ndarray, sample_rate: int = SAMPLE_RATE) -> tuple[int, int, bool]:
    """Pick the best WINDOW_S-long stretch of a long clip: ``(start, end, no_pause)`` in samples.

    Candidates start where a speech run starts and end where one ends (cuts at
    pauses), WINDOW_S[0]-WINDOW_S[1] s long; the score favours more speech,
    higher SNR and less clipping.  With no pause-to-pause candidate, a
    12.5 s sliding window cuts mid-speech (``no_pause`` is True).
    """
    fl = frame_len(sample_rate)
    n = mask.size
    power = 10.0 ** (frame_db(audio, sample_rate)[:n] / 10.0)
    clip_noise = _clip_noise(power, mask)
    frames = audio[:n * fl].reshape(n, fl)
    clipped = (np.abs(frames) >= CLIP_LEVEL).sum(axis=1)
    speech_cum = np.concatenate([[0], np.cumsum(mask)])
    clip_cum = np.concatenate([[0], np.cumsum(clipped)])
    lo, hi = (int(round(s / FRAME_S)) for s in WINDOW_S)

    runs = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    starts, ends = runs[0::2], runs[1::2]  # speech runs [start, end) in frames

    def score(a: int, b: int) -> float:
        speech = speech_cum[b] - speech_cum[a]
        clip_frac = (clip_cum[b] - clip_cum[a]) / ((b - a) * fl)
        snr = _span_snr(power, mask, a, b, clip_noise)
        return speech / (b - a) + 0.002 * speech + 0.005 * min(max(snr, 0.0), 60.0) - 20.0 * clip_frac

    best, best_score = None, -np.inf
    for a in starts:
        for b in ends[ends > a]:
            if b - a > hi:
                break
            if b - a >= lo:
                s = score(int(a), int(b))
                if s > best_score:
                    best, best_score = (int(a), int(b)), s
    no_pause = best is None
    if no_pause:
        length = (lo + hi) // 2
        for a in range(0, max(n - length, 0) + 1, 10):
            s = score(a, min(a + length, n))
            if s > best_score:
                best, best_score = (a, min(a + length, n)), s
    a, b = best
    pad = 0 if no_pause else int(round(EDGE_PAD_S * sample_rate))
    return max(a * fl - pad, 0), min(b * fl + pad, audio.size), no_pause


def normalize_loudness(audio: np.ndarray, mask: np.ndarray, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Scale so the speech frames' RMS is TARGET_SPEECH_DBFS, peak limited to PEAK_LIMIT_DBFS."""
    fl = frame_len(sample_rate)
    n = min(mask.size, audio.size // fl)
    frames = audio[:n * fl].astype(np.float64).reshape(n, fl)
    speech = frames[mask[:n]] if mask[:n].any() else frames
    rms = float(np.sqrt(np.mean(speech ** 2))) if speech.size else 0.0
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if rms <= 0.0 or peak <= 0.0:
        return audio.astype(np.float32)
    gain = 10.0 ** (TARGET_SPEECH_DBFS / 20.0) / rms
    gain = min(gain, 10.0 ** (PEAK_LIMIT_DBFS / 20.0) / peak)
    return (audio.astype(np.float64) * gain).astype(np.float32)
