"""The dashboard's "Check a file" panel and what a download carries: the watermark and the provenance."""
import datetime as dt
import io
import re
import time

import numpy as np
import pytest
import soundfile as sf

from voxnb.dashboard import App, Session
from voxnb.dashboard.session import MAX_UPLOAD_MB
from voxnb.settings import SynthesisSettings
from voxnb.voice import VoiceLibrary
from voxnb.output.watermark import check_file

from conftest import REFERENCES

UNMARKED = REFERENCES / "harvard_f" / "harvard_02.flac"     # a real recording voxnb never touched
TEXT = "Hello there. This take comes from the dashboard, and it is long enough to be checked in windows."


def new_session(engine, root):
    return Session(engine_factory=lambda: engine, library=VoiceLibrary(root / "voices"), workdir=root / "w")


@pytest.fixture(scope="module")
def take(engine, tmp_path_factory):
    """One take with a stock voice (no cloning), as the dashboard keeps it in its history."""
    session = new_session(engine, tmp_path_factory.mktemp("check"))
    session.voice = engine.stock_voice(engine.capabilities.stock_voices[0])
    result = session.generate(TEXT, SynthesisSettings(seed=5))
    return session, result


def uploaded(name: str, content: bytes) -> tuple:
    """What ipywidgets 8's FileUpload holds after a browser upload."""
    return ({"name": name, "type": "audio/wav", "size": len(content), "content": memoryview(content),
             "last_modified": dt.datetime.now(dt.timezone.utc)},)


def wait_for_verdict(app, seconds=60):
    deadline = time.time() + seconds
    while "voxnb-check-verdict" not in app.checker.result.value and time.time() < deadline:
        time.sleep(0.1)
    return app.checker.result.value


def test_history_download_carries_the_watermark_and_the_provenance(take, tmp_path):
    session, result = take
    path = tmp_path / "voxnb-001-download.wav"
    path.write_bytes(session.history[-1].wav)       # the bytes the ⬇ WAV link and the player carry
    report = check_file(path)
    assert report["error"] is None and report["marked"] is True and report["confidence"] >= 0.5
    meta = report["metadata"]
    assert meta["source"] == "file"                  # embedded in the WAV itself: no sidecar lies beside it
    assert meta["voice"]["id"] == result.voice_id and meta["voice"]["cloned"] is False
    assert meta["seed"] == 5 and meta["engine"] == result.engine and meta["watermarked"] is True


def test_check_a_marked_take(take):
    session, result = take
    report = session.check_file("take.wav", session.history[-1].wav)
    assert report["file"] == "take.wav"              # the user's name, not the copy in workdir
    assert report["error"] is None and report["marked"] is True and report["confidence"] >= 0.5
    assert report["metadata"]["voice"]["id"] == result.voice_id
    assert report["partial"] is False, report["marked_spans"]
    assert not [p for p in session.workdir.rglob("*") if p.is_file()], "a checked file is not kept"


def test_check_an_unmarked_recording(take):
    session, _ = take
    report = session.check_file(UNMARKED.name, UNMARKED.read_bytes())
    assert report["error"] is None and report["marked"] is False and report["confidence"] < 0.5
    assert report["metadata"] is None and report["partial"] is False


def test_check_finds_a_take_spliced_into_a_recording(take, tmp_path):
    from voxnb.reference.decode import load_audio, resample

    session, result = take
    clean, sr, _ = load_audio(UNMARKED)
    clean = resample(clean, sr, result.sample_rate)[: 6 * result.sample_rate]
    marked, _ = sf.read(io.BytesIO(session.history[-1].wav), dtype="float32")
    buf = io.BytesIO()
    sf.write(buf, np.concatenate([clean, marked, clean]), result.sample_rate, format="WAV", subtype="PCM_16")
    report = session.check_file("spliced.wav", buf.getvalue())
    assert report["marked"] is True and report["partial"] is True and report["metadata"] is None
    start, end = 6.0, 6.0 + len(marked) / result.sample_rate
    assert all(a >= start - 3 and b <= end + 3 for a, b in report["marked_spans"]), report["marked_spans"]
    from voxnb.dashboard.check_panel import report_html

    en, zh = report_html(report, "en"), report_html(report, "zh")
    assert re.search(r"only in part of the file: [\d.]+–[\d.]+ s", en), en
    assert "metadata was stripped" in en and "一部分" in zh and "元数据已被去除" in zh


def test_check_refuses_text_and_huge_files(take):
    session, _ = take
    report = session.check_file("notes.wav", b"just some text, not audio\n" * 50)
    assert report["marked"] is None and report["error"].startswith("notes.wav"), report
    report = session.check_file("../../huge.wav", b"\0" * (MAX_UPLOAD_MB * 2**20 + 1))
    assert report["file"] == "huge.wav" and report["limit_mb"] == MAX_UPLOAD_MB and report["marked"] is None
    assert f"limit is {MAX_UPLOAD_MB} MB" in report["error"]
    assert not [p for p in session.workdir.rglob("*") if p.is_file()]


def test_panel_shows_the_verdict_and_metadata_in_both_languages(take):
    session, result = take
    app = App(session=session, warm=False)
    classes = {c for w in (app.checker.upload, app.checker.result) for c in w._dom_classes}
    assert {"voxnb-check-upload", "voxnb-check-result"} <= classes
    app.checker.upload.value = uploaded("my take.wav", session.history[-1].wav)
    shown = wait_for_verdict(app)
    assert "my take.wav" in shown and "voxnb watermark found (confidence" in shown, shown
    assert "voxnb-check-meta" in shown and result.voice_id in shown and "stock voice" in shown
    assert app.checker.upload.value == ()            # cleared: the same file can be checked again
    app.lang_button.value = "zh"
    shown = app.checker.result.value
    assert "检测到 voxnb 水印" in shown and "内置声音" in shown and result.voice_id in shown
    assert "无需（内置声音）" in shown and "not needed" not in shown
    assert "watermark found" not in shown and "stock voice" not in shown and "Voice kind" not in shown
    assert "检查文件" in app.checker.upload.description


def test_panel_says_why_a_file_cannot_be_read_and_escapes_what_the_file_says(take, tmp_path):
    session, _ = take
    app = App(session=session, warm=False, lang="zh")
    app.checker.upload.value = uploaded("<notes>.wav", b"just some text, not audio\n" * 50)
    shown = wait_for_verdict(app)
    assert "无法读取" in shown and "&lt;notes&gt;.wav" in shown and "<notes>" not in shown
    # a file whose embedded record holds markup: shown as text, never as HTML
    path = tmp_path / "forged.wav"
    with sf.SoundFile(path, "w", 24000, 1, subtype="PCM_16") as f:
        f.comment = '{"voxnb":"<script>alert(1)</script>","voice":"not a dict","seed":"<b>7</b>"}'
        f.write(np.zeros(24000, np.float32))
    app.checker.result.value = ""
    app.checker.upload.value = uploaded("forged.wav", path.read_bytes())
    shown = wait_for_verdict(app)
    assert "未检测到 voxnb 水印" in shown and "voxnb-check-meta" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<b>7</b>" not in shown
