"""`voxnb batch`: a CSV script spoken into a folder, in this process, on an engine server, or on a Ray cluster."""
from __future__ import annotations

import argparse
import json
import sys


def cmd_batch(args, load, voice_of, need_consent) -> int:
    """`voxnb batch`: ``load(args)`` the engine, ``voice_of(engine, args)`` a voice (voxnb.cli.commands)."""
    from ..runs.batch import read_manifest, read_script, run_batch

    lines = read_script(args.script)            # a bad row stops here, before any model is loaded
    need_consent(args)
    if args.ray:   # engines on a Ray cluster's workers; this process only writes the files and the manifest
        from ..engines import DEFAULT
        from ..runs.cluster import RayPool

        engine = RayPool(args.engine or DEFAULT, address=None if args.ray == "local" else args.ray,
                         workers=args.workers)
    else:
        engine = load(args)
    try:
        voice = voice_of(engine, args)
        named = {n: voice_of(engine, argparse.Namespace(ref=None, voice=n, voices_dir=args.voices_dir))
                 for n in sorted({line.voice for line in lines if line.voice})}
        last = []

        def progress(p):
            last[:] = [p]
            if not args.json:
                print(f"  {p}  {getattr(p.line, 'name', '') or p.line.text[:40]}", file=sys.stderr, flush=True)

        manifest = run_batch(engine, voice, lines, args.out, on_progress=progress, voices=named)
    finally:
        getattr(engine, "close", lambda: None)()
    rows = read_manifest(manifest)
    failed = [{"row": r["row"], "name": r["name"], "error": r["error"]} for r in rows if r["error"]]
    seconds = sum(float(r["duration_s"] or 0) for r in rows if not r["error"])
    before = last[0].skipped if last else 0
    info = {"manifest": str(manifest), "lines": len(rows), "written": len(rows) - len(failed) - before,
            "done_before": before, "duration_s": round(seconds, 3), "failed": failed}
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    elif before == len(lines) and not failed:
        print(f"every row was already done ({before} of {len(lines)}); nothing new written; manifest: {manifest}")
    else:
        print(f"wrote {info['written']} of {info['lines']} lines ({info['duration_s']} s of audio in all"
              f"{f', {before} done before' if before else ''}); manifest: {manifest}")
        for f in failed:
            print(f"error: row {f['row']} ({f['name']}): {f['error']}", file=sys.stderr)
    return 2 if failed else 0
