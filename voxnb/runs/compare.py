"""Engines side by side: one reference and one text through every engine, measured alike.

For each engine: its audio, duration, real-time factor, time to first audio (the first streamed
chunk), WER or CER of an ASR transcript against the text, and speaker similarity of the output to
the reference (GE2E, the evaluation encoder: no engine is fitted to it). An engine that fails gets
its error in its row; the others still run.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..errors import VoxnbError
from ..output.result import Result
from ..settings import SynthesisSettings


@dataclass(frozen=True, eq=False)
class Row:
    engine: str
    result: Result | None
    error: str = ""
    first_audio_s: float = float("nan")
    wer: float = float("nan")          # CER for Chinese text
    metric: str = "WER"
    similarity: float = float("nan")
    asr_text: str = ""

    @property
    def duration_s(self) -> float:
        return self.result.duration_s if self.result else float("nan")

    @property
    def rtf(self) -> float:
        return self.result.rtf if self.result else float("nan")

    def to_dict(self) -> dict:
        return {"engine": self.engine, "error": self.error, "duration_s": self.duration_s, "rtf": self.rtf,
                "first_audio_s": self.first_audio_s, self.metric.lower(): self.wer, "similarity": self.similarity,
                "asr_text": self.asr_text}


def _run(engine, reference, text: str, transcript: str, seed: int, consent) -> tuple[Result, float]:
    from ..engines.generate import generate

    voice = engine.clone(reference, transcript=transcript, consent=consent)
    t0 = time.perf_counter()
    first = []

    def on_chunk(chunk):
        if not first:
            first.append(time.perf_counter() - t0)

    result = generate(engine, text, voice, SynthesisSettings(seed=seed), on_chunk=on_chunk)
    return result, first[0] if first else None


def compare(reference, text: str, engines: dict, transcript: str = "", seed: int = 0, measure: bool = True,
            progress=lambda msg: None, consent=None) -> list[Row]:
    """``engines``: name -> Engine (in-kernel or remote). ``reference``: a path, (audio, sr) or Reference;
    ``consent`` as ``Engine.clone`` takes it (every engine clones the reference)."""
    from ..reference.audio import prepare_reference
    from ..reference.transcript import cer, wer
    from ..text.split import detect_language
    from ..bench import ge2e as speaker   # evaluation: GE2E, the encoder no fit may use
    from ..messages import ErrorText, Msg

    ref = reference if hasattr(reference, "report") else prepare_reference(reference)
    ref_embedding = speaker.embed(ref.audio, ref.sample_rate) if measure else None
    chinese = detect_language(text) != "en"
    rows = []
    for name, engine in engines.items():
        progress(Msg("notes.cmp_cloning", name=name))
        try:
            result, first = _run(engine, ref, text, transcript, seed, consent)
        except VoxnbError as err:
            rows.append(Row(name, None, error=ErrorText(err)))
            continue
        row = Row(name, result, first_audio_s=first, metric="CER" if chinese else "WER")
        if measure and len(result.audio) > 0:
            from ..reference.whisper import transcribe_reference

            progress(Msg("notes.cmp_measuring", name=name))
            try:
                heard = transcribe_reference(result.audio, result.sample_rate).text
                score = (cer if chinese else wer)(text, heard)
            except VoxnbError as err:   # no ASR for this language here: leave the column empty
                heard, score = Msg("notes.cmp_no_asr", problem=err.problem_msg()), float("nan")
            sim = speaker.similarity(ref_embedding, speaker.embed(result.audio, result.sample_rate))
            row = Row(name, result, first_audio_s=first, wer=score, metric=row.metric, similarity=sim, asr_text=heard)
        rows.append(row)
    return rows


def table(rows: list[Row]) -> str:
    head = f"{'engine':10}{'seconds':>9}{'RTF':>7}{'1st audio s':>13}{'WER/CER':>9}{'similarity':>12}"
    lines = [head, "-" * len(head)]
    fmt = lambda v, f: "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f.format(v)
    for r in rows:
        if r.error:
            lines.append(f"{r.engine:10}  failed: {r.error}")
            continue
        lines.append(f"{r.engine:10}{fmt(r.duration_s, '{:.2f}'):>9}{fmt(r.rtf, '{:.2f}'):>7}"
                     f"{fmt(r.first_audio_s, '{:.2f}'):>13}{fmt(r.wer, '{:.3f}'):>9}{fmt(r.similarity, '{:.3f}'):>12}")
    lines.append("similarity: GE2E cosine between the reference and the output (an evaluation encoder)")
    return "\n".join(lines)
