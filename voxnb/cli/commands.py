"""The ``voxnb`` command: synth, clone, batch, voices, phonemes, serve, fetch, bench, detect, doctor.

Errors a user can fix print one line on stderr and exit 2; a traceback only with --debug.
With --json, stdout carries exactly one JSON object and nothing else.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import VoxnbError
from ..settings import LANGUAGES
from .options import CONSENT_HELP, LANG_HELP, SEED_HELP, engine_help


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voxnb", description="Zero-shot voice cloning you can look inside.")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--voices-dir", help="voices library (default: $VOXNB_HOME/voices)")
    sub = p.add_subparsers(dest="command", required=True)
    from ..engines import DEFAULT, registry, specs

    engines = specs()   # every help and default below that names engines reads their specs
    gpu = [n for n, s in engines.items() if s.device != "cpu"]
    # engines of several models: each model's name is also a fetch name (``voxnb fetch <model>``)
    models = [m.name for s in engines.values() if len(s.models) > 1 for m in s.models]
    fetchable = [*engines, *models, *registry.WEIGHTS_ONLY]

    from .synth import add_parser as add_synth

    add_synth(sub)
    from .productions import add_parsers as add_productions

    add_productions(sub)   # script, dub, book: each sets its own ``run``

    c = sub.add_parser("clone", help="enroll a reference clip and save it as a named voice")
    c.add_argument("ref", help="reference clip: 3-30 s of one person speaking (WAV, FLAC, MP3, OGG, ...)")
    c.add_argument("--name", required=True, help="save the voice under this name (1-64 letters, digits, Chinese "
                   "characters, spaces, - _ .); use it later with synth --voice NAME")
    c.add_argument("--transcript", default="", help="what the reference says (optional)")
    c.add_argument("--transcribe", action="store_true", help="fill the transcript with offline ASR (English)")
    c.add_argument("--overwrite", action="store_true", help="replace a different voice saved under this name")
    c.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    c.add_argument("--refine", action="store_true", help="then tune the voice's style to the reference (Kokoro; "
                   "minutes, cached; kept only if a held-out check says it is closer and as clear)")
    c.add_argument("--refine-budget", type=float, default=180, metavar="S", help="seconds refinement may take")
    c.add_argument("--engine", default=None, help=engine_help())
    c.add_argument("--server", default=None, help="use the engine of a `voxnb serve` at this URL")
    c.add_argument("--json", action="store_true", help="print one JSON object describing the saved voice")

    v = sub.add_parser("voices", help="list saved voices (--stock: the voices an engine ships with)")
    v.add_argument("--stock", action="store_true", help="list the engine's stock voices instead (usable as --voice NAME)")
    v.add_argument("--engine", default=None, help=engine_help("with --stock: engine"))
    v.add_argument("--json", action="store_true", help="print one JSON object: the voices and their folder")

    ph = sub.add_parser("phonemes", help="show what will be spoken, without loading a model")
    ph.add_argument("text", help="the text, with pronunciation markup if any: [h][ào], [M][AY0][N][UW1][T]")
    ph.add_argument("--lang", default="auto", choices=list(LANGUAGES), help=LANG_HELP)
    ph.add_argument("--json", action="store_true", help="print one JSON object: chunks, segments, phonemes")

    b = sub.add_parser("batch", help="speak every line of a CSV script into a folder of WAVs + manifest.csv")
    b.add_argument("script", help="UTF-8 CSV with a header: text, and optionally name, style, speed, seed, voice")
    who = b.add_mutually_exclusive_group(required=True)
    who.add_argument("--ref", help="reference clip to clone for every line without its own voice (needs --consent)")
    who.add_argument("--voice", help="a saved voice name or id, or a stock voice")
    b.add_argument("--out", required=True, help="output folder (existing files are never replaced)")
    b.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    b.add_argument("--engine", default=None, help=engine_help())
    b.add_argument("--server", default=None, help="use the engine of a `voxnb serve` at this URL")
    b.add_argument("--json", action="store_true", help="print one JSON object describing the batch")
    b.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="spread the lines over a Ray cluster's workers (one engine each); without ADDRESS, "
                        "start Ray on this box. This process writes every file and the manifest")
    b.add_argument("--workers", type=int, default=None, metavar="N",
                   help="with --ray: engine workers (default: one per GPU, or per CPU without one)")

    bn = sub.add_parser("bench", help="speed, WER and speaker similarity of voxnb and its peers, in one run")
    bn.add_argument("--quick", action="store_true", help="2 speakers x 1 text (about 4 minutes); "
                                                      "with --watermark, 3 clips x 3 attacks")
    bn.add_argument("--systems", default="voxnb,kokoro-raw,kokoro-stock,piper", help="comma-separated")
    bn.add_argument("--json", action="store_true", help="print all figures as one JSON object")
    bn.add_argument("--role", choices=("tune", "heldout"), default=None,
                    help="only these reference speakers (heldout: never used by any fitting step)")
    bn.add_argument("--refine", type=float, nargs="?", const=180.0, default=None, metavar="SECONDS",
                    help="refine every cloned voice first (voxnb clone --refine), with this budget (default 180)")
    bn.add_argument("--engine", default=None, help=f"measure this engine ({', '.join(gpu)}) on the bench's "
                                                   "references and texts instead of the CPU systems")
    bn.add_argument("--random-weights", action="store_true",
                    help="with --engine: build its full-size architecture from its real config with random weights "
                         "and measure speed and memory only (parameters, load, RTF, first audio, peak RSS/VRAM, "
                         "inspect overhead, 4 concurrent requests through the engine server); no weights needed")
    bn.add_argument("--steps", type=int, default=None,
                    help="with --random-weights: solver steps (F5 NFE, VoxCPM timesteps, CosyVoice 3 flow "
                         "steps); default the engine's own")
    bn.add_argument("--text", default=None, help="with --random-weights: the text to time (default: two sentences)")
    bn.add_argument("--model", choices=models, default=None,
                    help="with --random-weights, an engine of several models: which (default its smallest)")
    bn.add_argument("--concurrent", type=int, default=4,
                    help="with --random-weights: concurrent requests through the engine server (0: skip)")
    bn.add_argument("--hostile", action="store_true",
                    help="send the engine server the hostile set (bombs, huge and slow bodies, cross-site and "
                         "malformed requests): each case's status, the server's RSS before/peak/after, and whether "
                         "a good request follows; starts a server of --engine (default kokoro) unless --server")
    bn.add_argument("--server", default=None, help="with --hostile: a running `voxnb serve` at this URL")
    bn.add_argument("--serve", action="store_true",
                    help="serving throughput through the HTTP API: plain `voxnb serve` against --replicas on a "
                         "local Ray, at each --concurrency (requests/min, audio s/s, p50/p95 latency and "
                         "first audio); --engine picks the engine (default kokoro)")
    bn.add_argument("--replicas", default="1,2", help="with --serve: replica counts (default 1,2)")
    bn.add_argument("--concurrency", default="1,4,8", help="with --serve: concurrent clients (default 1,4,8)")
    bn.add_argument("--requests", type=int, default=None,
                    help="with --serve: requests per cell (default 4 x clients, at least 8)")
    bn.add_argument("--watermark", action="store_true", help="measure the watermark instead: detection after "
                                                            "codecs, resampling, noise and splicing; false positives; cost")

    sv = sub.add_parser("serve", help="load one engine once and serve it to every kernel and dashboard viewer")
    sv.add_argument("--engine", default=None, help=engine_help("engine to load"))
    sv.add_argument("--host", default="127.0.0.1", help="listen address; other than loopback needs a token")
    sv.add_argument("--port", type=int, default=8870, help="TCP port (default 8870)")
    sv.add_argument("--max-queue", type=int, default=8, help="requests that may wait; one more is refused at once")
    sv.add_argument("--token", default="", help="required from clients, 16 characters or more (shows in `ps`: "
                                                 "prefer $VOXNB_SERVER_TOKEN or --token-file; generated and "
                                                 "printed when listening beyond loopback without one)")
    sv.add_argument("--token-file", default=None, help="read the token from this file")
    sv.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                    help="a web page's origin (e.g. https://studio.example) whose browser requests are "
                         "answered, CORS included; repeatable (default: none, every other site is refused)")
    sv.add_argument("--read-timeout", type=float, default=30.0, metavar="S",
                    help="request headers in full, and each pause inside a body, at most S seconds (default 30)")
    sv.add_argument("--send-timeout", type=float, default=30.0, metavar="S",
                    help="a client that reads none of its reply for S seconds has its request cancelled "
                         "(default 30)")

    sv.add_argument("--replicas", default=None, metavar="N|all|auto",
                    help="serve from N replicas of the engine on a Ray cluster (all: one per GPU, or per CPU "
                         "without one; auto: scaled on queue length); same HTTP API (needs ray[serve])")
    sv.add_argument("--ray", default=None, metavar="ADDRESS",
                    help="with --replicas: the Ray cluster's head (host:6379); default: start Ray on this box")
    sv.add_argument("--max-ongoing", type=int, default=None, metavar="N",
                    help="with --replicas: requests in flight per replica (default 2: one runs, one waits ready)")
    sv.add_argument("--max-replicas", type=int, default=None, metavar="N",
                    help="with --replicas auto: the most replicas (default: the cluster's GPUs, or CPUs)")

    f = sub.add_parser("fetch", help=f"make an engine's weights present and verified ({', '.join(fetchable)})")
    f.add_argument("name", nargs="?", default=None,
                   help=f"engine (default: {DEFAULT}); a model's name fetches that model of its engine "
                        f"({', '.join(models) or 'none here'}); {', '.join(registry.WEIGHTS_ONLY)} = the reference ASR")
    f.add_argument("--engine", default=None, help=argparse.SUPPRESS)   # the older spelling
    f.add_argument("--source", choices=("hf", "modelscope"), default=None,
                   help="model hub (default: ModelScope on AutoDL/PAI-DSW, else Hugging Face; HF_ENDPOINT honoured)")
    f.add_argument("--from", dest="source_dir", default=None, help="take files placed by hand in this directory")
    f.add_argument("--accept-licence", action="store_true", help="accept the weights' licence (F5-TTS: CC-BY-NC)")
    f.add_argument("--model", choices=("auto", *models), default=None,
                   help="an engine of several models: which model's weights (default auto: the largest the GPU "
                        "has the memory for, the smallest otherwise, on a CPU too)")

    cm = sub.add_parser("compare", help="one reference and text through several engines, measured side by side")
    cm.add_argument("--ref", required=True, help="reference clip to clone with every engine (needs --consent)")
    cm.add_argument("--text", required=True, help="what every engine says")
    cm.add_argument("--engines", default=",".join(n for n, s in engines.items() if s.clones),
                    help="comma-separated; each in-kernel or its server (default: every engine that clones, "
                         "%(default)s)")
    cm.add_argument("--transcript", default="", help="what the reference says (default: ASR)")
    cm.add_argument("--seed", type=int, default=0, help=SEED_HELP)
    cm.add_argument("--out", default=None, help="folder for each engine's WAV")
    cm.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    cm.add_argument("--json", action="store_true", help="print one JSON object: a row per engine")

    dt = sub.add_parser("detect", help="does a file carry voxnb's watermark? Also prints the metadata it carries")
    dt.add_argument("files", nargs="+", metavar="FILE", help="audio files (WAV, FLAC, OGG, MP3, ...)")
    dt.add_argument("--json", action="store_true", help="print one JSON object: a record per file")

    d = sub.add_parser("doctor", help="engines, devices, weights and versions")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _library(args):
    from ..paths import voices_dir
    from ..voice import VoiceLibrary

    return VoiceLibrary(Path(args.voices_dir) if args.voices_dir else voices_dir())


def _engine(args):
    """--server URL; else the start script's server for --engine NAME when there is one; else in-process."""
    from ..engines import load_engine
    from ..engines.remote import configured_servers

    entry = configured_servers().get(args.engine) if args.engine and not args.server else None
    if entry:
        return load_engine(args.engine, server=entry["url"], token=entry.get("token"))
    return load_engine(args.engine, server=args.server)


