"""The commands that make a production of many lines: ``voxnb script``, ``voxnb dub``, ``voxnb book``.

Each module's ``add_parser(sub)`` sets ``run(args, load, voice_of, need_consent)`` on its parser
(``load`` the engine, ``voice_of(engine, args)`` a voice, ``need_consent(args)``: voxnb.cli.commands)."""
from __future__ import annotations


def add_parsers(sub) -> None:
    from . import book, script

    script.add_parsers(sub)
    book.add_parser(sub)
