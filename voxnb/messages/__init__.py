"""Every message a user can see, defined once by key, in English and Chinese.

A catalogue module per area (``reference``, ``text``, ``voices``, ``engines``, ``apps``, ``server``, ``session``,
``notes``, ``plots``) holds ``MESSAGES = {key: (en, zh)}``; an error's fix is the key plus ``.fix``.
Errors (voxnb.errors) and notes (``Msg``) carry their key and parameters, so the dashboard, the CLI
and the server render them in the viewer's language; nothing rebuilds Chinese from English wording.
Only the standard library is imported here: every piece of voxnb may use it.
"""
from __future__ import annotations

import importlib
import os

LANGS = ("en", "zh")
AREAS = ("reference", "texts", "voices", "engines", "apps", "server", "cluster", "productions", "book", "openai", "finetune", "session", "notes", "plots")
_SEP = {"en": ", ", "zh": "、"}
_CATALOGUE: dict[str, tuple[str, str]] = {}


def catalogue() -> dict[str, tuple[str, str]]:
    """Every key and its (English, Chinese) text, read from the area modules on first use."""
    if not _CATALOGUE:
        for area in AREAS:
            _CATALOGUE.update(importlib.import_module(f"{__name__}.{area}").MESSAGES)
    return _CATALOGUE


def has(key: str) -> bool:
    return key in catalogue()


def _value(value, lang: str):
    """A parameter as ``lang`` shows it: nested messages and errors in that language, lists joined."""
    if hasattr(value, "render"):
        return value.render(lang)
    if isinstance(value, (list, tuple, set, frozenset, dict)) or type(value).__name__ in ("dict_keys", "generator"):
        return _SEP[lang].join(str(_value(v, lang)) for v in value)
    return value


