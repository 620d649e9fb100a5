"""The dashboard's logic without a browser: the Session model and the App's wiring."""
import time

import numpy as np
import pytest
from dashboard_helpers import all_widgets, wait

from voxnb.dashboard import App, Session
from voxnb.dashboard.i18n import STRINGS
from voxnb.dashboard.session import MAX_UPLOAD_MB
from voxnb.errors import BadReferenceError, VoxnbError
from voxnb.settings import SynthesisSettings

CLASSES = ["voxnb-ref-upload", "voxnb-consent", "voxnb-text", "voxnb-style", "voxnb-speed", "voxnb-seed",
           "voxnb-generate", "voxnb-status", "voxnb-audio", "voxnb-mel", "voxnb-alignment", "voxnb-attention",
           "voxnb-f0", "voxnb-history", "voxnb-lang", "voxnb-channel"]


def test_every_language_has_every_string():
    for key, entry in STRINGS.items():
        assert entry.get("en") and entry.get("zh"), key


def test_upload_limits_and_bad_files(session, ref_clip):
    (session.workdir).mkdir(parents=True, exist_ok=True)
    with pytest.raises(BadReferenceError, match=f"limit is {MAX_UPLOAD_MB} MB"):
        session.load_upload("huge.wav", b"\0" * (MAX_UPLOAD_MB * 2**20 + 1))
    with pytest.raises(BadReferenceError, match=r"^notes\.wav is a text file"):   # the name the user chose
        session.load_upload("notes.wav", b"just some text, not audio\n" * 50)
    ref = session.load_upload("../../etc/passwd.flac", ref_clip.read_bytes())
    assert ref.report.speech_s > 3
    files = [p for p in session.workdir.rglob("*") if p.is_file()]
    assert files and all(p.resolve().is_relative_to(session.workdir.resolve()) for p in files)  # no path escapes


def test_uploaded_voice_needs_consent_and_is_saved_by_name(session, ref_clip):
    session.workdir.mkdir(parents=True, exist_ok=True)
    session.load_upload("me.flac", ref_clip.read_bytes())
    with pytest.raises(VoxnbError, match="right to clone"):
        session.enroll(consent=False)
    voice = session.enroll(consent=True, transcript="hello")
    session.save_voice("me")
    assert session.library.load("me").id == voice.id
    other = Session(engine_factory=lambda: session.engine, library=session.library, workdir=session.workdir)
    assert other.voice is None and other.history == []          # no cross-talk between viewers
    assert other.use_saved("me").id == voice.id


def test_generate_keeps_history_and_can_stop_early(session):
    session.load_sample("harvard_f/harvard_01")
    session.enroll(consent=False)
    text = ("The first sentence is short. Then a second sentence follows with a few more words in it, "
            "and a third one keeps the text going long enough to need several chunks to speak it all.")
    stages = []
    session.stop_requested.clear()

    def on_chunk(chunk):
        if chunk.index == 0:
            session.stop()

    r = session.generate(text, SynthesisSettings(seed=3), on_stage=lambda k, **f: stages.append(k), on_chunk=on_chunk)
    assert len(r.chunks) == 1 and r.chunks[0].of > 1 and "stopped" in r.warnings[0]
    assert "stage_stopped" in stages
    full = session.generate(text, SynthesisSettings(seed=3))
    assert len(full.chunks) == full.chunks[0].of and full.duration_s > r.duration_s
    assert [h.number for h in session.history] == [1, 2] and session.history[1].wav[:4] == b"RIFF"


def test_app_has_the_test_classes_and_switches_language(session):
    app = App(session=session, warm=False)
    classes = {c for w in all_widgets(app) for c in getattr(w, "_dom_classes", ())}
    assert set(CLASSES) <= classes
    assert app.generator.go.description == "Generate"
    app.lang_button.value = "zh"
    assert app.generator.go.description == "生成" and app.reference.consent.description == "我有权克隆这个声音"


