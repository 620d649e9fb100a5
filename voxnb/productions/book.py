"""A long text spoken chapter by chapter into files that survive an interruption: ``voxnb book``.

    book = render_book(engine, voice, "novel.epub", "out/")    # out/01 - Title.mp3 ..., out/<Book title>.mp3

Each chapter's chunks (about a long sentence each, voxnb.text.split) are the rows of a batch folder
(voxnb.runs.batch): out/chunks/01/0001.wav ... and its manifest.csv, the truth about what is done. A run
stopped at any moment (Ctrl-C, kill -9, an error) and started again speaks only the chunks not done yet.
A chapter file is its chunks joined, each followed by the pause its punctuation asks for; the book file
is the chapters joined by CHAPTER_GAP_S of silence, with chapter marks (voxnb.productions.chapters). Both
are made by streaming the chunk files, one chunk in memory at a time, so memory stays flat however long
the book. out/manifest.csv lists the chapter files and the book file; one run at a time holds the folder.
Every chunk is watermarked by the engine (voxnb.engines.base), so the files joined from them are too.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..output import provenance
from ..runs.batch import Line, read_manifest, run_batch
from ..runs.folder import BatchFolder, glob_escape, row_key
from ..settings import SynthesisSettings
from ..text.split import DEFAULT_MAX_CHARS, boundary, sentence_spans
from ..voice import Voice
from .book_sources import BookText, read_book
from .chapters import FORMATS, ChapteredFile, check_format

CHAPTER_GAP_S = 2.0            # silence between chapters in the book file: a page turn (producers leave 1-5 s)
CHUNK_CHARS = DEFAULT_MAX_CHARS  # a chunk is about a long sentence: the unit a re-run resumes at
CHUNKS = "chunks"              # out/chunks/<chapter>/: each chapter's batch folder
_UNSAFE = re.compile(r"[^\w\- .,'()&!]+")   # what a chapter's title keeps in its file name (any script's letters)


@dataclass(frozen=True)
class ChapterPlan:
    index: int                    # 1-based
    title: str
    stem: str                     # its file's name without the extension: "01 - The Storm"
    texts: tuple[str, ...]        # its chunks, in order
    pauses: tuple[float, ...]     # seconds of silence after each chunk (none after the last)


@dataclass(frozen=True)
class BookChapter:
    index: int
    title: str
    file: Path | None             # None while a chunk of it has failed
    chunks: int
    duration_s: float


@dataclass(frozen=True)
class Book:
    title: str
    out_dir: Path
    manifest: Path                # out/manifest.csv: the chapter files and the book file
    file: Path | None             # the whole book with chapter marks; None while a chapter is unfinished
    chapters: tuple[BookChapter, ...]
    spoken: int                   # chunks this run spoke
    done_before: int              # chunks an earlier run had done
    failed: tuple[tuple[int, str, str], ...] = ()   # (chapter, chunk, error): a re-run tries them again

    def to_dict(self) -> dict:
        return {"title": self.title, "out": str(self.out_dir), "manifest": str(self.manifest),
                "file": str(self.file) if self.file else None, "spoken": self.spoken, "done_before": self.done_before,
                "duration_s": round(sum(c.duration_s for c in self.chapters), 3),
                "chapters": [{"index": c.index, "title": c.title, "file": str(c.file) if c.file else None,
                              "chunks": c.chunks, "duration_s": round(c.duration_s, 3)} for c in self.chapters],
                "failed": [{"chapter": c, "chunk": n, "error": e} for c, n, e in self.failed]}


@dataclass
class BookProgress:
    """Where the whole book stands, after each chunk."""

    chapter: int                  # the chapter being spoken, 1-based
    chapters: int
    title: str
    done: int                     # chunks finished in the whole book (spoken, failed, or done before)
    total: int
    skipped: int                  # of them, done by an earlier run
    failed: int
    started: float = field(default_factory=time.monotonic)

    @property
    def chunks_per_min(self) -> float:
        spoken, minutes = self.done - self.skipped, (time.monotonic() - self.started) / 60
        return spoken / minutes if spoken and minutes > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        rate = self.chunks_per_min
        return (self.total - self.done) / rate * 60 if rate else None

    def message(self):
        """The progress line as a message, for the viewer's language."""
        from ..messages import Msg

        eta = self.eta_s
        return Msg("book.progress", chapter=self.chapter, chapters=self.chapters, title=self.title, done=self.done,
                   total=self.total, rate=f"{self.chunks_per_min:.1f}",
                   before=Msg("book.progress_before", n=self.skipped) if self.skipped else "",
                   left=Msg("book.progress_left", left=_clock(eta)) if eta is not None and self.done < self.total
                   else "")

    def __str__(self) -> str:
        return str(self.message())


