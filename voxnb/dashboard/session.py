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
from .i18n import error
from .uploads import display_name

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


SAMPLE_CONSENT = "bundled sample: a published recording licensed for redistribution (assets/reference/SOURCES.md)"


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
    """Engines this kernel can use: those with a server, then the others whose package is in this
    environment and (for an engine of hub weights) any of whose models' weights are here. Cheap: nothing
    is loaded."""
    from ..engines import registry
    from ..engines.remote import configured_servers
    from ..weights import hub

    names = list(configured_servers())
    for name, spec in registry.specs().items():
        if name in names or not registry.installed(spec):
            continue
        hub_weights = registry.hub_weights(spec)
        # an engine of several models (VoxCPM 1.5 and VoxCPM2) is on offer with any of them fetched
        if hub_weights and not any(_has_weights(hub, w) for w in hub_weights):
            continue
        names.append(name)
    return names


def _has_weights(hub, spec) -> bool:
    try:
        hub.check(spec)
        return True
    except hub.WeightsError:
        return False


def engine_label(name: str, capabilities=None) -> str:
    """The engine menu's label: its name, and for the loaded engine of several models the one it runs
    ('voxcpm · VoxCPM2')."""
    from ..engines import specs

    spec = specs().get(name)
    if capabilities is None or capabilities.name != name or spec is None or len(spec.models) < 2:
        return name
    model = spec.model_of(capabilities.version)
    return f"{name} · {model.title}" if model else name


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
        self.reference_name = ""       # the clip's name as the viewer knows it (the upload's own name)
        self.voice = None              # the Voice synthesis uses
        self.history: list[HistoryEntry] = []
        self.result = None             # the last Result, for the inspector
        self.stop_requested = threading.Event()
        self.refine_cancelled = threading.Event()

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

    def compare(self, text: str, names: list[str], transcript: str = "", seed: int = 0, progress=None,
                consent: bool = False):
        """The clip in use and ``text`` through each engine in ``names``, measured alike (voxnb.runs.compare)."""
        from ..runs.compare import compare

        if self.reference is None:
            raise error(VoxnbError, "err_compare_no_reference")
        engines = {}
        for name in names:
            engines[name] = self.engine if name == self.engine.capabilities.name else engine_for(name)
        return compare(self.reference, text, engines, transcript=transcript, seed=seed,
                       progress=progress or (lambda m: None), consent=self._consent(consent))

    # -- reference and voice ---------------------------------------------------------------
    def load_upload(self, filename: str, content: bytes):
        """An uploaded file -> Reference (quality report included); nothing is kept but in workdir.
        A refused upload clears the clip and voice in use: the viewer chose to replace them, and a
        voice left in place would be spoken as if it came from the file they just picked."""
        from ..reference.audio import prepare_reference

        self.reference, self.reference_is_upload, self.reference_name, self.voice = None, False, "", None
        mb = len(content) / 2**20
        if mb > MAX_UPLOAD_MB:
            raise error(BadReferenceError, "too_big", mb=mb, limit=MAX_UPLOAD_MB)
        path = self._keep(filename, content)
        self.reference = prepare_reference(path)
        self.reference_is_upload, self.reference_name = True, path.name
        return self.reference

    def _keep(self, filename: str, content: bytes) -> Path:
        """Write an upload into workdir. A folder per upload keeps the user's file name, so every
        message names the file they chose; only the name's last part is used, so nothing lands outside."""
        path = self.workdir / f"upload-{time.time_ns()}" / display_name(filename)
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        return path

    def load_sample(self, label: str):
        from ..reference.audio import prepare_reference

        samples = sample_voices()
        if label not in samples:
            raise error(VoxnbError, "err_no_sample", label=label, samples=", ".join(samples))
        self.reference = prepare_reference(samples[label])
        self.reference_is_upload, self.reference_name = False, label
        self.voice = None
        return self.reference

    def use_saved(self, name: str):
        self.voice = self.library.load(name)
        self.reference, self.reference_is_upload, self.reference_name = None, False, ""
        return self.voice

    def enroll(self, consent: bool, transcript: str = "", name: str | None = None):
        if self.reference is None:
            raise error(VoxnbError, "err_no_reference")
        self.voice = self.engine.clone(self.reference, name=name or None, transcript=transcript,
                                       consent=self._consent(consent))
        return self.voice

    def refine_problem(self) -> str:
        """Why refine_voice cannot run now, '' if it can: 'no_clone' (no voice, or a stock one),
        'no_reference' (a saved voice: its clip is not here) or 'engine' (the engine cannot refine)."""
        if self.voice is None or not self.voice.cloned:
            return "no_clone"
        if self.reference is None:
            return "no_reference"
        engine = self.engine
        # a served engine may report Kokoro's capabilities while its client has no refine() to call
        if not (getattr(engine.capabilities, "refines", False) and callable(getattr(engine, "refine", None))):
            return "engine"
        return ""

    def refine_voice(self, progress=None):
        """Tune the voice in use to the clip it was cloned from (minutes; the engine's refine() says how).
        ``progress(fraction, message)`` reports as it goes; cancel_refine() stops it with CancelledError
        and keeps the fast clone. The refined voice keeps the voice's name, replaces it and is returned;
        if the engine's guard refused the refinement it is the fast clone again, with the reason in
        ``info["refine"]``."""
        problem = self.refine_problem()
        if problem == "no_clone":
            raise error(VoxnbError, "err_refine_no_clone")
        if problem == "no_reference":
            raise error(VoxnbError, "err_refine_no_reference")
        if problem == "engine":
            raise error(VoxnbError, "err_refine_engine")
        voice = self.voice
        self.refine_cancelled.clear()
        refined = self.engine.refine(voice, self.reference, progress=progress, cancel=self.refine_cancelled)
        refined = dataclasses.replace(refined, name=voice.name) if refined.name != voice.name else refined
        if self.voice is voice:   # the viewer may have picked another clip meanwhile: keep their new choice
            self.voice = refined
        return refined

    def cancel_refine(self) -> None:
        self.refine_cancelled.set()

    def _consent(self, ticked: bool):
        """What the engine records: the viewer's ticked statement for an upload, the licence for a sample."""
        from ..output.consent import STATEMENT, required

        if not self.reference_is_upload:
            return {"statement": SAMPLE_CONSENT, "by": "voxnb"}
        if not ticked:
            raise required("an uploaded clip")
        return {"statement": STATEMENT, "by": "dashboard viewer (ticked the consent box)"}

    def transcribe(self) -> str:
        from ..reference.transcript import transcribe

        if self.reference is None:
            raise error(VoxnbError, "err_transcribe_no_reference")
        return transcribe(self.reference.audio, self.reference.sample_rate, language="en").text

    def save_voice(self, name: str, overwrite: bool = False) -> Path:
        if self.voice is None:
            raise error(VoxnbError, "err_save_no_voice")
        if not name.strip():   # the library's own refusal quotes the empty name back, which says nothing
            raise error(VoxnbError, "err_save_no_name")
        path = self.library.save(self.voice, name=name, overwrite=overwrite)
        self.voice = self.voice.renamed(name)
        return path

    # -- text ------------------------------------------------------------------------------
    def preview(self, text: str, lang: str = "auto"):
        """The phonemes the model will read: from the engine server where there is one (its frontend is
        loaded already; a viewer's kernel then holds no lexicon), else from the frontend here."""
        engine = self._engine
        if engine is None and self._engine_factory is None:
            from ..engines.remote import configured_servers

            engine = self.engine if configured_servers() else None   # connecting is cheap; loading a model is not
        if hasattr(engine, "phonemize"):
            return engine.phonemize(text, lang=lang)
        from ..text import phonemize

        return phonemize(text, lang=lang)

    # -- synthesis -------------------------------------------------------------------------
    def generate(self, text: str, settings: SynthesisSettings, on_stage=None, on_chunk=None, consent: bool = False,
                 transcript: str = ""):
        """Synthesise chunk by chunk; on_stage(key, **fmt) and on_chunk(ChunkResult) report progress.
        With no voice in use (or one the engine switched away from), the clip in use is cloned first:
        ``consent`` is the viewer's ticked box, ``transcript`` what they typed. A stop request ends it
        after the current chunk with what was made so far."""
        from ..engines.generate import generate

        on_stage = on_stage or (lambda *a, **k: None)
        voice = self._voice_to_speak(consent, transcript, on_stage)
        settings = dataclasses.replace(settings.validated(), inspect=len(text) <= INSPECT_MAX_CHARS)
        self.stop_requested.clear()
        on_stage("stage_frontend")

        def chunk_done(chunk):
            on_stage("stage_acoustic", i=chunk.index + 1, n=chunk.of)
            if on_chunk:
                on_chunk(chunk)

        def stopping(chunk) -> bool:
            if self.stop_requested.is_set():
                on_stage("stage_stopped", i=chunk.index + 1, n=chunk.of)
                return True
            return False

        result = generate(self.engine, text, voice, settings, on_chunk=chunk_done, stop=stopping)
        self.result = result
        sidecar = json.dumps(result.sidecar(), ensure_ascii=False, indent=2)
        self.history.append(HistoryEntry(len(self.history) + 1, text, voice.name, voice.id,
                                         settings.to_dict(), result.duration_s, result.rtf,
                                         result.wav_bytes(), sidecar))
        return result

    def _voice_to_speak(self, consent: bool, transcript: str, on_stage):
        """The voice in use; a clip in use is cloned first where there is none, or it was made for another engine."""
        if self.voice is not None and self.reference is not None and self.voice.engine != self.engine.capabilities.name:
            self.voice = None      # the engine was switched: clone the clip in use with the new one
        if self.voice is None:
            if self.reference is None:
                raise error(VoxnbError, "err_no_voice")
            if self.reference_is_upload and not consent:
                raise error(VoxnbError, "need_consent")
            on_stage("stage_enroll")
            self.enroll(consent, transcript)
        return self.voice

    def stop(self) -> None:
        self.stop_requested.set()

    # -- checking a file -------------------------------------------------------------------
    def check_file(self, filename: str, content: bytes) -> dict:
        """Does an uploaded file carry voxnb's watermark, and what metadata does it carry?
        voxnb.output.watermark.check_file's report, naming the user's file (not its copy in workdir), plus
        ``duration_s`` and ``partial`` (the mark covers only some of the file: a take spliced into
        other audio). A file over MAX_UPLOAD_MB is refused unread: ``error`` says so, ``limit_mb`` is set."""
        from ..messages import Msg
        from ..output.watermark import HOP_S, check_file

        name = display_name(filename)
        mb = len(content) / 2**20
        if mb > MAX_UPLOAD_MB:
            return {"file": name, "marked": None, "confidence": None, "metadata": None, "marked_spans": [],
                    "error": Msg("session.too_big", mb=mb, limit=MAX_UPLOAD_MB), "size_mb": round(mb, 1),
                    "limit_mb": MAX_UPLOAD_MB, "duration_s": None, "partial": False}
        path = self._keep(filename, content)
        try:
            report = check_file(path)
            report.setdefault("marked_spans", [])
            report["duration_s"] = _duration(path)
        finally:   # a checked file is not kept: it is not the viewer's reference, and may be large
            shutil.rmtree(path.parent, ignore_errors=True)
        spans, dur = report["marked_spans"], report["duration_s"]
        # the windows stop up to one hop short of the end, so a mark to within HOP_S of it covers the file
        whole = len(spans) == 1 and spans[0][0] == 0 and (dur is None or spans[0][1] >= dur - HOP_S)
        report["partial"] = bool(report["marked"] and spans and not whole)
        report["file"] = name
        return report


def _duration(path: Path) -> float | None:
    """Seconds of audio, from the header; None where libsndfile cannot read the format (m4a)."""
    import soundfile as sf

    try:
        return round(sf.info(str(path)).duration, 2)
    except (RuntimeError, OSError, TypeError):
        return None
