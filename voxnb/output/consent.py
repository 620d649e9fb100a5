"""The consent record a cloned voice carries: who stated they may clone the voice, when, and of which clip.

voxnb cannot verify the statement; it asks for it before every enrollment from a recording,
keeps it with the voice (its file) and names its id in the metadata of every output made with
that voice, so a file can be traced to the enrollment and the person who vouched for it.
"""
from __future__ import annotations

import getpass
import hashlib
import time
import uuid
from typing import Mapping

import numpy as np

from ..errors import ConsentRequiredError

STATEMENT = "I have the right to clone this voice"
UNKNOWN = "unknown"          # a voice enrolled before voxnb kept consent records
NOT_NEEDED = "not needed"    # a stock voice: nobody's recording was cloned
MAX_TEXT = 500


def required(what: str = "this recording") -> ConsentRequiredError:
    from ..messages import Msg

    named = {"this recording": "consent.this_recording", "an uploaded clip": "consent.uploaded_clip"}
    return ConsentRequiredError(key="consent.cloning_voice_needs_your", what=Msg(named[what]) if what in named else what)


def record(consent, reference_audio: np.ndarray, what: str = "this recording") -> dict:
    """A new consent record for one enrollment; refuses when ``consent`` is missing or empty.

    ``consent``: True (the standard statement), the statement as text, or a mapping with
    ``statement`` and ``by`` (what a voxnb client sends its server).
    """
    by = ""
    if isinstance(consent, Mapping):
        statement, by = str(consent.get("statement") or ""), str(consent.get("by") or "")
    elif consent is True:
        statement = STATEMENT
    elif isinstance(consent, str):
        statement = consent
    else:                       # None, False, 0, a number...: not a statement
        raise required(what)
    statement, by = statement.strip()[:MAX_TEXT], by.strip()[:MAX_TEXT]
    if not statement:
        raise required(what)
    return {"id": uuid.uuid4().hex[:16], "statement": statement, "by": by or _user(),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "reference_sha256": audio_sha256(reference_audio)}


def audio_sha256(reference_audio: np.ndarray) -> str:
    """The digest a consent record keeps of the prepared reference (float32 samples)."""
    return hashlib.sha256(np.ascontiguousarray(reference_audio, np.float32).tobytes()).hexdigest()


def for_client(consent):
    """What a client sends its engine server: the statement and the person at this end."""
    if consent is True:
        return {"statement": STATEMENT, "by": _user()}
    if isinstance(consent, str):
        return {"statement": consent, "by": _user()}
    return consent


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):   # no passwd entry (some containers)
        return "unknown user"
