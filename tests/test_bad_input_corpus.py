"""The bad-input corpus: every input a new or a hostile user tried, through the API, the CLI and
the dashboard's session model, each with its exact outcome: voxnb's own error type and a message
that names the problem (or a warning, where voxnb goes on), and no file left behind.

A case is (id, what it feeds, error class or None, words the message must hold). The CLI prints
``str(err)`` and exits 2; the session raises what the dashboard shows (translated in Chinese mode,
see test_dashboard_zh.py).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from audio_fixtures import HARVARD_1, SHORT_1S
from voxnb import errors
from voxnb.dashboard.session import MAX_UPLOAD_MB, Session, sample_voices
from voxnb.settings import SynthesisSettings

SR = 24000
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _wav(path: Path, audio: np.ndarray, sr: int = SR) -> Path:
    sf.write(path, audio.astype(np.float32), sr)
    return path


def _tones(sr: int = SR) -> np.ndarray:
    """Beeps switched on and off like syllables: sounds busy, is not a voice."""
    t = np.arange(int(0.25 * sr)) / sr
    beeps = [np.sin(2 * np.pi * f * t) * 0.3 for f in (440, 660, 550, 880, 495, 740) * 3]
    gap = np.zeros(int(0.1 * sr))
    return np.concatenate([x for b in beeps for x in (b, gap)])


# (id, builder(tmp_path) -> bytes of the file, error, words): files a user can upload
REFERENCE_FILES = [
    ("silence", lambda: _bytes(np.zeros(5 * SR)), errors.BadReferenceError, "silence"),
    ("too-short", lambda: SHORT_1S.read_bytes(), errors.BadReferenceError, "short"),
    ("png-as-wav", lambda: PNG, errors.BadReferenceError, "not"),
    ("empty-file", lambda: b"", errors.BadReferenceError, "empty"),
    ("noise", lambda: _bytes(np.random.default_rng(0).normal(0, 0.1, 5 * SR)), errors.BadReferenceError, "speech"),
    ("tones", lambda: _bytes(_tones()), errors.BadReferenceError, "speech"),
]


def _bytes(audio: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    sf.write(buf, audio.astype(np.float32), SR, format="WAV")
    return buf.getvalue()


def _cli(*args, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voxnb", "--voices-dir", str(home / "voices"), *args],
                          capture_output=True, text=True, timeout=300)


def _leftovers(folder: Path) -> list[str]:
    """Temp files a failed write could leave: hidden or .tmp names."""
    return [p.name for p in folder.rglob("*") if p.name.startswith(".") or ".tmp" in p.name]


@pytest.fixture(scope="module")
def session(engine, tmp_path_factory):
    return Session(engine_factory=lambda: engine, workdir=tmp_path_factory.mktemp("session"))


# -- references ------------------------------------------------------------------------------
@pytest.mark.parametrize("case, build, error, words", REFERENCE_FILES, ids=[c[0] for c in REFERENCE_FILES])
def test_reference_file_api_cli_session(case, build, error, words, tmp_path, session, engine):
    from voxnb.reference.audio import prepare_reference

    path = tmp_path / f"{case}.wav"
    path.write_bytes(build())
    with pytest.raises(error, match=f"(?i){words}") as api:
        prepare_reference(path)
    assert path.name in str(api.value)
    with pytest.raises(error, match=f"(?i){words}"):
        engine.clone(str(path), consent=True)
    p = _cli("clone", str(path), "--name", "x", "--consent", home=tmp_path)
    assert p.returncode == 2 and words.lower() in p.stderr.lower() and "Traceback" not in p.stderr, p.stderr
    session.load_sample(next(iter(sample_voices())))   # a clip in use before the bad upload
    with pytest.raises(error, match=f"(?i){words}"):
        session.load_upload(f"{case}.wav", path.read_bytes())
    assert session.reference is None and session.voice is None   # a refused upload leaves no stale clip
    assert not (tmp_path / "voices").exists()


@pytest.mark.parametrize("source, words", [(None, "file path"), (123, "file path"), ([0.1, 0.2], "file path")],
                         ids=["none", "int", "list"])
def test_reference_wrong_types_api(source, words, engine):
    from voxnb.reference.audio import prepare_reference

    with pytest.raises(errors.BadReferenceError, match=words):
        prepare_reference(source)
    with pytest.raises(errors.BadReferenceError, match=words):
        engine.clone(source, consent=True)


@pytest.mark.parametrize("where, words", [("folder", "is a folder"), ("/dev/zero", "not a regular file"),
                                          ("missing.wav", "no such file")])
def test_reference_paths_name_the_full_path(where, words, tmp_path):
    from voxnb.reference.audio import prepare_reference

    path = {"folder": tmp_path, "missing.wav": tmp_path / "missing.wav"}.get(where, Path(where))
    with pytest.raises(errors.BadReferenceError, match=f"(?i){words}") as err:
        prepare_reference(path)
    assert str(path) in str(err.value)
    p = _cli("clone", str(path), "--name", "x", "--consent", home=tmp_path)
    assert p.returncode == 2 and str(path) in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_huge_upload_is_refused_unread(session):
    content = b"\0" * int((MAX_UPLOAD_MB + 1) * 2**20)
    with pytest.raises(errors.BadReferenceError, match="limit"):
        session.load_upload("long.wav", content)


def test_clone_without_consent_everywhere(tmp_path, session, engine):
    with pytest.raises(errors.ConsentRequiredError):
        engine.clone(str(HARVARD_1))
    p = _cli("clone", str(HARVARD_1), "--name", "x", home=tmp_path)
    assert p.returncode == 2 and "--consent" in p.stderr
    session.load_upload("harvard.flac", HARVARD_1.read_bytes())
    with pytest.raises(errors.ConsentRequiredError):
        session.enroll(consent=False)


# -- text and settings -----------------------------------------------------------------------
TEXTS = [
    ("empty", "", errors.TextError, "empty"),
    ("blank", "   \n ", errors.TextError, "empty"),
    ("broken-markup", "你[h][ao", errors.MarkupError, r"\["),
    ("emoji-only", "😀😀🎉", errors.TextError, "emoji"),
    ("over-limit", "a. " * 7000, errors.TextError, "limit"),
    ("arabic-only", "مرحبا بالعالم", errors.TextError, "written in Arabic"),
    ("a-5000", "a" * 5000, errors.TextError, "run of 5,000 letters"),
    ("x-3000", "x" * 3000, errors.TextError, "run of 3,000 letters"),
]


@pytest.mark.parametrize("case, text, error, words", TEXTS, ids=[c[0] for c in TEXTS])
def test_text_api_cli_session(case, text, error, words, tmp_path, session, engine):
    voice = engine.stock_voice("jf_alpha")
    with pytest.raises(error, match=words):
        engine.synthesize(text, voice)
    out = tmp_path / "out.wav"
    p = _cli("synth", "--voice", "jf_alpha", "--text", text, "--out", str(out), home=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr and not out.exists(), p.stderr
    assert not _leftovers(tmp_path)
    session.voice = voice
    with pytest.raises(error, match=words):
        session.generate(text, SynthesisSettings())


# (id, text, words of the warning): voxnb speaks the rest and says what it left out
TEXT_WARNINGS = [
    ("arabic-in-english", "Hello مرحبا world.", "Not spoken: Arabic 'مرحبا' (characters 7-11)"),
    ("kana-in-english", "I like すし a lot.", "Not spoken: Japanese kana 'すし' (characters 8-9)"),
    ("emoji-inside", "Great 👍 job.", "Not spoken: emoji or symbols '👍' (character 7)"),
]


@pytest.mark.parametrize("case, text, words", TEXT_WARNINGS, ids=[c[0] for c in TEXT_WARNINGS])
def test_text_warnings_api_cli_session(case, text, words, tmp_path, session, engine):
    voice = engine.stock_voice("jf_alpha")
    assert any(words in w for w in engine.synthesize(text, voice, inspect=False).warnings)
    out = tmp_path / "out.wav"
    p = _cli("synth", "--voice", "jf_alpha", "--text", text, "--out", str(out), home=tmp_path)
    assert p.returncode == 0 and f"note: {words}" in p.stderr and out.is_file(), p.stderr
    session.voice = voice
    assert any(words in w for w in session.generate(text, SynthesisSettings()).warnings)


@pytest.mark.parametrize("text", [None, 123, b"hello"], ids=["none", "int", "bytes"])
def test_text_wrong_types_api(text, engine):
    with pytest.raises(errors.TextError, match="string"):
        engine.synthesize(text, engine.stock_voice("jf_alpha"))


def test_settings_out_of_range_everywhere(tmp_path, session, engine):
    with pytest.raises(errors.SettingsError, match="(?i)speed"):
        engine.synthesize("Hi.", engine.stock_voice("jf_alpha"), speed=9)
    p = _cli("synth", "--voice", "jf_alpha", "--text", "Hi.", "--speed", "9", "--out", str(tmp_path / "s.wav"),
             home=tmp_path)
    assert p.returncode == 2 and "speed" in p.stderr.lower()
    with pytest.raises(errors.SettingsError, match="(?i)speed"):
        session.generate("Hi.", SynthesisSettings(speed=9))


# -- outputs ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def take(engine):
    return engine.synthesize("Hello there.", engine.stock_voice("jf_alpha"), inspect=False)


@pytest.mark.parametrize("where, words", [("/dev/null", "regular file"), ("folder", "folder"),
                                          ("/proc/x.wav", "cannot"), ("take.txt", "cannot write '.txt'")],
                         ids=["dev-null", "folder", "proc", "unknown-extension"])
def test_bad_output_paths_api_and_cli(where, words, take, tmp_path):
    target = {"folder": tmp_path, "take.txt": tmp_path / "take.txt"}.get(where, Path(where))
    with pytest.raises(errors.VoxnbError, match=f"(?i){words}") as err:
        take.save(target)
    assert str(target) in str(err.value)
    p = _cli("synth", "--voice", "jf_alpha", "--text", "Hi.", "--out", str(target), home=tmp_path)
    assert p.returncode == 2 and str(target) in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert not _leftovers(tmp_path) and not Path("/dev/null.wav").exists()


# -- voice files -----------------------------------------------------------------------------
def _voice_file(path: Path, eq_db) -> Path:
    """A Kokoro voice file whose EQ is ``eq_db`` (NaN, +200 dB, a wrong shape: what a damaged or
    hand-edited file holds)."""
    import io
    import json

    from voxnb.voice import Voice

    good = Voice(id="c0ffee", name=path.name.split(".")[0], engine="kokoro", method="kokoro-style-blend/5",
                 conditioning={"style_pack": np.zeros((510, 256), np.float32)})
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps(good.meta())), c_style_pack=good.conditioning["style_pack"],
             c_eq_db=np.asarray(eq_db, np.float32))
    path.write_bytes(buf.getvalue())
    return path


VOICE_FILES = [
    ("eq-nan", np.full(46, np.nan), "NaN or infinite"),
    ("eq-200db", np.full(46, 200.0), "outside -24 to 24"),
    ("eq-wrong-shape", np.zeros((3, 5)), "has shape (3, 5)"),
]


@pytest.mark.parametrize("case, eq, words", VOICE_FILES, ids=[c[0] for c in VOICE_FILES])
def test_damaged_voice_files_api_cli_session(case, eq, words, tmp_path, engine):
    from voxnb.voice import Voice, VoiceLibrary

    folder = tmp_path / "voices"
    folder.mkdir()
    bad = _voice_file(folder / "broken.voice.npz", eq)
    VoiceLibrary(folder).save(engine.stock_voice("jf_alpha").renamed("fine"))
    with pytest.raises(errors.BadVoiceFileError, match=re.escape(words)) as err:
        Voice.load(bad)
    assert str(bad) in str(err.value) and "Clone the voice again" in str(err.value)
    out = tmp_path / "out.wav"
    p = _cli("synth", "--voice", "broken", "--text", "Hi.", "--out", str(out), home=tmp_path)
    assert p.returncode == 2 and str(bad) in p.stderr and words in p.stderr and not out.exists(), p.stderr
    p = _cli("voices", home=tmp_path)
    assert p.returncode == 0 and "fine" in p.stdout and f"skipped: {bad} is damaged" in p.stderr
    session = Session(engine_factory=lambda: engine, library=VoiceLibrary(folder), workdir=tmp_path / "s")
    session.use_saved("fine")
    with pytest.raises(errors.BadVoiceFileError, match=re.escape(words)):
        session.use_saved("broken")
    assert bad.is_file() and not _leftovers(tmp_path)       # kept: the user may still restore it
