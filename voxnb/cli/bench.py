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

    if args.hostile:
        return _bench_hostile(args)
    if args.serve:
        return _bench_serve(args)
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


def _numbers(text: str, flag: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise VoxnbError(key="cli.bench_numbers", flag=flag, value=text)
    return values


def _bench_serve(args) -> int:
    from ..bench import serving
    from ..engines import DEFAULT
    from ..server.cluster import need_ray

    need_ray()
    figures = serving.run(args.engine or DEFAULT, replicas=_numbers(args.replicas, "--replicas"),
                          concurrency=_numbers(args.concurrency, "--concurrency"), requests=args.requests,
                          progress=lambda m: print(f"  {m}", file=sys.stderr))
    print(json.dumps(figures) if args.json else serving.table(figures))
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


def _bench_hostile(args) -> int:
    """The hostile set against ``--server`` or a server started here (read timeout 2 s, so slow clients
    are judged quickly); memory is read from /proc, so only for a server on this machine."""
    import os
    import socket
    import subprocess
    import time
    from urllib.parse import urlparse

    from ..bench import hostile
    from ..engines.remote import RemoteEngine

    proc, url = None, args.server
    if url is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cmd = [sys.executable, "-m", "voxnb", "serve", "--port", str(port), "--read-timeout", "2"]
        proc = subprocess.Popen(cmd + (["--engine", args.engine] if args.engine else []),
                                stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
    try:
        remote = None
        for _ in range(600):
            try:
                remote = RemoteEngine(url)
                if remote.health().get("ready"):
                    break
            except VoxnbError:
                time.sleep(0.5)
        caps, pid = remote.capabilities, remote.health()["pid"]
        if not os.path.exists(f"/proc/{pid}/status"):
            raise VoxnbError(key="cli.hostile_needs_local_server", url=url)
        stock = caps.stock_voices[0] if caps.stock_voices else ""
        good = (lambda: remote.synthesize("Good.", stock).duration_s > 0.2) if stock else \
            (lambda: bool(remote.health().get("ready")))
        where = urlparse(url)
        target = hostile.Target(where.hostname, where.port, remote.token, stock=stock, engine=caps.name)
        rows = hostile.run(target, pid, good, slow_s=6.0, progress=lambda m: print(f"  {m}", file=sys.stderr))
        print(json.dumps(rows, default=str) if args.json else hostile.table(rows))
        return 0 if all(r["ok"] and r["good_after"] for r in rows) else 1
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