class Both(str):
    """A parameter its owner already holds in both languages (a style's Chinese label): English as a str."""

    def __new__(cls, en: str, zh: str):
        self = super().__new__(cls, en)
        self.zh = zh
        return self

    def render(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else str(self)

    def __reduce__(self):    # copies and pickles (dataclasses.asdict, worker processes) keep both texts
        return (Both, (str(self), self.zh))


def text(key: str, lang: str = "en", /, **params) -> str:
    """``key``'s text in ``lang`` (English for a language the catalogue lacks), filled with ``params``."""
    en, zh = catalogue()[key]
    lang = lang if lang in LANGS else "en"
    template = zh if lang == "zh" else en
    return template.format(**{k: _value(v, lang) for k, v in params.items()}) if params else template


def lang_from_env(environ=None) -> str:
    """'zh' when the user's locale is Chinese (VOXNB_LANG first, then LC_ALL, LC_MESSAGES, LANG as POSIX
    orders them), else 'en'."""
    env = os.environ if environ is None else environ
    for name in ("VOXNB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Msg(str):
    """A note or warning: its English text (so it prints and serialises as before) plus its key and
    parameters, so a viewer can show it in another language."""

    def __new__(cls, key: str, /, **params):
        self = super().__new__(cls, text(key, "en", **params))
        self.key, self.params = key, params
        return self

    def render(self, lang: str = "en") -> str:
        return text(self.key, lang, **self.params)

    def __reduce__(self):
        return (_msg, (self.key, self.params))


def _msg(key, params):
    return Msg(key, **params)


def either(items, word: str = "or"):
    """``items`` joined by 'or' (``word="and"``) in the viewer's language: 'a or b or c' ('' for none)."""
    items = list(items)
    joined = items[0] if items else ""
    for item in items[1:]:
        joined = Msg(f"notes.{word}", a=joined, b=item)
    return joined


def shown(value, lang: str) -> str:
    """An engine's own text (a spec's reason or note: a ``Both`` or ``Msg`` where it has Chinese) in
    ``lang``; a plain string as it is."""
    return value.render(lang) if hasattr(value, "render") else str(value)


def localized(value, lang: str, fallback: str = "notes.unknown") -> str:
    """A note that may be a ``Msg`` (rendered in ``lang``) or a plain string (shown as it is in English;
    in Chinese, ``fallback``'s text, since its wording is not in the catalogue)."""
    if hasattr(value, "render"):
        return value.render(lang)
    return str(value) if lang != "zh" else text(fallback, lang)


def _error_text(err, lang: str) -> tuple[str, str]:
    """(problem, fix) of a keyed error in ``lang``."""
    key, params = err.key, dict(err.params)
    problem = text(key, lang, **params)
    fix = text(key + ".fix", lang, **params) if has(key + ".fix") else ""
    return problem, fix


def render(err: BaseException, lang: str = "en") -> str:
    """What the user reads for ``err`` in ``lang``: problem and fix. English is ``str(err)``; an error
    without a key (a third party's VoxnbError) shows its class's general message in Chinese; a bug
    (not a voxnb error) shows its type, never its English text, in Chinese."""
    lang = lang if lang in LANGS else "en"
    is_voxnb = any(c.__name__ == "VoxnbError" for c in type(err).__mro__)
    if not is_voxnb:
        if lang == "en":
            return f"{type(err).__name__}: {err}"
        return text("errors.bug", lang, type=type(err).__name__)
    if lang == "en":
        return str(err)
    position = getattr(err, "position", None) if hasattr(err, "position") else None
    if getattr(err, "key", None):
        problem, fix = _error_text(err, lang)
    else:
        cls = next(c.__name__ for c in type(err).__mro__ if has(f"errors.fallback.{c.__name__}"))
        problem = text(f"errors.fallback.{cls}", lang)
        fix = text(f"errors.fallback.{cls}.fix", lang) if has(f"errors.fallback.{cls}.fix") else ""
    if position is not None:
        problem = text("errors.at", lang, problem=problem.rstrip("。."), n=position + 1)
    return f"{problem}{fix}"   # Chinese sentences follow one another without a space


class ErrorText(str):
    """An error kept as text (a failed row of a comparison): ``str(err)`` in English, its key kept, so
    ``render(lang)`` shows it in the viewer's language."""

    def __new__(cls, err: BaseException):
        self = super().__new__(cls, render(err, "en"))
        self.err = err
        return self

    def render(self, lang: str = "en") -> str:
        return render(self.err, lang)


def record(value):
    """A parameter as JSON carries it: nested messages and errors as {"key", "params"}."""
    if isinstance(value, Both):
        return {"en": str(value), "zh": value.zh}
    if getattr(value, "key", None) and hasattr(value, "render"):
        return {"key": value.key, "params": {k: record(v) for k, v in value.params.items()}}
    if isinstance(value, (list, tuple, set, frozenset, dict)) or type(value).__name__ in ("dict_keys", "generator"):
        return [record(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def from_record(value):
    """``record``'s inverse: a nested message comes back as a ``Msg``."""
    if isinstance(value, dict) and set(value) == {"en", "zh"}:
        return Both(value["en"], value["zh"])
    if isinstance(value, dict) and set(value) == {"key", "params"} and has(value["key"]):
        return Msg(value["key"], **{k: from_record(v) for k, v in value["params"].items()})
    if isinstance(value, list):
        return [from_record(v) for v in value]
    return value


# what the dashboard shows for each kind of text it is handed
def message(err: BaseException, lang: str) -> str:
    """The message area's text for ``err`` (``render``)."""
    return render(err, lang)


def warning(note, lang: str) -> str:
    """A warning in a reference's quality report."""
    return localized(note, lang, "notes.reference_warning")


def text_note(note, lang: str) -> str:
    """A synthesis or preview note (what was not spoken, what the output guard did)."""
    return localized(note, lang, "notes.unknown")


def refine_reason(note, lang: str) -> str:
    """Why refining kept the fast clone."""
    return localized(note, lang, "notes.refine_failed")


def progress(note, lang: str) -> str:
    """A progress line; in Chinese, '' for a line without a key (the bar still moves)."""
    return localized(note, lang) if hasattr(note, "render") or lang != "zh" else ""
