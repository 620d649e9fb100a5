"""``voxnb synth``: speak text into a file, chunk by chunk, with progress on stderr.

Each chunk goes to the output as soon as the engine yields it and is then let go, so memory stays flat
however long the text (a 20,000-character text once held every chunk and its maps: 2.5 GB). The file
is a hidden temp file until the last chunk, then claimed under a free name (voxnb.output.write).
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace

import numpy as np

from .options import CONSENT_HELP, LANG_HELP, SEED_HELP, engine_help
from ..settings import LANGUAGES, SPEED_RANGE, STYLES

OUT_HELP = ("output file; its extension picks the format: .wav (also when there is none), .flac, .ogg, .mp3. "
            "A JSON sidecar is written beside it; an existing file is never replaced (take-1.wav, ...)")


def add_parser(sub) -> None:
    s = sub.add_parser("synth", help="speak text in a cloned, saved or stock voice")
    who = s.add_mutually_exclusive_group(required=True)
    who.add_argument("--ref", help="reference clip to clone (3-30 s of speech; needs --consent)")
    who.add_argument("--voice", help="a saved voice name or id, or a stock voice")
    s.add_argument("--text", required=True, help="what to say (pronunciation markup: [h][ào], [M][AY0][N][UW1][T]); "
                   "a long text prints its progress on stderr")
    s.add_argument("--out", required=True, help=OUT_HELP)
    s.add_argument("--style", default="neutral", choices=list(STYLES),
                   help=f"delivery preset: {', '.join(STYLES)} (default neutral)")
    from ..engines import specs

    instructed = ", ".join(n for n, spec in specs().items() if "instruct" not in spec.refuses) or "none here"
    s.add_argument("--instruct", default="", help=f"engines that follow instructions ({instructed}): a preset "
                   "(sichuan, cantonese, happy, loud, ...) or the instruction in words, e.g. '请用温柔的语气说'")
    s.add_argument("--speed", type=float, default=1.0, help=f"speaking rate, {SPEED_RANGE[0]}-{SPEED_RANGE[1]} "
                   "(default 1.0)")
    s.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    s.add_argument("--lang", default="auto", choices=list(LANGUAGES), help=LANG_HELP)
    s.add_argument("--match-channel", action="store_true",
                   help="also copy the reference recording's bandwidth (a phone clip's clone sounds like a phone)")
    s.add_argument("--engine", default=None, help=engine_help())
    s.add_argument("--server", default=None, help="use the engine of a `voxnb serve` at this URL")
    s.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    s.add_argument("--no-watermark", action="store_true",
                   help="leave the output unmarked (for your own analysis; recorded in its metadata). "
                        "Every output is watermarked otherwise")
    s.add_argument("--json", action="store_true", help="print one JSON object describing the output, its notes "
                   "under \"warnings\" (progress and notes still go to stderr)")


def cmd_synth(args, engine, voice) -> int:
    settings = {"style": args.style, "speed": args.speed, "seed": args.seed, "lang": args.lang,
                "match_channel": args.match_channel}
    if args.instruct:
        settings["instruct"] = args.instruct
    if args.no_watermark:
        settings["watermark"] = False
    progress = Progress(sys.stderr)
    try:
        out, result, seconds = stream_to_file(engine, args.text, voice, settings, args.out, progress=progress)
    finally:
        progress.end()    # an error then starts on a line of its own
    rtf = result.timings.get("total", 0.0) / max(seconds, 1e-9)
    info = {"out": str(out), "duration_s": round(seconds, 3), "sample_rate": result.sample_rate,
            "voice_id": result.voice_id, "seed": result.seed, "watermarked": result.provenance.get("watermarked"),
            "consent": result.provenance.get("voice", {}).get("consent"),
            "timings": {k: round(v, 4) for k, v in result.timings.items()}}
    if result.warnings:   # the notes stderr gets (what was not spoken, what the output guard did)
        info["warnings"] = list(result.warnings)
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        print(f"wrote {out} ({info['duration_s']} s, RTF {rtf:.2f}) with voice {result.voice_name} [{result.voice_id}]")
    for w in result.warnings:   # on stderr either way: --json's stdout stays one object, and carries them too
        print(f"note: {w}", file=sys.stderr)
    return 0


def stream_to_file(engine, text: str, voice, settings: dict, path, progress=None):
    """Synthesize ``text`` straight into ``path``: (the path written, a Result without audio, seconds of audio).

    The audio equals ``engine.synthesize(text, voice, **settings).audio``: the same chunks joined by the same
    pauses (voxnb.output.result.with_pauses). ``progress(done, total, audio_s, elapsed_s)`` is called after each chunk.
    Whatever fails, no temp file is left (voxnb.output.write.AudioOutput).
    """
    from ..engines.generate import Generation
    from ..output.write import AudioOutput
    from ..output.result import provenance_record, with_pauses

    # keep what the sidecar needs (phonemes, timings, notes), not the audio or the maps
    run = Generation(engine, text, voice, {**settings, "inspect": False},   # maps are what grows with the text
                     keep=lambda c: replace(c, audio=np.zeros(0, np.float32), attention=None, extras={}))
    caps = engine.capabilities
    record = provenance_record(run.voice, run.settings, caps.name, caps.version)   # the file's tags and sidecar agree
    with AudioOutput(path, record) as out:   # refuses a bad path before the model runs
        for chunk, pause in with_pauses(run):
            out.write(pause, chunk.sample_rate)
            out.write(chunk.audio, chunk.sample_rate)
            if progress is not None:
                progress(len(run.chunks), chunk.of, out.samples / chunk.sample_rate, time.perf_counter() - run.started)
        result = run.result(audio=np.zeros(0, np.float32), record=record)
        seconds = out.samples / result.sample_rate
        sidecar = {**result.sidecar(), "duration_s": round(seconds, 3)}
        return out.commit(sidecar), result, seconds


class StatusLine:
    """A progress line on stderr: rewritten in place on a terminal, a line each otherwise, so a log file or a
    pipe keeps every line readable."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self._open = False        # a terminal line is drawn and not yet ended

    def show(self, line: str) -> None:
        if self.tty:
            self.stream.write(f"\r{line}\x1b[K")    # \x1b[K: clear what a longer previous line left
            self._open = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


class Progress(StatusLine):
    """Chunk progress for texts of several chunks (a sentence needs none)."""

    def __call__(self, done: int, total: int, audio_s: float, elapsed_s: float) -> None:
        if total <= 1:
            return
        left = elapsed_s / done * (total - done)
        self.show(f"  chunk {done}/{total}: {audio_s:.1f} s of audio, about {_clock(left)} left")


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
