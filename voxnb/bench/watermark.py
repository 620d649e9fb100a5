"""``voxnb bench --watermark``: how well voxnb's mark survives what happens to audio after it leaves voxnb.

Every clip is marked, passed through each attack, and read back with ``voxnb.output.watermark.detect``;
the detection rate is the fraction of marked clips it still calls marked. The same attacks on the
clean clips give the false-positive rate. The clips are real speech (the reference recordings cut
into 4-8 s pieces) and Kokoro outputs synthesized unmarked, so the clean version of each is known.
Marking is also timed (per second of audio, and against Kokoro's own synthesis time) and its
audibility measured (SNR and log-spectral distance of marked vs clean).

Arrays in, figures out: ``run`` returns one JSON-able dict and ``table`` renders it.
"""
from __future__ import annotations

import io
import math
import os
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .references import REFERENCE_DIR

ASSETS = REFERENCE_DIR.parent

RATE = 24000                   # every clip is resampled to Kokoro's rate before marking
PIECE_S = (4.0, 8.0)           # real recordings are cut into pieces this long
SEED = 0                       # the noise attack's generator: seeded per clip
# Timings are the fastest of a few repeats (other processes on the machine only ever add time);
# the load average is reported with them.
SYNTH_REPEATS, MARK_REPEATS = 2, 3
NOISE_SNR_DB = 20.0
GAIN_DB = 6.0
TRIM_S = 0.5
# soundfile's CBR compression level -> MP3 bitrate at 24 kHz (MPEG-2 layer III), measured from the
# encoded size of 5.7 s of speech: 0.6 -> 64.9 kbps, 0.85 -> 32.3 kbps. The run reports what it measured.
MP3_LEVEL = {64: 0.6, 32: 0.85}
# Goals of issue 12: detection after these attacks, false positives, and the cost of marking.
GOAL_DETECTION = {"resample_16k": 0.99, "mp3_64k": 0.99}
GOAL_FALSE_POSITIVE = 0.01
GOAL_MARK_PCT_OF_SYNTHESIS = 5.0

# Real speech under assets/: reference/ (the bench's speakers) and watermark_bench/ (more speakers, used only
# here; outside reference/ so that the dashboard does not offer them as voices). Provenance and licences of
# both are in assets/reference/SOURCES.md. Explicit, so that adding a file never changes what this measures.
# Left out: alsa_f (1.4 s), codec2_cqref_m/heldout (3.75 s), and codec2_vk5qi_m/enroll + heldout (the two
# halves of vk5qi.flac, which is used whole).
RECORDINGS = (
    "reference/harvard_f/harvard_01.flac", "reference/harvard_f/harvard_02.flac",
    "reference/codec2_vk5qi_m/vk5qi.flac", "reference/codec2_mmt1_m/mmt1.flac",
    "reference/codec2_hts_m/enroll.flac", "reference/codec2_hts_m/heldout.flac",
    "reference/codec2_hts_f/enroll.flac", "reference/codec2_hts_f/heldout.flac",
    "reference/codec2_cqref_m/enroll.flac", "reference/codec2_ve9qrp_m/enroll.flac",
    "reference/codec2_ve9qrp_m/heldout.flac",
    "watermark_bench/librivox_sense.flac", "watermark_bench/pocketsphinx_commands.flac",
    "watermark_bench/codec2_sentences.flac", "watermark_bench/codec2_ve9qrp_m_middle.flac",
)
QUICK_RECORDINGS = ("reference/harvard_f/harvard_02.flac", "reference/codec2_mmt1_m/mmt1.flac")    # 16 kHz and 8 kHz, one piece each
# Kokoro outputs: every stock voice says one English and one Mandarin sentence.
SENTENCES = (
    ("en", "The library stays open late on Fridays, so we can finish the project there tonight."),
    ("en", "A cold wind blew across the harbour as the last ferry pulled away from the pier."),
    ("en", "Please remember to water the plants and feed the cat while I am away next week."),
    ("en", "Seven bright kites rose over the field, and the children ran after them laughing."),
    ("en", "He checked the map twice before turning onto the narrow road that led up the hill."),
    ("zh", "今天下午我们在图书馆见面，一起把报告写完吧。"),
    ("zh", "春天来了，公园里的花都开了，很多人带着孩子去散步。"),
    ("zh", "请在周五之前把会议的材料发给所有的同事。"),
    ("zh", "这家小饭馆的面条很好吃，我每个星期都要来一次。"),
    ("zh", "火车晚点了半个小时，我们只好在站台上等着。"),
)


