"""`voxnb finetune prepare`: minutes of one person's speech made into a fine-tuning dataset."""
from __future__ import annotations

import json
import sys

from .options import CONSENT_HELP


def add_parser(sub) -> None:
    f = sub.add_parser("finetune", help="few-shot fine-tuning: prepare a dataset from minutes of one person's speech")
    steps = f.add_subparsers(dest="step", required=True,
                             help="prepare: recordings made into a dataset of transcribed segments")
    p = steps.add_parser("prepare", help="cut recordings at their pauses into transcribed, scored 2-15 s segments")
    p.add_argument("files", nargs="+", help="1-60 minutes of one person speaking, in any number of audio files")
    p.add_argument("--name", required=True, help="whose voice this is (kept in the dataset and the voice it makes)")
    p.add_argument("--out", required=True, help="the dataset folder: segments/, manifest.jsonl, dataset.json")
    p.add_argument("--consent", action="store_true", help=CONSENT_HELP)
    p.add_argument("--lang", default="en", choices=["en", "zh"], help="what is spoken (Mandarin needs a "
                   "multilingual Whisper: on a GPU box the start script fetches one)")
    p.add_argument("--min-speech", type=float, default=60.0, metavar="S",
                   help="refuse a dataset with less usable speech than this (default 60 s)")
    p.add_argument("--json", action="store_true", help="print one JSON object describing the dataset")
    p.set_defaults(run=cmd_prepare)


def cmd_prepare(args, load, voice_of, need_consent) -> int:
    from ..output.consent import required
    from ..finetune.prepare import prepare

    if not args.consent:
        raise required("this recording")

    def progress(stage, done, total):
        if not args.json:
            print(f"  {stage} {done}/{total}", file=sys.stderr, flush=True)

    ds = prepare(args.files, name=args.name, out=args.out, consent=True, language=args.lang,
                 min_speech_s=args.min_speech, on_progress=progress)
    dropped = {}
    for s in ds.segments:
        if not s.kept:
            dropped[s.reason] = dropped.get(s.reason, 0) + 1
    info = {"dataset": str(ds.folder), "segments": len(ds.segments), "kept": sum(s.kept for s in ds.segments),
            "kept_s": ds.kept_s, "dropped": dropped, "digest": ds.info["digest"]}
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        why = ", ".join(f"{n} {reason}" for reason, n in dropped.items()) or "none"
        print(f"dataset {ds.folder}: {info['kept']} of {info['segments']} segments kept ({ds.kept_s} s of speech); "
              f"dropped: {why}. Edit transcripts or restore segments in {ds.folder}/manifest.jsonl or the dashboard.")
    return 0
