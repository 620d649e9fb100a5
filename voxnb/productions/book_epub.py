"""An EPUB's chapters: its spine's documents in reading order, titled by its table of contents.

A document the table of contents names starts a chapter; one it does not name (the second half of a
chapter an e-book tool split in two) continues the chapter before it. Documents before the first named
one (a title page, a dedication) are chapters of their own if they hold words; a cover image or the
navigation page holds none and is left out. Footnote markers, notes asides, scripts and styles are not
read (EPUB 3 marks them with epub:type, EPUB 2 books mostly with <sup>).
"""
from __future__ import annotations

import posixpath
from pathlib import Path

from ..errors import VoxnbError

# elements whose content is never read aloud
_DROP = {"head", "script", "style", "noscript", "svg", "math", "sup", "nav", "template", "object", "iframe"}
_NOTE_TYPES = {"noteref", "footnote", "endnote", "endnotes", "footnotes", "rearnote", "rearnotes", "pagebreak",
               "doc-noteref", "doc-footnote", "doc-endnote", "doc-endnotes", "doc-pagebreak"}
# elements that start a paragraph of their own
_BLOCKS = {"p", "div", "section", "article", "aside", "header", "footer", "main", "blockquote", "pre", "li", "ul",
           "ol", "dl", "dt", "dd", "table", "tr", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
           "body", "address", "center"}
_HEADINGS = ("h1", "h2", "h3")


def epub_book(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """(the book's title, [(chapter title, chapter text, its page's heading)]) of an EPUB, in its spine's order."""
    from ebooklib import epub

    try:
        book = epub.read_epub(str(path))
    except Exception as err:  # noqa: BLE001 -- ebooklib raises whatever its zip and XML readers meet in a damaged file
        raise VoxnbError(key="book.bad_epub", name=path.name, detail=f"{type(err).__name__}: {err}") from None
    named = toc_titles(book.toc)
    chapters: list[list[str]] = []    # [title, text, heading]
    started = False                   # a document the table of contents names came already
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or isinstance(item, epub.EpubNav) or not isinstance(item, epub.EpubHtml):
            continue
        heading, text = html_text(item.get_content())
        key = _key(item.get_name())
        title = named.get(key) or named.get(posixpath.basename(key))
        if title is None and started and chapters:
            chapters[-1][1] += "\n\n" + text
            continue
        started = started or title is not None
        if any(ch.isalnum() for ch in text):
            chapters.append([title or heading, text, heading])
    titles = book.get_metadata("DC", "title")
    return (titles[0][0].strip() if titles and titles[0][0] else ""), [tuple(c) for c in chapters]


def toc_titles(toc) -> dict[str, str]:
    """File name (and its base name) -> the first title the table of contents gives it."""
    from ebooklib import epub

    found: dict[str, str] = {}

    def visit(entries):
        for entry in entries:
            if isinstance(entry, tuple):          # (Section, [children])
                section, children = entry
                visit([section])
                visit(children)
            elif isinstance(entry, (epub.Link, epub.Section, epub.EpubHtml)):
                href = getattr(entry, "href", "") or getattr(entry, "file_name", "")
                title = " ".join((entry.title or "").split())
                if href and title:
                    for key in (_key(href), posixpath.basename(_key(href))):
                        found.setdefault(key, title)
    visit(toc or [])
    return found


def _key(href: str) -> str:
    return posixpath.normpath(href.split("#", 1)[0])


def html_text(content: bytes) -> tuple[str, str]:
    """(its first heading, its text: paragraphs separated by blank lines) of an XHTML document."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fromstring(content) if content.strip() else None
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        return "", ""
    parts: list[str] = []
    heading = ""

    def walk(el) -> None:
        nonlocal heading
        tag = el.tag.rpartition("}")[2].lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _DROP or _is_note(el):      # a comment, or what is not read: its tail still is
            parts.append(el.tail or "")
            return
        block = tag in _BLOCKS
        parts.append("\n\n" if block else "\n" if tag == "br" else "")
        if tag in _HEADINGS and not heading:
            heading = " ".join(el.text_content().split())
        parts.append(el.text or "")
        for child in el:
            walk(child)
        parts.append(("\n\n" if block else " " if tag in ("td", "th") else "") + (el.tail or ""))

    walk(root)
    return heading, "".join(parts)


def _is_note(el) -> bool:
    kinds = f"{el.get('epub:type', '')} {el.get('{http://www.idpf.org/2007/ops}type', '')} {el.get('role', '')}"
    return bool(_NOTE_TYPES & set(kinds.lower().split()))