@dataclass(frozen=True, eq=False)
class Clip:
    name: str                  # recording#piece, or "kokoro <voice> <lang>"
    kind: str                  # "real" or "voxnb"
    audio: np.ndarray          # unmarked, float32 mono at RATE
    synthesis_s: float = 0.0   # Kokoro's wall time for this output, unmarked, fastest of SYNTH_REPEATS (voxnb only)
    text: str = ""             # what a Kokoro output says, and in which language (voxnb only)
    lang: str = ""

    @property
    def seconds(self) -> float:
        return len(self.audio) / RATE


# -- the clips ---------------------------------------------------------------------------------

def split(audio: np.ndarray, sample_rate: int, lo: float = PIECE_S[0], hi: float = PIECE_S[1]) -> list[np.ndarray]:
    """Equal pieces between ``lo`` and ``hi`` seconds (none if the audio is shorter than ``lo``), each cut
    moved to the quietest 20 ms nearby so that words are not cut in half."""
    total = len(audio) / sample_rate
    n = math.ceil(total / hi)
    if total / n < lo:
        n -= 1
    if n < 1:
        return []
    piece, frame = total / n, int(0.02 * sample_rate)
    slack = min(0.5, (piece - lo) / 2, (hi - piece) / 2)    # a moved cut keeps both neighbours in [lo, hi]
    cuts = [0]
    for k in range(1, n):
        centre, reach = int(k * piece * sample_rate), int(slack * sample_rate)
        starts = range(max(centre - reach, 0), min(centre + reach, len(audio) - frame) + 1, frame // 2)
        cuts.append(min(starts, key=lambda s: float(np.sum(audio[s:s + frame] ** 2))) + frame // 2
                    if reach >= frame else centre)
    cuts.append(len(audio))
    return [audio[a:b] for a, b in zip(cuts, cuts[1:])]


def real_clips(recordings=RECORDINGS, root=ASSETS) -> list[Clip]:
    """Each recording cut into pieces and resampled to RATE."""
    import soundfile as sf

    from ..reference.decode import resample, to_mono

    clips = []
    for rel in recordings:
        path = root / rel
        audio, sr = sf.read(str(path), dtype="float32")
        for i, piece in enumerate(split(to_mono(audio), sr)):
            clips.append(Clip(f"{path.parent.name}/{path.stem}#{i}", "real", resample(piece, sr, RATE)))
    return clips


def voxnb_clips(engine, voices, sentences=SENTENCES) -> list[Clip]:
    """Unmarked Kokoro outputs: voice k says sentences k and k + len(voices) (English, then Mandarin)."""
    from ..reference.decode import resample

    for lang in sorted({lang for lang, _ in sentences}):     # the first call of a language loads its frontend
        engine.synthesize("你好。" if lang == "zh" else "Hello.", engine.stock_voice(voices[0]), lang=lang, watermark=False)
    clips = []
    for k, (lang, text) in enumerate(sentences):
        voice = voices[k % len(voices)]
        results = [engine.synthesize(text, engine.stock_voice(voice), lang=lang, watermark=False)
                   for _ in range(SYNTH_REPEATS)]
        result = results[0]
        clips.append(Clip(f"kokoro {voice} {lang} {k}", "voxnb", resample(result.audio, result.sample_rate, RATE),
                          synthesis_s=min(r.timings["total"] for r in results), text=text, lang=lang))
    return clips


# -- the attacks: (audio, rate, unmarked partner, generator) -> (audio, rate, kbps of a codec or None) -------

def _encode(audio: np.ndarray, sr: int, **options) -> tuple[np.ndarray, int, float]:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.clip(audio, -1, 1), sr, **options)
    kbps = len(buf.getvalue()) * 8 / (len(audio) / sr) / 1000
    buf.seek(0)
    decoded, rate = sf.read(buf, dtype="float32")
    return decoded, rate, kbps


def _mp3(kbps: int):
    return lambda a, sr, partner, rng: _encode(a, sr, format="MP3", bitrate_mode="CONSTANT",
                                               compression_level=MP3_LEVEL[kbps])


