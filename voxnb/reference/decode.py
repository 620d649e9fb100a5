"""Decode an audio file into an array, refusing what is not audio with a clear message.

soundfile (libsndfile) reads WAV, FLAC, OGG/Opus and MP3; container formats such as M4A
need ffmpeg through audioread. Size, duration and decoded size (seconds x rate x channels)
are checked from the header before the whole file is decoded, so a 1-hour upload, or a small
FLAC of silence that would decode to gigabytes, is refused at once.
"""
from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np

from voxnb.errors import BadReferenceError

SAMPLE_RATE = 24000  # what the engine and all voxnb intermediates use

MAX_FILE_BYTES = 50 * 2**20  # bigger files are refused before decoding
MAX_FILE_S = 600.0  # longer audio is refused from its header, before decoding it all
# Decoded size, refused from the header before decoding: 10 minutes of 48 kHz stereo, 57.6 M samples
# (230 MB as float32). Duration alone does not bound memory: a 3.6 MB FLAC of 10 silent minutes at
# 192 kHz x 8 channels decodes to 921.6 M samples and drove a dashboard kernel to 8 GB.
MAX_DECODED_SAMPLES = int(MAX_FILE_S * 48000 * 2)


def _accepted():
    """What a reference may be (every refusal's fix ends with it), as a message."""
    from voxnb.messages import Msg

    return Msg("reference.accepted")


