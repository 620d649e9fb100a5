"""voxnb.reference.audio: reference clips are decoded, checked, tidied, or refused with a clear message."""
from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import (ASSETS, HARVARD_1, HARVARD_2, SHORT_1S, VK5QI_8K, chords, espeak, harmonic_buzz,
                            long_speech, noise_bursts, read, speech_16k, tone_sequence, with_silence)
from voxnb.reference import audio as A
from voxnb.reference import speechlike as SL
from voxnb.reference import decode as D
from voxnb.reference import vad as V
from voxnb.reference.audio import SAMPLE_RATE, BadReferenceError, load_audio, prepare_reference


def write(path, x, sr, subtype="PCM_16"):
    sf.write(str(path), x, sr, subtype=subtype)
    return path


# ---------------------------------------------------------------- real speech passes


@pytest.mark.parametrize("path", [HARVARD_1, HARVARD_2])
def test_real_clip_passes_with_sensible_report(path):
    ref = prepare_reference(path)
    r = ref.report
    assert ref.sample_rate == SAMPLE_RATE and ref.audio.dtype == np.float32 and ref.audio.ndim == 1
    assert ref.source == path.name
    assert 4.0 < r.duration_s < 6.0 and r.original_sample_rate == 16000 and r.original_channels == 1
    assert r.speech_ratio > 0.5 and r.speech_s >= 3.0
    assert r.snr_db > 10.0
    assert r.clipping_ratio < 0.001 and 0.5 < r.peak <= 1.0
    assert r.warnings == ()
    assert np.max(np.abs(ref.audio)) <= 10 ** (-1 / 20) + 1e-6
    assert set(r.to_dict()) >= {"duration_s", "speech_s", "snr_db", "warnings"}
    assert isinstance(r.to_dict()["warnings"], list)


def test_silence_around_speech_is_trimmed_and_loudness_normalised():
    x, sr = read(HARVARD_1)
    padded = with_silence(0.1 * x, sr, lead=2.0, tail=3.0, noise_db=-72.0)  # near the clip's own floor
    ref = prepare_reference((padded, sr))
    assert ref.source == "<array>"
    assert ref.report.original_duration_s == pytest.approx(x.size / sr + 5.0, abs=0.01)
    assert ref.report.duration_s < x.size / sr + 0.6
    assert ref.report.snr_db > 10.0
    # speech RMS near -20 dBFS unless the -1 dBFS peak limit bites
    peak_db = 20 * np.log10(np.max(np.abs(ref.audio)))
    rms_db = 20 * np.log10(np.sqrt(np.mean(ref.audio ** 2)))
    assert peak_db <= -1.0 + 1e-3
    assert rms_db > -30.0


def test_deterministic_bit_identical(tmp_path):
    a = prepare_reference(HARVARD_1)
    b = prepare_reference(HARVARD_1)
    assert a.audio.tobytes() == b.audio.tobytes() and a.report == b.report
    x, sr = speech_16k()
    c = prepare_reference((x, sr))
    d = prepare_reference((x.copy(), sr))
    assert c.audio.tobytes() == d.audio.tobytes()


# ---------------------------------------------------------------- files that are not usable audio


def test_missing_file(tmp_path):
    with pytest.raises(BadReferenceError, match="no such file"):
        prepare_reference(tmp_path / "nope.wav")


def test_zero_byte_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(BadReferenceError, match="0 bytes") as e:
        prepare_reference(p)
    assert "empty.wav" in str(e.value) and "Upload a WAV" in e.value.fix


def test_oversized_file(tmp_path):
    p = tmp_path / "huge.wav"
    with open(p, "wb") as f:
        f.truncate(D.MAX_FILE_BYTES + 1)
    with pytest.raises(BadReferenceError, match="50 MiB limit"):
        prepare_reference(p)


def test_truncated_wav_mid_data(tmp_path):
    full = write(tmp_path / "full.wav", read(HARVARD_1)[0], 16000)
    blob = full.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(BadReferenceError, match="truncated") as e:
        prepare_reference(cut)
    assert "cut.wav" in e.value.problem and "complete file" in e.value.fix


def test_header_only_wav(tmp_path):
    full = write(tmp_path / "full.wav", read(HARVARD_1)[0], 16000)
    hdr = tmp_path / "header.wav"
    hdr.write_bytes(full.read_bytes()[:44])
    with pytest.raises(BadReferenceError, match="truncated"):
        prepare_reference(hdr)


def test_text_file_renamed_wav(tmp_path):
    p = tmp_path / "notes.wav"
    p.write_text("this is not audio, just some notes\n" * 10)
    with pytest.raises(BadReferenceError, match="text file, not audio") as e:
        prepare_reference(p)
    assert "notes.wav" in str(e.value)


