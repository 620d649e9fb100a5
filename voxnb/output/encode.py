"""Audio into a container's bytes as it is made: feed chunks in, send what comes out at once.

The OpenAI speech API (voxnb.server.openai_api) sends each engine chunk as soon as it is ready, so these
formats are written front to back, never seeking: WAV with the "unknown length" sizes a streamed WAV
carries (libsndfile, ffmpeg and browsers read to the end of the data), raw PCM, and MP3, Ogg Opus and
AAC (ADTS) through PyAV, whose FFmpeg muxers need no rewritten header. FLAC is the exception: a FLAC
stream of unknown length (STREAMINFO's sample count 0) is valid, but libsndfile (soundfile) cannot read
one, so FLAC is written whole, with its length and MD5, once the last chunk is made. The compact
provenance record (voxnb.output.provenance.embedded) goes into each container's comment, as voxnb's
files carry it.
"""
from __future__ import annotations

import io
import struct

import numpy as np

# format -> (media type, PyAV muxer, PyAV codec, bits per second); None: written here without PyAV
FORMATS = {
    "mp3": ("audio/mpeg", "mp3", "libmp3lame", 128_000),
    "opus": ("audio/ogg; codecs=opus", "ogg", "libopus", 64_000),
    "aac": ("audio/aac", "adts", "aac", 96_000),
    "flac": ("audio/flac", None, None, None),   # whole, by soundfile (see above)
    "wav": ("audio/wav", None, None, None),
    "pcm": ("audio/pcm", None, None, None),   # 16-bit little-endian mono, at the rate the reply's header says
}
UNKNOWN_SIZE = 0xFFFFFFFF   # a streamed WAV's RIFF and data sizes: readers take the data to the end of the file


def pcm16(audio: np.ndarray) -> bytes:
    return (np.clip(np.asarray(audio, np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


class Encoder:
    """``feed(audio)`` returns the bytes ready so far, ``finish()`` the rest; float32 mono in."""

    def __init__(self, fmt: str, sample_rate: int, comment: str = ""):
        self.format, self.sample_rate, self.comment = fmt, int(sample_rate), comment
        self.streams = fmt != "flac"   # False: every byte comes from finish()
        self._start = _wav_header(self.sample_rate, comment) if fmt == "wav" else b""
        self._av = _AvEncoder(fmt, self.sample_rate, comment) if FORMATS[fmt][1] else None
        self._held: list[np.ndarray] = []

    def feed(self, audio: np.ndarray) -> bytes:
        if self._av is not None:
            return self._av.feed(audio)
        if not self.streams:
            self._held.append(np.asarray(audio, np.float32))
            return b""
        head, self._start = self._start, b""
        return head + pcm16(audio)

    def finish(self) -> bytes:
        if self._av is not None:
            return self._av.finish()
        if not self.streams:
            return _flac(np.concatenate(self._held or [np.zeros(0, np.float32)]), self.sample_rate, self.comment)
        head, self._start = self._start, b""
        return head


def _flac(audio: np.ndarray, rate: int, comment: str) -> bytes:
    import soundfile as sf

    from .provenance import SOFTWARE

    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", rate, 1, format="FLAC", subtype="PCM_16") as f:
        f.software = SOFTWARE
        if comment:
            f.comment = comment
        f.write(np.frombuffer(pcm16(audio), "<i2"))   # the very samples the wav and pcm replies carry
    return buf.getvalue()


def _wav_header(rate: int, comment: str) -> bytes:
    """RIFF/WAVE, 16-bit mono PCM at ``rate``, a LIST/INFO chunk with the comment (ICMT) and the software
    (ISFT), then a data chunk of unknown size."""
    from .provenance import SOFTWARE

    def info(tag: bytes, text: str) -> bytes:
        data = text.encode("ascii", "replace") + b"\0"
        data += b"\0" * (len(data) % 2)   # chunks are word-aligned
        return tag + struct.pack("<I", len(data)) + data

    fields = info(b"ISFT", SOFTWARE) + (info(b"ICMT", comment) if comment else b"")
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (b"RIFF" + struct.pack("<I", UNKNOWN_SIZE) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"LIST" + struct.pack("<I", 4 + len(fields)) + b"INFO" + fields
            + b"data" + struct.pack("<I", UNKNOWN_SIZE))


class _Sink(io.RawIOBase):
    """What the muxer writes, kept until taken; it cannot seek, so the muxer writes a streamable file."""

    def __init__(self):
        super().__init__()
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data) -> int:
        self.buffer += data
        return len(data)

    def take(self) -> bytes:
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


class _AvEncoder:
    def __init__(self, fmt: str, rate: int, comment: str):
        import av

        _, muxer, codec, bit_rate = FORMATS[fmt]
        self.rate = rate
        rates = av.Codec(codec, "w").audio_rates
        out_rate = rate if not rates or rate in rates else min((r for r in rates if r > rate), default=max(rates))
        self.sink = _Sink()
        # Ogg's pages hold at most 0.2 s here (FFmpeg's default is 1 s): what a chunk made leaves at once
        options = {"page_duration": "200000"} if muxer == "ogg" else {}
        self.container = av.open(self.sink, mode="w", format=muxer, options=options)
        if comment:
            self.container.metadata["comment"] = comment
        self.stream = self.container.add_stream(codec, rate=out_rate, layout="mono")
        if bit_rate:
            self.stream.bit_rate = bit_rate
        self.samples = 0

    def feed(self, audio: np.ndarray) -> bytes:
        import av

        audio = np.ascontiguousarray(audio, np.float32).reshape(1, -1)
        if audio.shape[1]:
            frame = av.AudioFrame.from_ndarray(audio, format="flt", layout="mono")
            frame.sample_rate, frame.pts = self.rate, self.samples
            self.samples += audio.shape[1]
            self._mux(self.stream.encode(frame))
        return self.sink.take()

    def finish(self) -> bytes:
        self._mux(self.stream.encode(None))
        self.container.close()
        return self.sink.take()

    def _mux(self, packets) -> None:
        for packet in packets:
            self.container.mux(packet)
