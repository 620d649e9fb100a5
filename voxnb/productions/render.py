"""A script spoken by its cast: every line a stem, then the mix, its timeline (JSON) and subtitles (SRT).

    lines = read_script("show.txt"); cast = parse_cast("Alice=alice,Bob=bob")
    show = render_script(lines, cast, "show.wav", engine_for=load, voice_for=lambda e, name: ...)

Stems go to ``show.lines/`` as a batch folder (voxnb.runs.batch): its manifest is the truth, so a second
run speaks only lines whose text, voice or settings changed (another seed for one line re-renders that
line alone) and rebuilds the mix from the stems. The mix never replaces an earlier one (show-1.wav).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import VoxnbError
from ..runs.batch import Line, read_manifest, run_batch
from .cast import Role, require
from .script import ScriptLine, speakers
from .srt import format_srt
from .timeline import Placed, frames_of, provenance, timeline_record, write_mix

TURN_PAUSE_S = 0.4     # silence between lines unless a line sets its own


@dataclass
class ScriptProgress:
    done: int
    total: int
    line: ScriptLine | None = None
    skipped: int = 0      # done by an earlier run


@dataclass
class Show:
    """What a script render wrote."""

    mix: Path
    srt: Path
    stems: Path                                  # the folder of per-line takes + manifest.csv
    timeline: list[dict]                         # one record per line: speaker, text, start_s, end_s, file
    sample_rate: int
    rendered: int = 0
    reused: int = 0
    files: dict = field(default_factory=dict)    # line index (1-based) -> its stem

    def to_dict(self) -> dict:
        return {"mix": str(self.mix), "srt": str(self.srt), "stems": str(self.stems), "lines": len(self.timeline),
                "rendered": self.rendered, "reused": self.reused, "sample_rate": self.sample_rate,
                "duration_s": self.timeline[-1]["end_s"] if self.timeline else 0.0}


def stems_dir(out) -> Path:
    out = Path(out)
    return out.with_name(f"{out.stem}.lines")


def stem_name(index: int, speaker: str) -> str:
    """``003-Alice``: the line's place, then its speaker as far as a file name may carry it."""
    safe = re.sub(r"[^\w\-]+", "_", speaker).strip("_")[:40] or "line"
    return f"{index:03d}-{safe}"


def render_script(lines: list[ScriptLine], cast: dict[str, Role], out, *, engine_for: Callable,
                  voice_for: Callable, pause_s: float = TURN_PAUSE_S, style: str = "neutral", speed: float = 1.0,
                  seed: int = 0, on_progress: Callable[[ScriptProgress], None] | None = None) -> Show:
    """Speak every line in its speaker's voice and write the mix. ``engine_for(name or None)`` gives an
    engine (None: the run's default); ``voice_for(engine, voice_name)`` a Voice. A line's own settings win
    over its role's, which win over the run's ``style``/``speed``/``seed``."""
    require(cast, speakers(lines))
    folder = stems_dir(out)
    groups: dict[str | None, list[tuple[int, ScriptLine, Line]]] = {}
    for i, line in enumerate(lines, 1):
        role = cast[line.speaker]
        engine = line.engine or role.engine
        batch_line = Line(text=line.text, name=stem_name(i, line.speaker), voice=role.voice, row=line.line,
                          style=_first(line.style, role.style, style), speed=float(_first(line.speed, role.speed, speed)),
                          seed=int(_first(line.seed, role.seed, seed)), instruct=_first(line.instruct, role.instruct, ""))
        groups.setdefault(engine, []).append((i, line, batch_line))
    progress = ScriptProgress(0, len(lines))
    voices, rates, engines = {}, {}, []
    for engine_name, items in groups.items():
        engine = engine_for(engine_name)
        engines.append(engine.capabilities)
        named = {n: voice_for(engine, n) for n in sorted({b.voice for _, _, b in items})}
        voices.update({(engine_name, n): v for n, v in named.items()})
        done_before, skipped_before = progress.done, progress.skipped

        def step(p, done_before=done_before, skipped_before=skipped_before, items=items):
            progress.done, progress.skipped = done_before + p.done, skipped_before + p.skipped
            progress.line = next(line for _, line, b in items if b.name == p.line.name)
            if on_progress is not None:
                on_progress(progress)

        run_batch(engine, None, [b for _, _, b in items], folder, on_progress=step, voices=named)
        rates[engine_name] = engine.capabilities.sample_rate
    rows = {r["name"]: r for r in read_manifest(folder / "manifest.csv")}
    failed = [(line, rows.get(b.name, {}).get("error") or "not spoken")
              for items in groups.values() for _, line, b in items if not rows.get(b.name, {}).get("file")
              or rows[b.name].get("error")]
    if failed:
        raise VoxnbError(key="script.lines_failed", n=len(failed), of=len(lines),
                         first=f"line {failed[0][0].line or '?'} ({failed[0][0].speaker}): {failed[0][1]}")
    sample_rate = max(rates.values())
    placed, at = [], 0
    by_index = {i: (line, b, engine_name) for engine_name, items in groups.items() for i, line, b in items}
    for i in sorted(by_index):
        line, b, engine_name = by_index[i]
        if i > 1:
            at += int(round((line.pause if line.pause is not None else pause_s) * sample_rate))
        file = folder / rows[b.name]["file"]
        frames, rate = frames_of(file)
        length = frames if rate == sample_rate else -(-frames * sample_rate // rate)
        placed.append(Placed(file=file, start=at, length=length, speaker=line.speaker, text=line.text, index=i,
                             voice_id=rows[b.name]["voice_id"]))
        at += length
    out = Path(out)
    timeline = timeline_record(placed, sample_rate, out.parent)
    record = provenance("script", list(voices.values()), engines, lines=len(lines))
    mix = write_mix(placed, out, sample_rate, record, {"provenance": record, "timeline": timeline,
                                                      "stems": str(folder)})
    srt = _claim_text(mix.with_suffix(".srt"),
                      format_srt((t["start_s"], t["end_s"], f"{t['speaker']}: {t['text']}") for t in timeline))
    return Show(mix=mix, srt=srt, stems=folder, timeline=timeline, sample_rate=sample_rate,
                rendered=len(lines) - progress.skipped, reused=progress.skipped,
                files={p.index: p.file for p in placed})


def _first(*values):
    return next(v for v in values if v is not None)


def _claim_text(path: Path, text: str) -> Path:
    """Write ``text`` at ``path`` or the first free name after it; never replaces a file."""
    from ..output.write import reserve

    taken = reserve(path)
    taken.write_text(text, encoding="utf-8")
    return taken


def load_timeline(mix) -> list[dict]:
    """The timeline a mix's sidecar carries."""
    return json.loads(Path(mix).with_suffix(".json").read_text(encoding="utf-8"))["timeline"]
