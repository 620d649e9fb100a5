"""voxnb: zero-shot voice cloning you can look inside.

    import voxnb
    engine = voxnb.load_engine()                       # Kokoro-82M on the CPU by default
    voice = engine.clone("reference.wav", name="me", consent=True)  # "I may clone this voice"; a Voice value
    result = engine.synthesize("Hello there.", voice, style="happy", speed=1.1, seed=7)
    result.save("hello.wav")                           # WAV + JSON sidecar, watermarked, with provenance
    voxnb.detect(result.audio, result.sample_rate)     # Detection(marked=True, confidence=1.0, ...)

Importing voxnb loads nothing heavy: names resolve on first use.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "load_engine": "voxnb.engines",
    "connect": "voxnb.engines.remote",
    "RemoteEngine": "voxnb.engines.remote",
    "available_engines": ("voxnb.engines", "available"),
    "Engine": "voxnb.engines.base",
    "Capabilities": "voxnb.engines.base",
    "Voice": "voxnb.voice",
    "VoiceLibrary": "voxnb.voice",
    "Result": "voxnb.result",
    "ChunkResult": "voxnb.result",
    "SynthesisSettings": "voxnb.settings",
    "STYLES": "voxnb.settings",
    "SPEED_RANGE": "voxnb.settings",
    "phonemize": "voxnb.text",
    "prepare_reference": "voxnb.audio",
    "Reference": "voxnb.audio",
    "transcribe": "voxnb.transcript",
    "VoxnbError": "voxnb.errors",
    "detect": "voxnb.watermark",
    "Detection": "voxnb.watermark",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'voxnb' has no attribute {name!r}")
    module, attr = target if isinstance(target, tuple) else (target, name)
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return __all__