def _noise(a, sr, partner, rng):
    power = float(np.mean(a.astype(np.float64) ** 2)) / 10 ** (NOISE_SNR_DB / 10)
    return (a + rng.normal(0.0, math.sqrt(power), len(a))).astype(np.float32), sr, None


def _resample_16k(a, sr, partner, rng):
    from ..reference.decode import resample

    return resample(a, sr, 16000), 16000, None


ATTACKS: dict[str, Callable] = {
    "none": lambda a, sr, partner, rng: (a, sr, None),
    "resample_16k": _resample_16k,
    "mp3_64k": _mp3(64),
    "mp3_32k": _mp3(32),
    "opus": lambda a, sr, partner, rng: _encode(a, sr, format="OGG", subtype="OPUS"),   # libsndfile's default rate
    "noise_20db": _noise,
    "gain_+6db": lambda a, sr, partner, rng: (np.clip(a * 10 ** (GAIN_DB / 20), -1, 1), sr, None),
    "gain_-6db": lambda a, sr, partner, rng: (a * 10 ** (-GAIN_DB / 20), sr, None),
    "trim_0.5s": lambda a, sr, partner, rng: (a[int(TRIM_S * sr):], sr, None),
    # followed by unmarked real speech of about the same length (at most as long as the clip)
    "concat_unmarked": lambda a, sr, partner, rng: (np.concatenate([a, partner[:len(a)]]), sr, None),
}
QUICK_ATTACKS = ("none", "resample_16k", "mp3_64k")


# -- quality -------------------------------------------------------------------------------------

def snr_db(clean: np.ndarray, marked: np.ndarray) -> float:
    noise = float(np.sum((marked.astype(np.float64) - clean) ** 2))
    return 10 * math.log10(float(np.sum(clean.astype(np.float64) ** 2)) / max(noise, 1e-20))


def log_spectral_distance(clean: np.ndarray, marked: np.ndarray, floor_db: float = -80.0) -> float:
    """dB, the RMS over frequency of the power-spectrum difference, averaged over frames (512-point STFT),
    with both spectra floored at ``floor_db`` below the clean clip's peak (phone-band clips have no top band)."""
    import librosa

    spectra = [np.abs(librosa.stft(np.asarray(x, np.float32), n_fft=512, hop_length=128)) ** 2 for x in (clean, marked)]
    floor = spectra[0].max() * 10 ** (floor_db / 10)
    a, b = (10 * np.log10(np.maximum(s, floor)) for s in spectra)
    return float(np.mean(np.sqrt(np.mean((a - b) ** 2, axis=0))))


# -- the run -------------------------------------------------------------------------------------

def intelligibility(clips: list[Clip], marked: list[np.ndarray]) -> dict | None:
    """Word error rate of tiny.en on the English Kokoro outputs, clean and marked: what the mark costs a listener
    (the only ASR here is English; tiny.en also samples at a higher temperature when unsure, so single words move)."""
    from ..reference.transcript import transcribe, wer

    pairs = [(c, m) for c, m in zip(clips, marked) if c.kind == "voxnb" and c.lang == "en"]
    if not pairs:
        return None
    score = lambda c, audio: wer(c.text, transcribe(audio, RATE, language="en").text)
    return {"sentences": len(pairs), "wer_clean": float(np.mean([score(c, c.audio) for c, _ in pairs])),
            "wer_marked": float(np.mean([score(c, m) for c, m in pairs]))}


def _mark_all(clips: list[Clip]) -> tuple[list[np.ndarray], list[float]]:
    """Each clip marked, and the fastest of MARK_REPEATS timings of marking it (s)."""
    from ..output.watermark import watermarker

    w = watermarker()
    w.mark(clips[0].audio[:RATE], RATE)                        # loaded and warm before anything is timed
    marked, seconds = [], []
    for c in clips:
        times = []
        for _ in range(MARK_REPEATS):
            started = time.perf_counter()
            audio = w.mark(c.audio, RATE)
            times.append(time.perf_counter() - started)
        marked.append(audio)
        seconds.append(min(times))
    return marked, seconds


