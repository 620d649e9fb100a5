"""What an engine is, said once: each engine's package holds a ``spec.py`` with one ``SPEC``.

The registry, doctor, the CLI's help and defaults, the dashboard's engine menu, voice-file checks, the
server, the bench, the start script's plan and its installs (``python -m voxnb.engines ...``) all read
these values; none of them names an engine. Spec modules import only the standard library and voxnb's
stdlib-only parts (this module, ``weights.hub``, ``output.views``, ``voice_check``), so the start script
can read them with a bare python3 before any environment exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from ..output.views import View
from ..voice_check import Array


@dataclass(frozen=True)
class Model:
    """One set of weights an engine can run (VoxCPM has two)."""

    name: str                      # what `model=` takes, e.g. "voxcpm2"
    title: str                     # shown to people, e.g. "VoxCPM2"
    weights: str                   # its WeightsSpec's name (hub.model_dir(weights))
    size_gb: float                 # download size, for the plan's disk check
    min_vram_gb: float = 0.0       # below this, the engine's "auto" picks a smaller model
    folder: str = ""               # where the weights lie under $VOXNB_CACHE; "" = the hub's models/<weights>


@dataclass(frozen=True)
class Install:
    """How the start script makes an engine runnable."""

    environment: str = "main"      # "main": voxnb's own; "engines": the shared PyTorch 2.8 one; else its own
    extra: str = ""                # the pyproject extra that brings its Python package(s)
    python: str = ""               # an own environment's Python version ("3.10"); "" the main one's
    installer: str = ""            # a module run as a script to prepare its environment (source checkout)
    # an own environment's PyTorch build: "module:function"(tag, blackwell) -> {torch, tag, onnxruntime, note},
    # stdlib only (the plan calls it on a bare python3); "" = its environment's (voxnb's pin, or the shared 2.8)
    torch: str = ""
    source: str = ""               # the installer's source checkout: a folder under $VOXNB_CACHE/src
    source_gb: float = 0.0         # its size on disk, for the plan


@dataclass(frozen=True)
class EngineSpec:
    name: str                      # registry name, what `--engine` takes
    title: str                     # shown to people
    factory: str                   # "module:callable" that makes the Engine (imported only then)
    package: str                   # the import name doctor checks for ("" if voxnb itself suffices)
    licence: str                   # of the weights
    device: str                    # "cpu": runs anywhere; "cuda": wants a GPU (works, slowly, on a CPU)
    clones: bool                   # makes a Voice from a reference clip
    languages: tuple[str, ...] = ("en", "zh")
    models: tuple[Model, ...] = ()
    # "module:function"(vram_gb, capability) -> the Model name "auto" runs on that GPU (stdlib only: the plan
    # calls it on a bare python3); "" = the first model whose min_vram_gb fits, the last without a GPU
    auto_model: str = ""
    install: Install = Install()
    views: tuple[View, ...] = (View.MEL, View.F0, View.TIMINGS)
    # view -> why this engine's results lack it (the inspector says so instead of an empty tab)
    lacks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # setting -> why the engine refuses it (shown with the refusal and greyed out in the dashboard)
    refuses: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    refines: bool = False          # has refine(voice, reference, ...): minutes of tuning after clone()
    weights_module: str = ""       # module whose fetch_weights(progress, **options) makes the weights present
    # the arrays its voices hold (voice-file checks read these: voxnb.voice_check.Array)
    voice_arrays: Mapping[str, Array] = field(default_factory=lambda: MappingProxyType({}))
    bench: str = ""                # module with its full-size random-weights hooks (voxnb bench --random-weights)

    def model(self, name: str = "") -> Model:
        """``name``'s Model, or the first (the default) when empty."""
        for m in self.models:
            if m.name == name or not name:
                return m
        raise KeyError(name)

    def model_of(self, version: str) -> Model | None:
        """The model an engine's ``capabilities.version`` names ('voxcpm 2.0.3 / VoxCPM2 ...'), if any."""
        return next((m for m in self.models if f"/ {m.title} " in f"{version} "), None)