def plan_book(book: BookText, settings: SynthesisSettings | None = None,
              max_chars: float = CHUNK_CHARS) -> list[ChapterPlan]:
    """Each chapter's chunks and the pauses between them: pure text work, no model."""
    settings = settings or SynthesisSettings()
    width = max(2, len(str(len(book.chapters))))
    plans = []
    for i, chapter in enumerate(book.chapters, 1):
        spans = sentence_spans(chapter.text, max_chars)
        name = safe_name(chapter.title)
        plans.append(ChapterPlan(index=i, title=chapter.title, stem=f"{i:0{width}d}" + (f" - {name}" if name else ""),
                                 texts=tuple(chapter.text[s:e] for s, e in spans),
                                 pauses=tuple(settings.pause(boundary(chapter.text, e)) for _, e in spans)))
    return plans


def safe_name(title: str, limit: int = 60) -> str:
    """A title as part of a file name: letters of any script, digits and plain punctuation; no path."""
    name = " ".join(_UNSAFE.sub(" ", title).split())[:limit]
    return name.strip(" .")


def render_book(engine, voice: Voice | str, source, out_dir, *, style: str = "neutral", speed: float = 1.0,
                seed: int = 0, instruct: str = "", format: str = "mp3",
                on_progress: Callable[[BookProgress], None] | None = None) -> Book:
    """Speak a book (a .txt, .md or .epub path, or a BookText) into ``out_dir``; see the module's doc.

    Run it again after an interruption, with the same arguments: it speaks only what is left. A chunk
    that fails is listed with its error (the chapter then has no file yet) and tried again by the next
    run; the other chapters go on. ``on_progress(BookProgress)`` is called after each chunk.
    """
    from ..engines.generate import prepare

    check_format(format)
    book = source if isinstance(source, BookText) else read_book(source)
    # the engine checks the settings and the voice once, before a chunk is spoken (not once per chunk)
    settings, voice = prepare(engine, dict(style=style, speed=speed, seed=seed, instruct=instruct, inspect=False),
                              voice)
    plans = plan_book(book, settings)
    caps = engine.capabilities
    record = provenance.build(voice, settings.to_dict(), caps.name, caps.version, settings.seed)
    # what the book file and every chapter file say they were read from ("source" is provenance.read's own key)
    record["book"] = {"file": book.source, "title": book.title, "sha256": _digest([c.text for c in book.chapters])}
    progress = BookProgress(0, len(plans), "", 0, sum(len(p.texts) for p in plans), 0, 0)
    out, width = Path(out_dir), max(2, len(str(len(plans))))
    chapters, failed, keys, parts = [], [], [], []
    with BatchFolder(out) as folder:    # the book's lock, its temp-file sweep and its manifest of files
        run = _Run(folder, voice, settings, caps, format)
        for plan in plans:
            files, errors = _speak(engine, voice, settings, plan, out / CHUNKS / f"{plan.index:0{width}d}", progress,
                                   on_progress)
            parts.append((plan.title, files, plan.pauses))
            keys.append(_digest([format, [row_key(t, voice.id, settings.style, settings.speed, settings.seed,
                                                  settings.instruct) for t in plan.texts], plan.pauses, plan.title]))
            name = plan.stem + FORMATS[format][1]
            if errors:
                failed += errors
                folder.record({**run.row(plan.index, name, plan.title, keys[-1]),
                               "error": "; ".join(f"chunk {n}: {e}" for _, n, e in errors)})
                chapters.append(BookChapter(plan.index, plan.title, None, len(plan.texts), 0.0))
                continue
            sidecar = {"title": plan.title, "book": book.title, "source": book.source, "chapter": plan.index,
                       "text": book.chapters[plan.index - 1].text, "chunks": [str(f.relative_to(out)) for f in files]}
            path, seconds = run.file(plan.index, name, keys[-1], [parts[-1]], plan.title, book.title, sidecar,
                                     {**record, "chapter": {"index": plan.index, "title": plan.title}})
            chapters.append(BookChapter(plan.index, plan.title, path, len(plan.texts), seconds))
        whole = None
        if not failed:
            sidecar = {"title": book.title, "source": book.source, "gap_s": CHAPTER_GAP_S,
                       "chapter_files": [c.file.name for c in chapters]}
            whole, _ = run.file("", (safe_name(book.title) or "book") + FORMATS[format][0],
                                _digest([format, keys, book.title, CHAPTER_GAP_S]), parts, book.title, "", sidecar,
                                record)
        return Book(title=book.title, out_dir=out, manifest=folder.manifest, file=whole, chapters=tuple(chapters),
                    spoken=progress.done - progress.skipped - progress.failed, done_before=progress.skipped,
                    failed=tuple(failed))