def _attacked(name: str, clips: list[Clip], marked: list[np.ndarray]) -> tuple[dict, dict, float, float]:
    """One attack on every marked and clean clip: its row of figures, the confidences, and the time
    detection took on how many seconds of audio."""
    from ..output.watermark import THRESHOLD, detect

    reals = [c for c in clips if c.kind == "real"]
    attack, kbps, found, detect_s, detected_s = ATTACKS[name], [], {"marked": [], "clean": []}, 0.0, 0.0
    for i, c in enumerate(clips):
        partner = reals[(reals.index(c) + 1 if c in reals else i) % len(reals)].audio   # another real clip
        for version, audio in (("marked", marked[i]), ("clean", c.audio)):
            attacked, sr, rate = attack(audio, RATE, partner, np.random.default_rng([SEED, i]))
            started = time.perf_counter()
            found[version].append(detect(attacked, sr).confidence)
            detect_s += time.perf_counter() - started
            detected_s += len(attacked) / sr
            if rate is not None:
                kbps.append(rate)
    on_marked, on_clean = np.array(found["marked"]), np.array(found["clean"])
    hit = on_marked >= THRESHOLD
    row = {"attack": name, "kbps": round(float(np.mean(kbps)), 1) if kbps else None,
           "detected": float(hit.mean()),
           **{f"detected_{kind}": float(hit[[c.kind == kind for c in clips]].mean())
              for kind in ("real", "voxnb") if any(c.kind == kind for c in clips)},
           "false_positive": float((on_clean >= THRESHOLD).mean()),
           "min_confidence_marked": float(on_marked.min()), "max_confidence_clean": float(on_clean.max()),
           "missed": [c.name for c, h in zip(clips, hit) if not h],
           "false_alarms": [c.name for c, score in zip(clips, on_clean) if score >= THRESHOLD]}
    return row, found, detect_s, detected_s


def measure(clips: list[Clip], attacks=tuple(ATTACKS), progress=lambda msg: None) -> dict:
    """Mark every clip, attack marked and clean versions, detect: all figures as one dict."""
    load = os.getloadavg()[0]
    marked, mark_s = _mark_all(clips)
    progress(f"marked {len(clips)} clips")
    rows, scores, detect_s, detected_s = [], {}, 0.0, 0.0
    for name in attacks:
        row, scores[name], spent, heard = _attacked(name, clips, marked)
        rows.append(row)
        detect_s, detected_s = detect_s + spent, detected_s + heard
        progress(f"{name}: detected {row['detected']:.3f}, false positives {row['false_positive']:.3f}")
    voxnb = [i for i, c in enumerate(clips) if c.kind == "voxnb"]
    seconds = sum(c.seconds for c in clips)
    worst = max(rows, key=lambda r: r["false_positive"])
    by_attack = {r["attack"]: r for r in rows}
    cost = {"mark_ms_per_s": 1000 * sum(mark_s) / seconds,
            "detect_ms_per_s": 1000 * detect_s / detected_s,
            "synthesis_ms_per_s": (1000 * sum(clips[i].synthesis_s for i in voxnb)
                                   / sum(clips[i].seconds for i in voxnb)) if voxnb else None,
            "mark_pct_of_synthesis": (100 * sum(mark_s[i] for i in voxnb)
                                      / sum(clips[i].synthesis_s for i in voxnb)) if voxnb else None,
            "load_average": [round(load, 2), round(os.getloadavg()[0], 2)],   # 1-min, when marking and at the end
            "cpus": os.cpu_count()}
    goals = {f"detection {a} >= {g:.0%}": by_attack[a]["detected"] >= g
             for a, g in GOAL_DETECTION.items() if a in by_attack}
    goals[f"false positives <= {GOAL_FALSE_POSITIVE:.0%}"] = worst["false_positive"] <= GOAL_FALSE_POSITIVE
    if cost["mark_pct_of_synthesis"] is not None:
        goals[f"marking <= {GOAL_MARK_PCT_OF_SYNTHESIS:g}% of synthesis"] = \
            cost["mark_pct_of_synthesis"] <= GOAL_MARK_PCT_OF_SYNTHESIS
    return {
        "clips": {"real": len(clips) - len(voxnb), "voxnb": len(voxnb), "seconds": round(seconds, 2),
                  "names": [c.name for c in clips]},
        "attacks": rows,
        "false_positive": {"clean": by_attack["none"]["false_positive"] if "none" in by_attack else None,
                           "worst": worst["false_positive"], "worst_attack": worst["attack"]},
        "cost": cost,
        "quality": {"snr_db": float(np.mean([snr_db(c.audio, m) for c, m in zip(clips, marked)])),
                    "snr_db_min": float(min(snr_db(c.audio, m) for c, m in zip(clips, marked))),
                    "lsd_db": float(np.mean([log_spectral_distance(c.audio, m) for c, m in zip(clips, marked)])),
                    "asr": intelligibility(clips, marked)},
        "goals": goals,
        "confidences": {name: {v: [round(s, 4) for s in found[v]] for v in found} for name, found in scores.items()},
    }


