"""Engines: each declares itself once, in the ``spec.py`` of its own package (voxnb.engines.spec), and the
registry (voxnb.engines.registry) finds them there; nothing is loaded until an engine is asked for.

Adding an engine is adding its package (``spec.py``, ``engine.py``) and its tests: the CLI, doctor, the
dashboard's menu, voice-file checks, the server, the bench and the start script read its spec.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import voice_check
from ..errors import EngineError
from .registry import DEFAULT, available, fetch, make, register, spec, specs, voice_arrays

if TYPE_CHECKING:
    from .base import Capabilities, Engine

# voice files are checked against the arrays their engine's spec declares (the voice layer never imports engines)
voice_check.declare(voice_arrays)


def load_engine(name: str | None = None, server: str | None = None, token: str | None = None, **options) -> Engine:
    """Create an engine (default: Kokoro-82M on onnxruntime). ``options`` go to its constructor.

    With ``server`` (a ``voxnb serve`` URL) the engine is the one that server holds, and nothing is
    loaded here; ``name``, if given, must match it.
    """
    if server is not None:
        from .remote import RemoteEngine

        engine = RemoteEngine(server, token)
        if name and engine.capabilities.name != name:
            raise EngineError(key="engines.server_runs_engine", server=server, name=engine.capabilities.name,
                              name2=name)
        return engine
    return make(name or DEFAULT, **options)


def __getattr__(name: str):
    # the interface types pull in numpy: resolved on first use, so `python -m voxnb.engines`
    # (the start script's plan) runs on a bare python3 before any environment exists
    if name in ("Capabilities", "Engine"):
        from . import base

        return getattr(base, name)
    if name == "ENGINES":     # what load_engine can make, the default first (read from the specs)
        return tuple(specs())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Capabilities", "Engine", "available", "fetch", "load_engine", "register", "spec", "specs", "DEFAULT"]
