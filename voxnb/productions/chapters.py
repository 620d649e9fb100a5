"""Audio files with chapter marks: MP3 with ID3 CHAP + CTOC frames (written by mutagen), or M4B/M4A with
the MP4 chapter list (written by PyAV, whose wheels bundle ffmpeg's AAC encoder and MP4 muxer).

    with ChapteredFile("out/Book.mp3", record, title="Book") as f:
        f.chapter("One"); f.write(audio, 24000)
        f.chapter("Two"); f.write(more, 24000)
        path = f.commit(sidecar)

Audio is encoded as it comes (memory stays flat), into a hidden temp file; the marks go in after the last
sample, and only then does the file claim a free name (voxnb.output.write.claim): a player never sees a
half-made book, an existing file is never replaced, and a killed run's temp file is swept by the next
(voxnb.runs.folder: its temp names are the ones voxnb.output.write uses).
"""
from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import VoxnbError
from ..output.provenance import embedded, write_tags
from ..output.write import claim, formats, unwritable

FORMATS = {"mp3": (".mp3", ".mp3"), "m4b": (".m4b", ".m4a")}    # format -> (book file, chapter file)
AAC_BITRATE = 64_000       # mono narration: audiobook stores deliver 64 kb/s AAC


@dataclass(frozen=True)
class Mark:
    title: str
    start_s: float
    end_s: float


def check_format(name: str) -> None:
    """Refuse a format this installation cannot write, before anything is spoken."""
    if name not in FORMATS:
        raise VoxnbError(key="book.unknown_format", format=name, formats=list(FORMATS))
    if name == "mp3" and ".mp3" not in formats():
        raise VoxnbError(key="book.no_mp3")
    try:
        if name == "mp3":
            import mutagen  # noqa: F401 -- writes the ID3 chapter frames
        else:
            import av
            if "aac" not in av.codecs_available or "ipod" not in av.formats_available:
                raise ImportError("no AAC encoder or MP4 muxer in this PyAV build")
            if not hasattr(av.container.OutputContainer, "set_chapters"):    # PyAV 14 added it
                raise ImportError(f"PyAV {av.__version__} cannot write chapters")
    except ImportError as err:
        raise VoxnbError(key="book.no_chapters", format=name, detail=str(err)) from None


def _temp(final: Path, suffix: str) -> Path:
    # the pattern voxnb.output.write's temp files follow (process, thread, token), so BatchFolder sweeps it
    return final.with_name(f".{final.stem}.{os.getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}.tmp{suffix}")


class ChapteredFile:
    """One MP3, M4B or M4A written chunk by chunk; ``chapter(title)`` marks where a chapter starts."""

    def __init__(self, path, record: dict, title: str = "", album: str = ""):
        self.final = Path(path)
        self.kind = self.final.suffix.lower()
        if self.kind not in (".mp3", ".m4b", ".m4a"):
            raise VoxnbError(key="book.unknown_format", format=self.kind, formats=list(FORMATS))
        self.record, self.title, self.album = record, title, album
        self.samples = 0
        self.sample_rate: int | None = None
        self._starts: list[tuple[str, int]] = []
        self._tmp, self._json_tmp = _temp(self.final, self.kind), _temp(self.final, ".json")
        self._sink = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def chapter(self, title: str) -> None:
        self._starts.append((title, self.samples))

    def write(self, audio: np.ndarray, sample_rate: int) -> None:
        if len(audio) == 0:
            return
        try:
            if self._sink is None:
                self.sample_rate = sample_rate
                sink = _Mp3 if self.kind == ".mp3" else _Aac
                self._sink = sink(self._tmp, sample_rate, self.record, self.title, self.album)
            self._sink.write(np.clip(np.asarray(audio, np.float32), -1, 1))
        except (OSError, RuntimeError) as err:     # soundfile's and PyAV's errors
            raise unwritable(self.final, err) from None
        self.samples += len(audio)

    @property
    def marks(self) -> list[Mark]:
        """Each chapter from its start to the next one's (the last to the end of the file)."""
        rate = self.sample_rate or 1
        ends = [s for _, s in self._starts[1:]] + [self.samples]
        return [Mark(t, s / rate, e / rate) for (t, s), e in zip(self._starts, ends)]

    def commit(self, sidecar: dict | None) -> Path:
        """Close the audio, write the chapter marks and title, claim a free name for it and its sidecar."""
        if self._sink is None:
            raise VoxnbError(key="book.no_audio", path=self.final)
        try:
            self._sink.finish(self.marks)
            if sidecar is not None:
                self._json_tmp.write_text(json.dumps(sidecar, ensure_ascii=False, indent=2), encoding="utf-8")
            return claim(self._tmp, self.final, self._json_tmp if sidecar is not None else None)
        except (OSError, RuntimeError) as err:
            raise unwritable(self.final, err) from None
        finally:
            self.close()

    def close(self) -> None:
        """Drop what was not committed (an error, Ctrl-C): no temp file stays."""
        if self._sink is not None:
            self._sink.abort()
        for tmp in (self._tmp, self._json_tmp):
            tmp.unlink(missing_ok=True)