def run(quick: bool = False, engine=None, progress=lambda msg: None) -> dict:
    """The whole benchmark (``quick``: 2 short real clips, 1 Kokoro output, 3 attacks) as one dict."""
    started = time.perf_counter()
    if engine is None:
        from ..engines import load_engine

        engine = load_engine()
    voices = tuple(engine.capabilities.stock_voices)
    reals = real_clips(QUICK_RECORDINGS if quick else RECORDINGS)
    progress(f"{len(reals)} pieces of real speech; synthesizing with Kokoro")
    outputs = voxnb_clips(engine, voices[:1], SENTENCES[:1]) if quick else voxnb_clips(engine, voices)
    clips = reals + outputs
    figures = measure(clips, QUICK_ATTACKS if quick else tuple(ATTACKS), progress=progress)
    figures.update(quick=quick, seconds=time.perf_counter() - started)
    return figures


def table(figures: dict) -> str:
    head = (f"{'attack':16}{'kbps':>6}{'detected':>10}{'real':>8}{'voxnb':>8}{'false pos.':>12}"
            f"{'min conf':>10}{'max clean':>11}")
    rows = [head, "-" * len(head)]
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}%"
    for r in figures["attacks"]:
        rows.append(f"{r['attack']:16}{r['kbps'] if r['kbps'] is not None else '-':>6}{pct(r['detected']):>10}"
                    f"{pct(r.get('detected_real')):>8}{pct(r.get('detected_voxnb')):>8}{pct(r['false_positive']):>12}"
                    f"{r['min_confidence_marked']:>10.3f}{r['max_confidence_clean']:>11.3f}")
    cl, cost, q, fp = figures["clips"], figures["cost"], figures["quality"], figures["false_positive"]
    notes = ["", f"clips: {cl['real']} pieces of real speech + {cl['voxnb']} Kokoro outputs, {cl['seconds']:.0f} s, "
                 f"all at {RATE} Hz; detection = marked clips detect() calls marked; false pos. = the same on the "
                 f"clean clips",
             f"false positives: {pct(fp['clean'])} on clean clips, worst after an attack {pct(fp['worst'])} "
             f"({fp['worst_attack']})",
             f"cost: marking {cost['mark_ms_per_s']:.1f} ms per s of audio"
             + (f" = {cost['mark_pct_of_synthesis']:.1f}% of Kokoro's synthesis time "
                f"({cost['synthesis_ms_per_s']:.0f} ms per s)" if cost["mark_pct_of_synthesis"] is not None else "")
             + f"; detection {cost['detect_ms_per_s']:.0f} ms per s (load average {cost['load_average'][0]:.1f} "
             f"when marking, {cost['load_average'][1]:.1f} at the end, on {cost['cpus']} CPUs)",
             f"quality: SNR marked vs clean {q['snr_db']:.1f} dB (min {q['snr_db_min']:.1f}), "
             f"log-spectral distance {q['lsd_db']:.2f} dB"
             + (f"; tiny.en WER on {q['asr']['sentences']} English Kokoro outputs {q['asr']['wer_clean']:.3f} clean, "
                f"{q['asr']['wer_marked']:.3f} marked" if q.get("asr") else ""),
             "goals: " + ", ".join(f"{g}: {'met' if ok else 'MISSED'}" for g, ok in figures["goals"].items())]
    missed = [f"  {r['attack']}: {', '.join(r['missed'])}" for r in figures["attacks"] if r["missed"]]
    alarms = [f"  {r['attack']}: {', '.join(r['false_alarms'])}" for r in figures["attacks"] if r["false_alarms"]]
    notes += (["missed:"] + missed if missed else []) + (["false alarms:"] + alarms if alarms else [])
    notes.append(f"{'quick run, ' if figures['quick'] else ''}{figures['seconds']:.0f} s")
    return "\n".join(rows + notes)
