"""Errors a user can act on: each names the problem and the fix.

The CLI prints ``str(err)`` without a traceback; the dashboard shows it in its message area.
"""
from __future__ import annotations


class VoxnbError(Exception):
    """Base class: ``problem`` says what is wrong, ``fix`` what to do about it."""

    def __init__(self, problem: str, fix: str = ""):
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}".strip())


class BadReferenceError(VoxnbError):
    """The reference clip cannot be used (not audio, silent, too short, ...)."""


class TextError(VoxnbError):
    """The text to speak is empty, too long, or has nothing speakable."""


class MarkupError(TextError):
    """Inline pronunciation markup is malformed; ``position`` is the 0-based character index (the
    message counts from 1, as a reader does)."""

    def __init__(self, problem: str, fix: str = "", position: int = 0):
        self.position = position
        stem = problem[:-1] if problem.endswith(".") else problem
        super().__init__(f"{stem} (at character {position + 1}).", fix)


class SettingsError(VoxnbError):
    """A synthesis setting (style, speed, seed, ...) is out of range or unknown."""


class VoiceNotFoundError(VoxnbError):
    """No saved voice has the requested name or id."""


class EngineError(VoxnbError):
    """An engine is unknown, or its weights are missing or corrupt."""


class EngineBusyError(EngineError):
    """An engine server's queue is full; the request was refused at once, not left waiting."""


class EngineStoppedError(EngineError):
    """The engine server cannot be reached: it stopped, or was never started."""


class ConsentRequiredError(VoxnbError):
    """Cloning from a recording was asked for without the statement that the user may clone that voice."""


class CancelledError(VoxnbError):
    """A long operation (refining a voice) stopped because its caller asked it to; nothing was kept."""


class BadVoiceFileError(VoxnbError):
    """A voice file cannot be trusted: not a voice file, damaged, or from a newer voxnb; ``where`` names the file."""

    def __init__(self, problem: str, fix: str = "", where: str = ""):
        self.where = where
        super().__init__(problem, fix)