def _need_consent(args) -> None:
    """Refuse a clone without --consent before a model is loaded."""
    from ..output.consent import required

    if getattr(args, "ref", None) and not args.consent:
        raise required(Path(args.ref).name)


def _voice(engine, args):
    if args.ref:
        return engine.clone(args.ref, consent=args.consent or None)
    library = _library(args)
    if args.voice in library.names() or args.voice not in engine.capabilities.stock_voices:
        try:
            return library.load(args.voice)
        except VoxnbError:
            if args.voice not in engine.capabilities.stock_voices:
                raise
    return engine.stock_voice(args.voice)


def cmd_synth(args) -> int:
    from .synth import cmd_synth as synth

    _need_consent(args)
    engine = _engine(args)
    return synth(args, engine, _voice(engine, args))


def cmd_clone(args) -> int:
    from .clone import cmd_clone as clone

    _need_consent(args)   # before anything, a cached answer included (see voxnb.cli.clone)
    return clone(args, _library(args), lambda: _engine(args))


def cmd_voices(args) -> int:
    from .voices import list_stock, list_saved

    return list_stock(args.engine, args.json) if args.stock else list_saved(_library(args), args.json)


def cmd_phonemes(args) -> int:
    from ..text import phonemize

    chunks = phonemize(args.text, lang=args.lang)
    if args.json:
        print(json.dumps({"chunks": [{"text": c.text, "phonemes": c.phonemes,
                                      "segments": [[s.lang, s.text, s.phonemes] for s in c.segments]}
                                     for c in chunks]}, ensure_ascii=False))
        return 0
    for c in chunks:
        for s in c.segments:
            print(f"[{s.lang}] {s.text}\n     {s.phonemes}")
        for w in c.warnings:
            print(f"note: {w}", file=sys.stderr)
    return 0


