"""`voxnb book`: a book read into chapters, spoken chunk by chunk into a folder that survives any interruption,
and joined into chapter files and one file with chapter marks, every file watermarked and carrying provenance."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from voxnb.errors import TextError, VoxnbError
from voxnb.productions.book import CHAPTER_GAP_S, plan_book, render_book, safe_name
from voxnb.productions.book_sources import book_from_text, read_book
from voxnb.settings import SynthesisSettings

ROOT = Path(__file__).resolve().parents[1]

# 6 chunks in 2 chapters: short enough for Kokoro on two cores, long enough to stop halfway
BOOK = """Chapter 1: The Keeper

The keeper climbed the stairs. The lamp was cold, and the glass was wet with fog.

He lit the wick and waited.

Chapter 2: The Ship

A ship passed in the night. Nobody on board saw the light.

By morning the sea was calm again.
"""


# -- reading books: pure functions, no model ---------------------------------------------------------

def test_plain_text_splits_at_heading_lines_and_reads_as_prose():
    text = ("The Tale\nby Someone\n\n\nChapter 1\nThe Storm\n\nIt was a dark night. The wind\nblew hard [1] and "
            "the chapter of his life\nwas over.\n\n* * *\n\nNext [sic] at https://www.example.com/x here.\n\n"
            "CHAPTER II.\n\nMore [Illustration: a ship] text.\n\n第三章 归来\n\n他回来了，\n天已经亮了。\n")
    chapters = book_from_text(text).chapters
    titles = ["The Tale by Someone", "Chapter 1: The Storm", "CHAPTER II.", "第三章 归来"]
    assert [c.title for c in chapters] == titles
    # wrapped lines joined (a line break would be read as a sentence end), a wrapped "chapter of ..." is no heading,
    # footnote markers and Gutenberg's illustrations dropped, a scene break is a paragraph, [sic] is not markup
    assert chapters[1].text == ("Chapter 1\n\nThe Storm\n\nIt was a dark night. The wind blew hard and the chapter "
                                "of his life was over.\n\nNext (sic) at example.com here.")
    assert chapters[2].text == "CHAPTER II.\n\nMore text."
    assert chapters[3].text == "第三章 归来\n\n他回来了，天已经亮了。"       # no space between Chinese lines


def test_plain_text_without_headings_splits_at_rules_and_gaps_or_is_one_chapter():
    parts = book_from_text("First part.\n\n=====\n\nSecond part.\n\n\n\n\nThird part.").chapters
    assert [(c.title, c.text) for c in parts] == [("First part.", "First part."), ("Second part.", "Second part."),
                                                  ("Third part.", "Third part.")]
    one = book_from_text("Just one paragraph,\nwrapped.\n\nAnd another.").chapters
    assert len(one) == 1 and one[0].text == "Just one paragraph, wrapped.\n\nAnd another."
    markup = book_from_text("A valid markup [h][ào] and [breath] stay.").chapters[0].text
    assert markup.endswith("[h][ào] and [breath] stay.")


def test_markdown_splits_at_headings_and_drops_its_markup():
    md = ("---\ntitle: ignored\n---\n# The Book\n\nIntro with a [link](http://a.b) and ![a picture](p.png).\n\n"
          "## One *fine* day\n\nSome **bold** and `code` in snake_case_words.\n\n```\n## not a heading\nx = 1\n```\n\n"
          "### A part\n\n- first item\n- second item\n\n> quoted [^1]\n\n[^1]: the note.\n\n"
          "## Two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    book = book_from_text(md, markdown=True)
    assert book.title == "The Book"
    assert [(c.title, c.text) for c in book.chapters] == [
        ("The Book", "The Book\n\nIntro with a link and ."),
        ("One fine day", "One fine day\n\nSome bold and code in snake_case_words.\n\nA part\n\nfirst item\n\n"
                         "second item\n\nquoted"),
        ("Two", "Two\n\na, b\n\n1, 2")]
    several = book_from_text("# A\n\ntext a\n\n## a.1\n\nmore\n\n# B\n\ntext b", markdown=True)
    assert [c.title for c in several.chapters] == ["A", "B"] and several.title == "book"


def _epub(path: Path, docs, toc, title="The Test Book"):
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("voxnb-test")
    book.set_title(title)
    book.set_language("en")
    items = []
    for name, body in docs:
        item = epub.EpubHtml(title=name, file_name=name, content=f"<html><body>{body}</body></html>")
        book.add_item(item)
        items.append(item)
    book.toc = [epub.Link(href, label, f"t{i}") for i, (href, label) in enumerate(toc)]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    epub.write_epub(str(path), book)
    return path


def test_epub_reads_its_spine_with_titles_from_its_table_of_contents(tmp_path):
    path = _epub(tmp_path / "t.epub", [
        ("cover.xhtml", "<div><img src='cover.png'/></div>"),
        ("text/title.xhtml", "<h1>The Test Book</h1><p>A story.</p>"),
        ("text/c1.xhtml", "<h1>Chapter One</h1><p>It began<sup><a href='#n1'>1</a></sup> at <i>dawn</i>.</p>"
                          "<script>var x = 1;</script><style>p {color: red}</style>"
                          "<aside epub:type='footnote' id='n1'><p>A note nobody reads.</p></aside>"),
        ("text/c1b.xhtml", "<p>Still the first<br/>chapter.</p>"),   # a split file: continues chapter one
        ("text/c2.xhtml", "<h2>II</h2><p>The end.</p>"),
    ], toc=[("text/c1.xhtml", "The First Chapter"), ("text/c2.xhtml#start", "The Second")])
    book = read_book(path)
    assert book.title == "The Test Book" and book.source == "t.epub"
    assert [(c.title, c.text) for c in book.chapters] == [
        ("The Test Book", "The Test Book\n\nA story."),
        # titled by the table of contents; what is read is what the page shows, its own heading first
        ("The First Chapter", "Chapter One\n\nIt began at dawn.\n\nStill the first chapter."),
        ("The Second", "II\n\nThe end.")]


@pytest.mark.parametrize("name, content, key, phrases", [
    ("empty.txt", b"", "book.empty", ["empty.txt", "nothing to speak"]),
    ("blank.md", b"\n\n   \n* * *\n", "book.empty", ["blank.md"]),
    ("gbk.txt", "第一行\n第二行是中文。".encode("gb18030"), "book.not_utf8", ["gbk.txt", "line 1", "iconv"]),
    ("book.pdf", b"%PDF-1.4", "book.unknown_kind", [".pdf", ".epub", ".txt"]),
    ("broken.epub", b"this is not a zip", "book.bad_epub", ["broken.epub", "EPUB"]),
])
def test_bad_book_files_are_refused_with_the_fix(tmp_path, name, content, key, phrases):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VoxnbError) as info:
        read_book(path)
    assert info.value.key == key and info.value.fix
    for phrase in phrases:
        assert phrase in str(info.value)
    with pytest.raises(VoxnbError, match="There is no file"):
        read_book(tmp_path / "missing.txt")


def test_an_epub_of_images_has_no_text(tmp_path):
    path = _epub(tmp_path / "scan.epub", [("p1.xhtml", "<img src='p1.png'/>"), ("p2.xhtml", "<img src='p2.png'/>")],
                 toc=[("p1.xhtml", "Page 1")])
    with pytest.raises(TextError) as info:
        read_book(path)
    assert info.value.key == "book.epub_no_text" and "OCR" in info.value.fix


def test_utf16_with_its_bom_is_read(tmp_path):
    path = tmp_path / "notepad.txt"
    path.write_bytes("Chapter 1\n\nHello there.".encode("utf-16"))
    assert read_book(path).chapters[0].text == "Chapter 1\n\nHello there."


def test_plan_cuts_chunks_with_the_pauses_their_punctuation_asks_for():
    book = book_from_text(BOOK)
    plans = plan_book(book, SynthesisSettings(paragraph_pause=1.0))
    assert [p.stem for p in plans] == ["01 - Chapter 1 The Keeper", "02 - Chapter 2 The Ship"]
    assert plans[0].texts == ("Chapter 1: The Keeper",
                              "The keeper climbed the stairs. The lamp was cold, and the glass was wet with fog.",
                              "He lit the wick and waited.")
    assert plans[0].pauses == (1.0, 1.0, 0.0)     # paragraph breaks, none after the chapter's last chunk
    long = plan_book(book_from_text(". ".join(["A sentence of some words"] * 30) + "."))[0]
    assert len(long.texts) > 3 and all(len(t) <= 200 for t in long.texts) and set(long.pauses[:-1]) == {0.45}
    assert safe_name("Chapter 1: A/B?") == "Chapter 1 A B" and safe_name("../../etc") == "etc"
    assert safe_name("第一章：归来") == "第一章 归来" and safe_name("***") == ""


# -- speaking a book: Kokoro on the CPU ----------------------------------------------------------------

def _snapshot(out: Path) -> dict:
    """Every chunk file's (inode, mtime): a chunk spoken again would be a new file."""
    return {str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "chunks").rglob("*.wav")}


