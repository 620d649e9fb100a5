"""Where an engine's weight files come from, for the start script's ``--plan``; no network, no heavy import.

    python -m voxnb.weights.cli sources f5 [--source modelscope] [--json]

``--json`` prints ``hub.sources(spec, source)``: a list of ``{file, source, repo, url, fallback}``;
without it, one line per file. NAME is a weights spec's name: f5, voxcpm, voxcpm2, cosyvoice3, whisper.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

from ..engines import _BUILTIN
from . import hub
from ..errors import VoxnbError


def find_spec(name: str) -> hub.WeightsSpec:
    """The weights spec called ``name`` (an engine's ``WEIGHTS``, or another spec its package declares,
    such as ``voxcpm2``)."""
    direct = getattr(importlib.import_module(_BUILTIN[name]), "WEIGHTS", None) if name in _BUILTIN else None
    if isinstance(direct, hub.WeightsSpec) and direct.name == name:
        return direct
    specs = {}
    for module in _BUILTIN.values():
        for value in vars(importlib.import_module(module)).values():
            if isinstance(value, hub.WeightsSpec):
                specs.setdefault(value.name, value)
    if name not in specs:
        raise VoxnbError(f"{name!r} has no hub weights.", f"Use one of: {', '.join(sorted(specs))}.")
    return specs[name]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voxnb.weights.cli",
                                     description="Where each weight file of an engine comes from.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sources", help="list every weight file with its source, repository and URL")
    p.add_argument("name", help="weights name (f5, voxcpm, voxcpm2, cosyvoice3, whisper)")
    p.add_argument("--source", choices=hub.SOURCES, default=None,
                   help=f"the source asked for (default: ${hub.SOURCE_ENV}, else by platform)")
    p.add_argument("--json", action="store_true", help="a JSON list of {file, source, repo, url, fallback}")
    args = parser.parse_args(argv)
    try:
        spec = find_spec(args.name)
        rows = hub.sources(spec, args.source)
    except VoxnbError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for r in rows:
            extra = f"  (else {r['fallback']})" if r["fallback"] else ""
            print(f"{r['file']}  <- {r['source']} {r['repo']}  {r['url']}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