def cmd_detect(args) -> int:
    """Exit 0 when every file carries the mark, 1 when any does not, 2 when any cannot be read."""
    from ..output.watermark import check_file

    entries = [check_file(f) for f in args.files]
    if args.json:
        print(json.dumps({"files": entries}, ensure_ascii=False))
    for e in entries if not args.json else ():
        if e["error"]:
            print(f"{e['file']}: cannot read it: {e['error']}")
            continue
        spans = ", ".join(f"{a:g}-{b:g} s" for a, b in e["marked_spans"])
        verdict = "voxnb watermark found" if e["marked"] else "no voxnb watermark"
        print(f"{e['file']}: {verdict} (confidence {e['confidence']:.2f}{'; in ' + spans if spans and e['marked'] else ''})")
        meta = e["metadata"]
        if meta:
            from ..output.provenance import describe

            print(f"  {describe(meta)}")
        elif e["marked"]:
            print("  its metadata was stripped (no voxnb tags in the file, no sidecar beside it)")
    if any(e["error"] for e in entries):
        return 2
    return 0 if all(e["marked"] for e in entries) else 1


def cmd_doctor(args) -> int:
    from .doctor import report

    info = report()
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        for k, v in info.items():
            print(f"{k:14} {v}")
    return 0


def cmd_batch(args) -> int:
    from .batch import cmd_batch as batch

    return batch(args, _engine, _voice, _need_consent)


