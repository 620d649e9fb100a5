"""Stream, collect, assemble: the one way a text becomes a Result.

``Engine.synthesize``, the engine server, the dashboard's session, ``voxnb synth``, compare and batch
all run a synthesis through ``Generation`` (or ``generate``, its callback form), so timings, notes,
early stops and provenance are made in one place, for an engine in this process or behind a server.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

from ..output.result import ChunkResult, Result, assemble, finish
from ..settings import SynthesisSettings
from ..voice import Voice


def prepare(engine, settings: dict | SynthesisSettings, voice) -> tuple[SynthesisSettings, Voice]:
    """(validated settings, the Voice to speak). An engine in this process checks both itself (its own
    refusals included); an engine server's client validates the settings here (the server checks them
    again) and fetches a stock voice by name, so a Result's provenance names the voice spoken."""
    if isinstance(settings, SynthesisSettings):
        settings = settings.to_dict()
    if hasattr(engine, "_resolve"):
        return engine._settings(settings), engine._resolve(voice)
    return SynthesisSettings(**settings).validated(), voice if isinstance(voice, Voice) else engine.stock_voice(voice)


class Generation:
    """One synthesis as it happens: iterate it for each chunk as the engine makes it (breaking off stops
    the engine at once), then ``result()`` joins the chunks it collected.

    ``keep(chunk)`` is what is collected of each chunk (a file writer keeps no audio or maps)."""

    def __init__(self, engine, text: str, voice, settings: dict | SynthesisSettings,
                 keep: Callable[[ChunkResult], ChunkResult] | None = None):
        self.started = time.perf_counter()
        self.engine, self.text = engine, text
        self.settings, self.voice = prepare(engine, settings, voice)
        self.keep = keep or (lambda chunk: chunk)
        self.chunks: list[ChunkResult] = []
        self.notes: list[str] = []      # said of the whole take (an early stop), after the chunks' own

    def __iter__(self) -> Iterator[ChunkResult]:
        stream = self.engine.stream(self.text, self.voice, **self.settings.to_dict())
        try:
            for chunk in stream:
                self.chunks.append(self.keep(chunk))
                yield chunk
        finally:   # a served engine frees its queue at once, not when the stream is garbage-collected
            getattr(stream, "close", lambda: None)()

    def result(self, audio=None, record: dict | None = None) -> Result:
        """The Result of the chunks collected; ``audio``/``record``: a streamed file's (see ``finish``)."""
        caps = self.engine.capabilities
        if audio is None:
            return assemble(self.text, self.chunks, self.voice, self.settings, caps.name, caps.version,
                            started=self.started, warnings=tuple(self.notes))
        return finish(self.text, self.chunks, self.voice, self.settings, caps.name, caps.version, self.started,
                      audio=audio, warnings=tuple(self.notes), record=record)


def generate(engine, text: str, voice, settings: dict | SynthesisSettings,
             on_chunk: Callable[[ChunkResult], None] | None = None,
             stop: Callable[[ChunkResult], bool] | None = None) -> Result:
    """Synthesise ``text`` chunk by chunk: ``on_chunk(chunk)`` as each is ready; ``stop(chunk)`` true ends it
    after that chunk with what was made so far (the Result's warnings say so)."""
    run = Generation(engine, text, voice, settings)
    chunks = iter(run)
    try:
        for chunk in chunks:
            if on_chunk is not None:
                on_chunk(chunk)
            if stop is not None and chunk.index + 1 < chunk.of and stop(chunk):
                from ..messages import Msg

                run.notes.append(Msg("notes.stopped_after", n=chunk.index + 1, of=chunk.of))
                break
    finally:
        chunks.close()
    return run.result()
