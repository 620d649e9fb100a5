"""The notebooks run top to bottom in a fresh kernel and show what they promise.

Each is executed in memory (the files on disk keep no outputs). Kernels inherit the
temporary VOXNB_HOME/VOXNB_CACHE that conftest sets, so nothing lands in the user's folders.
"""
import csv
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(name: str):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    return outputs


def text_of(outputs) -> str:
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") for o in outputs)


def with_mime(outputs, mime: str) -> list:
    return [o for o in outputs if mime in o.get("data", {})]


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name} has saved outputs"


def test_quickstart_speaks_and_saves():
    outputs = execute("01_quickstart.ipynb")
    audio = [o for o in with_mime(outputs, "text/html") if "<audio" in o.data["text/html"]]
    assert len(audio) == 2                                   # the cloned voice, then the calm markup line
    saved = list((Path(os.environ["VOXNB_HOME"]) / "outputs").glob("quickstart*.wav"))
    assert saved and saved[0].with_suffix(".json").exists()
    assert "saved " in text_of(outputs)


def test_inspect_draws_every_intermediate_and_explains_bad_references():
    outputs = execute("02_inspect.ipynb")
    assert len(with_mime(outputs, "image/png")) >= 6         # mel, alignment, 2 x attention, f0, timings
    text = text_of(outputs)
    assert "kHz source: the clone will sound muffled" in text     # the 8 kHz clip: accepted with a warning
    assert "refused: Only" in text and "need at least 3 s" in text   # the 1.4 s clip: BadReferenceError
    assert "fix:" in text


def test_batch_writes_a_folder_and_a_manifest():
    outputs = execute("03_batch.ipynb")
    folder = Path(os.environ["VOXNB_HOME"]) / "outputs" / "batch-demo"
    manifests = sorted(folder.glob("manifest*.csv"))
    assert manifests
    with open(manifests[-1], encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 5 and not any(r["error"] for r in rows)
    assert all((folder / r["file"]).exists() for r in rows)
    table = with_mime(outputs, "text/html")
    assert any("<table>" in o.data["text/html"] and "goodnight" in o.data["text/html"] for o in table)
    assert with_mime(outputs, "application/vnd.jupyter.widget-view+json")   # the progress bar


def test_script_renders_a_cast_and_a_dub():
    outputs = execute("04_script.ipynb")
    shown = text_of(outputs) + "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Bob: Thanks, it is good to be here." in shown and "00:00:00,000 -->" in shown
    assert "<td>Alice</td>" in shown and "cue 2:" in shown
    assert len(with_mime(outputs, "text/html")) >= 3      # the timeline table and two players