def cmd_bench(args) -> int:
    from .bench import cmd_bench as bench

    return bench(args, _engines_for)


def cmd_serve(args) -> int:
    from ..server import serve

    serve(args.engine, host=args.host, port=args.port, max_queue=args.max_queue, token=args.token,
          token_file=args.token_file, allow_origins=tuple(args.allow_origin), read_timeout_s=args.read_timeout,
          send_timeout_s=args.send_timeout, replicas=args.replicas, ray=args.ray, max_ongoing=args.max_ongoing,
          max_replicas=args.max_replicas)
    return 0


def cmd_fetch(args) -> int:
    from ..engines import DEFAULT, fetch, registry
    from ..weights.hub import ask_on_terminal

    name = args.name or args.engine or DEFAULT
    model = args.model
    owner = registry.model_owner(name)
    if owner is not None:       # a model of an engine of several (VoxCPM2 of voxcpm), with weights of its own
        if model not in (None, name):
            raise VoxnbError(key="cli.fetch_other_model", name=name, title=owner.model(name).title, model=model,
                             owner=owner.name)
        name, model = owner.name, name
    spec = registry.specs().get(name)
    several = spec is not None and len(spec.models) > 1
    if model is not None and not several:
        several_models = [s for s in registry.specs().values() if len(s.models) > 1]
        from ..messages import Msg, either

        raise VoxnbError(key="cli.model_one_model", name=name, either=either(s.name for s in several_models),
                         choosers=either(s.title for s in several_models) or Msg("cli.no_engine_here"))
    hub = name in registry.WEIGHTS_ONLY or (spec is not None and bool(registry.hub_weights(spec)))
    options = {"source": args.source, "source_dir": args.source_dir, "accept": args.accept_licence,
               "ask": ask_on_terminal()} if hub else {}
    if several:
        options["model"] = model or "auto"
    print(fetch(name, progress=lambda msg: print(f"  {msg}", file=sys.stderr), **options))
    return 0


