"""What each kind of engine-server request does with an engine, as the frames its client reads.

One definition for both servers: ``voxnb serve`` runs these on its engine thread, a replica on a Ray
cluster runs the same on its own (``voxnb.server.replica``), so a reply is byte for byte the same
whichever process made it. Frames are encoded where the work runs, never on a server's event loop.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from ..engines.generate import Generation
from ..engines.remote import wire

KINDS = ("clone", "synthesize", "stream")


def frames(engine, kind: str, args: dict, stats: dict | None = None) -> Iterator[tuple[bytes, bool]]:
    """The frames of one request, each as (bytes, whether it carries what the client keeps: a voice, a
    chunk, a result; after one a request can no longer be replayed elsewhere). ``args`` as
    ``voxnb.server.requests`` checked them; ``stats`` gets the seconds of audio made."""
    stats = {} if stats is None else stats
    stats.setdefault("audio_s", 0.0)
    if kind == "clone":
        from .requests import check_options

        check_options(engine, args["options"])
        voice = engine.clone(args["reference"], name=args["name"], transcript=args["transcript"], **args["options"])
        yield wire.frame({"kind": "voice"}, {"voice": np.frombuffer(voice.to_bytes(), np.uint8)}), True
    elif kind == "stream":
        for chunk in engine.stream(args["text"], args["voice"], **args["settings"]):
            stats["audio_s"] += len(chunk.audio) / chunk.sample_rate
            yield wire.frame(*wire.chunk_message(chunk)), True
    elif kind == "synthesize":
        # chunk by chunk, so a cancel lands between chunks, then joined as the engine's synthesize does
        run = Generation(engine, args["text"], args["voice"], args["settings"])
        for _ in run:
            yield wire.frame({"kind": "progress"}), False
        result = run.result()
        stats["audio_s"] = result.duration_s
        yield wire.frame(*wire.result_message(result)), True
    else:
        raise ValueError(f"unknown request kind {kind!r}")


def outcome_of(kind: str, args: dict) -> dict:
    """What a request's log line and metrics say of it before it runs: its voice and how much text."""
    voice = args.get("voice")
    return {"kind": kind, "voice_id": getattr(voice, "id", voice if isinstance(voice, str) else "") or "",
            "chars": len(args.get("text", "") or "")}
