"""The dashboard's model: one viewer's state and actions, in plain Python (no widgets).

Voila starts one kernel per page load, so one Session is one viewer: an uploaded clip, the
current voice and the history never cross between viewers. Uploads and outputs live in a
private temporary folder that no server route exposes.
"""
from __future__ import annotations

import dataclasses
import io
import json
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import BadReferenceError, VoxnbError
from ..settings import SynthesisSettings

INSPECT_MAX_CHARS = 3000   # attention maps cost ~6 MB a chunk: long texts are spoken without them
MAX_UPLOAD_MB = 20          # a 30 s 48 kHz stereo WAV is ~11 MB; Voila's websocket limit is raised above this
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "reference"


@dataclass(frozen=True)
class HistoryEntry:
    number: int
    text: str
    voice_name: str
    voice_id: str
    settings: dict
    duration_s: float
    rtf: float
    wav: bytes = field(repr=False)
    sidecar: str = field(repr=False)


def wav_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.clip(audio, -1, 1), sample_rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def sample_voices(directory: Path = SAMPLES_DIR) -> dict[str, Path]:
    """Bundled reference clips long enough to clone (5 s or more, so VAD leaves 3 s of speech): label -> path."""
    if not directory.is_dir():
        return {}
    import soundfile as sf

    clips = sorted(p for p in directory.rglob("*") if p.suffix.lower() in (".wav", ".flac"))
    return {f"{p.parent.name}/{p.stem}": p for p in clips if sf.info(str(p)).duration >= 5.0}


def default_engine():
    """The engine server the start script runs for this kernel (so a viewer's kernel holds no weights),
    else an engine loaded here (a dashboard run from a notebook without the start script)."""
    from ..engines.remote import configured_servers, connect

    if configured_servers():
        return connect()
    from ..engines import load_engine

    return load_engine()


def engine_for(name: str):
    """Engine ``name``: its server if the start script runs one, else loaded in this kernel."""
    from ..engines.remote import configured_servers, connect

    if name in configured_servers():
        return connect(engine=name)
    from ..engines import load_engine

    return load_engine(name)


def engine_names() -> list[str]:
    """Engines this kernel can use: those with a server, then Kokoro, then hub engines whose package
    and weights are in this environment. Cheap: nothing is loaded."""
    import importlib.util

    from ..engines import hub
    from ..engines.remote import configured_servers

    names = list(configured_servers())
    for name, package in (("kokoro", None), ("f5", "f5_tts"), ("voxcpm", "voxcpm"), ("cosyvoice3", "cosyvoice")):
        if name in names or (package and importlib.util.find_spec(package) is None):
            continue
        if package:
            from importlib import import_module

            try:
                hub.check(import_module(f"voxnb.engines.{name}").WEIGHTS)
            except hub.WeightsError:
                continue
        names.append(name)
    return names