class _Mp3:
    """libsndfile's LAME encoder (gapless: it writes the LAME header), then mutagen's ID3 chapter frames."""

    def __init__(self, path: Path, sample_rate: int, record: dict, title: str, album: str):
        import soundfile as sf

        self.path, self.title, self.album = path, title, album
        self.file = sf.SoundFile(path, "w", sample_rate, 1, format="MP3", subtype="MPEG_LAYER_III")
        if record:
            write_tags(self.file, record)     # the provenance as the ID3 comment, as every voxnb MP3 has it

    def write(self, audio: np.ndarray) -> None:
        self.file.write(audio)

    def finish(self, marks: list[Mark]) -> None:
        from mutagen.id3 import CHAP, CTOC, ID3, TALB, TIT2, CTOCFlags, ID3NoHeaderError

        self.file.close()
        try:
            tags = ID3(self.path)
        except ID3NoHeaderError:
            tags = ID3()
        if self.title:
            tags.add(TIT2(encoding=3, text=[self.title]))
        if self.album:
            tags.add(TALB(encoding=3, text=[self.album]))
        ids = [f"ch{i}" for i in range(len(marks))]
        if marks:
            tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=ids,
                          sub_frames=[TIT2(encoding=3, text=[self.title or "Chapters"])]))
        for cid, mark in zip(ids, marks):
            tags.add(CHAP(element_id=cid, start_time=int(round(mark.start_s * 1000)),
                          end_time=int(round(mark.end_s * 1000)), sub_frames=[TIT2(encoding=3, text=[mark.title])]))
        tags.save(self.path, v2_version=3)   # ID3v2.3: what most players and car stereos read

    def abort(self) -> None:
        if not self.file.closed:
            self.file.close()


class _Aac:
    """AAC in an MP4 container (``ipod``: what .m4b and .m4a are), with its chapter list."""

    def __init__(self, path: Path, sample_rate: int, record: dict, title: str, album: str):
        import av

        self.sample_rate, self.pts = sample_rate, 0
        self.out = av.open(str(path), "w", format="ipod")
        self.stream = self.out.add_stream("aac", rate=sample_rate)
        self.stream.layout = "mono"
        self.stream.bit_rate = AAC_BITRATE
        if record:
            self.out.metadata["comment"] = embedded(record)   # tinytag reads it back (voxnb.output.provenance)
        if title:
            self.out.metadata["title"] = title
        if album:
            self.out.metadata["album"] = album

    def write(self, audio: np.ndarray) -> None:
        import av

        frame = av.AudioFrame.from_ndarray(audio[None, :], format="flt", layout="mono")
        frame.sample_rate, frame.pts = self.sample_rate, self.pts
        self.pts += len(audio)
        for packet in self.stream.encode(frame):
            self.out.mux(packet)

    def finish(self, marks: list[Mark]) -> None:
        from fractions import Fraction

        for packet in self.stream.encode(None):
            self.out.mux(packet)
        if marks:
            ms = Fraction(1, 1000)
            self.out.set_chapters([{"id": i + 1, "start": int(round(m.start_s * 1000)),
                                    "end": int(round(m.end_s * 1000)), "time_base": ms,
                                    "metadata": {"title": m.title}} for i, m in enumerate(marks)])
        self.out.close()

    def abort(self) -> None:
        try:
            self.out.close()
        except Exception:  # noqa: BLE001 -- closing after a failed encode may fail again; the temp file goes anyway
            pass
