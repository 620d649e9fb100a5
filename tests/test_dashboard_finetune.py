"""The dashboard's Fine-tune section, its dataset half: recordings uploaded, a dataset prepared with progress,
its table paged, a segment played, its transcript fixed and a segment dropped, each edit saved."""
import json
from types import SimpleNamespace

from dashboard_helpers import wait
from test_finetune_prepare import recording  # noqa: F401 -- the long recording fixture, used by name

from voxnb.dashboard import App


def test_a_dataset_is_prepared_shown_and_edited(session, recording):  # noqa: F811
    path, truth = recording
    app = App(session, warm=False)
    panel = app.finetune
    panel._on_upload(SimpleNamespace(new=[{"name": "long.wav", "content": path.read_bytes()}]))
    assert "long.wav" in panel.files.value and not panel.go.disabled
    panel.name.value = "harvard"
    panel.go.click()                      # no consent ticked: said in words, nothing prepared
    wait(app, 60)
    assert "Problem" in app.status.value and panel.desk.dataset is None
    panel.consent.value = True
    panel.go.click()
    wait(app, 300)
    ds = panel.desk.dataset
    assert ds is not None and panel.progress.value == 1 and "Problem" not in app.status.value
    assert f"{sum(s.kept for s in ds.segments)} of {len(ds.segments)} segments kept" in panel.summary.value
    assert "another speaker" in panel.summary.value and "not speech" in panel.summary.value
    rows = panel.table.children
    assert len(rows) == min(12, len(ds.segments))
    if panel.desk.pages > 1:
        panel.next.click()
        assert panel.table.children[0].children[0].value.startswith("#13")
        panel.prev.click()
    label, play, text, kept, reason = panel.table.children[0].children
    play.click()
    assert panel.player.value == (ds.folder / ds.segments[0].audio).read_bytes()
    text.value = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."
    kept_box = panel.table.children[1].children[3]
    kept_box.value = False
    saved = [json.loads(line) for line in (ds.folder / "manifest.jsonl").read_text().splitlines()]
    assert saved[0]["transcript"].startswith("The birch canoe slid on")
    assert saved[1]["kept"] is False and saved[1]["reason"] == "user"
    assert "dropped by you" in panel.summary.value
    app.set_lang("zh")
    assert "保留" in panel.summary.value and "制作数据集" in panel.go.description
