"""A take on its way out: the result and its intermediates (``result``), the output guard (``limiter``),
files (``write``), provenance, the watermark, and the consent record."""
import importlib


def __getattr__(name: str):
    # `from voxnb.output import AudioOutput` kept working when output.py became this package
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(importlib.import_module(f"{__name__}.write"), name)
