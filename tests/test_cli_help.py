"""Every flag and argument of every command says what it is for (`voxnb CMD --help`)."""
import argparse

import pytest

from voxnb.cli.commands import _parser


def _subcommands():
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices.items())


@pytest.mark.parametrize("name, parser", _subcommands(), ids=[n for n, _ in _subcommands()])
def test_every_argument_has_help(name, parser):
    missing = [a.option_strings[0] if a.option_strings else a.dest for a in parser._actions
               if not isinstance(a, argparse._HelpAction) and a.help is None]
    assert not missing, f"voxnb {name}: no help for {', '.join(missing)}"


def test_lang_help_says_what_it_changes():
    phonemes = dict(_subcommands())["phonemes"]
    lang = next(a for a in phonemes._actions if a.dest == "lang")
    assert "numbers" in lang.help and "Mandarin" in lang.help