SOUNDFILE_EXTS = {".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".aiff", ".aif", ".mp3"}
FFMPEG_EXTS = {".m4a", ".mp4", ".aac", ".webm", ".wma", ".amr", ".3gp", ".mkv", ".mov", ".caf"}


def load_audio(path) -> tuple[np.ndarray, int, int]:
    """Decode an audio file.

    Returns ``(samples, sample_rate, channels)``: float32, 1-D for mono and
    ``[samples, channels]`` otherwise.  WAV/FLAC/OGG/MP3 are read with
    soundfile (libsndfile >= 1.1 reads MP3); anything soundfile cannot read
    falls back to librosa/audioread, which needs ffmpeg for M4A/AAC/WebM.
    Refuses empty, oversized, over-long, truncated and non-audio files.
    """
    import soundfile as sf

    path = Path(path)
    name = path.name
    # the full path as given: a base name alone cannot tell the user which folder was looked in
    if path.is_dir():
        raise BadReferenceError(key="reference.folder_audio_file", path=path, accepted=_accepted())
    if path.exists() and not path.is_file():
        raise BadReferenceError(key="reference.regular_file_device_pipe", path=path, accepted=_accepted())
    if not path.is_file():
        raise BadReferenceError(key="reference.such_file", path=path, accepted=_accepted())
    size = path.stat().st_size
    if size == 0:
        raise BadReferenceError(key="reference.file_bytes", name=name)
    if size > MAX_FILE_BYTES:
        raise BadReferenceError(key="reference.file_mib_over_mib", name=name, mib=size / 2**20,
                                limit=MAX_FILE_BYTES // 2**20)
    with open(path, "rb") as f:
        head = f.read(64)
    not_audio = _sniff_not_audio(head)
    if not_audio:
        raise BadReferenceError(key="reference.audio", name=name, not_audio=not_audio)
    if head[:4] in (b"RIFF", b"RIFX"):
        _check_wav_complete(path, size)

    try:
        info = sf.info(str(path))
    except Exception as err:  # libsndfile cannot parse it: try audioread
        return _load_with_audioread(path, err)
    check_header_duration(name, info.frames, info.samplerate)
    check_decoded_size(name, info.frames, info.samplerate, info.channels)
    if info.frames == 0:
        raise BadReferenceError(key="reference.header_but_audio_samples", name=name, accepted=_accepted())
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=False)
    except Exception as err:
        raise BadReferenceError(key="reference.corrupt_decoding_failed", name=name, err=err, accepted=_accepted()) from err
    channels = 1 if data.ndim == 1 else data.shape[1]
    if channels == 1 and data.ndim == 2:
        data = data[:, 0]
    return np.ascontiguousarray(data, dtype=np.float32), int(sr), int(channels)


def _sniff_not_audio(head: bytes) -> str:
    """Name a non-audio file type from its first bytes (a note by key), or return ''."""
    from ..messages import Msg

    known = {
        b"\x89PNG": "png",
        b"\xff\xd8\xff": "jpeg",
        b"GIF8": "gif",
        b"%PDF": "pdf",
        b"PK\x03\x04": "zip",
        b"\x7fELF": "elf",
        b"<!DOCTYPE": "html",
        b"<html": "html",
    }
    for magic, what in known.items():
        if head.startswith(magic):
            return Msg(f"notes.file.{what}")
    if head and all(b in b"\t\n\r" or 32 <= b < 127 for b in head) and not head.startswith((b"ID3", b"RIFF", b"fLaC", b"OggS", b"FORM")):
        return Msg("notes.file.text")
    return ""


def _check_wav_complete(path: Path, size: int) -> None:
    """Refuse a RIFF/WAVE file whose data chunk is shorter than its header says."""
    with open(path, "rb") as f:
        riff = f.read(12)
        if len(riff) < 12 or riff[8:12] != b"WAVE":
            return  # not WAVE: leave it to the decoder
        endian = "<" if riff[:4] == b"RIFF" else ">"
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            chunk_id, chunk_size = struct.unpack(endian + "4sI", f.read(8))
            if chunk_id == b"data":
                available = size - pos - 8
                if chunk_size in (0, 0xFFFFFFFF):  # streaming writers leave the size open
                    return
                if available < chunk_size:
                    raise BadReferenceError(key="reference.truncated_header_promises_bytes", name=path.name,
                                            chunk_size=chunk_size, available=available, accepted=_accepted())
                return
            pos += 8 + chunk_size + (chunk_size & 1)
    raise BadReferenceError(key="reference.truncated_wav_header_audio", name=path.name, accepted=_accepted())


def check_header_duration(name: str, frames: int, sample_rate: int) -> None:
    if sample_rate > 0 and frames / sample_rate > MAX_FILE_S:
        raise BadReferenceError(key="reference.holds_minutes_audio_over", name=name,
                                minutes=frames / sample_rate / 60, limit=MAX_FILE_S / 60)


def check_decoded_size(name: str, frames: int, sample_rate: int, channels: int) -> None:
    """Refuse audio whose decoded samples (frames x channels, from the header) exceed MAX_DECODED_SAMPLES."""
    samples = frames * channels
    if samples <= MAX_DECODED_SAMPLES:
        return
    seconds = frames / sample_rate if sample_rate > 0 else 0.0
    raise BadReferenceError(key="reference.decodes_s_hz_channels", name=name, seconds=seconds,
                            sample_rate=sample_rate, channels=channels, msamples=samples / 1e6, gb=samples * 4 / 1e9,
                            limit=MAX_DECODED_SAMPLES / 1e6, minutes=MAX_FILE_S / 60)


def _load_with_audioread(path: Path, sf_error: Exception) -> tuple[np.ndarray, int, int]:
    name, ext = path.name, path.suffix.lower()
    if ext in FFMPEG_EXTS and shutil.which("ffmpeg") is None:
        raise BadReferenceError(key="reference.decoding_needs_ffmpeg_which", ext=ext)
    if ext in SOUNDFILE_EXTS and ext != ".mp3":
        raise BadReferenceError(key="reference.corrupt_really", name=name, upper=ext[1:].upper(), sf_error=sf_error,
                                accepted=_accepted())
    import librosa

    try:
        import audioread

        with audioread.audio_open(str(path)) as f:
            frames = int(f.duration * f.samplerate)
            check_header_duration(name, frames, f.samplerate)
            # a stream without a duration in its header counts as the longest allowed; decoding stops there
            check_decoded_size(name, frames if frames > 0 else int(MAX_FILE_S * f.samplerate), f.samplerate,
                               f.channels)
        data, sr = librosa.load(str(path), sr=None, mono=False, duration=MAX_FILE_S)
    except BadReferenceError:
        raise
    except Exception as err:
        key = "reference.could_not_decode" if shutil.which("ffmpeg") else "reference.could_not_decode_ffmpeg"
        raise BadReferenceError(key=key, name=name, err=sf_error, accepted=_accepted()) from err
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 2:  # librosa gives [channels, samples]
        data = np.ascontiguousarray(data.T)
    if data.size == 0:
        raise BadReferenceError(key="reference.decodes_audio_samples", name=name)
    return data, int(sr), 1 if data.ndim == 1 else int(data.shape[1])


# ---------------------------------------------------------------- the pipeline


def to_mono(data: np.ndarray) -> np.ndarray:
    """Average any number of channels ([samples, channels]) to float32 mono."""
    if data.ndim == 1:
        return data.astype(np.float32, copy=False)
    return data.mean(axis=1, dtype=np.float64).astype(np.float32)


def resample(audio: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Band-limited resampling with soxr (deterministic), float32 out, ceil(len * ratio) samples.

    soxr itself rather than librosa.resample(res_type="soxr_hq"), which makes the same call and pads or
    trims to the same length: importing librosa pulls in numba and llvmlite (~200 MB of RSS) into every
    synthesising process (the watermark resamples) and every dashboard viewer (the reference)."""
    audio = np.asarray(audio, dtype=np.float32)
    if orig_sr == target_sr:
        return np.ascontiguousarray(audio)
    if audio.ndim > 1:   # channels first, as librosa: each row on its own
        return np.stack([resample(row, orig_sr, target_sr) for row in audio.reshape(-1, audio.shape[-1])]).reshape(
            *audio.shape[:-1], -1)
    if not np.all(np.isfinite(audio)):   # as librosa refused it: soxr would spread a NaN over its filter
        raise ValueError("Audio buffer is not finite everywhere")
    import soxr

    out = soxr.resample(audio, orig_sr, target_sr, quality="soxr_hq")
    n = int(np.ceil(len(audio) * float(target_sr) / orig_sr))
    return np.ascontiguousarray(np.pad(out[:n], (0, max(0, n - len(out)))), dtype=np.float32)
