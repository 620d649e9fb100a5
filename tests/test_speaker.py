"""The fitting encoder (d-vector), and the rule that no fitting step touches GE2E, the evaluation encoder."""
import re
from pathlib import Path

import numpy as np
import pytest

from voxnb.reference import speaker

PACKAGE = Path(__file__).resolve().parents[1] / "voxnb"
# Evaluation modules may use GE2E: the benchmark, and compare (which scores engines, fits nothing).
EVALUATION = ("bench/", "runs/compare.py")


def test_dvector_is_unit_norm_deterministic_and_rate_blind(ref_clip):
    import soundfile as sf

    from voxnb.reference.decode import resample

    audio, sr = sf.read(ref_clip, dtype="float32")
    a = speaker.embed(audio, sr)
    assert a.shape == (256,) and abs(float(a @ a) - 1) < 1e-5
    assert np.array_equal(a, speaker.embed(audio, sr))
    assert speaker.similarity(a, speaker.embed(resample(audio, sr, 24000), 24000)) > 0.99


# an import statement that names ge2e or resemblyzer, absolute or relative, or a dynamic import of them
GE2E_IMPORT = re.compile(r"^\s*(from\s+\S*(ge2e|resemblyzer)\S*\s+import"
                         r"|(from\s+\S+\s+)?import\s+.*\b(ge2e|resemblyzer)\b)"
                         r"|import_module\([^)]*(ge2e|resemblyzer)", re.M)


def test_no_fitting_module_imports_ge2e_or_resemblyzer():
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if not str(p.relative_to(PACKAGE)).startswith(EVALUATION) and GE2E_IMPORT.search(p.read_text())]
    assert offenders == []


@pytest.mark.parametrize("line", ["from .bench import ge2e", "from ..bench.ge2e import embed", "import resemblyzer",
                                  "    from . import ge2e", "from .bench import ge2e as speaker",
                                  "from x import (a, ge2e)"])
def test_the_grep_catches_an_import(line):
    assert GE2E_IMPORT.search(line)


@pytest.fixture
def ge2e_forbidden(monkeypatch):
    """GE2E raises if anything calls it."""
    from voxnb.bench import ge2e

    def forbidden(*a, **k):
        raise AssertionError("a fitting step used GE2E, the evaluation encoder")

    for name in ("embed", "_session", "encoder_path", "export_onnx", "_resemblyzer"):
        monkeypatch.setattr(ge2e, name, forbidden)


def test_clone_and_refine_never_touch_ge2e(engine, ref_clip, ge2e_forbidden):
    voice = engine.clone(ref_clip, cache=False, consent=True)
    assert voice.info["dvector"] > 0.5
    refined = engine.refine(voice, ref_clip, budget_s=20, max_steps=1, cache=False)
    assert refined.info["refine"]["syntheses"] > 0