def _samples(path: Path) -> np.ndarray:
    return sf.read(path, dtype="float32")[0]


@pytest.fixture(scope="module")
def reference(engine, tmp_path_factory):
    """The book spoken in one uninterrupted run."""
    base = tmp_path_factory.mktemp("book")
    source = base / "book.txt"
    source.write_text(BOOK, encoding="utf-8")
    seen = []
    result = render_book(engine, engine.stock_voice("jf_alpha"), source, base / "ref",
                         on_progress=lambda p: seen.append((p.chapter, p.chapters, p.done, p.total, p.skipped)))
    return source, result, seen


def test_a_book_becomes_chapter_files_and_one_file_with_chapter_marks(reference, tmp_path):
    from mutagen.id3 import ID3

    from voxnb.output.provenance import read
    from voxnb.output.watermark import check_file

    source, book, seen = reference
    assert seen == [(1, 2, 1, 6, 0), (1, 2, 2, 6, 0), (1, 2, 3, 6, 0), (2, 2, 4, 6, 0), (2, 2, 5, 6, 0),
                    (2, 2, 6, 6, 0)]
    assert book.spoken == 6 and book.done_before == 0 and not book.failed
    assert [c.file.name for c in book.chapters] == ["01 - Chapter 1 The Keeper.mp3", "02 - Chapter 2 The Ship.mp3"]
    assert book.file.name == "book.mp3"
    durations = [sf.info(c.file).frames / sf.info(c.file).samplerate for c in book.chapters]
    assert all(d > 2 for d in durations)
    whole = sf.info(book.file)
    assert abs(whole.frames / whole.samplerate - (sum(durations) + CHAPTER_GAP_S)) < 0.005

    chaps = sorted(ID3(book.file).getall("CHAP"), key=lambda c: c.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["Chapter 1: The Keeper", "Chapter 2: The Ship"]
    assert chaps[0].start_time == 0 and abs(chaps[1].start_time - 1000 * (durations[0] + CHAPTER_GAP_S)) <= 5
    assert abs(chaps[1].end_time - 1000 * whole.frames / whole.samplerate) <= 5
    assert ID3(book.file).getall("CTOC")[0].child_element_ids == [c.element_id for c in chaps]

    for path, chapter in ((book.chapters[1].file, {"index": 2, "title": "Chapter 2: The Ship"}), (book.file, None)):
        entry = check_file(path)                 # what `voxnb detect` reports
        assert entry["marked"] and entry["error"] is None
        meta = entry["metadata"]
        assert meta["watermarked"] and meta["voice"]["name"] == "jf_alpha" and meta["source"] == "file + sidecar"
        assert meta["book"]["file"] == "book.txt" and meta.get("chapter") == chapter
    inside = read(shutil.copy(book.chapters[0].file, tmp_path / "alone.mp3"))      # a copy without its sidecar
    assert inside["source"] == "file" and inside["chapter"]["title"] == "Chapter 1: The Keeper"
    sidecar = json.loads(book.chapters[0].file.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["text"].startswith("Chapter 1: The Keeper\n\nThe keeper") and sidecar["provenance"]["seed"] == 0

    rows = {r["name"]: r for r in _manifest(book.manifest)}
    assert set(rows) == {"01 - Chapter 1 The Keeper.mp3", "02 - Chapter 2 The Ship.mp3", "book.mp3"}
    assert not [p for p in book.out_dir.rglob(".*")]        # no temp file, no lock left


def _manifest(path):
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Stop(Exception):
    pass


def test_an_interrupted_book_resumes_at_the_first_unfinished_chunk(engine, reference, tmp_path):
    source, ref, _ = reference
    out = tmp_path / "out"

    def stop_after_four(p):
        if p.done == 4:
            raise Stop()

    with pytest.raises(Stop):
        render_book(engine, "jf_alpha", source, out, on_progress=stop_after_four)
    spoken = _snapshot(out)
    assert len(spoken) == 4 and (out / "01 - Chapter 1 The Keeper.mp3").exists()
    first = (out / "01 - Chapter 1 The Keeper.mp3").stat().st_ino
    seen = []
    book = render_book(engine, "jf_alpha", source, out, on_progress=seen.append)
    assert book.done_before == 4 and book.spoken == 2 and seen[-1].skipped == 4 and seen[-1].done == 6
    now = _snapshot(out)
    assert {k: now[k] for k in spoken} == spoken and len(now) == 6        # the four were not spoken again
    assert (out / "01 - Chapter 1 The Keeper.mp3").stat().st_ino == first
    _same_as(book, ref)

    again = render_book(engine, "jf_alpha", source, out)                   # all done: nothing new at all
    assert again.spoken == 0 and again.file == book.file and _snapshot(out) == now
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in ref.out_dir.iterdir())


def _same_as(book, ref) -> None:
    """The resumed run's files hold the same samples as the uninterrupted run's."""
    for a, b in zip(book.chapters, ref.chapters):
        assert a.file.name == b.file.name and np.array_equal(_samples(a.file), _samples(b.file))
    assert book.file.name == ref.file.name and np.array_equal(_samples(book.file), _samples(ref.file))
    for path in sorted((ref.out_dir / "chunks").rglob("*.wav")):
        assert np.array_equal(_samples(book.out_dir / path.relative_to(ref.out_dir)), _samples(path))


def test_a_killed_voxnb_book_resumes_without_speaking_again(engine, reference, tmp_path):
    source, ref, _ = reference
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "voxnb", "book", str(source), "--voice", "jf_alpha",
                                 "--out", str(out)], stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
    try:
        deadline = time.monotonic() + 240
        while len(list((out / "chunks").rglob("*.json"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed: " + log.read_text()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert "chapter 1/2 (Chapter 1: The Keeper): 1/6 chunks" in log.read_text()
    done = {k: v for k, v in _snapshot(out).items() if (out / k).with_suffix(".json").exists()}
    assert 2 <= len(done) < 6
    book = render_book(engine, "jf_alpha", source, out)
    assert book.done_before == len(done) and book.spoken == 6 - len(done)
    now = _snapshot(out)
    assert {k: now[k] for k in done} == done and len(now) == 6
    _same_as(book, ref)
    assert not [p for p in out.rglob(".*")]              # a killed run's temp files are swept


def test_a_failed_chunk_leaves_its_chapter_for_the_next_run(engine, tmp_path):
    source = tmp_path / "bad.md"
    source.write_text("# One\n\nA short line.\n\n# Two\n\nThis " + "a" * 60 + " word.\n", encoding="utf-8")
    book = render_book(engine, "jf_alpha", source, tmp_path / "out")
    assert [(c, n) for c, n, _ in book.failed] == [(2, "0002")] and "letters" in book.failed[0][2]
    assert book.file is None and book.chapters[0].file.exists() and book.chapters[1].file is None
    source.write_text("# One\n\nA short line.\n\n# Two\n\nThis long word.\n", encoding="utf-8")
    fixed = render_book(engine, "jf_alpha", source, tmp_path / "out")
    assert fixed.spoken == 1 and fixed.done_before == 3 and fixed.file.exists() and not fixed.failed


def test_m4b_from_the_same_chunks_with_its_chapters(reference, tmp_path, engine):
    import av

    from voxnb.output.provenance import read
    from voxnb.output.watermark import detect

    source, ref, _ = reference
    out = shutil.copytree(ref.out_dir, tmp_path / "out")
    book = render_book(engine, "jf_alpha", source, out, format="m4b")
    assert book.spoken == 0 and book.done_before == 6           # no chunk spoken again for another format
    # the MP3s' sidecars hold book.json ...: the M4B's files take free names beside them, nothing is replaced
    assert book.file.name == "book-1.m4b" and [c.file.suffix for c in book.chapters] == [".m4a", ".m4a"]
    assert all(_samples(p).size for p in (out / "book.mp3", out / "01 - Chapter 1 The Keeper.mp3"))
    with av.open(str(book.file)) as container:
        marks = [(c["metadata"]["title"], c["start"] * c["time_base"]) for c in container.chapters()]
    assert [t for t, _ in marks] == ["Chapter 1: The Keeper", "Chapter 2: The Ship"]
    assert abs(float(marks[1][1]) - (ref.chapters[0].duration_s + CHAPTER_GAP_S)) < 0.01
    assert read(book.file)["book"]["file"] == "book.txt"
    with av.open(str(book.chapters[0].file)) as container:
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    assert detect(audio, 24000).marked                          # the mark survives 64 kb/s AAC


# -- the command ---------------------------------------------------------------------------------------

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "voxnb", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.mark.parametrize("name, content, phrase", [
    ("empty.txt", b"", "nothing to speak"),
    ("latin1.txt", "caf\xe9\n".encode("latin-1"), "not UTF-8"),
    ("book.docx", b"PK", "extension .docx"),
    ("scan.epub", None, "holds no text"),
])
def test_cli_refuses_a_bad_book_in_one_line_before_loading_a_model(tmp_path, name, content, phrase):
    path = tmp_path / name
    if content is None:
        _epub(path, [("p.xhtml", "<img src='p.png'/>")], toc=[])
    else:
        path.write_bytes(content)
    p = _cli("book", path, "--voice", "jf_alpha", "--out", tmp_path / "out")
    assert p.returncode == 2 and phrase in p.stderr and "Traceback" not in p.stderr and p.stdout == ""
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_missing_voice_and_a_clone_without_consent(tmp_path, ref_clip):
    source = tmp_path / "b.txt"
    source.write_text("Hello.", encoding="utf-8")
    p = _cli("book", source, "--voice", "nobody-here", "--out", tmp_path / "out", "--json")
    assert p.returncode == 2 and "nobody-here" in p.stderr and json.loads(p.stdout)["key"]
    p = _cli("book", source, "--ref", ref_clip, "--out", tmp_path / "out")
    assert p.returncode == 2 and "--consent" in p.stderr
    assert not (tmp_path / "out").exists()
