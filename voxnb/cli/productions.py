"""The commands that set their own ``run``: the productions of many lines (``voxnb script``, ``voxnb dub``,
``voxnb book``) and ``voxnb finetune``.

Each module's ``add_parser(sub)`` sets ``run(args, load, voice_of, need_consent)`` on its parser
(``load`` the engine, ``voice_of(engine, args)`` a voice, ``need_consent(args)``: voxnb.cli.commands)."""
from __future__ import annotations


def add_parsers(sub) -> None:
    from . import book, finetune, script

    script.add_parsers(sub)
    book.add_parser(sub)
    finetune.add_parser(sub)
