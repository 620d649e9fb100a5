"""Which engines there are, found rather than listed: every subpackage of voxnb.engines that holds a
``spec.py`` (its ``SPEC``), and every ``voxnb.engines`` entry point of another installed package (an
EngineSpec, or a module holding ``SPEC``). Finding them imports only the spec modules (standard
library only); an engine's own code is imported when one is made or its weights are fetched.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from ..errors import EngineError
from .spec import EngineSpec

DEFAULT = "kokoro"
GROUP = "voxnb.engines"    # entry-point group of engines from other packages
# weights that belong to no engine, fetched by name (`voxnb fetch whisper`: the reference ASR)
WEIGHTS_ONLY = {"whisper": "voxnb.reference.whisper"}
_FACTORIES: dict[str, Callable] = {}


def register(name: str, factory: Callable) -> None:
    """An engine made by ``factory`` with no spec (kept for code written before specs)."""
    _FACTORIES[name] = factory


@lru_cache(maxsize=1)
def _found() -> dict[str, tuple[EngineSpec, str]]:
    """name -> (spec, the module it was read from): the default first, then by name."""
    found: dict[str, tuple[EngineSpec, str]] = {}
    package = sys.modules[__package__]
    for info in pkgutil.iter_modules(package.__path__):
        # look for the file: asking importlib would import the subpackage's __init__ first
        if info.ispkg and (Path(info.module_finder.path) / info.name / "spec.py").is_file():
            module = f"{__package__}.{info.name}.spec"
            spec = getattr(importlib.import_module(module), "SPEC", None)
            if isinstance(spec, EngineSpec):
                found[spec.name] = (spec, module)
    for point in _entry_points():
        try:
            value = point.load()
        except Exception as err:   # another package's broken plugin must not take voxnb down
            print(f"voxnb: skipped engine entry point {point.name!r} ({type(err).__name__}: {err})", file=sys.stderr)
            continue
        spec = getattr(value, "SPEC", value)
        if isinstance(spec, EngineSpec) and spec.name not in found:
            found[spec.name] = (spec, point.value.split(":")[0])
    return dict(sorted(found.items(), key=lambda kv: (kv[0] != DEFAULT, kv[0])))


def _entry_points():
    from importlib.metadata import entry_points

    return entry_points(group=GROUP)


def specs() -> dict[str, EngineSpec]:
    """Every engine's spec by name, the default first."""
    return {name: spec for name, (spec, _) in _found().items()}


def spec(name: str) -> EngineSpec:
    try:
        return _found()[name][0]
    except KeyError:
        raise EngineError(key="engines.unknown_engine2", name=name, available=list(available())) from None


def available() -> list[str]:
    return sorted(set(_found()) | set(_FACTORIES))


def benched() -> list[str]:
    """Engines with full-size random-weights hooks (``voxnb bench --random-weights``), the quickest first."""
    with_bench = [s for s in specs().values() if s.bench]
    return [s.name for s in sorted(with_bench, key=lambda s: min((m.size_gb for m in s.models), default=0.0))]


def model_owner(name: str) -> EngineSpec | None:
    """The engine of several models one of which is called ``name`` (``voxnb fetch voxcpm2``), if any."""
    return next((s for s in specs().values() if s.name != name and any(m.name == name for m in s.models)), None)


def weights(name: str):
    """The WeightsSpec called ``name``: one an engine's spec module declares, or a weights-only one."""
    from ..weights.spec import WeightsSpec

    modules = [module for _, module in _found().values()] + list(WEIGHTS_ONLY.values())
    for module in modules:
        for value in vars(importlib.import_module(module)).values():
            if isinstance(value, WeightsSpec) and value.name == name:
                return value
    return None


def hub_weights(spec: EngineSpec) -> list:
    """The hub weights of an engine's models (none for an engine whose weights come with its package)."""
    return [w for w in (weights(m.weights) for m in spec.models) if w is not None]


def installed(spec: EngineSpec) -> bool:
    """Its Python package is importable here, or (an engine installed from source) its source is found."""
    if not spec.package or importlib.util.find_spec(spec.package) is not None:
        return True
    if spec.install.installer:
        source_dir = getattr(importlib.import_module(spec.install.installer), "source_dir", None)
        return bool(source_dir and source_dir())
    return False


def voice_arrays(engine: str) -> Mapping:
    """What a voice of ``engine`` holds (voxnb.voice_check reads it through ``declare``)."""
    found = _found().get(engine)
    return found[0].voice_arrays if found else {}


def fetch(name: str | None = None, progress=print, **options) -> str:
    """Make an engine's weights present and verified (download, assemble, checksum); returns a summary.

    The module its spec names in ``weights_module`` does it with ``fetch_weights(progress, **options)``;
    engines without one need nothing; the watermark's networks are prepared too (once per machine). Hub
    engines take ``source`` ('hf' or 'modelscope'), ``source_dir`` (files placed by hand), ``accept`` (their
    licence) and ``ask`` (a prompt for consent).
    """
    name = name or DEFAULT
    if name in WEIGHTS_ONLY:
        module = WEIGHTS_ONLY[name]
    elif name in _found():
        module = _found()[name][0].weights_module
    elif name in _FACTORIES:
        module = ""
    else:
        raise EngineError(key="engines.unknown_engine", name=name, available=available() + list(WEIGHTS_ONLY))
    hook = getattr(importlib.import_module(module), "fetch_weights", None) if module else None
    summary = f"{name}: no weights to fetch" if hook is None else hook(progress, **options) if options else hook(progress)
    if name not in WEIGHTS_ONLY:   # every engine's output is marked: its first take should not wait for this
        from ..output.watermark_nets import ensure_exported

        ensure_exported()
    return summary


def make(name: str, **options):
    """Engine ``name`` made by its spec's factory (or a registered one), ``options`` to its constructor."""
    if name in _FACTORIES:
        return _FACTORIES[name](**options)
    module, _, attr = spec(name).factory.partition(":")
    return getattr(importlib.import_module(module), attr)(**options)