def _speak(engine, voice, settings, plan, chunk_dir, progress, on_progress):
    """Speak the chapter's chunks not done yet (a batch folder's rows); (its chunk files, its errors)."""
    width = max(4, len(str(len(plan.texts))))
    lines = [Line(text=t, name=f"{j:0{width}d}", style=settings.style, speed=settings.speed, seed=settings.seed,
                  instruct=settings.instruct, row=j) for j, t in enumerate(plan.texts, 1)]
    base = (progress.done, progress.skipped, progress.failed)
    progress.chapter, progress.title = plan.index, plan.title

    def step(p):
        progress.done, progress.skipped, progress.failed = base[0] + p.done, base[1] + p.skipped, base[2] + p.failed
        if on_progress is not None:
            on_progress(progress)

    rows = {r["name"]: r for r in read_manifest(run_batch(engine, voice, lines, chunk_dir, on_progress=step))}
    errors = [(plan.index, line.name, rows[line.name]["error"]) for line in lines if rows[line.name]["error"]]
    files = [chunk_dir / rows[line.name]["file"] for line in lines if not rows[line.name]["error"]]
    return files, errors


@dataclass
class _Run:
    """What every file of one run shares: its folder, voice, settings, engine and format."""

    folder: BatchFolder
    voice: Voice
    settings: SynthesisSettings
    caps: object
    format: str

    def row(self, index, name: str, title: str, key: str) -> dict:
        s = self.settings
        return {"row": index, "name": name, "text": title, "voice_id": self.voice.id, "style": s.style,
                "speed": s.speed, "seed": s.seed, "error": "", "key": key}

    def file(self, index, name: str, key: str, parts, title: str, album: str, sidecar: dict,
             record: dict) -> tuple[Path, float]:
        """A chapter's or the book's file and its seconds, made once: listed in the manifest by its name
        (an MP3 and an M4B of one chapter are two rows), or found by its sidecar's key after a run killed
        before listing it, else joined from ``parts`` ((chapter title, chunk files, pauses), ...) now."""
        stem, suffix = name.rsplit(".", 1)
        if self.folder.done(name, key):
            path = self.folder.dir / self.folder.rows[name]["file"]
        elif (path := _adopt(self.folder, stem, "." + suffix, key)) is None:
            path = self._write(self.folder.dir / name, key, parts, title, album, sidecar, record)
        seconds = json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("duration_s", 0.0)
        self.folder.record({**self.row(index, name, title, key), "file": path.name, "duration_s": seconds})
        return path, seconds

    def _write(self, path: Path, key: str, parts, title: str, album: str, sidecar: dict, record: dict) -> Path:
        voice, s, caps = self.voice, self.settings, self.caps
        with ChapteredFile(path, record, title=title, album=album) as out:
            for chapter_title, files, pauses in parts:
                if out.samples:
                    out.write(np.zeros(int(round(CHAPTER_GAP_S * out.sample_rate)), np.float32), out.sample_rate)
                out.chapter(chapter_title)
                _join(out, files, pauses)
            marks = [{"title": m.title, "start_s": round(m.start_s, 3), "end_s": round(m.end_s, 3)} for m in out.marks]
            return out.commit({**sidecar, "key": key, "voice_id": voice.id, "voice_name": voice.name,
                               "engine": caps.name, "engine_version": caps.version, "settings": s.to_dict(),
                               "seed": s.seed, "sample_rate": out.sample_rate,
                               "duration_s": round(out.samples / out.sample_rate, 3),
                               "marks": marks if len(marks) > 1 else [], "provenance": record})


def _adopt(folder: BatchFolder, stem: str, suffix: str, key: str) -> Path | None:
    """A file of this key a killed run made but did not list yet: its sidecar names the key."""
    for path in sorted(folder.dir.glob(glob_escape(stem) + "*" + suffix)):
        if not re.fullmatch(re.escape(stem) + r"(-\d+)?", path.stem):
            continue
        try:
            if json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("key") == key:
                return path
        except (OSError, ValueError, AttributeError):
            continue
    return None


def _join(out: ChapteredFile, files: list[Path], pauses) -> None:
    """Stream chunk files into ``out``, each followed by its pause: one chunk in memory at a time."""
    import soundfile as sf

    for path, pause in zip(files, pauses):
        audio, rate = sf.read(path, dtype="float32")
        out.write(audio, rate)
        out.write(np.zeros(int(round(pause * rate)), np.float32), rate)


def _digest(what) -> str:
    return hashlib.sha256(json.dumps(what, ensure_ascii=False).encode()).hexdigest()[:16]


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"
