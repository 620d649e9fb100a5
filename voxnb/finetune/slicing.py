"""Where a long recording is cut: at its pauses, into segments a TTS model trains on (2-15 s).

Pure functions on voxnb.reference.vad's speech mask (one bool per 30 ms frame), so the cut points are
tested without audio. A cut is only ever made in a pause, never inside speech: a stretch that runs past
the longest segment without a pause is kept whole and marked too long, not split inside a word.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_S, MAX_S = 2.0, 15.0     # segment lengths a TTS fine-tune trains on (VoxCPM's and F5-TTS's recipes)
CUT_PAUSE_S = 0.35           # a pause this long ends a segment once it is MIN_S long: a sentence or clause end
PAD_S = 0.15                 # silence kept before and after the speech, at most half the pause


@dataclass(frozen=True)
class Cut:
    start: int        # first sample
    end: int          # one past the last
    speech_s: float   # seconds of speech frames inside
    reason: str = ""  # "" when its length is fine; "too_short" or "too_long" otherwise


def regions(mask) -> list[tuple[int, int]]:
    """(first, end) frame of each run of speech."""
    out, start = [], None
    for i, speech in enumerate(list(mask) + [False]):
        if speech and start is None:
            start = i
        elif not speech and start is not None:
            out.append((start, i))
            start = None
    return out


def cut_at_pauses(mask, frame_s: float, n_samples: int, sample_rate: int, min_s: float = MIN_S,
                  max_s: float = MAX_S, cut_pause_s: float = CUT_PAUSE_S) -> list[Cut]:
    """Segments of the recording: its speech cut at every pause of ``cut_pause_s`` or more (a phrase longer
    than ``max_s`` at its longest pauses too), then each phrase shorter than ``min_s`` joined to the
    neighbour it is closer to (the shorter pause), as long as the two fit in ``max_s``."""
    phrases: list[list[tuple[int, int]]] = []
    for run in regions(mask):
        if phrases and (run[0] - phrases[-1][-1][1]) * frame_s < cut_pause_s:
            phrases[-1].append(run)
        else:
            phrases.append([run])
    phrases = [piece for phrase in phrases for piece in _split_long(phrase, max_s / frame_s)]
    length = lambda ph: ph[-1][1] - ph[0][0]      # noqa: E731 -- in frames
    while True:
        short = [k for k, ph in enumerate(phrases) if length(ph) * frame_s < min_s]
        options = []
        for k in short:
            for j in (k - 1, k + 1):
                if 0 <= j < len(phrases):
                    a, b = sorted((j, k))
                    if (phrases[b][-1][1] - phrases[a][0][0]) * frame_s <= max_s:
                        options.append((phrases[b][0][0] - phrases[a][-1][1], a, b))
        if not options:
            break
        _, a, b = min(options)       # the shortest pause anywhere first: phrases that belong together
        phrases[a:b + 1] = [phrases[a] + phrases[b]]
    cuts = []
    for k, phrase in enumerate(phrases):
        first, last = phrase[0][0], phrase[-1][1]
        before = first - (phrases[k - 1][-1][1] if k else 0)
        after = (phrases[k + 1][0][0] if k + 1 < len(phrases) else len(mask)) - last
        pad_before = min(PAD_S, before * frame_s / (2 if k else 1))
        pad_after = min(PAD_S, after * frame_s / (2 if k + 1 < len(phrases) else 1))
        start = max(0, int(round((first * frame_s - pad_before) * sample_rate)))
        end = min(n_samples, int(round((last * frame_s + pad_after) * sample_rate)))
        seconds = length(phrase) * frame_s
        reason = "too_short" if seconds < min_s else "too_long" if seconds > max_s else ""
        cuts.append(Cut(start, end, round(sum(b - a for a, b in phrase) * frame_s, 3), reason))
    return cuts


def _split_long(phrase: list[tuple[int, int]], most: float) -> list[list[tuple[int, int]]]:
    """A phrase longer than ``most`` frames split at its longest pause, again until each fits (or has none)."""
    if phrase[-1][1] - phrase[0][0] <= most or len(phrase) == 1:
        return [phrase]
    gaps = [phrase[i + 1][0] - phrase[i][1] for i in range(len(phrase) - 1)]
    at = int(np.argmax(gaps)) + 1
    return _split_long(phrase[:at], most) + _split_long(phrase[at:], most)
