"""The tiny random-weight engines on CUDA, each in the dtype it runs in there (voxnb.engines.precision):
built by tests/tiny_engines.py, taken through the fetch path (`voxnb fetch NAME --from DIR`), loaded with
device="cuda", one clone and one synthesis each. One JSON object a line per engine; exit 1 if any failed.
Run by tests/gpu/check.sh in the engines' environment; what the audio says is noise."""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))


def _dtype(engine) -> str:
    dtype = getattr(engine, "dtype", None) or next(engine.model.parameters()).dtype
    return str(dtype).replace("torch.", "")


def main() -> int:
    import numpy as np
    import torch
    import tiny_engines

    from voxnb.engines import fetch, load_engine
    from voxnb.engines.precision import choose_dtype

    cap = tuple(torch.cuda.get_device_capability(0))
    ref = TESTS.parent / "assets" / "reference" / "harvard_f" / "harvard_01.flac"
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VOXNB_HOME"], os.environ["VOXNB_CACHE"] = f"{tmp}/home", f"{tmp}/cache"
        # the model is named: "auto" would pick VoxCPM2 on a big card, whose layout the 1.5 builder does not make;
        # a random stop head never stops, so no bad-case retries
        cases = [("f5", "", tiny_engines.build_f5, {}),
                 ("voxcpm", "voxcpm1.5", tiny_engines.build_voxcpm, {"retry_badcase": False})]
        if hasattr(tiny_engines, "build_voxcpm2"):
            cases.append(("voxcpm", "voxcpm2", tiny_engines.build_voxcpm2, {"retry_badcase": False}))
        for name, model, build, options in cases:
            row = {"engine": name + (f" ({model})" if model else ""), "capability": f"{cap[0]}.{cap[1]}",
                   "want_dtype": choose_dtype(name, cap)}
            chosen = {"model": model} if model else {}
            try:
                fetch(name, source_dir=build(Path(tmp) / "src" / (model or name)), accept=True,
                      progress=lambda m: None, **chosen)
                torch.cuda.reset_peak_memory_stats()
                t = time.perf_counter()
                engine = load_engine(name, device="cuda", **chosen, **options)
                row["load_s"] = round(time.perf_counter() - t, 2)
                row["dtype"] = _dtype(engine)
                voice = engine.clone(str(ref), name=f"{model or name}-ref", consent=True,
                                     transcript="The birch canoe slid on the smooth planks.")
                t = time.perf_counter()
                result = engine.synthesize("A small boat drifted slowly across the quiet lake.", voice, seed=7)
                row["synth_s"] = round(time.perf_counter() - t, 2)
                row["audio_s"] = round(float(result.duration_s), 2)
                row["peak_vram_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
                finite = bool(np.isfinite(result.audio).all()) and result.audio.size > 0
                row["ok"] = finite and row["dtype"] == row["want_dtype"]
                if not row["ok"]:
                    row["error"] = "audio not finite" if not finite else f"loaded in {row['dtype']}"
            except Exception as err:          # one engine's failure is reported, the others still run
                row["ok"], row["error"] = False, f"{type(err).__name__}: {err}"[:500]
            failed += not row["ok"]
            print(json.dumps(row), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
