"""``voxnb bench``: the same texts and references through every system, in one run.

Speed figures come from one child process per system (voxnb.bench.worker); quality figures
are measured here on the WAVs they wrote: WER/CER through tiny.en, and speaker similarity to a
held-out clip of the reference speaker under two encoders — GE2E, the headline, reserved for
evaluation (no fitting step may use it), and the d-vector that cloning fits with. Similarity is
also normalised per encoder on the reference set: (sim - stranger) / (same speaker - stranger).

Both encoders score bandwidth as identity: five of the six reference speakers are 8 kHz phone-band
recordings, and merely low-passing a full-band clone moves its d-vector similarity from stranger
level to well above it. So similarity is reported twice: as is, and "in channel", with every
system's output band-limited to the held-out clip's bandwidth first (voxnb.engines.kokoro.timbre.band_limit),
which removes the bandwidth difference for all systems alike.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SYSTEMS = ("voxnb", "kokoro-raw", "kokoro-stock", "piper")
# Held-out sentences: none is used by cloning (its probe) or by the tests' intelligibility checks.
# American spelling: tiny.en writes "neighbors", and a spelling difference is no word error.
TEXTS = (
    "Please remember to bring your umbrella, because the forecast says it will rain this afternoon.",
    "A small boat drifted slowly across the quiet lake while the sun went down behind the hills.",
    "Our neighbors planted seven apple trees last spring, and this year they finally bore fruit.",
    "Please send the final report to the whole team before the meeting on Thursday afternoon.",
    "The museum opens at nine, but the best time to visit is early on a rainy weekday.",
)
LONG_TEXT = ("Good evening, and welcome to the late news. Heavy rain is expected along the coast tonight. "
             "Drivers should take care on the bridges, and ferries may run late. Tomorrow will be dry and bright, "
             "with a light wind from the west and a high of nineteen degrees.")   # ~300 characters


def _worker(name: str, job_file: Path, progress) -> dict:
    progress(f"running {name} in its own process")
    env = {**os.environ, "VOXNB_CACHE": json.loads(job_file.read_text())["cache"]}
    p = subprocess.run([sys.executable, "-m", "voxnb.bench.worker", name, str(job_file)], capture_output=True,
                       text=True, env=env, timeout=1800)
    if p.returncode != 0:
        raise RuntimeError(f"bench worker {name} failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _load(path: str) -> tuple[np.ndarray, int]:
    import soundfile as sf

    audio, sr = sf.read(path, dtype="float32", always_2d=True)
    return audio.mean(axis=1), sr


def calibrate(speakers, embed) -> dict:
    """Same-speaker and stranger similarity of one encoder on the reference set."""
    enroll = [embed(*_load(str(s.enroll))) for s in speakers]
    held = [embed(*_load(str(s.heldout))) for s in speakers]
    sims = np.array([[float(a @ b) for b in held] for a in enroll])
    n = len(speakers)
    return {"same": float(np.mean(np.diag(sims))),
            "stranger": float(np.mean(sims[~np.eye(n, dtype=bool)])), "heldout": dict(zip([s.name for s in speakers],
                                                                                         held))}


def quality(figures: dict, speakers, texts, encoders: dict, calib: dict, long_text: str = LONG_TEXT) -> dict:
    """WER, similarity, pauses and deletions over a system's outputs; similarity and WER also per
    speaker role, since the headline is on the speakers no fitting or tuning step has seen."""
    from ..engines.kokoro.timbre import band_limit
    from ..reference.transcript import cer, wer
    from . import pauses

    role = {s.name: s.role for s in speakers}
    rows, reports = [], []
    for out in figures["outputs"]:
        audio, sr = _load(out["wav"])
        text = long_text if out["text"] == "long" else texts[out["text"]]
        report = pauses.measure(text, audio, sr)
        reports.append(report)
        if out["text"] == "long":
            continue
        row = {"speaker": out["speaker"], "wer": wer(text, report.heard), "cer": cer(text, report.heard)}
        in_channel = band_limit(audio, sr, calib["bandwidth_hz"][out["speaker"]])
        for k, embed in encoders.items():
            row[k] = float(embed(audio, sr) @ calib[k]["heldout"][out["speaker"]])
            row[f"{k}_channel"] = float(embed(in_channel, sr) @ calib[k]["heldout"][out["speaker"]])
        rows.append(row)
    q = {**_averages(rows, encoders, calib), **pauses.summary(reports)}
    by_speaker = {}
    for r in rows:
        by_speaker.setdefault(r["speaker"], []).append(r["wer"])
    q["wer_by_speaker"] = {k: float(np.mean(v)) for k, v in by_speaker.items()}
    q["wer_max_speaker"] = max(q["wer_by_speaker"].values(), default=0.0)
    q["speakers"] = {name: _averages([r for r in rows if r["speaker"] == name], encoders, calib)
                     for name in by_speaker}
    for name in ("tune", "heldout"):
        subset = [r for r in rows if role.get(r["speaker"]) == name]
        if subset:
            q[name] = _averages(subset, encoders, calib)
    return q


def _averages(rows: list[dict], encoders: dict, calib: dict) -> dict:
    q = {"wer": float(np.mean([r["wer"] for r in rows])), "cer": float(np.mean([r["cer"] for r in rows]))}
    for k in encoders:
        for key in (k, f"{k}_channel"):
            q[f"sim_{key}"] = float(np.mean([r[key] for r in rows]))
            q[f"norm_sim_{key}"] = (q[f"sim_{key}"] - calib[k]["stranger"]) / (calib[k]["same"] - calib[k]["stranger"])
    return q


def run(quick: bool = False, systems=SYSTEMS, progress=lambda msg: None, role: str | None = None,
        refine_s: float | None = None) -> dict:
    """All figures as one dict (see ``table`` for a readable view).

    ``role``: only the "tune" or "heldout" speakers (calibration always uses the whole set);
    ``refine_s``: refine every cloned voice with this budget (engine.refine) before measuring it.
    """
    from ..reference import speaker as dvector   # the fitting encoder, reported beside the headline
    from . import ge2e                  # evaluation only
    from ..engines.kokoro.timbre import bandwidth
    from .references import reference_set

    everyone = reference_set()
    speakers = reference_set(role=role)[: 2 if quick else None]
    texts = list(TEXTS[: 1 if quick else None])
    started = time.perf_counter()
    n_steps = len(systems) + 3   # setup, enrollment, each system, quality
    steps = iter(range(1, n_steps + 1))
    step = lambda msg: progress(f"[{next(steps)}/{n_steps}] {time.perf_counter() - started:4.0f} s  {msg}")
    with tempfile.TemporaryDirectory(prefix="voxnb-bench-") as work:
        job = {"workdir": work, "cache": str(Path(work) / "cache"), "texts": texts, "long_text": LONG_TEXT,
               "speakers": {s.name: str(s.enroll) for s in speakers}, "refine_s": refine_s}
        job_file = Path(work) / "job.json"
        job_file.write_text(json.dumps(job))
        _worker("setup", job_file, step)   # weights and encoder into the fresh cache, outside any measured process
        enrolled = _worker("enroll", job_file, step)
        job["voices"] = enrolled.pop("voices")
        job_file.write_text(json.dumps(job))
        per_system = {name: _worker(name, job_file, step) for name in systems}
        step("measuring WER and speaker similarity")
        encoders = {"ge2e": ge2e.embed, "dvector": dvector.embed}   # GE2E first: the headline
        # the whole set, whatever the role: stranger similarity needs many strangers
        calib = {k: calibrate(everyone, e) for k, e in encoders.items()}
        calib["bandwidth_hz"] = {s.name: bandwidth(*_load(str(s.heldout))) for s in everyone}
        for name, figures in per_system.items():
            figures.update(quality(figures, speakers, texts, encoders, calib, LONG_TEXT))
            figures.pop("outputs")
    per_system["voxnb"].update(enrolled)
    if "kokoro-raw" in per_system:
        # the pipeline's cost: wall time for the same texts, voices and model calls as the raw graph. Per
        # second of audio (the RTF ratio) it reads higher, since voxnb trims pauses the raw graph keeps.
        voxnb, raw = per_system["voxnb"], per_system["kokoro-raw"]
        voxnb["overhead_vs_raw"] = voxnb["synth_s_2_threads"] / raw["synth_s_2_threads"]
        voxnb["rtf_ratio_vs_raw"] = voxnb["rtf_2_threads"] / raw["rtf_2_threads"]
    return {"systems": per_system, "speakers": [s.name for s in speakers], "texts": texts, "quick": quick,
            "roles": {s.name: s.role for s in speakers}, "role": role, "refine_s": refine_s,
            "calibration": {k: {"same": calib[k]["same"], "stranger": calib[k]["stranger"]} for k in encoders},
            "heldout_bandwidth_hz": calib["bandwidth_hz"],
            "seconds": time.perf_counter() - started}


COLUMNS = (("load_s", "load s", "{:.2f}"), ("rtf_1_thread", "RTF 1t", "{:.2f}"), ("rtf_2_threads", "RTF 2t", "{:.2f}"),
           ("first_audio_s", "1st audio s", "{:.2f}"), ("first_audio_ratio", "1st/total", "{:.2f}"),
           ("peak_rss_mb", "RSS MB", "{:.0f}"), ("wer", "WER", "{:.3f}"), ("cer", "CER", "{:.3f}"),
           ("sim_ge2e", "GE2E", "{:.3f}"), ("norm_sim_ge2e", "GE2E norm", "{:.2f}"),
           ("sim_dvector", "d-vec", "{:.3f}"), ("norm_sim_dvector", "d-vec norm", "{:.2f}"),
           ("norm_sim_ge2e_channel", "GE2E ch n", "{:.2f}"), ("norm_sim_dvector_channel", "d-vec ch n", "{:.2f}"))
# second table: the issue-13 goals, with the headline similarity on held-out speakers
GOAL_COLUMNS = (("heldout.norm_sim_ge2e", "GE2E n held", "{:.2f}"), ("heldout.wer", "WER held", "{:.3f}"),
                ("wer_max_speaker", "WER max spk", "{:.3f}"), ("lead_max_s", "lead max", "{:.2f}"),
                ("tail_max_s", "tail max", "{:.2f}"), ("pause_comma_max_s", "comma max", "{:.2f}"),
                ("pause_clause_max_s", "clause max", "{:.2f}"), ("pause_sentence_min_s", "sent min", "{:.2f}"),
                ("pause_sentence_max_s", "sent max", "{:.2f}"), ("pause_none_max_s", "inner max", "{:.2f}"),
                ("deletions", "deleted", "{:d}"), ("deletions_at_break", "del@break", "{:d}"))


def _get(figures: dict, key: str):
    for part in key.split("."):
        figures = figures.get(part) if isinstance(figures, dict) else None
    return figures


def _rows(figures: dict, columns) -> list[str]:
    head = f"{'system':14}" + "".join(f"{label:>12}" for _, label, _ in columns)
    rows = [head, "-" * len(head)]
    for name, f in figures["systems"].items():
        rows.append(f"{name:14}" + "".join(f"{'-' if _get(f, k) is None else fmt.format(_get(f, k)):>12}"
                                           for k, _, fmt in columns))
    return rows


def table(figures: dict) -> str:
    rows = _rows(figures, COLUMNS) + [""] + _rows(figures, GOAL_COLUMNS)
    v = figures["systems"].get("voxnb", {})
    notes = [f"enrollment: first {v.get('enroll_first_s', float('nan')):.2f} s, cached "
             f"{v.get('enroll_cached_s', float('nan')):.3f} s per reference; peak RSS of a process that loaded the "
             f"engine and cloned {v.get('enroll_peak_rss_mb', float('nan')):.0f} MB"]
    if "refine" in v:
        notes.append(f"refined with a {figures['refine_s']:.0f} s budget: {v['refine_accepted']} of {len(v['refine'])} "
                     f"voices kept, {v['refine_mean_s']:.0f} s each; " + ", ".join(
                         f"{n} {'kept' if r['accepted'] else 'refused'} (d-vector held-out "
                         f"{r['heldout_dvector'].get('clone', float('nan')):.3f} -> "
                         f"{r['heldout_dvector'].get('refined', float('nan')):.3f})" for n, r in v["refine"].items()))
    if "overhead_vs_raw" in v:
        notes.append(f"pipeline overhead vs raw ONNX: x{v['overhead_vs_raw']:.2f} in time for the same texts "
                     f"(x{v['rtf_ratio_vs_raw']:.2f} per second of audio: voxnb trims pauses the raw graph keeps)")
    cal = figures["calibration"]
    notes.append("calibration (same speaker / stranger): " + ", ".join(
        f"{k} {c['same']:.3f} / {c['stranger']:.3f}" for k, c in cal.items()))
    notes.append("'ch n': normalised similarity in the reference's channel (output band-limited to the held-out "
                 "clip's bandwidth)")
    held = [n for n, r in figures.get("roles", {}).items() if r == "heldout"]
    notes.append(f"'held': speakers no fitting or tuning step uses ({', '.join(held)}); pauses in s (goals: lead and "
                 "tail <= 0.15, comma/clause 0.1-0.45, sentence 0.25-0.7, unmarked <= 0.5), over the texts and the "
                 "long text; 'deleted': words of the text the ASR did not hear ('@break': the last word before a mark)")
    notes.append(f"{len(figures['speakers'])} speakers x {len(figures['texts'])} texts, {figures['seconds']:.0f} s")
    return "\n".join(rows + [""] + notes)
