"""`voxnb book`: a long text (TXT, Markdown, EPUB) spoken chapter by chapter, resumable."""
from __future__ import annotations

import json
import sys

from .options import CONSENT_HELP, SEED_HELP, engine_help
from .synth import StatusLine
from ..settings import SPEED_RANGE, STYLES


def add_parser(sub) -> None:
    b = sub.add_parser("book", help="speak a book (.txt, .md, .epub) chapter by chapter into chapter files and one "
                                    "file with chapter marks; a re-run resumes where it stopped")
    b.add_argument("file", help="the book: UTF-8 .txt (chapters at lines like 'Chapter 1' or '第一章', else at "
                                "'* * *' or 3 blank lines), .md (at # or ## headings) or .epub (its own chapters)")
    who = b.add_mutually_exclusive_group(required=True)
    who.add_argument("--ref", help="reference clip to clone (3-30 s of speech; needs --consent)")
    who.add_argument("--voice", help="a saved voice name or id, or a stock voice")
    b.add_argument("--out", required=True, help="output folder: chapter files, the book file, manifest.csv and "
                                                "chunks/ (what a re-run resumes from; delete it when done)")
    b.add_argument("--format", default="mp3", choices=("mp3", "m4b"),
                   help="mp3: chapter MP3s and one MP3 with ID3 chapters (default); m4b: chapter M4As and one "
                        "M4B audiobook (AAC)")
    b.add_argument("--style", default="neutral", choices=list(STYLES),
                   help=f"delivery preset: {', '.join(STYLES)} (default neutral)")
    b.add_argument("--speed", type=float, default=1.0, help=f"speaking rate, {SPEED_RANGE[0]}-{SPEED_RANGE[1]} "
                   "(default 1.0)")
    b.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    b.add_argument("--engine", default=None, help=engine_help())
    b.add_argument("--server", default=None, help="use the engine of a `voxnb serve` at this URL")
    b.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    b.add_argument("--json", action="store_true", help="print one JSON object describing the book and its files "
                                                       "(progress still goes to stderr)")
    b.set_defaults(run=cmd_book)


def cmd_book(args, load, voice_of, need_consent) -> int:
    """`voxnb book`: ``load(args)`` the engine, ``voice_of(engine, args)`` a voice (voxnb.cli.commands)."""
    from ..messages import Msg, lang_from_env
    from ..productions.book import render_book
    from ..productions.book_sources import read_book
    from ..productions.chapters import check_format

    book = read_book(args.file)        # a file voxnb cannot read is refused before a model loads
    check_format(args.format)
    need_consent(args)
    lang = lang_from_env()
    engine = load(args)
    line = StatusLine(sys.stderr)
    try:
        voice = voice_of(engine, args)
        result = render_book(engine, voice, book, args.out, style=args.style, speed=args.speed, seed=args.seed,
                             format=args.format, on_progress=lambda p: line.show(f"  {p.message().render(lang)}"))
    finally:
        line.end()
        getattr(engine, "close", lambda: None)()
    info = result.to_dict()
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    for c, n, e in result.failed:
        print(f"error: {Msg('book.chunk_failed', chapter=c, chunk=n, error=e).render(lang)}", file=sys.stderr)
    if result.failed:
        unmade = sum(ch.file is None for ch in result.chapters)
        print(f"error: {Msg('book.unfinished', failed=len(result.failed), chapters=unmade, out=args.out).render(lang)} "
              f"{Msg('book.unfinished.fix').render(lang)}", file=sys.stderr)
        return 2
    if not args.json:
        wrote = Msg("book.wrote", file=result.file, chapters=len(result.chapters), out=args.out,
                    minutes=f"{info['duration_s'] / 60:.1f}", spoken=result.spoken, before=result.done_before)
        print(wrote.render(lang))
    return 0
