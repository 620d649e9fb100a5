"""What one model call of an engine hands back, typed and checked when made.

An engine's ``_generate`` returns a ``ChunkOutput`` (or its own subclass, which declares the extras it
writes in ``EXTRAS``); the zero-shot base turns it into the ``ChunkResult`` the rest of voxnb reads.
Both check their arrays on construction, so a wrong shape, a NaN curve or an extra nobody declared is
an error naming the engine's field, not a figure that fails to draw three modules later.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Mapping

import numpy as np

from ..errors import EngineError

# Every extra an engine may carry, with what it holds; an engine's ChunkOutput declares the ones it writes.
EXTRAS = {
    "mel": "mel before the vocoder [mels, frames] (log)",
    "trajectory": "the mel at each ODE solver step [steps + 1, mels, frames]",
    "latents": "generated acoustic latents before the VAE decoder [patches, patch, dim]",
    "stop_prob": "stop probability per decoding step [steps]",
    "prompt_frames": "frames (or patches) of the reference prompt before the generated ones [1]",
    "patch_samples": "audio samples one latent patch decodes to [1]",
    "speech_tokens": "speech tokens the language model wrote, 25 a second [tokens]",
    "token_frames": "mel frames per speech token (2, or 2 / speed) [1]",
    "prompt_tokens": "the reference's speech tokens [tokens]",
    "speaker_embedding": "the reference's speaker embedding (CAM++) [192]",
    "flow_attention": "the flow decoder's self-attention at its last solver step [layers, heads, rows, cols]",
}
# dimensions each extra has (its documented shape above)
EXTRA_NDIM = {"mel": 2, "trajectory": 3, "latents": 3, "stop_prob": 1, "prompt_frames": 1, "patch_samples": 1,
              "speech_tokens": 1, "token_frames": 1, "prompt_tokens": 1, "speaker_embedding": 1, "flow_attention": 4}
# small curves whose every value is drawn: one NaN would blank a figure (the big maps are not scanned)
FINITE_EXTRAS = ("mel", "stop_prob", "token_frames", "speaker_embedding")

def refuse(who: str, problem: str) -> EngineError:
    return EngineError(key="engines.malformed_chunk", who=who, problem=problem)


def check_array(who: str, name: str, value, ndim: int | None = None, kinds: str = "fiu", finite: bool = False,
                optional: bool = False) -> None:
    """``value`` is an ndarray of ``ndim`` dimensions whose dtype kind is in ``kinds`` (f float, i/u integer),
    all finite if ``finite``; None passes where ``optional``."""
    if value is None and optional:
        return
    if not isinstance(value, np.ndarray):
        raise refuse(who, f"{name} is a {type(value).__name__}, not a numpy array.")
    if ndim is not None and value.ndim != ndim:
        raise refuse(who, f"{name} has shape {value.shape}; it must have {ndim} dimension(s).")
    if value.dtype.kind not in kinds:
        want = {"f": "float", "i": "integer", "iu": "integer", "fiu": "numeric"}.get(kinds, kinds)
        raise refuse(who, f"{name} is {value.dtype}; it must be {want}.")
    if finite and value.dtype.kind == "f" and value.size and not np.isfinite(value).all():
        raise refuse(who, f"{name} holds NaN or infinite values.")


def check_extras(who: str, extras: Mapping[str, np.ndarray], declared) -> None:
    unknown = sorted(set(extras) - set(declared))
    if unknown:
        raise refuse(who, f"extra(s) {', '.join(map(repr, unknown))} not declared "
                          f"(it declares: {', '.join(declared) or 'none'}; voxnb.output.chunk.EXTRAS lists each).")
    for key, value in extras.items():
        check_array(who, f"extras[{key!r}]", value, EXTRA_NDIM.get(key), finite=key in FINITE_EXTRAS)


def check_attention(who: str, attention, axes) -> None:
    check_array(who, "attention", attention, 4, kinds="f", optional=True)
    if len(tuple(axes)) != 2 or not all(isinstance(a, str) for a in axes):
        raise refuse(who, f"attention_axes is {axes!r}; it must name the rows and the columns (two strings).")


@dataclass(frozen=True, eq=False)
class ChunkOutput:
    """One model call of a zero-shot engine: its audio and the intermediates the inspector draws.

    F0 and energy are measured on the audio by the engine base unless the model predicts its own F0.
    Subclasses name the extras they write in ``EXTRAS`` (keys of ``EXTRAS`` above)."""

    EXTRAS: ClassVar[tuple[str, ...]] = ()

    audio: np.ndarray                  # float mono at the engine's sample rate, before the watermark and guard
    sample_rate: int                   # of ``audio``, > 0
    samples_per_frame: int             # audio samples per frame of the curves (two F0 points a frame), > 0
    shown: str = ""                    # what the model read (its tokens or characters), shown as "phonemes"
    tokens: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # text token ids read [tokens]
    f0: np.ndarray | None = None       # the model's own pitch, Hz, two points per frame; None: measured on audio
    attention: np.ndarray | None = None   # float [layers, heads, rows, cols], None when not kept
    attention_axes: tuple[str, str] = ("token", "token")   # what the attention's rows and columns are
    mel: np.ndarray | None = None      # the mel the vocoder got [mels, frames], None when it has none
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)   # engine-specific, named in EXTRAS
    warnings: tuple[str, ...] = ()     # frontend notes (what was not spoken, the instruction followed)

    def __post_init__(self):
        who = type(self).__name__
        check_array(who, "audio", self.audio, 1, kinds="f")   # NaN audio is the output guard's to fix and report
        if not (isinstance(self.sample_rate, (int, np.integer)) and self.sample_rate > 0):
            raise refuse(who, f"sample_rate is {self.sample_rate!r}; it must be a positive whole number.")
        if not (isinstance(self.samples_per_frame, (int, np.integer)) and self.samples_per_frame > 0):
            raise refuse(who, f"samples_per_frame is {self.samples_per_frame!r}; it must be a positive whole number.")
        check_array(who, "tokens", self.tokens, 1, kinds="iu")
        check_array(who, "f0", self.f0, 1, kinds="f", finite=True, optional=True)
        check_array(who, "mel", self.mel, 2, kinds="f", finite=True, optional=True)
        check_attention(who, self.attention, self.attention_axes)
        if "mel" in self.extras:
            raise refuse(who, "the mel goes in the mel field, not in extras.")
        check_extras(who, self.extras, self.EXTRAS)
