"""``voxnb clone REF --name NAME``: enroll a reference clip as a named voice.

When NAME already holds a voice enrolled from the same recording, that voice is the answer: no
engine is loaded and the command succeeds.  A different voice under NAME is never replaced
without --overwrite.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

from ..errors import BadVoiceFileError, VoxnbError
from ..voice import Voice, VoiceLibrary, check_name


def cmd_clone(args, library: VoiceLibrary, make_engine: Callable) -> int:
    """``make_engine()`` gives the engine to enroll with; it is only called when a fit is needed.

    The caller checks --consent first, for the cached answer too: the saved voice already holds a
    consent record, but every enrollment request states it, so ``voxnb clone`` never runs without it.
    """
    check_name(args.name)   # before any work: `--name ''` once fell back to an automatic name
    if args.name in library.names() and not args.overwrite:
        voice = _already_enrolled(args, library, make_engine)
        if args.refine and voice.method != _refined_method():
            # the user asks for the refined version of their saved voice: it replaces the fast clone
            voice = _refine(args, make_engine(), voice)
            if voice.method == _refined_method():
                library.save(voice, overwrite=True)
        _print(args, voice, library.path(voice.name), already=True)
        return 0
    engine = make_engine()
    transcript = args.transcript
    if args.transcribe and not transcript:
        from ..reference.audio import prepare_reference
        from ..reference.transcript import transcribe

        ref = prepare_reference(args.ref)
        transcript = transcribe(ref.audio, ref.sample_rate, language="en").text
        voice = engine.clone(ref, name=args.name, transcript=transcript, consent=args.consent or None)
    else:
        voice = engine.clone(args.ref, name=args.name, transcript=transcript, consent=args.consent or None)
    if args.refine:
        voice = _refine(args, engine, voice)
    path = library.save(voice, overwrite=args.overwrite)
    _print(args, voice, path, already=False)
    return 0


def _refined_method() -> str:
    from ..engines.kokoro.refine import METHOD

    return METHOD


def _refine(args, engine, voice: Voice) -> Voice:
    """``voice`` refined against the reference, with progress on stderr; Ctrl-C stops it."""
    if not getattr(engine.capabilities, "refines", False):
        raise VoxnbError(key="cli.engine_cannot_refine_voice", name=engine.capabilities.name)

    def progress(fraction: float, message: str) -> None:
        print(f"\rrefining {fraction:4.0%}  {message[:60]:60}", end="", file=sys.stderr, flush=True)

    refined = engine.refine(voice, args.ref, budget_s=args.refine_budget, progress=progress)
    info = refined.info.get("refine", {})
    print(file=sys.stderr)
    verdict = "kept" if refined.method == _refined_method() else f"not kept ({info.get('reason') or 'no gain'})"
    held = info.get("heldout", {})
    print(f"refinement {verdict}: {info.get('seconds', 0):.0f} s, {info.get('syntheses', 0)} syntheses"
          + (f", held-out d-vector {held['clone']['dvector']:.3f} -> {held['refined']['dvector']:.3f}"
             if {"clone", "refined"} <= set(held) else ""), file=sys.stderr)
    return refined


def _already_enrolled(args, library: VoiceLibrary, make_engine: Callable) -> Voice:
    """The voice saved as ``args.name`` when it is this enrollment again; else a VoxnbError naming the fix.

    Same enrollment: same prepared reference audio (prepare_reference needs no engine), same
    engine, and the same transcript when one is given.
    """
    from ..reference.audio import prepare_reference
    from ..engines import DEFAULT

    ref = prepare_reference(args.ref)
    try:
        saved = Voice.load(library.path(args.name))
    except BadVoiceFileError as err:
        raise VoxnbError(key="cli.saved_voice_unreadable", problem=err.problem_msg()) from None
    clip = Path(args.ref).name
    if library.enrolled_from(args.name, ref.audio) is None:
        if not saved.consent.get("reference_sha256"):
            raise VoxnbError(key="cli.saved_before_consent_records", name=args.name, clip=clip)
        raise VoxnbError(key="cli.saved_from_other_audio", name=args.name, clip=clip)
    # a --server without --engine: ask the server which engine it runs (it holds the model; nothing loads here)
    wanted = args.engine or (make_engine().capabilities.name if args.server else DEFAULT)
    if wanted != saved.engine:
        raise VoxnbError(key="cli.saved_with_other_engine", name=args.name, clip=clip, engine=saved.engine,
                         wanted=wanted)
    if args.transcript.strip() and args.transcript.strip() != saved.transcript.strip():
        raise VoxnbError(key="cli.saved_with_other_transcript", name=args.name, clip=clip,
                         transcript=saved.transcript)
    return saved


def _print(args, voice: Voice, path: Path, already: bool) -> None:
    info = {"name": voice.name, "id": voice.id, "path": str(path), "method": voice.method,
            "transcript": voice.transcript, "consent": dict(voice.consent),
            "fit": dict(voice.info), "report": dict(voice.report), "already_enrolled": already}
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return
    if already:
        print(f"voice {voice.name!r} [{voice.id}] is already enrolled from this recording: {path} "
              "(nothing to do; --overwrite enrolls it again)")
    else:
        print(f"saved voice {voice.name!r} [{voice.id}] to {path}")
    if voice.transcript:
        print(f"transcript: {voice.transcript}")
    for w in () if already else voice.report.get("warnings", ()):
        print(f"note: {w}", file=sys.stderr)
