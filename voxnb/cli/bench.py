"""``voxnb bench``: the CPU pipeline and its peers, the watermark, one engine on the reference speakers,
or an engine's full-size architecture on random weights."""
from __future__ import annotations

import dataclasses
import json
import sys

from ..errors import VoxnbError


def cmd_bench(args, engines_for) -> int:
    """``engines_for(names)``: each engine from its server where the start script runs one, else here."""
    from ..bench.harness import SYSTEMS, run, table

    if args.watermark:
        from ..bench import watermark

        figures = watermark.run(quick=args.quick, progress=lambda m: print(f"  {m}", file=sys.stderr))
        print(json.dumps(figures) if args.json else watermark.table(figures))
        return 0
    if args.random_weights:
        return _bench_random(args)
    if args.engine:
        return _bench_engine(args, engines_for)
    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown or "voxnb" not in systems:
        raise VoxnbError(key="cli.unknown_systems", systems=unknown or ["voxnb"], choices=SYSTEMS)
    figures = run(quick=args.quick, systems=systems, progress=lambda m: print(f"  {m}", file=sys.stderr),
                  role=args.role, refine_s=args.refine)
    print(json.dumps(figures) if args.json else table(figures))
    return 0


def _bench_random(args) -> int:
    from ..bench import random_weights

    if not args.engine:
        from ..engines.registry import benched

        first, *rest = benched() or ["NAME"]
        raise VoxnbError(key="cli.random_weights_one_engine_more" if rest else "cli.random_weights_one_engine",
                         first=first, rest=rest)
    figures = random_weights.run(args.engine, steps=args.steps, text=args.text or random_weights.TEXT,
                                 concurrent=args.concurrent, model=args.model,
                                 progress=lambda m: print(f"  {m}", file=sys.stderr))
    print(json.dumps(figures) if args.json else random_weights.table(figures))
    return 0


def _bench_engine(args, engines_for) -> int:
    from ..bench.harness import TEXTS
    from ..bench.references import CONSENT, reference_set
    from ..runs.compare import compare, table

    engines = engines_for([args.engine])
    rows = []
    for spk in reference_set()[: 2 if args.quick else None]:
        for text in TEXTS[: 1 if args.quick else None]:
            rows += [dataclasses.replace(r, engine=spk.name[:10]) for r in compare(str(spk.enroll), text, engines, consent=CONSENT)]
    print(f"engine {args.engine}: one row per reference speaker", file=sys.stderr)
    print(json.dumps({"engine": args.engine, "rows": [r.to_dict() for r in rows]}) if args.json else table(rows))
    return 0