def _engines_for(names: list[str]) -> dict:
    """Each engine from its configured server if there is one (the start script's), else in this process."""
    return {name: _engine(argparse.Namespace(engine=name, server=None)) for name in names}


def cmd_compare(args) -> int:
    from ..runs.compare import compare, table

    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    _need_consent(args)
    rows = compare(args.ref, args.text, _engines_for(names), transcript=args.transcript, seed=args.seed,
                   progress=lambda m: print(f"  {m}", file=sys.stderr), consent=args.consent or None)
    if args.out:
        for r in rows:
            if r.result is not None:
                r.result.save(Path(args.out) / f"{r.engine}.wav")
    print(json.dumps({"rows": [r.to_dict() for r in rows]}, ensure_ascii=False) if args.json else table(rows))
    return 0 if any(r.result is not None for r in rows) else 2


COMMANDS = {"compare": cmd_compare, "bench": cmd_bench, "fetch": cmd_fetch, "serve": cmd_serve, "synth": cmd_synth,
            "clone": cmd_clone, "voices": cmd_voices, "phonemes": cmd_phonemes, "doctor": cmd_doctor,
            "batch": cmd_batch, "detect": cmd_detect}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command in COMMANDS:
            return COMMANDS[args.command](args)
        return args.run(args, load=_engine, voice_of=_voice, need_consent=_need_consent)
    except VoxnbError as err:
        if args.debug:
            raise
        from ..messages import lang_from_env, record

        print(f"error: {err.render(lang_from_env())}", file=sys.stderr)   # LANG=zh_CN...: in Chinese
        if getattr(args, "json", False):   # a script reads one JSON object on stdout, failure included
            print(json.dumps({"error": str(err), "type": type(err).__name__, "key": err.key,
                              "params": {k: record(v) for k, v in err.params.items()}}, ensure_ascii=False))
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a bug, not bad input: say so, keep the trace for --debug
        if args.debug:
            raise
        print(f"error: unexpected {type(err).__name__}: {err} (run with --debug for the traceback)", file=sys.stderr)
        return 1
