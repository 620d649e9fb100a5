"""Engine registry. Engines register a factory by name; nothing is loaded until asked for.

A new engine (a GPU one, say) adds one ``register(...)`` call in its own module and one
line in ``_BUILTIN``; the rest of voxnb only sees the ``Engine`` interface.
"""
from __future__ import annotations

import importlib
from typing import Callable

from ..errors import EngineError
from .base import Capabilities, Engine

DEFAULT = "kokoro"
_BUILTIN = {"kokoro": "voxnb.engines.kokoro"}   # name -> module that registers it on import
_FACTORIES: dict[str, Callable[..., Engine]] = {}


def register(name: str, factory: Callable[..., Engine]) -> None:
    _FACTORIES[name] = factory


def available() -> list[str]:
    return sorted(set(_BUILTIN) | set(_FACTORIES))


def fetch(name: str | None = None, progress=print) -> str:
    """Make an engine's weights present and verified (download, assemble, checksum); returns a summary.

    Engines whose module defines ``fetch_weights(progress)`` use it; the rest need nothing.
    """
    name = name or DEFAULT
    if name not in _BUILTIN and name not in _FACTORIES:
        raise EngineError(f"Unknown engine {name!r}.", f"Available engines: {', '.join(available())}.")
    module = importlib.import_module(_BUILTIN.get(name, __name__))
    hook = getattr(module, "fetch_weights", None)
    return hook(progress) if hook else f"{name}: no weights to fetch"


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


__all__ = ["Capabilities", "Engine", "available", "fetch", "load_engine", "register", "DEFAULT"]
