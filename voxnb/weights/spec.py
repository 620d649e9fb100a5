"""What a set of weights is (the files of one or more hub repositories) and the errors fetching them raises.

Stdlib only: engines' spec modules declare their weights with these, and the start script reads them
with a bare python3.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import EngineError

SOURCES = ("modelscope", "hf")
SOURCE_ENV = "VOXNB_MODEL_SOURCE"


class WeightsError(EngineError):
    """An engine's weights are missing, incomplete, corrupt, or could not be fetched."""


class LicenceError(WeightsError):
    """The weights' licence has not been accepted yet."""


@dataclass(frozen=True)
class Part:
    """Files of one hub repository, placed under ``local`` in the engine's model directory."""

    hf_repo: str
    ms_repo: str | None             # None: no ModelScope copy, so it comes from Hugging Face whatever is asked
    files: tuple[str, ...]          # paths inside the repository; () = the whole repository (a snapshot)
    local: str = ""                 # sub-directory in the model directory ("" = its root)
    required: tuple[str, ...] = ()  # for a snapshot: files that must be in it
    # (file, "package:path inside it"): the package's copy, taken when the hub has none
    packaged: tuple[tuple[str, str], ...] = ()

    def local_path(self, file: str) -> str:
        return f"{self.local}/{file}" if self.local else file


@dataclass(frozen=True)
class WeightsSpec:
    name: str                       # voxnb's name for it: a Model's `weights`, or 'whisper'
    title: str
    parts: tuple[Part, ...]
    licence: str = ""               # '' = no consent needed
    licence_url: str = ""
    size_hint_gb: float = 0.0
    optional: tuple[str, ...] = ()  # taken from a hand-placed directory when there, never required

    def files(self) -> list[str]:
        """The files that must be present (a snapshot's other files are checked by the manifest)."""
        return [p.local_path(f) for p in self.parts for f in (p.files or p.required)]
