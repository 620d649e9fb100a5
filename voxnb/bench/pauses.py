"""Where a take is silent, what punctuation each pause belongs to, and which words went missing.

Listeners judge pauses by the punctuation they fall on: 0.1-0.45 s at a comma or a clause mark
(people pause about that much), 0.25-0.7 s between sentences, and none longer than 0.5 s where
the text has no mark at all. So every silence inside the take is placed between two words
(tiny.en's word timestamps), the words are matched to the text, and the mark after the text's
word names the pause. The same alignment gives the deletions: words of the text that the ASR
did not hear, and whether each was the last word before a break (a chunk end), where a
truncated final word shows.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np

FRAME_S, HOP_S = 0.025, 0.010
SILENCE_DB = -40.0      # below the take's loud level (95th percentile of frames): room tone, not speech
MIN_PAUSE_S = 0.08      # shorter dips are stop closures inside words


@dataclass
class PauseReport:
    lead_s: float
    tail_s: float
    pauses: dict = field(default_factory=dict)    # kind -> [seconds]; kinds: comma, clause, sentence, paragraph, none
    deleted: list = field(default_factory=list)   # (word, kind of break after it) for words not heard
    heard: str = ""


def silences(audio: np.ndarray, sample_rate: int) -> tuple[list[tuple[float, float]], float, float]:
    """(silent runs (start, end) in s of at least MIN_PAUSE_S, first sound s, last sound s)."""
    audio = np.asarray(audio, np.float32)
    win, hop = int(FRAME_S * sample_rate), int(HOP_S * sample_rate)
    n = max(0, 1 + (len(audio) - win) // hop)
    if n == 0:
        return [], 0.0, 0.0
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    db = 10 * np.log10(np.mean(audio[idx] ** 2, axis=1) + 1e-12)
    quiet = db < np.percentile(db, 95) + SILENCE_DB
    loud = np.nonzero(~quiet)[0]
    if not len(loud):
        return [], 0.0, 0.0
    first, last = loud[0] * HOP_S, loud[-1] * HOP_S + FRAME_S
    runs, start = [], None
    for i in range(loud[0], loud[-1] + 1):
        if quiet[i] and start is None:
            start = i
        elif not quiet[i] and start is not None:
            # a frame is quiet when its whole 25 ms window is: the run spans the frames' hops plus one window
            s, e = start * HOP_S + FRAME_S / 2, i * HOP_S + FRAME_S / 2
            if e - s >= MIN_PAUSE_S:
                runs.append((s, e))
            start = None
    return runs, float(first), float(len(audio) / sample_rate - last)


def _text_words(text: str) -> list[tuple[str, str]]:
    """(normalized word, kind of break after it) for the text; numbers spell out into several words."""
    from ..reference.transcript import normalize_text

    out = []
    for m in re.finditer(r"\S+", text):
        token, after = m.group(), text[m.end():m.end() + 3]
        words = normalize_text(token).split()
        tail = token.rstrip("\"'”’)")
        kind = ("paragraph" if "\n\n" in after.replace(" ", "") else
                "sentence" if tail[-1:] in ".!?…" else
                "clause" if tail[-1:] in ";:—" else "comma" if tail[-1:] == "," else "none")
        out += [(w, "none") for w in words[:-1]] + ([(words[-1], kind)] if words else [])
    return out


def heard_words(audio: np.ndarray, sample_rate: int) -> list[tuple[str, float, float]]:
    """(normalized word, start s, end s) as tiny.en hears them."""
    import librosa

    from ..reference.transcript import WHISPER_RATE, bundled_model_dir, load_whisper, normalize_text

    audio = librosa.resample(np.asarray(audio, np.float32), orig_sr=sample_rate, target_sr=WHISPER_RATE)
    segments, _ = load_whisper(bundled_model_dir()).transcribe(
        audio, language="en", beam_size=1, vad_filter=False, condition_on_previous_text=False, word_timestamps=True)
    return [(w, word.start, word.end) for seg in segments for word in seg.words or ()
            for w in normalize_text(word.word).split()]


def _joined(hyp: list[tuple[str, float, float]], ref: list[str]) -> list[tuple[str, float, float]]:
    """Heard words with split compounds joined as the text writes them (see transcript.join_compounds)."""
    from ..reference.transcript import join_compounds

    words = join_compounds(ref, [w for w, _, _ in hyp])
    out, i = [], 0
    for w in words:
        n = 1 if w == hyp[i][0] else 2      # a joined pair spans two heard words
        out.append((w, hyp[i][1], hyp[i + n - 1][2]))
        i += n
    return out


def measure(text: str, audio: np.ndarray, sample_rate: int) -> PauseReport:
    runs, lead, tail = silences(audio, sample_rate)
    ref = _text_words(text)
    hyp = _joined(heard_words(audio, sample_rate), [w for w, _ in ref])
    matcher = difflib.SequenceMatcher(a=[w for w, _ in ref], b=[w for w, _, _ in hyp], autojunk=False)
    ref_of_hyp, matched = {}, set()
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            ref_of_hyp[block.b + k] = block.a + k
            matched.add(block.a + k)
    report = PauseReport(lead_s=lead, tail_s=tail, heard=" ".join(w for w, _, _ in hyp),
                         deleted=[ref[i] for i in range(len(ref)) if i not in matched])
    for start, end in runs:
        mid = (start + end) / 2
        before = [j for j, (_, _, e) in enumerate(hyp) if e <= mid + 0.05]
        kind = "none"
        if before and before[-1] in ref_of_hyp:
            kind = ref[ref_of_hyp[before[-1]]][1]
        report.pauses.setdefault(kind, []).append(round(end - start, 3))
    return report


def summary(reports: list[PauseReport]) -> dict:
    """Worst cases over takes: what the goals are checked against."""
    out = {"lead_max_s": max((r.lead_s for r in reports), default=0.0),
           "tail_max_s": max((r.tail_s for r in reports), default=0.0)}
    for kind in ("comma", "clause", "sentence", "paragraph", "none"):
        values = [p for r in reports for p in r.pauses.get(kind, ())]
        out[f"pause_{kind}_min_s"] = min(values, default=None)
        out[f"pause_{kind}_max_s"] = max(values, default=None)
    out["deletions"] = sum(len(r.deleted) for r in reports)
    out["deletions_at_break"] = sum(1 for r in reports for _, kind in r.deleted if kind != "none")
    out["deleted_words"] = sorted({w for r in reports for w, _ in r.deleted})
    return out