def test_png_renamed_wav(tmp_path):
    p = tmp_path / "picture.wav"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(BadReferenceError, match="PNG image, not audio"):
        prepare_reference(p)


def test_random_bytes_wav_is_refused(tmp_path):
    p = tmp_path / "noise.wav"
    p.write_bytes(np.random.default_rng(1).integers(128, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(BadReferenceError, match="corrupt|could not be decoded"):
        prepare_reference(p)


def test_one_hour_refused_from_header(tmp_path, monkeypatch):
    # 1 h at 8 kHz, 8-bit: 28.8 MB, under the size limit; refused from the header alone
    p = tmp_path / "hour.wav"
    with sf.SoundFile(str(p), "w", samplerate=8000, channels=1, subtype="PCM_U8") as f:
        block = np.zeros(8000 * 60, np.float32)
        for _ in range(60):
            f.write(block)
    monkeypatch.setattr(sf, "read", lambda *a, **k: pytest.fail("decoded a file the header refuses"))
    with pytest.raises(BadReferenceError, match="60.0 minutes of audio, over the 10-minute limit"):
        load_audio(p)


def test_ffmpeg_formats_say_what_is_missing(tmp_path, monkeypatch):
    p = tmp_path / "voice.m4a"
    p.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))
    monkeypatch.setattr(D.shutil, "which", lambda name: None)
    with pytest.raises(BadReferenceError, match=r"Decoding \.m4a needs ffmpeg") as e:
        prepare_reference(p)
    assert "apt-get install ffmpeg" in e.value.fix


# ---------------------------------------------------------------- content that is not usable speech


def test_pure_silence(tmp_path):
    p = write(tmp_path / "silence.wav", np.zeros(16000 * 5, np.float32), 16000)
    with pytest.raises(BadReferenceError, match="No speech found in the clip silence.wav"):
        prepare_reference(p)


def test_low_noise_only():
    x = with_silence(np.zeros(0, np.float32), 16000, 3.0, 2.0, noise_db=-65.0)
    with pytest.raises(BadReferenceError, match="No speech found"):
        prepare_reference((x, 16000))


def test_short_speech_from_real_clip(tmp_path):
    x, sr = read(HARVARD_1)
    short = with_silence(x[: int(1.5 * sr)], sr, 1.0, 1.0)
    p = write(tmp_path / "short.wav", short, sr)
    with pytest.raises(BadReferenceError, match=r"Only 1\.\d s of speech .*need at least 3 s"):
        prepare_reference(p)


def test_short_real_recording():
    with pytest.raises(BadReferenceError, match="need at least 3 s"):
        prepare_reference(SHORT_1S)


def test_nan_samples():
    x, sr = read(HARVARD_1)
    x = x.copy()
    x[1000:1010] = np.nan
    with pytest.raises(BadReferenceError, match="10 NaN or infinite samples"):
        prepare_reference((x, sr))


def test_inf_samples_in_float_wav(tmp_path):
    x, sr = read(HARVARD_1)
    x = x.copy()
    x[5] = np.inf
    p = write(tmp_path / "inf.wav", x, sr, subtype="FLOAT")
    with pytest.raises(BadReferenceError, match="NaN or infinite"):
        prepare_reference(p)


def test_bad_array_arguments():
    with pytest.raises(BadReferenceError, match="sample rate"):
        prepare_reference((np.zeros(100, np.float32), 0))
    with pytest.raises(BadReferenceError, match="no samples"):
        prepare_reference((np.zeros(0, np.float32), 16000))


# ---------------------------------------------------------------- accepted with a warning or conversion


def test_heavy_clipping_accepted_with_warning(tmp_path):
    x, sr = read(HARVARD_1)
    clipped = np.clip(x * 8.0, -1.0, 1.0)
    p = write(tmp_path / "clipped.wav", clipped, sr)
    ref = prepare_reference(p)
    assert ref.report.clipping_ratio > 0.01
    assert any("heavy clipping" in w for w in ref.report.warnings)


def test_8khz_real_source_accepted_and_resampled():
    ref = prepare_reference(VK5QI_8K)
    assert ref.report.original_sample_rate == 8000 and ref.sample_rate == SAMPLE_RATE
    assert ref.audio.size == pytest.approx(ref.report.duration_s * SAMPLE_RATE, abs=30)
    assert any("8 kHz source" in w and "muffled" in w for w in ref.report.warnings)


def test_8khz_and_96khz_resampled(tmp_path):
    x, sr = read(HARVARD_1)
    import librosa

    for rate in (8000, 96000):
        y = librosa.resample(x, orig_sr=sr, target_sr=rate, res_type="soxr_hq")
        p = write(tmp_path / f"r{rate}.flac", y, rate)
        ref = prepare_reference(p)
        assert ref.report.original_sample_rate == rate
        assert ref.report.duration_s == pytest.approx(x.size / sr, abs=0.15)
        assert ref.audio.size == int(round(ref.report.duration_s * SAMPLE_RATE))
        assert ("muffled" in " ".join(ref.report.warnings)) == (rate == 8000)


