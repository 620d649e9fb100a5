"""Each engine is declared once, in its spec: specs read on a bare python3, their views are the inspector's,
the settings an engine refuses are refused with the spec's reason, and the registry finds engines by
their packages and by entry points of other packages."""
import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from repo_copy import ROOT
from voxnb.engines import registry, specs
from voxnb.engines.base import CONTROLS, declared, refuse
from voxnb.engines.spec import EngineSpec
from voxnb.errors import SettingsError
from voxnb.output.views import View
from voxnb.settings import SynthesisSettings

# a value other than the default for each control an engine may refuse
MOVED = {"style": "happy", "instruct": "say it softly", "speed": 1.2, "seed": 7, "lang": "en", "inspect": False,
         "match_channel": True, "comma_pause": 0.5, "clause_pause": 0.6, "sentence_pause": 0.7, "paragraph_pause": 1.1}
WEIGHTS_GB = {"kokoro": 0.5, "f5": 1.4, "voxcpm1.5": 2.0, "voxcpm2": 5.0, "cosyvoice3": 5.4}   # the plan's sizes


def test_specs_and_the_registry_read_on_a_bare_python():
    """The start script reads specs before any environment exists: no numpy, no torch, no site-packages."""
    code = textwrap.dedent("""
        import json, sys
        from voxnb.engines import registry, spec
        found = registry.specs()
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("numpy", "torch", "onnxruntime", "httpx"))
        engine_code = sorted(m for m in sys.modules if m.startswith("voxnb.engines.") and m.count(".") == 3
                             and not m.endswith(".spec") and not m.endswith(".install"))
        print(json.dumps({"names": list(found), "heavy": heavy, "engine_code": engine_code}))
    """)
    p = subprocess.run(["/usr/bin/python3", "-S", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert info["names"][0] == "kokoro" and {"f5", "voxcpm", "cosyvoice3"} <= set(info["names"])
    assert info["heavy"] == [] and info["engine_code"] == [], info


def test_every_spec_declares_itself_in_views_the_inspector_knows():
    for name, spec in specs().items():
        assert spec.name == name and spec.title and ":" in spec.factory
        assert spec.views and all(isinstance(v, View) for v in spec.views), name
        assert set(spec.lacks) <= {v.value for v in View} - {v.value for v in spec.views}, name
        assert set(spec.refuses) <= set(CONTROLS), name
        assert spec.device in ("cpu", "cuda") and spec.licence
        for model in spec.models:
            assert model.size_gb == WEIGHTS_GB[model.name], model
            hub = registry.weights(model.weights)
            assert hub is None or hub.size_hint_gb == model.size_gb, model


def test_models_and_weights_come_from_the_specs():
    from voxnb.engines.precision import VOXCPM2_MIN_GB

    voxcpm = registry.spec("voxcpm")
    assert [m.name for m in voxcpm.models] == ["voxcpm2", "voxcpm1.5"]
    assert voxcpm.model("voxcpm2").min_vram_gb == VOXCPM2_MIN_GB["bfloat16"]
    assert registry.model_owner("voxcpm2") is voxcpm and registry.model_owner("voxcpm") is None
    assert registry.weights("whisper").name == "whisper"          # weights of no engine still fetch by name
    assert registry.spec("cosyvoice3").install.installer == "voxnb.engines.cosyvoice3.install"
    assert registry.benched()[:2] == ["f5", "voxcpm"]              # the smallest first


@pytest.mark.parametrize("name", ["kokoro", "f5", "voxcpm", "cosyvoice3"])
def test_refuses_is_the_one_source_of_the_settings_an_engine_takes(name):
    spec = registry.spec(name)
    assert declared(spec)["settings"] == tuple(s for s in CONTROLS if s not in spec.refuses)
    assert declared(spec)["views"] == tuple(v.value for v in spec.views)
    for setting, why in spec.refuses.items():
        with pytest.raises(SettingsError) as err:
            refuse(spec, SynthesisSettings(**{setting: MOVED[setting]}))
        assert why in str(err.value) and spec.title in str(err.value)
    refuse(spec, SynthesisSettings())      # the defaults are never refused


def test_kokoro_refuses_what_its_spec_says(engine):
    """The one engine that can be made here: its capabilities and its refusals come from its spec."""
    spec = registry.spec("kokoro")
    assert engine.capabilities.settings == declared(spec)["settings"] and "instruct" not in engine.capabilities.settings
    assert engine.capabilities.views == declared(spec)["views"] and engine.capabilities.refines == spec.refines
    for setting, why in spec.refuses.items():
        with pytest.raises(SettingsError, match="Kokoro has no instruct control") as err:
            engine.synthesize("Hi.", engine.capabilities.stock_voices[0], **{setting: MOVED[setting]})
        assert why in str(err.value)


def test_an_entry_point_of_another_package_adds_an_engine(monkeypatch):
    other = EngineSpec(name="plugged", title="Plugged", factory="elsewhere.engine:Plugged", package="", licence="MIT",
                       device="cpu", clones=False)
    points = [SimpleNamespace(name="plugged", value="elsewhere.spec:SPEC", load=lambda: other),
              SimpleNamespace(name="broken", value="gone:SPEC", load=lambda: (_ for _ in ()).throw(ImportError("gone")))]
    monkeypatch.setattr(registry, "_entry_points", lambda: points)
    registry._found.cache_clear()
    try:
        assert registry.spec("plugged") is other and "plugged" in registry.available()
        assert registry.available().count("kokoro") == 1      # the built-in engines are still there
    finally:
        monkeypatch.undo()
        registry._found.cache_clear()
    assert "plugged" not in registry.available()


def test_an_engine_package_stays_light():
    """Importing an engine's package (its weights, its fetch) does not import its engine module."""
    code = ("import sys, voxnb.engines.f5, voxnb.engines.voxcpm, voxnb.engines.cosyvoice3, voxnb.engines.kokoro; "
            "print([m for m in sys.modules if m.endswith('.engine') and m.startswith('voxnb.engines.')])")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == "[]", p.stdout + p.stderr
