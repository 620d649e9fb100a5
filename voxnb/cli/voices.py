"""``voxnb voices``: the saved voices (a damaged file is named and skipped), or ``--stock``, an engine's own."""
from __future__ import annotations

import json
import sys

from ..errors import VoxnbError
from ..voice import VoiceLibrary


def list_saved(library: VoiceLibrary, as_json: bool) -> int:
    """Exit 0 even when a file is damaged: it is named on stderr, and the other voices are fine."""
    voices, problems = library.scan()
    rows = [{"name": name, "id": v.id, "engine": v.engine, "method": v.method,
             "duration_s": v.report.get("duration_s"), "consent": v.consent_id} for name, v in voices.items()]
    for err in problems:
        print(f"skipped: {err}", file=sys.stderr)
    if as_json:
        print(json.dumps({"voices": rows, "directory": str(library.directory),
                          "skipped": [{"path": e.where, "problem": e.problem} for e in problems]}, ensure_ascii=False))
    elif not rows:
        print(f"no saved voices in {library.directory}; make one with: voxnb clone REF --name NAME --consent")
    else:
        for r in rows:
            print(f"{r['name']:24} {r['id']}  {r['engine']}  {r['method']}  consent {r['consent']}")
    return 0


def list_stock(engine: str | None, as_json: bool) -> int:
    """The voices an engine ships with, from its table: no model is loaded."""
    from ..engines import DEFAULT, ENGINES
    from ..engines.kokoro.weights import STOCK_VOICES

    engine = engine or DEFAULT
    if engine not in ENGINES:
        raise VoxnbError(key="cli.unknown_engine", engine=engine, engines=ENGINES)
    names = list(STOCK_VOICES) if engine == "kokoro" else []
    if as_json:
        print(json.dumps({"engine": engine, "stock_voices": names}))
    elif names:
        print("\n".join(names))
        print(f"use one with: voxnb synth --voice {names[0]} --text ...", file=sys.stderr)
    else:
        print(f"{engine} has no stock voices: it speaks in the voice of a reference clip "
              "(voxnb clone REF --name NAME --consent, then synth --voice NAME).")
    return 0
