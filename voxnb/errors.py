"""Errors a user can act on: each names the problem and the fix.

The CLI prints ``str(err)`` without a traceback; the dashboard shows it in its message area.
"""
from __future__ import annotations


class VoxnbError(Exception):
    """Base class: ``problem`` says what is wrong, ``fix`` what to do about it (both English).

    Raised by key (``EngineError(key="engines.unknown", name=name)``), the error carries ``key`` and
    ``params`` and its texts come from the catalogue (voxnb.messages), so ``render(lang)`` shows it in
    the viewer's language. ``VoxnbError(problem, fix)`` still works for code outside voxnb (no key)."""

    def __init__(self, problem: str = "", fix: str = "", /, *, key: str | None = None, **params):
        if key is not None:
            from .messages import has, text

            problem = text(key, "en", **params)
            fix = text(key + ".fix", "en", **params) if has(key + ".fix") else ""
        self.key, self.params = key, params
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}".strip())

    @classmethod
    def of(cls, key: str, **params) -> "VoxnbError":
        return cls(key=key, **params)

    def render(self, lang: str = "en") -> str:
        """Problem and fix in ``lang`` ('en' or 'zh')."""
        from .messages import render

        return render(self, lang)

    def problem_msg(self):
        """The problem alone as a note that renders in any language (a keyless error: its English)."""
        if self.key is None:
            return self.problem
        from .messages import Msg

        return Msg(self.key, **self.params)

    def fix_msg(self):
        """The fix alone, as ``problem_msg`` gives the problem ('' where there is none)."""
        from .messages import Msg, has

        if self.key is None or not has(self.key + ".fix"):
            return self.fix
        return Msg(self.key + ".fix", **self.params)

    def __reduce__(self):   # pickled (worker processes) with its key, so it renders on the other side too
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls, args, state):
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class BadReferenceError(VoxnbError):
    """The reference clip cannot be used (not audio, silent, too short, ...)."""


class TextError(VoxnbError):
    """The text to speak is empty, too long, or has nothing speakable."""


class MarkupError(TextError):
    """Inline pronunciation markup is malformed; ``position`` is the 0-based character index (the
    message counts from 1, as a reader does)."""

    def __init__(self, problem: str = "", fix: str = "", /, position: int = 0, *, key: str | None = None, **params):
        super().__init__(problem, fix, key=key, **params)
        self.position = position
        stem = self.problem[:-1] if self.problem.endswith(".") else self.problem
        self.problem = f"{stem} (at character {position + 1})."
        self.args = (f"{self.problem} {self.fix}".strip(),)


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


class ReplicaLostError(EngineError):
    """The replica running a request died after part of its reply was sent (or on every retry): sending
    the request again is safe, and another replica answers it."""


class ConsentRequiredError(VoxnbError):
    """Cloning from a recording was asked for without the statement that the user may clone that voice."""


class CancelledError(VoxnbError):
    """A long operation (refining a voice) stopped because its caller asked it to; nothing was kept."""


class BadVoiceFileError(VoxnbError):
    """A voice file cannot be trusted: not a voice file, damaged, or from a newer voxnb; ``where`` names the file."""

    def __init__(self, problem: str = "", fix: str = "", /, where: str = "", *, key: str | None = None, **params):
        self.where = where
        super().__init__(problem, fix, key=key, **({"where": where} | params if key else {}))
