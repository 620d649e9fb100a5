"""The dashboard's "Refine this voice": Session.refine_voice and the voice panel's button, progress,
Cancel and result line, over a fake engine (real refinement takes minutes; refine.py has its own tests)."""
import dataclasses
import threading
import time
from types import SimpleNamespace

import pytest

from voxnb.dashboard import App, Session
from voxnb.engines.base import Capabilities
from voxnb.errors import CancelledError, VoxnbError
from voxnb.voice import Voice, VoiceLibrary

CAPS = Capabilities(name="fake", version="0", languages=("en",), sample_rate=24000, styles=("neutral",),
                    approximate_styles=(), clones=True, streams=False, attention=False, seeded=False,
                    device="cpu", refines=True)
HELDOUT = {"clone": {"dvector": 0.7012}, "refined": {"dvector": 0.7534}}


def voice(method="kokoro-style-blend/1", **kw) -> Voice:
    return Voice(id="fast", name="me", engine="fake", method=method, conditioning={}, **kw)


class FakeEngine:
    """Refines like KokoroEngine.refine (progress, cancel, a new voice with info["refine"]), at once,
    except that ``gate`` holds it midway so a test can look at the panel while it runs."""

    capabilities = CAPS

    def __init__(self, accepted=True):
        self.accepted = accepted
        self.gate = threading.Event()
        self.calls = []

    def refine(self, voice, reference, progress=None, cancel=None):
        self.calls.append((voice, reference))
        progress(0.5, "timbre: 7 syntheses, best 0.812")
        while not self.gate.wait(0.02):
            if cancel.is_set():
                raise CancelledError("Refining the voice was cancelled.", "Start it again to refine the voice.")
        progress(1.0, "refined")
        info = {**voice.info, "refine": {"accepted": self.accepted, "seconds": 42.3, "heldout": HELDOUT,
                                         "reason": "" if self.accepted else "held-out d-vector similarity dropped"}}
        if not self.accepted:
            return dataclasses.replace(voice, info=info)
        return dataclasses.replace(voice, id="refined", name="cache-key", method="kokoro-style-refined/1", info=info)


class ServedEngine:
    """A client of an engine server: Kokoro's capabilities, but no refine() to call."""

    capabilities = CAPS


@pytest.fixture
def fake():
    return FakeEngine()


def make_session(engine, tmp_path, cloned=True) -> Session:
    s = Session(engine_factory=lambda: engine, library=VoiceLibrary(tmp_path / "voices"), workdir=tmp_path / "w")
    # the engine gets it as it is; the panel shows its quality report
    s.reference = SimpleNamespace(report=SimpleNamespace(duration_s=5.7, speech_ratio=0.9, snr_db=40, clipping_ratio=0,
                                                         original_sample_rate=16000, warnings=()))
    s.voice = voice() if cloned else voice(method="stock")
    return s


def wait_until(check, seconds=10):
    deadline = time.time() + seconds
    while not check() and time.time() < deadline:
        time.sleep(0.02)
    assert check()


def settled(app):
    wait_until(lambda: not app._busy.locked())


def test_session_refines_the_clone_in_use_and_keeps_its_name(fake, tmp_path):
    s = make_session(fake, tmp_path)
    fake.gate.set()
    seen = []
    refined = s.refine_voice(progress=lambda f, m: seen.append(f))
    assert refined.id == "refined" and refined.name == "me" and s.voice is refined
    assert fake.calls[0][1] is s.reference and seen == [0.5, 1.0]


def test_session_refuses_a_stock_voice_a_saved_one_and_an_engine_without_refine(fake, tmp_path):
    s = make_session(fake, tmp_path, cloned=False)
    with pytest.raises(VoxnbError, match=r"Clone a voice from a clip first \(step 1\)"):
        s.refine_voice()
    s.voice, s.reference = voice(), None
    with pytest.raises(VoxnbError, match="clip this voice was cloned from"):
        s.refine_voice()
    served = make_session(ServedEngine(), tmp_path)
    assert served.refine_problem() == "engine"
    with pytest.raises(VoxnbError, match="This engine cannot refine voices") as err:
        served.refine_voice()
    assert err.value.fix and not fake.calls


def test_button_is_enabled_only_for_a_cloned_voice(fake, tmp_path):
    s = make_session(fake, tmp_path, cloned=False)
    app = App(session=s, warm=False)
    box = app.reference.refiner
    assert box.go.description == "Refine this voice" and box.go.disabled
    assert "Only a voice cloned" in box.message.value
    s.voice = voice()
    app.reference.refresh_status()
    assert not box.go.disabled and box.message.value == ""
    assert "voxnb-refine" in box.go._dom_classes


def test_refining_shows_progress_then_the_figures(fake, tmp_path):
    s = make_session(fake, tmp_path)
    app = App(session=s, warm=False)
    box = app.reference.refiner
    box.go.click()
    wait_until(lambda: box.bar.value == 0.5)
    assert "timbre: 7 syntheses" in box.message.value and box.go.disabled
    assert box.cancel.layout.display == "" and box.bar.layout.display == ""
    app.generate()      # one heavy job at a time: generating waits
    assert "Still refining" in app.status.value
    fake.gate.set()
    settled(app)
    line = box.message.value
    assert "Refined in 42 s" in line and "0.701 → 0.753" in line, line
    assert box.cancel.layout.display == "none" and not box.go.disabled
    assert s.voice.id == "refined" and "[refined]" in app.reference.status.value
    app.lang_button.value = "zh"
    assert box.go.description == "优化这个声音" and box.cancel.description == "取消"
    assert "优化完成" in box.message.value and "0.701 → 0.753" in box.message.value


def test_a_refused_refinement_says_why_the_fast_clone_was_kept(tmp_path):
    fake = FakeEngine(accepted=False)
    s = make_session(fake, tmp_path)
    app = App(session=s, warm=False)
    fake.gate.set()
    app.refine()
    settled(app)
    line = app.reference.refiner.message.value
    assert "Kept the fast clone" in line and "held-out d-vector similarity dropped" in line and "0.701" in line
    assert s.voice.id == "fast"


def test_cancel_sets_the_event_and_keeps_the_fast_clone(fake, tmp_path):
    s = make_session(fake, tmp_path)
    app = App(session=s, warm=False, lang="zh")
    box = app.reference.refiner
    box.go.click()
    wait_until(lambda: box.bar.value == 0.5)
    box.cancel.click()
    assert s.refine_cancelled.is_set()
    settled(app)
    assert "已取消" in box.message.value and s.voice.id == "fast"
    assert app.status.value == ""       # cancelling is not an error
    app.lang_button.value = "en"
    assert "cancelled" in box.message.value
    s.voice = voice(method="kokoro-style-blend/1", info={"other": 1})   # another clone: the old line goes
    app.reference.refresh_status()
    assert box.message.value == ""


def test_an_engine_without_refine_greys_the_button_and_says_why(tmp_path):
    s = make_session(ServedEngine(), tmp_path)
    app = App(session=s, warm=False)
    box = app.reference.refiner
    assert box.go.disabled and "This engine cannot refine voices" in box.message.value
    app.refine()        # reached anyway (a stale page): a clear message, not a dead button
    settled(app)
    assert "This engine cannot refine voices" in app.status.value and "Problem" in app.status.value
    app.lang_button.value = "zh"
    assert "此引擎不能优化声音" in box.message.value
