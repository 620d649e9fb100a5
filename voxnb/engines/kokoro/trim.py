"""Cut Kokoro's silences to what the punctuation asks for, in whole alignment frames.

Kokoro starts each call with ~0.3 s of silence (its start token's frames) and ends it with
~0.5 s (the final punctuation's), and inside a call it pauses up to ~1 s at a full stop and
~0.9 s at some commas (the frames go to the last phone before the mark and to the mark itself).
Joined as they were, two chunks cut at a comma were 1.2-1.3 s apart: a listener (and Whisper)
heard a paragraph break. So every silent run is shortened to the pause its mark asks for
(SynthesisSettings.pause; MAX_UNMARKED_S where there is no mark), the chunk's edges keep short
margins, and the pause between chunks is added when they are joined. Whole frames are removed
from the middle of a run and taken off the tokens that owned them, so the alignment, F0 and
energy the inspector draws stay in step with the audio.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SILENCE_DB = -40.0   # below the chunk's loud level (95th percentile of frames): Kokoro's idle output
                     # sits at -70 dB, breaths and soft consonants at -20..-35 dB
LEAD_FRAMES = 2      # 50 ms kept before the first sound: onsets start soft
TAIL_FRAMES = 3      # 75 ms kept after the last: releases and final fricatives fade out
MAX_UNMARKED_S = 0.3  # a pause where the text has no mark (people breathe mid-clause, briefly)
CURVE_POINTS = 2     # F0 and energy points per alignment frame
MARKS = {",": "comma", "、": "comma", ";": "clause", ":": "clause", "—": "clause",
         ".": "sentence", "!": "sentence", "?": "sentence", "…": "sentence"}


@dataclass(frozen=True)
class Trimmed:
    audio: np.ndarray
    frames: np.ndarray
    f0: np.ndarray
    energy: np.ndarray
    lead_s: float        # silence left before the first sound
    tail_s: float        # and after the last
    removed_s: float     # silence taken out in all


def silent_frames(audio: np.ndarray, samples_per_frame: int) -> np.ndarray:
    """One bool per whole frame: True where the frame is silence."""
    n = len(audio) // samples_per_frame
    if n == 0:
        return np.zeros(0, bool)
    db = 10 * np.log10(np.mean(audio[: n * samples_per_frame].reshape(n, samples_per_frame) ** 2, axis=1) + 1e-12)
    return db < np.percentile(db, 95) + SILENCE_DB


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]))


def _kind(run: tuple[int, int], owner: np.ndarray, labels: list[str]) -> str | None:
    """The strongest mark among the tokens owning the run's frames or the token right after it."""
    s, e = run
    tokens = set(owner[s:e].tolist()) | ({int(owner[e])} if e < len(owner) else set())
    kinds = [MARKS[labels[t]] for t in tokens if labels[t] in MARKS]
    order = ("comma", "clause", "sentence")
    return max(kinds, key=order.index) if kinds else None


def trim(audio: np.ndarray, frames: np.ndarray, f0: np.ndarray, energy: np.ndarray, labels: list[str],
         pause_s, samples_per_frame: int, sample_rate: int) -> Trimmed:
    """The chunk with its edge silence cut to LEAD_FRAMES / TAIL_FRAMES and every inner silence
    cut to ``pause_s(kind)`` (kind 'comma', 'clause' or 'sentence' by the mark it falls on) or
    MAX_UNMARKED_S. ``labels``: one per token, as ChunkResult.token_labels. Inner silences are
    never lengthened. Audio whose length is not its frames' (never seen) is returned unchanged."""
    n = int(frames.sum())
    silent = silent_frames(audio, samples_per_frame)
    if n * samples_per_frame != len(audio) or len(labels) != len(frames) or silent.all() or n == 0:
        return Trimmed(audio, frames, f0, energy, 0.0, 0.0, 0.0)
    owner = np.repeat(np.arange(len(frames)), frames.astype(np.int64))
    keep = np.ones(n, bool)
    frame_s = samples_per_frame / sample_rate
    lead = tail = 0
    for s, e in _runs(silent):
        if s == 0:
            keep[: max(0, e - LEAD_FRAMES)] = False
            lead = min(e, LEAD_FRAMES)
        elif e == n:
            keep[s + TAIL_FRAMES:] = False
            tail = min(e - s, TAIL_FRAMES)
        else:
            kind = _kind((s, e), owner, labels)
            cap = int(round((pause_s(kind) if kind else MAX_UNMARKED_S) / frame_s))
            if e - s > cap:   # keep the run's two ends (the release before it, the breath into the next word)
                keep[s + (cap + 1) // 2: e - cap // 2] = False
    kept = np.bincount(owner[keep], minlength=len(frames)).astype(frames.dtype)
    samples = np.repeat(keep, samples_per_frame)
    points = np.repeat(keep, CURVE_POINTS)
    return Trimmed(audio=audio[samples], frames=kept, f0=f0[: len(points)][points[: len(f0)]],
                   energy=energy[: len(points)][points[: len(energy)]], lead_s=lead * frame_s,
                   tail_s=tail * frame_s, removed_s=float((~keep).sum() * frame_s))
