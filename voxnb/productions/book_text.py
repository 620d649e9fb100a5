"""A book's text made ready to speak: what a page holds that a reader does not say aloud, taken out.

Pure functions on strings. A printed page wraps its lines; the splitter (voxnb.text.split) reads a line
break as the end of a sentence, so lines inside a paragraph are joined. Footnote markers, Project
Gutenberg's "[Illustration]" and scene breaks ("* * *") go; words in brackets that are not voxnb's
pronunciation markup ("[sic]") are read in parentheses instead of being refused as bad markup.
"""
from __future__ import annotations

import re

_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad]")   # zero-width characters, soft hyphens
_SPACE = re.compile("[ \t\u00a0\u2000-\u200a\u202f\u205f]+")
_FOOTNOTE = re.compile(r"\[(?:\d{1,4}|[*†‡§¶]{1,3}|[ivx]{1,5})\]|\[\^[^\]\n]+\]")    # [12] [*] [iv] [^note]
_GUTENBERG = re.compile(r"\[(?:Illustration|Footnote|Sidenote|Transcriber'?s?\s+[Nn]ote)[^\]]*\]")
_BRACKETS = re.compile(r"(?:\[[^\[\]\n]*\])+")    # a run of bracket groups: markup, or words in brackets
_URL = re.compile(r"(?:https?://|www\.)(?:www\.)?([^/\s)\]]+)[^\s)\]]*")   # read as its site's name
_HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_TITLE_CHARS = 60


def speakable(text: str) -> bool:
    """Has a letter or digit: something a voice can say."""
    return any(ch.isalnum() for ch in text)


def clean(text: str) -> str:
    """Paragraphs separated by one blank line, each on one line, with nothing a reader skips."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _FOOTNOTE.sub("", _GUTENBERG.sub("", text))
    text = _BRACKETS.sub(_markup_or_words, _URL.sub(r"\1", text))
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        run: list[str] = []
        for line in (_SPACE.sub(" ", ln).strip() for ln in block.split("\n")):
            if speakable(line):
                run.append(line)
            elif run:        # a rule or scene break ("* * *") inside a block ends the paragraph
                paragraphs.append(_unwrap(run))
                run = []
        if run:
            paragraphs.append(_unwrap(run))
    return "\n\n".join(paragraphs)


def _unwrap(lines: list[str]) -> str:
    """One paragraph's lines as one line: a space between words, none between Chinese characters or
    after a word broken with a hyphen."""
    out = lines[0]
    for line in lines[1:]:
        glue = "" if (_HAN.match(out[-1]) and _HAN.match(line[0])) or (out.endswith("-") and out[-2:-1].isalpha()) \
            else " "
        out += glue + line
    return out


def _markup_or_words(m: re.Match) -> str:
    from ..errors import MarkupError
    from ..text.markup import parse_markup

    try:
        parse_markup(m.group(0))      # [h][ào], [M][AY0][N], [breath]: the author's pronunciation, kept
        return m.group(0)
    except MarkupError:
        return "(" + " ".join(g.strip() for g in re.findall(r"\[([^\]]*)\]", m.group(0)) if g.strip()) + ")"


def first_line(text: str) -> str:
    """The first line with words, shortened at a word to about 60 characters: a title where none is given."""
    line = next((ln.strip() for ln in text.splitlines() if speakable(ln)), "")
    if len(line) <= _TITLE_CHARS:
        return line
    cut = line[:_TITLE_CHARS].rsplit(" ", 1)[0] if " " in line[:_TITLE_CHARS] else line[:_TITLE_CHARS]
    return cut.rstrip(" ,;:") + "…"


# (pattern, replacement) in order: blocks first, then links, then inline marks, escapes last
_MARKDOWN = [(re.compile(p, f), r) for p, f, r in (
    (r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.M | re.S, ""),            # fenced code is not read aloud
    (r"<!--.*?-->", re.S, ""),
    (r"^[ \t]*\[\^?[^\]\n]+\]:.*$", re.M, ""),                             # footnote and link definitions
    (r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])", 0, ""),                      # images
    (r"\[([^\]\n]+)\](?:\([^)]*\)|\[[^\]]*\])", 0, r"\1"),                # links: their words
    (r"<(?:https?://|mailto:)[^>]+>", 0, ""),
    (r"^[ \t]*#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M, "\n\\1\n"),        # a sub-heading: a paragraph of its own
    (r"^[ \t]*>[ \t>]*", re.M, ""),                                        # block quotes
    (r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+", re.M, "\n"),                  # a list item: a paragraph
    (r"^[ \t|:\-]*-{3,}[ \t|:\-]*$", re.M, ""),                            # a table's rule
    (r"^[ \t]*\|(.*?)\|?[ \t]*$", re.M, r"\1"),                            # a table row's outer bars ...
    (r"[ \t]+\|[ \t]+", 0, ", "),                                          # ... and the bars between cells
    (r"`+([^`\n]+?)`+", 0, r"\1"),                                         # inline code: its words
    (r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", 0, r"\2"),                          # strong
    (r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", 0, r"\1"),              # emphasis
    (r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", 0, r"\1"),                      # (snake_case words are left alone)
    (r"~~(.+?)~~", 0, r"\1"),
    (r"</?[A-Za-z][^>\n]*>", 0, ""),                                       # inline HTML
    (r"\\([\\`*_{}\[\]()#+\-.!|>])", 0, r"\1"),                            # escapes: the character itself
)]


def strip_markdown(text: str) -> str:
    """Markdown's words without its markup (headings inside a chapter become paragraphs)."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text
