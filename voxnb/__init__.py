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
import importlib.abc
import importlib.util
import sys

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
    "Result": "voxnb.output.result",
    "ChunkResult": "voxnb.output.result",
    "SynthesisSettings": "voxnb.settings",
    "STYLES": "voxnb.settings",
    "SPEED_RANGE": "voxnb.settings",
    "phonemize": "voxnb.text",
    "prepare_reference": "voxnb.reference.audio",
    "Reference": "voxnb.reference.audio",
    "transcribe": "voxnb.reference.transcript",
    "VoxnbError": "voxnb.errors",
    "detect": "voxnb.output.watermark",
    "Detection": "voxnb.output.watermark",
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


# Module paths from before the pipeline layout (0.1): `import voxnb.audio` still works and gives
# voxnb.reference.audio. Consulted only after the real finders found nothing, so it costs no other import.
MOVED = {
    "audio": "reference.audio", "decode": "reference.decode", "vad": "reference.vad",
    "speechlike": "reference.speechlike", "speaker": "reference.speaker", "transcript": "reference.transcript",
    "transcript_hub": "reference.whisper", "result": "output.result", "limiter": "output.limiter",
    "provenance": "output.provenance", "watermark": "output.watermark", "consent": "output.consent",
    "plots": "output.plots", "timbre": "engines.kokoro.timbre", "cli_synth": "cli.synth", "cli_clone": "cli.clone",
    "cli_voices": "cli.voices", "doctor": "cli.doctor", "compare": "runs.compare", "batch": "runs.batch",
    "launcher": "launch.jupyter", "launch_engines": "launch.engines", "engines.hub": "weights.hub",
    "engines.hub_sources": "weights.sources", "engines.hub_cli": "engines.__main__",
    "weights.cli": "engines.__main__",
}


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        old = fullname.partition(".")[2] if fullname.startswith(__name__ + ".") else None
        return importlib.util.spec_from_loader(fullname, self) if old in MOVED else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        # the import system returns what sys.modules holds under the old name once this runs
        sys.modules[module.__name__] = importlib.import_module(f"{__name__}.{MOVED[module.__name__[6:]]}")


if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
    sys.meta_path.append(_MovedFinder())
