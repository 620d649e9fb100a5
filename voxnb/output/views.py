"""The inspector's views: one name per kind of intermediate a result can carry.

The engine spec declares the views an engine produces, the result says which it holds, the inspector
draws each, and the interface's tab titles are keyed by them; all four use these names.
"""
from __future__ import annotations

import enum


class View(str, enum.Enum):
    MEL = "mel"                   # reference and output mel spectrograms
    TOKENS = "tokens"             # discrete speech tokens (CosyVoice 3)
    ALIGNMENT = "alignment"       # phoneme durations against time (Kokoro)
    ATTENTION = "attention"       # text-to-speech attention maps
    TRAJECTORY = "trajectory"     # flow-matching ODE steps (F5-TTS)
    LATENTS = "latents"           # continuous latents and the stop probability (VoxCPM)
    F0 = "f0"                     # pitch and energy contours
    TIMINGS = "timings"           # where the time went

    def __str__(self) -> str:
        return self.value
