"""The Script tab's state and actions in plain Python (no widgets): a script or subtitle file read, its
speakers cast, rendered into the viewer's work folder, one line re-rendered or inspected.

    desk = ScriptDesk(session)
    desk.read("Alice: Hi.\\nBob: Hello.")           # -> ["Alice", "Bob"]
    desk.render({"Alice": "alice", "Bob": "bob"})    # -> Show (mix, SRT, stems, timeline)
"""
from __future__ import annotations

import io
import time
import zipfile
from dataclasses import replace
from pathlib import Path

from ..productions.cast import Role
from ..productions.render import Show, render_script
from ..productions.script import ScriptLine, parse_script, read_csv, speakers
from ..productions.srt import parse_srt

NO_NAME = ""      # a subtitle cue without a "Name:" prefix: spoken in the voice cast for ""


class ScriptDesk:
    def __init__(self, session):
        self.session = session
        self.lines: list[ScriptLine] = []
        self.cues = None               # a subtitle file's cues (then a render is a dub)
        self.cast: dict[str, str] = {}
        self.pause_s = 0.4
        self.show: Show | None = None
        self.dubbed = None
        self.name = "script"
        self.count = 0                 # renders so far: each writes beside the last, nothing is replaced

    # -- reading ---------------------------------------------------------------------------
    def read(self, text: str, filename: str = "") -> list[str]:
        """Read a script (``Name: text`` lines, a CSV) or subtitles (.srt, or text that starts like one);
        return its speakers. A bad file raises a VoxnbError naming the line and the fix."""
        source = filename or "the script"
        self.name = Path(filename).stem if filename else "script"
        self.show = self.dubbed = None
        if filename.lower().endswith(".srt") or _looks_like_srt(text):
            self.cues, self.lines = parse_srt(text, source), []
            return list(dict.fromkeys(c.speaker for c in self.cues))
        self.cues = None
        self.lines = read_csv(text, source) if filename.lower().endswith(".csv") else parse_script(text, source)
        return speakers(self.lines)

    def voice_options(self) -> list[str]:
        """Saved voices first, then the engine's stock voices."""
        stock = list(self.session.engine.capabilities.stock_voices)
        return list(dict.fromkeys([*self.session.library.names(), *stock]))

    def _voice_for(self, engine, name: str):
        if name in self.session.library.names():
            return self.session.library.load(name)
        return engine.stock_voice(name)

    # -- rendering -------------------------------------------------------------------------
    def _out(self) -> Path:
        return self.session.workdir / "productions" / f"{self.name}.wav"

    def render(self, cast: dict[str, str], pause_s: float = 0.4, on_progress=None):
        """Speak the script (or dub the subtitles) with ``cast`` (speaker -> voice name). Lines already
        spoken with the same text, voice and settings are kept; the mix is written anew."""
        self.cast, self.pause_s = dict(cast), pause_s
        roles = {who: Role(voice=voice) for who, voice in cast.items() if voice}
        engine = self.session.engine
        self.count += 1
        if self.cues is not None:
            from ..productions.dub import dub

            out = self._out().with_name(f"{self.name}-dub.wav")
            self.dubbed = dub(self.cues, out, engine_for=lambda _: engine, voice_for=self._voice_for,
                              voice=cast.get(NO_NAME) or None, cast={k: v for k, v in roles.items() if k},
                              on_cue=lambda n, total, fit: on_progress and on_progress(n, total))
            return self.dubbed
        self.show = render_script(self.lines, roles, self._out(), engine_for=lambda _: engine,
                                  voice_for=self._voice_for, pause_s=pause_s,
                                  on_progress=lambda p: on_progress and on_progress(p.done, p.total))
        return self.show

    def rerender(self, index: int, style: str | None = None, seed: int | None = None):
        """Line ``index`` (1-based) again with another style or seed; the rest is kept, the mix rebuilt."""
        line = self.lines[index - 1]
        changes = {k: v for k, v in (("style", style), ("seed", seed)) if v is not None}
        self.lines[index - 1] = replace(line, **changes)
        return self.render(self.cast, self.pause_s)

    def inspect(self, index: int):
        """Line ``index`` spoken again with every intermediate kept (phonemes, durations, attention, f0): the
        same take, as its text, voice and settings are the same; the inspector draws it."""
        import json

        from ..engines.generate import generate

        engine = self.session.engine
        take = self.show.files[index]
        settings = json.loads(take.with_suffix(".json").read_text(encoding="utf-8"))["settings"]
        line = self.lines[index - 1]
        voice = self._voice_for(engine, self.cast[line.speaker])
        return generate(engine, line.text, voice, {**settings, "inspect": True})

    # -- what a viewer downloads -----------------------------------------------------------
    def take(self, index: int) -> bytes:
        return self.show.files[index].read_bytes()

    def mix_bytes(self) -> tuple[str, bytes]:
        path = self.dubbed.track if self.dubbed is not None else self.show.mix
        return path.name, path.read_bytes()

    def srt_bytes(self) -> tuple[str, bytes]:
        return self.show.srt.name, self.show.srt.read_bytes()

    def stems_zip(self) -> tuple[str, bytes]:
        """Every line's take (audio + sidecar), the manifest, the timeline and the subtitles, in one zip."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(self.show.files.values()):
                z.write(path, f"stems/{path.name}")
                if path.with_suffix(".json").exists():
                    z.write(path.with_suffix(".json"), f"stems/{path.with_suffix('.json').name}")
            z.write(self.show.mix.with_suffix(".json"), "timeline.json")
            z.write(self.show.srt, self.show.srt.name)
        return f"{self.name}-stems-{time.strftime('%H%M%S')}.zip", buf.getvalue()


def _looks_like_srt(text: str) -> bool:
    head = [line.strip() for line in text.lstrip().splitlines()[:3]]
    return any("-->" in line for line in head[:2])
