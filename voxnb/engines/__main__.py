"""``python -m voxnb.engines``: what the start script and its plan ask about engines, in lines a shell reads.

    list [--gpu | --default]        engine names, one a line (--gpu: those that want a GPU)
    usage                           the --engine paragraph of ``bash 1-click-start.sh --help``
    install NAME...                 how each is installed, as ``ENGINE_<FIELD>_<name>=value`` lines to eval
    sources NAME [--source S] [--json]   where each weight file of a weights spec comes from

Every answer comes from the engines' specs (``voxnb/engines/<name>/spec.py``), so the script names no
engine. Standard library only, and nothing heavy is imported: the start script runs this with a bare
python3 before any environment exists. NAME for ``sources`` is a weights spec's name (a Model's
``weights``, or ``whisper``); ``--json`` prints ``hub.sources(spec, source)``: ``[{file, source, repo, url,
fallback}]``.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import textwrap
from pathlib import Path

from ..errors import VoxnbError
from ..weights import spec as weights_spec

ROOT = Path(__file__).resolve().parents[2]


def specs() -> list:
    """Every engine's spec, the default engine first."""
    from . import registry

    return list(registry.specs().values())


def _spec(name: str):
    from . import registry

    if name not in registry.specs():
        raise VoxnbError(key="engines.query_unknown_engine", name=name, names=list(registry.specs()))
    return registry.spec(name)


def environment(spec) -> str:
    """'main' (voxnb's own), 'engines' (the shared PyTorch build) or 'own' (its own pins and Python)."""
    env = spec.install.environment
    return env if env in ("main", "engines") else "own"


def module_file(module: str) -> str:
    """A module's file in this checkout, found without importing it (the script runs it as a file)."""
    path = ROOT.joinpath(*module.split("."))
    return str(path / "__init__.py" if path.is_dir() else path.with_suffix(".py"))


def install_lines(names: list[str]) -> list[str]:
    out = []
    for name in names:
        s = _spec(name)
        if not name.isidentifier():
            raise VoxnbError(key="engines.not_shell_identifier", name=name)
        i = s.install
        values = {"TITLE": s.title, "DEVICE": s.device, "ENV": environment(s), "EXTRA": i.extra,
                  "PYTHON": i.python, "INSTALLER": module_file(i.installer) if i.installer else "",
                  "SOURCE": i.source}
        out += [f"ENGINE_{k}_{name}={shlex.quote(v)}" for k, v in values.items()]
    return out


def usage_lines() -> list[str]:
    from .registry import DEFAULT

    found = specs()
    width = max(len(s.name) for s in found) + 2
    head = (f"engines to serve, comma-separated (default: {DEFAULT}). Each gets its weights fetched and verified "
            "and one server process that every viewer and kernel shares:")
    out = textwrap.wrap(head, 108, initial_indent="  --engine NAMES     ", subsequent_indent=" " * 21)
    for s in found:
        env = environment(s)
        where = {"main": "voxnb's environment (its own with --engine-env own)",
                 "engines": f"envs/{s.name}, the engines' shared PyTorch build"}.get(env, f"envs/{s.name}")
        if env == "own":
            where += (f" with Python {s.install.python}" if s.install.python else "") + (
                ", its source cloned at a pinned commit (its own PyTorch pins)" if s.install.installer else "")
        what = f"{s.title}: {'GPU' if s.device == 'cuda' else 'CPU'}" + (
            ", zero-shot cloning from a reference clip" if s.clones and s.device == "cuda" else "") + f"; {where}"
        out += textwrap.wrap(what, 108, initial_indent=" " * 23 + s.name.ljust(width),
                             subsequent_indent=" " * (23 + width))
    return out


def find_weights(name: str):
    """The WeightsSpec called ``name``: declared by an engine's spec module, or a weights-only one (Whisper's)."""
    from . import registry

    try:
        found = registry.weights(name)
    except ImportError as err:     # a weights-only module (Whisper's) needs numpy: not there on a bare python3
        raise VoxnbError(key="engines.weights_need_module", name=name, module=err.name) from None
    if found is None:
        names = sorted({m.weights for s in specs() for m in s.models if not m.folder} | set(registry.WEIGHTS_ONLY))
        raise VoxnbError(key="engines.no_hub_weights", name=name, names=names)
    return found


def _args(argv):
    p = argparse.ArgumentParser(prog="python -m voxnb.engines", description="What the start script asks about engines.")
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="engine names, one a line, the default first")
    ls.add_argument("--gpu", action="store_true", help="only the engines that want a GPU")
    ls.add_argument("--default", action="store_true", help="only the default engine")
    sub.add_parser("usage", help="the --engine paragraph of the start script's --help")
    ins = sub.add_parser("install", help="how the start script installs each engine, as shell assignments")
    ins.add_argument("names", nargs="+")
    src = sub.add_parser("sources", help="list every weight file with its source, repository and URL")
    src.add_argument("name", help="weights name (a model's weights, or whisper)")
    src.add_argument("--source", choices=weights_spec.SOURCES, default=None,
                     help=f"the source asked for (default: ${weights_spec.SOURCE_ENV}, else by platform)")
    src.add_argument("--json", action="store_true", help="a JSON list of {file, source, repo, url, fallback}")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    try:
        if a.command == "list":
            from .registry import DEFAULT

            names = [DEFAULT] if a.default else [s.name for s in specs() if s.device == "cuda" or not a.gpu]
            lines = names
        elif a.command == "usage":
            lines = usage_lines()
        elif a.command == "install":
            lines = install_lines(a.names)
        else:
            from ..weights import hub

            rows = hub.sources(find_weights(a.name), a.source)
            lines = [json.dumps(rows, indent=1)] if a.json else [
                f"{r['file']}  <- {r['source']} {r['repo']}  {r['url']}" + (f"  (else {r['fallback']})"
                                                                            if r["fallback"] else "") for r in rows]
    except VoxnbError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
