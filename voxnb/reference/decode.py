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
ACCEPTED = "Upload a WAV, FLAC, OGG or MP3 recording of 3-30 s of speech."
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
        raise BadReferenceError(f"{path} is a folder, not an audio file.", f"Give one file inside it. {ACCEPTED}")
    if path.exists() and not path.is_file():
        raise BadReferenceError(f"{path} is not a regular file (a device, pipe or socket).",
                                f"Give a recording saved as a file. {ACCEPTED}")
    if not path.is_file():
        raise BadReferenceError(f"{path}: no such file.", f"Check the path. {ACCEPTED}")
    size = path.stat().st_size
    if size == 0:
        raise BadReferenceError(f"{name}: the file is 0 bytes.", ACCEPTED)
    if size > MAX_FILE_BYTES:
        raise BadReferenceError(
            f"{name}: the file is {size / 2**20:.1f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit.",
            "Cut it to 3-30 s of speech, or convert it to FLAC or MP3.",
        )
    with open(path, "rb") as f:
        head = f.read(64)
    not_audio = _sniff_not_audio(head)
    if not_audio:
        raise BadReferenceError(f"{name} is {not_audio}, not audio.", ACCEPTED)
    if head[:4] in (b"RIFF", b"RIFX"):
        _check_wav_complete(path, size)

    try:
        info = sf.info(str(path))
    except Exception as err:  # libsndfile cannot parse it: try audioread
        return _load_with_audioread(path, err)
    check_header_duration(name, info.frames, info.samplerate)
    check_decoded_size(name, info.frames, info.samplerate, info.channels)
    if info.frames == 0:
        raise BadReferenceError(f"{name} has a header but no audio samples (the file is truncated).",
                                f"Re-export or re-upload the complete file. {ACCEPTED}")
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=False)
    except Exception as err:
        raise BadReferenceError(f"{name} is corrupt: decoding failed ({err}).",
                                f"Re-export or re-upload the file. {ACCEPTED}") from err
    channels = 1 if data.ndim == 1 else data.shape[1]
    if channels == 1 and data.ndim == 2:
        data = data[:, 0]
    return np.ascontiguousarray(data, dtype=np.float32), int(sr), int(channels)


def _sniff_not_audio(head: bytes) -> str:
    """Name a non-audio file type from its first bytes, or return ''."""
    known = {
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"GIF8": "a GIF image",
        b"%PDF": "a PDF document",
        b"PK\x03\x04": "a ZIP archive (or an Office document)",
        b"\x7fELF": "a program (ELF binary)",
        b"<!DOCTYPE": "an HTML page",
        b"<html": "an HTML page",
    }
    for magic, what in known.items():
        if head.startswith(magic):
            return what
    if head and all(b in b"\t\n\r" or 32 <= b < 127 for b in head) and not head.startswith((b"ID3", b"RIFF", b"fLaC", b"OggS", b"FORM")):
        return "a text file"
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
                    raise BadReferenceError(
                        f"{path.name} is truncated: its header promises {chunk_size} bytes of audio "
                        f"but only {available} are there.",
                        f"Re-export or re-upload the complete file. {ACCEPTED}",
                    )
                return
            pos += 8 + chunk_size + (chunk_size & 1)
    raise BadReferenceError(f"{path.name} is truncated: the WAV header has no audio data chunk.",
                            f"Re-export or re-upload the complete file. {ACCEPTED}")


def check_header_duration(name: str, frames: int, sample_rate: int) -> None:
    if sample_rate > 0 and frames / sample_rate > MAX_FILE_S:
        raise BadReferenceError(
            f"{name} holds {frames / sample_rate / 60:.1f} minutes of audio, over the "
            f"{MAX_FILE_S / 60:.0f}-minute limit.",
            "Cut out 3-30 s of clean speech and upload that.",
        )


def check_decoded_size(name: str, frames: int, sample_rate: int, channels: int) -> None:
    """Refuse audio whose decoded samples (frames x channels, from the header) exceed MAX_DECODED_SAMPLES."""
    samples = frames * channels
    if samples <= MAX_DECODED_SAMPLES:
        return
    seconds = frames / sample_rate if sample_rate > 0 else 0.0
    raise BadReferenceError(
        f"{name} decodes to {seconds:.0f} s × {sample_rate} Hz × {channels} channels = {samples / 1e6:.1f} M samples "
        f"({samples * 4 / 1e9:.1f} GB as float32), over the limit of {MAX_DECODED_SAMPLES / 1e6:.1f} M samples "
        f"({MAX_FILE_S / 60:.0f} minutes of 48 kHz stereo).",
        "Cut it to 3-30 s of mono speech, or resample it to 48 kHz or less.",
    )


def _load_with_audioread(path: Path, sf_error: Exception) -> tuple[np.ndarray, int, int]:
    name, ext = path.name, path.suffix.lower()
    if ext in FFMPEG_EXTS and shutil.which("ffmpeg") is None:
        raise BadReferenceError(f"Decoding {ext} needs ffmpeg, which is not installed.",
                                "apt-get install ffmpeg, or convert the file to WAV.")
    if ext in SOUNDFILE_EXTS and ext != ".mp3":
        raise BadReferenceError(f"{name} is corrupt or not really {ext[1:].upper()}: {sf_error}.",
                                f"Re-export or re-upload the file. {ACCEPTED}")
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
        fix = ACCEPTED if shutil.which("ffmpeg") else f"{ACCEPTED} (Other formats need ffmpeg: apt-get install ffmpeg.)"
        raise BadReferenceError(f"{name} could not be decoded as audio ({sf_error}).", fix) from err
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 2:  # librosa gives [channels, samples]
        data = np.ascontiguousarray(data.T)
    if data.size == 0:
        raise BadReferenceError(f"{name} decodes to no audio samples.", ACCEPTED)
    return data, int(sr), 1 if data.ndim == 1 else int(data.shape[1])


# ---------------------------------------------------------------- the pipeline


def to_mono(data: np.ndarray) -> np.ndarray:
    """Average any number of channels ([samples, channels]) to float32 mono."""
    if data.ndim == 1:
        return data.astype(np.float32, copy=False)
    return data.mean(axis=1, dtype=np.float64).astype(np.float32)


def resample(audio: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """Band-limited resampling with soxr (deterministic), float32 out."""
    if orig_sr == target_sr:
        return np.ascontiguousarray(audio, dtype=np.float32)
    import librosa

    return librosa.resample(audio.astype(np.float32), orig_sr=orig_sr, target_sr=target_sr,
                            res_type="soxr_hq").astype(np.float32)