def test_generate_without_a_voice_says_so(session):
    app = App(session=session, warm=False)
    app.text.text.value = "Hello."
    app.generate()
    wait(app)
    assert "Choose a voice first" in app.status.value and not app.generator.go.disabled


def test_generate_end_to_end_fills_player_history_and_inspector(session):
    app = App(session=session, warm=False)
    app.reference.source.value = "sample"
    app.reference.sample.value = "harvard_f/harvard_01"
    app.text.text.value = "Hello there. This is the dashboard speaking."
    app.controls.seed.value = 9
    app.controls.channel.value = True     # harvard_01 is a 16 kHz recording: the take stops at ~8 kHz
    app.generate()
    wait(app)
    assert "Done" in app.status.value, app.status.value
    assert app.output.audio.value[:4] == b"RIFF" and "voxnb-download-wav" in app.output.downloads.value
    assert len(app.output.history.children) == 1
    images = app.inspector.images
    for view in ("mel", "alignment", "attention", "f0"):
        assert images[view].value[:8] == b"\x89PNG\r\n\x1a\n"
    assert app.inspector.shown == ["mel", "alignment", "attention", "f0", "timings"]
    assert app.inspector.lacks.value == "", "Kokoro has every view it declares"
    before = images["attention"].value
    app.inspector.layer.value = 3
    app.inspector.head.value = 0
    assert images["attention"].value != before
    app.controls.seed.value, app.controls.channel.value = 1, False
    app.reuse(session.history[0])
    assert app.controls.seed.value == 9 and app.controls.channel.value is True


def test_callback_bug_goes_to_the_debug_log_not_a_dead_button(session):
    app = App(session=session, warm=False)

    def broken():
        raise ZeroDivisionError("boom")

    app.run(broken)
    assert "ZeroDivisionError" in app.status.value
    assert "Traceback" in "".join(o.get("text", "") for o in app.debug.outputs)


def test_wav_bytes_roundtrip():
    import io

    import soundfile as sf

    from voxnb.dashboard.session import wav_bytes

    audio = np.sin(np.linspace(0, 100, 2400)).astype(np.float32) * 0.5
    back, sr = sf.read(io.BytesIO(wav_bytes(audio, 24000)), dtype="float32")
    assert sr == 24000 and np.allclose(back, audio, atol=1e-4)


def test_long_text_is_spoken_without_attention_maps(session, monkeypatch):
    from voxnb.dashboard import session as S

    monkeypatch.setattr(S, "INSPECT_MAX_CHARS", 10)
    session.voice = session.engine.stock_voice("jf_tebukuro")
    r = session.generate("A text longer than ten characters.", SynthesisSettings())
    assert all(c.attention is None for c in r.chunks) and r.settings["inspect"] is False


def test_enrollment_explains_the_fit_and_suggests_channel_matching_for_phone_clips(session):
    app = App(session=session, warm=False)
    app.reference.source.value = "sample"
    app.reference.sample.value = "codec2_hts_f/enroll"      # an 8 kHz recording
    app.reference._enroll()
    status = app.reference.status.value
    assert "voxnb-fit" in status and "jf_" in status and "phone-band" in status
    assert 3.5 <= float(status.split(" kHz")[0].split()[-1]) <= 4.2           # the reference's bandwidth
    app.lang_button.value = "zh"
    assert "电话频宽" in app.reference.status.value


def test_one_player_after_a_streamed_generation(session):
    app = App(session=session, warm=False)
    session.voice = session.engine.stock_voice("jf_tebukuro")
    app.text.text.value = "The first sentence streams. A second one follows it."
    players = (app.output.live, app.output.audio)
    shown = lambda: [p for p in players if p.layout.display != "none"]
    assert shown() == [app.output.audio]
    app.generate()
    wait(app)
    assert "Done" in app.status.value, app.status.value
    assert len(shown()) == 1            # the live player plays the streamed chunks out, alone
    deadline = time.time() + 30
    while shown() != [app.output.audio] and time.time() < deadline:
        time.sleep(0.2)
    assert shown() == [app.output.audio] and app.output.audio.value == session.history[-1].wav