def test_six_channels_mixed_to_mono(tmp_path):
    x, sr = read(HARVARD_1)
    six = np.stack([x * g for g in (0.5, 0.4, 0.3, 0.2, 0.1, 0.0)], axis=1)
    p = write(tmp_path / "surround.wav", six, sr)
    data, rate, channels = load_audio(p)
    assert data.shape == (x.size, 6) and channels == 6 and rate == sr
    ref = prepare_reference(p)
    assert ref.audio.ndim == 1 and ref.report.original_channels == 6
    assert any("mixed 6 channels" in w for w in ref.report.warnings)


def test_channels_first_array_is_accepted():
    x, sr = read(HARVARD_1)
    ref = prepare_reference((np.stack([x, x]), sr))
    assert ref.report.original_channels == 2


def test_int16_array_is_scaled():
    x, sr = read(HARVARD_1)
    ref_f = prepare_reference((x, sr))
    ref_i = prepare_reference(((x * 32767).astype(np.int16), sr))
    assert ref_i.report.peak == pytest.approx(ref_f.report.peak, abs=1e-3)


def test_long_clip_cut_to_window_at_pauses(tmp_path):
    x, sr = long_speech(minutes=1.0)
    p = write(tmp_path / "long.flac", x, sr)
    ref = prepare_reference(p)
    lo, hi = A.WINDOW_S
    assert lo - 0.01 <= ref.report.duration_s <= hi + 0.25
    assert ref.report.original_duration_s == pytest.approx(60.0, abs=0.01)
    cut = [w for w in ref.report.warnings if w.startswith("cut to the best")]
    assert cut and "at pauses" in cut[0]
    assert ref.report.speech_s >= 3.0


def test_long_clip_without_pauses_cut_mid_speech():
    x, sr = speech_16k()
    x = np.concatenate([x[x != 0]] * 4)  # ~40 s, pauses removed
    ref = prepare_reference((x, sr))
    assert A.WINDOW_S[0] <= ref.report.duration_s <= A.WINDOW_S[1]
    assert any("cut to the best" in w for w in ref.report.warnings)


# ---------------------------------------------------------------- pieces


def test_smooth_mask_fills_gaps_and_holds():
    raw = np.zeros(30, bool)
    raw[[2, 3, 6, 20]] = True
    m = V.smooth_mask(raw, gap=3, hangover=2)
    assert m[2:9].all() and not m[9] and m[20:23].all() and not m[23]


