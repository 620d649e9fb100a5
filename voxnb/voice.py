"""A cloned voice as a value: what an engine needs to speak as someone, savable as one file.

A voice file is an ``.npz`` holding the engine's conditioning arrays and a JSON ``meta``
record, written atomically. Voices are passed to ``synthesize`` explicitly; engines never
keep a "current voice".
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np

from .errors import BadVoiceFileError, VoiceNotFoundError, VoxnbError

SUFFIX = ".voice.npz"
_NAME_RE = re.compile(r"^[\w\-. \u4e00-\u9fff]{1,64}$")


def content_hash(*parts: bytes | str) -> str:
    """Short stable id from the bytes that decide a voice."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode() if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class Voice:
    id: str                              # content hash of processed reference + method version
    name: str                            # what the user calls it
    engine: str                          # engine that can speak it
    method: str                          # cloning method and version, e.g. "kokoro-style-blend/1"
    conditioning: Mapping[str, np.ndarray]  # engine-specific arrays (read-only)
    controls: Mapping[str, float] = field(default_factory=dict)  # engine controls fitted to the speaker
    report: Mapping = field(default_factory=dict)     # reference quality report
    transcript: str = ""                 # reference transcript, if any
    info: Mapping = field(default_factory=dict)       # how the fit went (scores, candidates)
    consent: Mapping = field(default_factory=dict)    # voxnb.output.consent.record() of the enrollment; {} for stock voices

    def __post_init__(self):
        frozen = {}
        for k, v in self.conditioning.items():
            a = np.array(v, copy=True)
            a.setflags(write=False)
            frozen[k] = a
        object.__setattr__(self, "conditioning", MappingProxyType(frozen))
        object.__setattr__(self, "controls", MappingProxyType(dict(self.controls)))
        object.__setattr__(self, "consent", MappingProxyType(dict(self.consent or {})))

    def __eq__(self, other):
        return isinstance(other, Voice) and self.id == other.id and self.name == other.name

    def __hash__(self):
        return hash((self.id, self.name))

    @property
    def cloned(self) -> bool:
        """Made from someone's recording (not a voice that ships with an engine)."""
        return self.method != "stock"

    @property
    def consent_id(self) -> str:
        """The consent record's id; "unknown" for voices cloned before voxnb kept records."""
        from .output.consent import NOT_NEEDED, UNKNOWN

        return str(self.consent.get("id") or (UNKNOWN if self.cloned else NOT_NEEDED))

    def renamed(self, name: str) -> "Voice":
        return dataclasses.replace(self, name=check_name(name))

    def meta(self) -> dict:
        return {"id": self.id, "name": self.name, "engine": self.engine, "method": self.method,
                "controls": dict(self.controls), "report": dict(self.report), "transcript": self.transcript,
                "info": dict(self.info), "consent": dict(self.consent), "format": 1}

    def to_bytes(self) -> bytes:
        """The voice file's bytes: what ``save`` writes and an engine server receives."""
        buf = io.BytesIO()
        np.savez(buf, meta=np.array(json.dumps(self.meta(), ensure_ascii=False)),
                 **{f"c_{k}": v for k, v in self.conditioning.items()})
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, name: str = "the voice") -> "Voice":
        """Read and validate a voice file's bytes (voxnb.voice_check); ``name`` says where they came from."""
        from .voice_check import MAX_META_BYTES, MAX_VALUES, NpzError, bad, check_conditioning, check_meta, \
            read_npz, voice_guard

        try:   # every array judged from its header before it is read: a small file cannot inflate to gigabytes
            arrays = read_npz(data, MAX_VALUES * 8 + MAX_META_BYTES, voice_guard(name))
            meta = json.loads(str(arrays["meta"]))
            cond = {k[2:]: v for k, v in arrays.items() if k.startswith("c_")}
        except NpzError as err:
            if err.inflated is None:
                raise BadVoiceFileError(key="voice.voxnb_voice_file", where=name, name=name) from err
            raise bad(name, f"its arrays would take {err.inflated / 2**20:.0f} MiB, far more than a voice holds") \
                from None
        except (ValueError, KeyError, TypeError, RecursionError) as err:
            raise BadVoiceFileError(key="voice.voxnb_voice_file", where=name, name=name) from err
        check_meta(meta, name)
        check_conditioning(meta["engine"], cond, name)
        return cls(meta["id"], meta["name"], meta["engine"], meta["method"], cond, meta.get("controls", {}),
                   meta.get("report", {}), meta.get("transcript", ""), meta.get("info", {}), meta.get("consent", {}))

    def save(self, path: str | Path) -> Path:
        """Save the voice. A plain name (``voice.save("harvard")``) saves it into the voice library that
        ``voxnb synth --voice harvard`` and the dashboard read ($VOXNB_HOME/voices), refusing to replace a
        different voice of that name; a path (a ``Path``, or text with a folder or the ``.voice.npz``
        suffix) is written exactly there, ``.voice.npz`` added when missing."""
        if isinstance(path, str) and not _is_path(path):
            from .paths import voices_dir

            return VoiceLibrary(voices_dir()).save(self, name=path)
        path = Path(path).expanduser()
        if not str(path).endswith(SUFFIX):
            path = path.with_name(path.name + SUFFIX)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(self.to_bytes())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Voice":
        """Read a voice file; a damaged one is refused with its full path (BadVoiceFileError)."""
        path = Path(path).expanduser()
        where = str(path.absolute())
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise VoiceNotFoundError(key="voice.there_voice_file", where=where) from None
        except OSError as err:
            raise BadVoiceFileError(key="voice.cannot_read_file", where=where, reason=err.strerror or str(err)) from None
        return cls.from_bytes(data, where)