class Session:
    def __init__(self, engine_factory: Callable | None = None, library=None, workdir: Path | None = None):
        from ..paths import voices_dir
        from ..voice import VoiceLibrary

        self._engine_factory = engine_factory
        self._engine = None
        self._engine_lock = threading.Lock()
        self.library = library or VoiceLibrary(voices_dir())
        if workdir is None:  # a viewer's uploads go when their kernel does (culled or closed)
            workdir = Path(tempfile.mkdtemp(prefix="voxnb-session-"))
            weakref.finalize(self, shutil.rmtree, workdir, True)
        self.workdir = Path(workdir)
        self.reference = None          # Reference of the clip in use
        self.reference_is_upload = False
        self.voice = None              # the Voice synthesis uses
        self.history: list[HistoryEntry] = []
        self.result = None             # the last Result, for the inspector
        self.stop_requested = threading.Event()

    # -- engine ----------------------------------------------------------------------------
    @property
    def engine(self):
        with self._engine_lock:
            if self._engine is None:
                self._engine = (self._engine_factory or default_engine)()
            return self._engine

    def use_engine(self, name: str) -> None:
        """Switch engines. A voice belongs to one engine, so the clip in use is cloned again (on the
        next Generate) rather than spoken by the wrong engine."""
        with self._engine_lock:
            self._engine_factory = lambda: engine_for(name)
            self._engine = None
        if self.voice is not None and self.voice.engine != name and self.reference is not None:
            self.voice = None

    def compare(self, text: str, names: list[str], transcript: str = "", seed: int = 0, progress=None):
        """The clip in use and ``text`` through each engine in ``names``, measured alike (voxnb.compare)."""
        from ..compare import compare

        if self.reference is None:
            raise VoxnbError("Compare needs a reference clip.", "Upload a clip or pick a sample first (step 1).")
        engines = {}
        for name in names:
            engines[name] = self.engine if name == self.engine.capabilities.name else engine_for(name)
        return compare(self.reference, text, engines, transcript=transcript, seed=seed,
                       progress=progress or (lambda m: None))

    # -- reference and voice ---------------------------------------------------------------
    def load_upload(self, filename: str, content: bytes):
        """An uploaded file -> Reference (quality report included); nothing is kept but in workdir."""
        mb = len(content) / 2**20
        if mb > MAX_UPLOAD_MB:
            raise BadReferenceError(f"The file is {mb:.1f} MB; the limit is {MAX_UPLOAD_MB} MB.",
                                    "Upload a shorter clip: 3-30 s of speech is enough.")
        from ..audio import prepare_reference

        safe = Path(filename).name or "upload"
        # a folder per upload keeps the user's file name, so every message names the file they chose
        path = self.workdir / f"upload-{time.time_ns()}" / safe
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        self.reference = prepare_reference(path)
        self.reference_is_upload = True
        self.voice = None
        return self.reference

    def load_sample(self, label: str):
        from ..audio import prepare_reference

        samples = sample_voices()
        if label not in samples:
            raise VoxnbError(f"No bundled sample is called {label!r}.", f"Samples: {', '.join(samples)}.")
        self.reference = prepare_reference(samples[label])
        self.reference_is_upload = False
        self.voice = None
        return self.reference

    def use_saved(self, name: str):
        self.voice = self.library.load(name)
        self.reference, self.reference_is_upload = None, False
        return self.voice

    def enroll(self, consent: bool, transcript: str = "", name: str | None = None):
        if self.reference is None:
            raise VoxnbError("There is no reference clip yet.", "Upload a clip or pick a sample first.")
        if self.reference_is_upload and not consent:
            raise VoxnbError("Cloning an uploaded voice needs your confirmation.",
                             "Tick “I have the right to clone this voice”.")
        self.voice = self.engine.clone(self.reference, name=name or None, transcript=transcript)
        return self.voice

    def transcribe(self) -> str:
        from ..transcript import transcribe

        if self.reference is None:
            raise VoxnbError("There is no reference clip to transcribe.", "Upload a clip or pick a sample first.")
        return transcribe(self.reference.audio, self.reference.sample_rate, language="en").text

    def save_voice(self, name: str, overwrite: bool = False) -> Path:
        if self.voice is None:
            raise VoxnbError("There is no cloned voice to save.", "Clone a voice first (step 1).")
        path = self.library.save(self.voice, name=name, overwrite=overwrite)
        self.voice = self.voice.renamed(name)
        return path

    # -- text ------------------------------------------------------------------------------
    @staticmethod
    def preview(text: str, lang: str = "auto"):
        from ..text import phonemize

        return phonemize(text, lang=lang)

    # -- synthesis -------------------------------------------------------------------------
    def generate(self, text: str, settings: SynthesisSettings, on_stage=None, on_chunk=None):
        """Synthesise chunk by chunk; on_stage(key, **fmt) and on_chunk(ChunkResult) report progress.
        A stop request ends it after the current chunk with what was made so far."""
        from ..result import assemble

        if self.voice is None:
            raise VoxnbError("There is no voice yet.", "Choose a voice first (step 1).")
        settings = dataclasses.replace(settings.validated(), inspect=len(text) <= INSPECT_MAX_CHARS)
        on_stage = on_stage or (lambda *a, **k: None)
        self.stop_requested.clear()
        started = time.perf_counter()
        engine = self.engine
        on_stage("stage_frontend")
        chunks, notes = [], []
        stream = engine.stream(text, self.voice, **settings.to_dict())
        try:
            for chunk in stream:
                chunks.append(chunk)
                on_stage("stage_acoustic", i=chunk.index + 1, n=chunk.of)
                if on_chunk:
                    on_chunk(chunk)
                if self.stop_requested.is_set() and chunk.index + 1 < chunk.of:
                    notes.append(f"stopped after {chunk.index + 1} of {chunk.of} chunks")
                    on_stage("stage_stopped", i=chunk.index + 1, n=chunk.of)
                    break
        finally:
            getattr(stream, "close", lambda: None)()   # a served engine frees its queue at once, not when this is garbage-collected
        result = assemble(text, chunks, self.voice, settings, engine.capabilities.name,
                          engine.capabilities.version, started=started, warnings=tuple(notes))
        self.result = result
        sidecar = json.dumps(result.sidecar(), ensure_ascii=False, indent=2)
        self.history.append(HistoryEntry(len(self.history) + 1, text, self.voice.name, self.voice.id,
                                         settings.to_dict(), result.duration_s, result.rtf,
                                         wav_bytes(result.audio, result.sample_rate), sidecar))
        return result

    def stop(self) -> None:
        self.stop_requested.set()