def test_energy_vad_fallback(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_webrtc(name, *a, **k):
        if name == "webrtcvad":
            raise ImportError(name)
        return real_import(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_webrtc)
    x, sr = read(HARVARD_1)
    ref = prepare_reference((with_silence(x, sr, 1.0, 1.0), sr))
    assert ref.report.speech_s > 3.0 and ref.report.duration_s < x.size / sr + 0.8


def test_wav_chunk_walker_accepts_extra_chunks(tmp_path):
    x, sr = read(HARVARD_1)
    p = write(tmp_path / "ok.wav", x, sr)
    blob = bytearray(p.read_bytes())
    # insert a LIST chunk before data: still complete
    extra = b"LIST" + struct.pack("<I", 4) + b"INFO"
    blob = blob[:36] + extra + blob[36:]
    struct.pack_into("<I", blob, 4, len(blob) - 8)
    p.write_bytes(bytes(blob))
    assert prepare_reference(p).report.speech_s > 3.0


# ---------------------------------------------------------------- DC offset


def test_dc_offset_speech_is_accepted_and_centred():
    x, sr = speech_16k()
    ref = prepare_reference((x * 0.5 + 0.45, sr))        # refused as "no speech" before DC removal
    a = ref.audio.astype(np.float64)
    assert abs(a.mean()) < 1e-3 * np.sqrt(np.mean(a ** 2))
    assert any("DC offset of +0.45" in w for w in ref.report.warnings)
    assert ref.report.speech_s > 9.0 and ref.report.clipping_ratio == 0.0   # peaks at +0.95: not clipped


def test_dc_offset_does_not_hide_real_clipping():
    x, sr = speech_16k()
    ref = prepare_reference((np.clip(x * 1.5 + 0.45, -1.0, 1.0), sr))   # the offset drove speech into the rail
    assert ref.report.clipping_ratio > 0.001 and ref.report.peak == 1.0


def test_clips_without_an_offset_are_left_bit_identical():
    x, sr = read(HARVARD_1)
    audio = D.resample(x, sr, SAMPLE_RATE)
    same, offset = A.remove_dc(audio)
    assert offset == 0.0 and same is audio       # voices enrolled before keep their content hash


# ---------------------------------------------------------------- not human speech


NOT_SPEECH = {
    "tones, random pitches": lambda: tone_sequence("random"),
    "tones, one pitch": lambda: tone_sequence("constant", seed=1),
    "tones with vibrato": lambda: tone_sequence("vibrato"),
    "gliding tones": lambda: tone_sequence("glide", seed=1),
    "sawtooth buzz 80 Hz": lambda: harmonic_buzz(80),
    "pulse buzz 300 Hz": lambda: harmonic_buzz(300, wave="pulse"),
    "formant buzz 120 Hz": lambda: harmonic_buzz(120, formants=True),
    "formant buzz 250 Hz with intonation": lambda: harmonic_buzz(250, formants=True, intonation=8),
    "white noise bursts": lambda: noise_bursts("white"),
    "pink noise bursts": lambda: noise_bursts("pink"),
    "chords": lambda: chords(),
}


@pytest.mark.parametrize("kind", list(NOT_SPEECH))
def test_sounds_that_are_not_human_speech_are_refused(kind):
    with pytest.raises(BadReferenceError, match="does not sound like human speech") as e:
        prepare_reference((NOT_SPEECH[kind](), 16000))
    assert "person speaking" in e.value.fix


def test_not_speech_refused_at_8khz_too():
    with pytest.raises(BadReferenceError, match="a steady buzz"):
        prepare_reference((D.resample(harmonic_buzz(120, formants=True), 16000, 8000), 8000))


TOO_SHORT = {"alsa_f/front_center.flac", "codec2_mmt1_m/mmt1.flac", "codec2_vk5qi_m/heldout.flac"}  # < 3 s of speech


@pytest.mark.parametrize("path", sorted(ASSETS.glob("*/*.flac")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_real_reference_clip_is_accepted(path):
    if f"{path.parent.name}/{path.name}" in TOO_SHORT:
        with pytest.raises(BadReferenceError, match="need at least 3 s"):
            prepare_reference(path)
    else:
        assert prepare_reference(path).report.speech_s >= 3.0


def _bench_pieces():
    for path in sorted((ASSETS.parent / "watermark_bench").glob("*.flac")):
        x, sr = read(path)
        for start in range(0, x.shape[0] - 6 * sr + 1, 7 * sr):
            yield pytest.param(path, start // sr, id=f"{path.stem}@{start // sr}s")


@pytest.mark.parametrize("path, start_s", list(_bench_pieces()))
def test_watermark_bench_speech_in_7s_pieces_is_accepted(path, start_s):
    x, sr = read(path)
    prepare_reference((x[start_s * sr:(start_s + 7) * sr], sr))


def _white_noise_at(x, snr_db, seed=0):
    noise = np.random.default_rng(seed).standard_normal(x.size)
    return (x + noise * np.sqrt(np.mean(x ** 2) / 10 ** (snr_db / 10))).astype(np.float32)


@pytest.mark.parametrize("make", [
    lambda: (_white_noise_at(speech_16k()[0], 15), 16000),
    lambda: (_white_noise_at(read(VK5QI_8K)[0], 15), 8000),
    lambda: (D.resample(speech_16k()[0], 16000, 8000), 8000),
    lambda: (np.tanh(4 * speech_16k()[0]), 16000),              # soft-clipped
    lambda: (0.01 * speech_16k()[0], 16000),                    # very quiet
], ids=["noisy-15dB", "noisy-15dB-8k", "8kHz", "soft-clipped", "quiet"])
def test_plausible_real_inputs_are_accepted(make):
    prepare_reference(make())


@pytest.mark.parametrize("voice", ["en-us", "en+f3", "en+klatt"])
def test_espeak_speech_is_person_like_enough(voice):
    spoken = espeak("She sells sea shells by the sea shore, and the shells she sells are surely seashells.", voice)
    if spoken is None:
        pytest.fail("espeak-ng is not installed: tests/run.sh installs it (apt-get install espeak-ng)")
    prepare_reference(spoken)


def test_speechlike_features_separate_speech_from_a_buzz():
    # its speed (~30 ms for 10 s on one core) is a figure, not a test: timed asserts flake on shared CPUs
    x, sr = speech_16k()
    speech = SL.measure(x, sr, V.detect_speech(x, sr))
    buzz = SL.measure(harmonic_buzz(120, formants=True, seconds=10.0), 16000)
    assert speech.refusal() is None and "buzz" in buzz.refusal()
    assert speech.envelope_motion > 1.4 * SL.MIN_ENVELOPE_MOTION > 2 * buzz.envelope_motion