def _is_path(text: str) -> bool:
    """Text that names a file rather than a voice: it has a folder, ~, or a voice file's suffix."""
    return ("/" in text or os.sep in text or text.startswith("~") or text.endswith(SUFFIX)
            or text.endswith(".npz"))


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or name.strip(". ") != name:
        raise VoxnbError(key="voice.usable_voice_name", name=name)
    return name


class VoiceLibrary:
    """A folder of saved voices, one file per name. Saving never replaces a different voice silently."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def path(self, name: str) -> Path:
        return self.directory / f"{check_name(name)}{SUFFIX}"

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name[: -len(SUFFIX)] for p in self.directory.glob(f"*{SUFFIX}"))

    def save(self, voice: Voice, name: str | None = None, overwrite: bool = False) -> Path:
        voice = voice.renamed(name) if name is not None else voice
        path = self.path(voice.name)
        if path.exists() and not overwrite:
            try:
                existing = Voice.load(path)
            except BadVoiceFileError as err:   # kept: the user may still restore it
                raise VoxnbError(key="voice.saved_file_damaged", name=voice.name, problem=err.problem_msg()) from None
            if existing.id != voice.id:
                raise VoxnbError(key="voice.different_voice_already_saved", name=voice.name)
        return voice.save(path)

    def scan(self) -> tuple[dict[str, Voice], list[BadVoiceFileError]]:
        """Every saved voice that loads, by name, and the error of each file that does not: one damaged
        file is reported, never in the way of the others."""
        voices, problems = {}, []
        for name in self.names():
            try:
                voices[name] = Voice.load(self.path(name))
            except BadVoiceFileError as err:
                problems.append(err)
        return voices, problems

    def load(self, name_or_id: str) -> Voice:
        if name_or_id in self.names():
            return Voice.load(self.path(name_or_id))   # a damaged file is refused, naming it
        voices, problems = self.scan()
        for v in voices.values():
            if v.id == name_or_id:
                return v
        from .messages import Msg

        known = list(voices) or Msg("voice.none_saved_yet")
        damaged = Msg("voice.damaged_skipped", files=[p.where for p in problems]) if problems else ""
        raise VoiceNotFoundError(key="voice.saved_voice_called", name_or_id=name_or_id, known=known, damaged=damaged)

    def enrolled_from(self, name: str, reference_audio: np.ndarray) -> Voice | None:
        """The voice saved as ``name`` if it was enrolled from exactly this prepared reference audio
        (voxnb.reference.audio.prepare_reference's output), else None.  Needs no engine: the voice's consent
        record holds the SHA-256 of the float32 audio it was enrolled from (voxnb.output.consent.record).
        Voices saved before voxnb kept consent records have no digest and never match."""
        from .output.consent import audio_sha256

        if name not in self.names():
            return None
        try:
            voice = Voice.load(self.path(name))
        except BadVoiceFileError:
            return None     # a damaged file is no cached enrollment; whoever saves over it is told
        return voice if voice.consent.get("reference_sha256") == audio_sha256(reference_audio) else None

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)
