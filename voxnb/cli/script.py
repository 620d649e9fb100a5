"""`voxnb script` and `voxnb dub`: a cast speaks a script; a voice (or a cast) speaks a subtitle file on its timeline."""
from __future__ import annotations

import argparse
import json
import sys

from .options import SEED_HELP, engine_help
from ..settings import STYLES

CAST_HELP = ("who speaks whom: 'Alice=alice,Bob=bob:happy' (a saved or stock voice per speaker, optionally "
             ":style), or a CSV with speaker,voice[,engine,style,speed,seed,instruct]")


def add_parsers(sub) -> None:
    s = sub.add_parser("script", help="speak a script with a cast: a mix, one file per line, a timeline (JSON, SRT)")
    s.add_argument("file", help="a .txt script ('Alice: Hello.' lines; 'Bob [seed=7 pause=0.8]: Hi.' sets one line) "
                   "or a .csv (speaker,text[,style,speed,seed,pause,engine,instruct])")
    s.add_argument("--cast", required=True, help=CAST_HELP)
    s.add_argument("--out", required=True, help="the mix, e.g. show.wav (.wav/.flac/.ogg/.mp3); stems go to "
                   "show.lines/, the timeline to show.json and show.srt. Run again after editing a line: only "
                   "changed lines are spoken again and the mix is rebuilt (as show-1.wav: nothing is replaced)")
    s.add_argument("--pause", type=float, default=0.4, metavar="S", help="silence between lines (default 0.4 s); "
                   "a line's [pause=S] wins")
    _common(s)
    s.set_defaults(run=cmd_script)

    d = sub.add_parser("dub", help="speak a subtitle file (.srt) on its own timeline, each cue inside its slot")
    d.add_argument("file", help="a SubRip .srt file; with --cast, a 'Name:' at the start of a cue picks its voice")
    d.add_argument("--voice", help="a saved or stock voice for cues that name no speaker")
    d.add_argument("--cast", help=CAST_HELP)
    d.add_argument("--out", required=True, help="the dubbed track (.wav/.flac/.ogg/.mp3); its JSON sidecar holds "
                   "every cue's speed factor and fit")
    d.add_argument("--max-speed", type=float, default=1.5, metavar="X", help="at most this much faster than "
                   "natural to fit a slot, engine speed and time-stretching together (default 1.5)")
    d.add_argument("--under", metavar="FILE", help="a background track to mix beneath, ducked while someone speaks")
    d.add_argument("--duck-db", type=float, default=-14.0, help="the background's level under speech (default -14)")
    _common(d)
    d.set_defaults(run=cmd_dub)


def _common(p) -> None:
    p.add_argument("--engine", default=None, help=engine_help("engine for speakers whose cast entry names none"))
    p.add_argument("--server", default=None, help="use the engine of a `voxnb serve` at this URL")
    p.add_argument("--style", default="neutral", choices=list(STYLES), help="style of lines that set none")
    p.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON object describing what was written")


def _loaders(args, load, voice_of):
    """engine_for(name or None), voice_for(engine, voice name), close(): one engine per name, loaded once."""
    engines = {}

    def engine_for(name):
        if name not in engines:
            engines[name] = load(args if name is None else argparse.Namespace(**{**vars(args), "engine": name}))
        return engines[name]

    def voice_for(engine, name):
        return voice_of(engine, argparse.Namespace(ref=None, voice=name, voices_dir=args.voices_dir))

    def close():
        for engine in engines.values():
            getattr(engine, "close", lambda: None)()

    return engine_for, voice_for, close


def cmd_script(args, load, voice_of, need_consent) -> int:
    from ..productions.cast import parse_cast, require
    from ..productions.render import render_script
    from ..productions.script import read_script, speakers

    lines = read_script(args.file)             # a bad line, cast or setting stops here, before a model loads
    cast = parse_cast(args.cast)
    require(cast, speakers(lines))
    if not 0 <= args.pause <= 10:
        from ..errors import SettingsError

        raise SettingsError(key="script.bad_pause", where="--pause", pause=args.pause, most=10)
    engine_for, voice_for, close = _loaders(args, load, voice_of)

    def progress(p):
        if not args.json and p.line is not None:
            print(f"  [{p.done}/{p.total}] {p.line.speaker}: {p.line.text[:50]}", file=sys.stderr, flush=True)

    try:
        show = render_script(lines, cast, args.out, engine_for=engine_for, voice_for=voice_for, pause_s=args.pause,
                             style=args.style, seed=args.seed, on_progress=progress)
    finally:
        close()
    if args.json:
        print(json.dumps(show.to_dict(), ensure_ascii=False))
    else:
        reused = f", {show.reused} kept from before" if show.reused else ""
        print(f"wrote {show.mix} ({show.to_dict()['duration_s']} s, {len(show.timeline)} lines: {show.rendered} "
              f"spoken{reused}); subtitles {show.srt}; stems in {show.stems}")
    return 0


def cmd_dub(args, load, voice_of, need_consent) -> int:
    from ..productions.cast import parse_cast
    from ..productions.dub import describe, dub
    from ..productions.srt import read_srt

    if not args.voice and not args.cast:
        from ..errors import VoxnbError

        raise VoxnbError(key="dub.needs_voice", index=1, text=args.file)
    cues = read_srt(args.file, speakers=bool(args.cast))   # without a cast, 'Note: ...' is text
    cast = parse_cast(args.cast) if args.cast else None
    engine_for, voice_for, close = _loaders(args, load, voice_of)

    def progress(n, total, fit):
        if not args.json:
            mark = "ok" if fit.fits else "DOES NOT FIT"
            print(f"  [{n}/{total}] cue {fit.index} x{fit.speed:.2f} {mark}: {fit.text[:50]}", file=sys.stderr,
                  flush=True)

    try:
        dubbed = dub(cues, args.out, engine_for=engine_for, voice_for=voice_for, voice=args.voice, cast=cast,
                     style=args.style, seed=args.seed, max_speed=args.max_speed, under=args.under,
                     duck_db=args.duck_db, on_cue=progress)
    finally:
        close()
    if args.json:
        print(json.dumps(dubbed.to_dict(), ensure_ascii=False))
    else:
        print(f"wrote {dubbed.track}: {len(dubbed.cues) - len(dubbed.unfit)} of {len(dubbed.cues)} cues inside their "
              f"slots (time-stretching: {dubbed.stretcher}); every cue's fit is in {dubbed.track.with_suffix('.json')}")
        for fit in dubbed.unfit:
            print(f"warning: {describe(fit)}", file=sys.stderr)
    return 1 if dubbed.unfit else 0

