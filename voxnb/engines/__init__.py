"""Engine registry. Engines register a factory by name; nothing is loaded until asked for.

A new engine (a GPU one, say) adds one ``register(...)`` call in its own module and one
line in ``_BUILTIN``; the rest of voxnb only sees the ``Engine`` interface.
"""
from __future__ import annotations

import importlib
from typing import Callable

from typing import TYPE_CHECKING

from ..errors import EngineError

if TYPE_CHECKING:
    from .base import Capabilities, Engine

DEFAULT = "kokoro"
# name -> module that registers it on import (and may define fetch_weights)
_BUILTIN = {"kokoro": "voxnb.engines.kokoro", "f5": "voxnb.engines.f5", "voxcpm": "voxnb.engines.voxcpm",
            "cosyvoice3": "voxnb.engines.cosyvoice3", "whisper": "voxnb.reference.whisper"}
ENGINES = ("kokoro", "f5", "voxcpm", "cosyvoice3")   # what load_engine can make; whisper is weights only
_FACTORIES: dict[str, Callable[..., Engine]] = {}


def register(name: str, factory: Callable[..., Engine]) -> None:
    _FACTORIES[name] = factory


def available() -> list[str]:
    return sorted((set(_BUILTIN) | set(_FACTORIES)) - {"whisper"})


def fetch(name: str | None = None, progress=print, **options) -> str:
    """Make an engine's weights present and verified (download, assemble, checksum); returns a summary.

    Engines whose module defines ``fetch_weights(progress, **options)`` use it; the rest need nothing.
    Hub engines take ``source`` ('hf' or 'modelscope'), ``source_dir`` (files placed by hand),
    ``accept`` (their licence) and ``ask`` (a prompt for consent).
    """
    name = name or DEFAULT
    if name not in _BUILTIN and name not in _FACTORIES:
        raise EngineError(f"Unknown engine {name!r}.", f"Available: {', '.join(available() + ['whisper'])}.")
    module = importlib.import_module(_BUILTIN.get(name, __name__))
    hook = getattr(module, "fetch_weights", None)
    if hook is None:
        return f"{name}: no weights to fetch"
    return hook(progress, **options) if options else hook(progress)


def load_engine(name: str | None = None, server: str | None = None, token: str | None = None, **options) -> Engine:
    """Create an engine (default: Kokoro-82M on onnxruntime). ``options`` go to its constructor.

    With ``server`` (a ``voxnb serve`` URL) the engine is the one that server holds, and nothing is
    loaded here; ``name``, if given, must match it.
    """
    if server is not None:
        from .remote import RemoteEngine

        engine = RemoteEngine(server, token)
        if name and engine.capabilities.name != name:
            raise EngineError(f"The server at {server} runs the {engine.capabilities.name} engine, not {name}.",
                              f"Connect to the {name} server's URL instead (`bash 1-click-start.sh --status` lists them).")
        return engine
    name = name or DEFAULT
    if name not in _FACTORIES and name in _BUILTIN:
        importlib.import_module(_BUILTIN[name])
    if name not in _FACTORIES:
        raise EngineError(f"Unknown engine {name!r}.", f"Available engines: {', '.join(available())}.")
    return _FACTORIES[name](**options)


def __getattr__(name: str):
    # the interface types pull in numpy: resolved on first use, so `python -m voxnb.weights.cli`
    # (the start script's plan) runs on a bare python3 before any environment exists
    if name in ("Capabilities", "Engine"):
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Capabilities", "Engine", "available", "fetch", "load_engine", "register", "DEFAULT"]
