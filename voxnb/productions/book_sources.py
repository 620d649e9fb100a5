"""A book file read into chapters: plain text, Markdown or EPUB in, ``BookText(title, chapters)`` out.

Pure text work, no model, so it is checked before an engine loads and tested without weights:

    book = read_book("novel.epub")       # EPUB: its spine order, titles from its table of contents
    book.chapters[0].title, book.chapters[0].text

TXT splits at heading lines ("Chapter 1", "PROLOGUE", "第一章") or, lacking them, at separator lines
("* * *") and runs of 3+ blank lines; Markdown at its `#`/`##` headings. A file with no chapter marks is
one chapter. Each chapter's text is what is spoken, its title first (see voxnb.productions.book_text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TextError, VoxnbError
from .book_text import clean, first_line, speakable, strip_markdown

KINDS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".epub": "epub"}

# a heading line of a plain-text book: "Chapter 12", "CHAPTER XII. The Trial", "Part Two", "Prologue",
# "第十二章 审判"; a wrapped line that happens to start with "chapter of ..." is not one (a number must follow)
_NUMBER = (r"(?:\d+|[IVXLCDM]+\b|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
           r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
           r"eighty|ninety|hundred)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?\b)")
_HEADING = re.compile(
    rf"(?:(?:chapter|part|book|volume|canto)\s+{_NUMBER}[^\n]{{0,70}}"
    r"|(?:prologue|epilogue|preface|foreword|introduction|afterword|interlude|appendix)(?:\s*[:.\-—]\s*[^\n]{0,60})?"
    r"|第[0-9０-９零〇一二三四五六七八九十百千两]+[章回节節卷部篇集幕][^\n]{0,40}"
    r"|(?:序章|序言|楔子|引子|尾声|后记|前言)[^\n]{0,30})\s*", re.I)
_SEPARATOR = re.compile(r"[ \t]*(?:[*\-=_~#•·◆◇※][ \t]*){3,}")   # a line of only these: a break between parts
_GAP = re.compile(r"\n(?:[ \t]*\n){3,}")                          # 3+ blank lines in a row
_BLOCK = re.compile(r"\n[ \t]*\n")                                 # one blank line (or more): a paragraph ends


@dataclass(frozen=True)
class Chapter:
    title: str
    text: str        # what is spoken: its title first, then its paragraphs, separated by blank lines


@dataclass(frozen=True)
class BookText:
    title: str                         # EPUB metadata's, a Markdown file's one `#` heading, else the file's name
    chapters: tuple[Chapter, ...]
    source: str = ""                   # the file it was read from (its name), "" for a text given in code


def read_book(path) -> BookText:
    """Read a .txt, .md or .epub file; a file voxnb cannot read, or with nothing to speak, is a VoxnbError
    naming it and the fix."""
    path = Path(path)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise VoxnbError(key="book.unknown_kind", name=path.name, suffix=path.suffix or "—",
                         kinds=sorted(KINDS))
    if not path.is_file():
        raise VoxnbError(key="book.not_found", path=path)
    if kind == "epub":
        from .book_epub import epub_book

        title, raw = epub_book(path)
    else:
        text = read_text(path)
        title, raw = markdown_chapters(text) if kind == "markdown" else text_chapters(text)
    chapters = tuple(c for c in (finish(*entry) for entry in raw) if c is not None)
    if not chapters:
        raise TextError(key="book.epub_no_text" if kind == "epub" else "book.empty", name=path.name)
    return BookText(title=title or path.stem, chapters=chapters, source=path.name)


def book_from_text(text: str, title: str = "book", markdown: bool = False) -> BookText:
    """A book from a string (a notebook's text): split and cleaned as a .txt (or .md) file is."""
    name, raw = markdown_chapters(text) if markdown else text_chapters(text)
    chapters = tuple(c for c in (finish(t, body) for t, body in raw) if c is not None)
    if not chapters:
        raise TextError(key="book.empty", name=title)
    return BookText(title=name or title, chapters=chapters)


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (a BOM allowed), or UTF-16 with its BOM (Windows' "Unicode"); anything
    else is refused with the line where it stops being UTF-8."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise TextError(key="book.not_utf8", name=path.name, line=line, byte=err.start) from None


def finish(title: str, body: str, heading: str = "") -> Chapter | None:
    """A chapter with its text cleaned for speech and its title spoken first, unless the text starts with
    it or with its own ``heading`` (an EPUB page's: what the page shows is what is read); None when
    nothing in it can be spoken (a cover page, a separator)."""
    text = clean(body)
    title = " ".join(title.split()) or first_line(text)
    if not speakable(text) and not speakable(title):
        return None
    if title and not _starts_with(text, title) and not (heading and _starts_with(text, heading)):
        text = f"{clean(title)}\n\n{text}".strip()
    return Chapter(title=title, text=text)


def _starts_with(text: str, title: str) -> bool:
    def letters(s):
        return "".join(ch.lower() for ch in s if ch.isalnum())
    return letters(text[:len(title) + 40]).startswith(letters(title))


# -- plain text ------------------------------------------------------------------------------------

def text_chapters(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(book title, [(title, body)]) of a plain text: split at heading lines, else at separators and gaps."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _paragraph_starts(text) if _HEADING.fullmatch(_line_at(text, m.start()))]
    if starts:
        bounds = ([0] if text[:starts[0]].strip() else []) + starts + [len(text)]
        parts = [text[a:b] for a, b in zip(bounds, bounds[1:])]
        front = [] if bounds[0] == starts[0] else [(first_line(clean(parts.pop(0))), text[:starts[0]])]
        return "", front + [(_heading_title(p), _heading_apart(p)) for p in parts]
    parts = [p for p in _GAP.split(_split_at_separators(text)) if p.strip()]
    return "", [(first_line(clean(p)), p) for p in parts]


def _paragraph_starts(text: str):
    yield re.match("", text)
    yield from (m for m in re.finditer(r"(?<=\n)[ \t]*\n[ \t]*(?=\S)", text))


def _line_at(text: str, start: int) -> str:
    start = len(text) - len(text[start:].lstrip())
    end = text.find("\n", start)
    return text[start:end if end >= 0 else len(text)].strip()


def _heading_title(part: str) -> str:
    """The heading line, and the line under it when that is a short subtitle ("Chapter 1" / "The Storm")."""
    lines = _BLOCK.split(part.strip(), 1)[0].splitlines()
    title = lines[0].strip()
    if len(lines) == 2 and 0 < len(lines[1].strip()) <= 60:
        sub = lines[1].strip()
        title = f"{title} {sub}" if title[-1:] in ".:：" else f"{title}: {sub}"
    return title


def _heading_apart(part: str) -> str:
    """The heading's lines each a paragraph of its own, so "Chapter 1" and its subtitle are not run together."""
    head, *rest = _BLOCK.split(part.strip(), 1)
    return "\n\n".join([*head.split("\n"), *rest])


def _split_at_separators(text: str) -> str:
    """Separator lines become gaps, so one rule splits at both."""
    return "\n".join("\n\n\n\n" if _SEPARATOR.fullmatch(line) else line for line in text.split("\n"))


# -- Markdown --------------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)[ \t]*\n", re.S)


def markdown_chapters(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(book title, [(title, body)]) of a Markdown text: chapters at `#` headings when there are several,
    else at `##` (a single `#` is then the book's title); code blocks are never read for headings."""
    text = _FRONT_MATTER.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    headings, fenced = [], False   # (line number, level, title)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (m := _MD_HEADING.match(line)):
            headings.append((i, len(m.group(1)), strip_markdown(m.group(2)).strip()))
    ones = [h for h in headings if h[1] == 1]
    twos = [h for h in headings if h[1] == 2]
    book_title = ones[0][2] if len(ones) == 1 else ""
    level = 2 if len(ones) <= 1 and twos else 1
    cuts = [h for h in headings if h[1] == level]
    if not cuts:
        return book_title, [("", strip_markdown(text))]
    chapters = []
    skip = ones[0][0] if level == 2 and ones else -1     # the book's title line is not a chapter's text
    head = strip_markdown("\n".join(ln for j, ln in enumerate(lines[:cuts[0][0]]) if j != skip))
    if speakable(head):
        chapters.append((book_title, head))
    for (start, _, title), nxt in zip(cuts, [*cuts[1:], (len(lines), 0, "")]):
        chapters.append((title, strip_markdown("\n".join(lines[start + 1:nxt[0]]))))
    return book_title, chapters

