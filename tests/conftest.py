import importlib.util
import os
from pathlib import Path

import pytest

# tests/engines need f5-tts and voxcpm, which live in the engine environment (tests/run.sh runs them
# there); an environment without them does not collect them instead of failing on the imports.
collect_ignore = [] if importlib.util.find_spec("f5_tts") and importlib.util.find_spec("voxcpm") else ["engines"]

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "assets" / "reference"


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory):
    """Voices, outputs and caches of a test run live in a temporary folder, never the user's."""
    home = tmp_path_factory.mktemp("voxnb-home")
    old = {k: os.environ.get(k) for k in ("VOXNB_HOME", "VOXNB_CACHE")}
    os.environ["VOXNB_HOME"] = str(home / "home")
    os.environ["VOXNB_CACHE"] = str(home / "cache")
    yield home
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def reference_clips() -> list[Path]:
    return sorted(p for p in REFERENCES.rglob("*") if p.suffix.lower() in (".wav", ".flac"))


@pytest.fixture(scope="session")
def ref_clip() -> Path:
    clip = REFERENCES / "harvard_f" / "harvard_01.flac"   # 5.7 s of clean read speech
    assert clip.exists(), "assets/reference/ lacks its speech clips"
    return clip


@pytest.fixture(scope="session")
def engine():
    import voxnb

    return voxnb.load_engine()


@pytest.fixture(scope="session")
def cloned(engine, ref_clip):
    return engine.clone(ref_clip, name="ref-speaker", consent=True)


@pytest.fixture
def session(engine, tmp_path):
    """A dashboard viewer's Session over the shared engine, its voices and uploads in tmp_path."""
    from voxnb.dashboard import Session
    from voxnb.voice import VoiceLibrary

    return Session(engine_factory=lambda: engine, library=VoiceLibrary(tmp_path / "voices"), workdir=tmp_path / "w")
