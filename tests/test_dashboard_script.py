"""The dashboard's Script section: a pasted script cast and rendered, a line played, re-rendered alone and
inspected, the mix, stems and SRT offered for download; subtitles dubbed; a bad script said in words."""
import base64
import io
import re
import zipfile

import soundfile as sf
from dashboard_helpers import wait

from voxnb.dashboard import App

from conftest import REFERENCES

SCRIPT = "Alice: Good morning, everyone.\nBob: Morning! Shall we start?\nAlice: Yes, let us begin.\n"


def _links(html):
    return {css: base64.b64decode(data) for css, data in re.findall(r"class='([\w-]+)'[^>]*href='data:[^;]+;base64,([^']+)'", html)}


def test_a_script_is_cast_rendered_and_each_line_replayed_redone_and_inspected(session):
    session.library.save(session.engine.clone(REFERENCES / "harvard_f" / "harvard_01.flac", name="alice", consent=True))
    session.library.save(session.engine.clone(REFERENCES / "codec2_hts_m" / "enroll.flac", name="bob", consent=True))
    app = App(session, warm=False)
    panel = app.script
    panel.text.value = SCRIPT
    panel.read_button.click()
    assert list(panel.pickers) == ["Alice", "Bob"]
    assert panel.pickers["Alice"].value == "alice" and panel.pickers["Bob"].value == "bob"   # named alike
    panel.render_button.click()
    wait(app, 300)
    assert "Problem" not in app.status.value, app.status.value
    assert len(panel.timeline.children) == 3 and panel.progress.value == 1
    links = _links(panel.downloads.value)
    mix, rate = sf.read(io.BytesIO(links["voxnb-script-mix"]))
    assert len(mix) / rate > 3
    assert "Bob: Morning! Shall we start?" in links["voxnb-script-srt"].decode()
    names = zipfile.ZipFile(io.BytesIO(links["voxnb-script-stems"])).namelist()
    assert "timeline.json" in names and sum(n.endswith(".wav") for n in names) == 3
    row = panel.timeline.children[1]
    label, style, play, redo, look = row.children
    play.click()
    first_take = panel.player.value
    assert first_take and panel.player.layout.display == ""
    stems_before = dict(panel.desk.show.files)
    style.value = "happy"
    redo.click()
    wait(app, 300)
    assert panel.desk.show.rendered == 1 and panel.desk.show.reused == 2     # the other lines were kept
    assert panel.desk.show.files[1] == stems_before[1] and panel.desk.show.files[2] != stems_before[2]
    assert panel.player.value != first_take
    look = panel.timeline.children[1].children[4]
    look.click()
    wait(app, 300)
    assert app.inspector.tabs.layout.display == "" and len(app.inspector.tabs.children) >= 2
    app.set_lang("zh")
    assert "下载混音" in panel.downloads.value and "合成" in panel.render_button.description


def test_subtitles_are_dubbed_and_a_bad_script_is_said_in_words(session):
    session.library.save(session.engine.clone(REFERENCES / "harvard_f" / "harvard_01.flac", name="me", consent=True))
    app = App(session, warm=False)
    panel = app.script
    panel.text.value = "Alice says hi.\nBob: Hello."
    panel.read_button.click()
    assert "line 1" in app.status.value and "Alice: Hello." in app.status.value   # names the line and the fix
    panel.text.value = "1\n00:00:00,500 --> 00:00:02,500\nHello there.\n\n2\n00:00:03,000 --> 00:00:03,300\n" \
                       "This cue has far too many words for its tiny slot.\n"
    panel.read_button.click()
    assert list(panel.pickers) == [""] and panel.pickers[""].value == "me"
    panel.render_button.click()
    wait(app, 300)
    assert "Dubbed 2 cues: 1 inside their slots" in app.status.value, app.status.value
    assert "Cue 2 does not fit" in panel.report.value
    audio, rate = sf.read(io.BytesIO(_links(panel.downloads.value)["voxnb-script-mix"]))
    assert len(audio) / rate >= 3.3
