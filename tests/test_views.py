"""One list of views: every view an engine declares is one the inspector draws, with a figure and a tab
title in each language; and an engine's chunk is checked when made."""
import numpy as np
import pytest

from voxnb.dashboard.i18n import LANGS, t
from voxnb.dashboard.inspect_panel import VIEWS, tab_key
from voxnb.engines.base import Capabilities
from voxnb.errors import EngineError
from voxnb.output import plots
from voxnb.output.chunk import ChunkOutput
from voxnb.output.result import ChunkResult
from voxnb.output.views import View


def undrawn(view) -> list[str]:
    """What the interface lacks to show ``view`` (empty: the inspector draws it and titles its tab)."""
    try:
        view = View(view)
    except ValueError:
        return [f"{view!r} is not a View"]
    problems = [] if view in VIEWS else [f"the inspector has no {view} page"]
    problems += [] if view in plots.FIGURES else [f"plots has no figure for {view}"]
    for lang in LANGS:
        try:
            title = t(tab_key(view), lang)
        except KeyError:
            title = ""
        if not title or title == tab_key(view):
            problems.append(f"no {lang} tab title for {view}")
    return problems


def declared_views() -> dict[str, tuple]:
    """Each engine's declared views: from its spec, and the Capabilities default an engine without one gets."""
    from voxnb.engines import registry

    found = {name: tuple(spec.views) for name, spec in registry.specs().items()}
    found["Capabilities default"] = Capabilities.__dataclass_fields__["views"].default
    return found


def test_every_declared_view_is_drawn_and_titled_in_every_language():
    found = declared_views()
    assert {"kokoro", "f5", "voxcpm", "cosyvoice3"} <= set(found)
    problems = {f"{engine}: {p}" for engine, views in found.items() for v in views for p in undrawn(v)}
    assert problems == set()


@pytest.mark.parametrize("view", ["stop", "made-up"])
def test_a_view_the_inspector_lacks_fails_the_check(view):
    assert undrawn(view)


def test_views_are_one_enumeration():
    assert VIEWS == tuple(View) and set(plots.FIGURES) == set(View)
    assert all(tab_key(v) == f"tab_{v.value}" for v in View)


# -- the typed chunk -------------------------------------------------------------------------------
class ToyOutput(ChunkOutput):
    EXTRAS = ("trajectory",)


def good(**change):
    fields = dict(audio=np.zeros(2400, np.float32), sample_rate=24000, samples_per_frame=300, shown="hi",
                  tokens=np.arange(3), mel=np.zeros((80, 8), np.float32),
                  extras={"trajectory": np.zeros((3, 80, 8), np.float16)})
    fields.update(change)
    return ToyOutput(**fields)


def test_a_well_formed_chunk_is_made():
    out = good()
    assert out.shown == "hi" and set(out.extras) == {"trajectory"}


@pytest.mark.parametrize("change, phrase", [
    ({"audio": np.zeros((2, 2400), np.float32)}, "audio has shape (2, 2400)"),
    ({"audio": [0.0, 0.1]}, "audio is a list"),
    ({"audio": np.zeros(10, np.int16)}, "audio is int16; it must be float"),
    ({"sample_rate": 0}, "sample_rate is 0"),
    ({"samples_per_frame": -1}, "samples_per_frame is -1"),
    ({"tokens": np.zeros(3, np.float32)}, "tokens is float32"),
    ({"mel": np.full((80, 4), np.nan, np.float32)}, "mel holds NaN"),
    ({"f0": np.array([100.0, np.inf], np.float32)}, "f0 holds NaN or infinite"),
    ({"attention": np.zeros((2, 4, 4), np.float16)}, "attention has shape (2, 4, 4)"),
    ({"attention_axes": ("rows",)}, "attention_axes"),
    ({"extras": {"latents": np.zeros((1, 2, 3), np.float32)}}, "'latents' not declared (it declares: trajectory"),
    ({"extras": {"mel": np.zeros((80, 2), np.float32)}}, "the mel goes in the mel field"),
    ({"extras": {"trajectory": np.zeros((80, 8), np.float16)}}, "extras['trajectory'] has shape (80, 8)"),
])
def test_a_malformed_chunk_is_refused_naming_the_field(change, phrase):
    with pytest.raises(EngineError) as err:
        good(**change)
    assert phrase in str(err.value) and "ToyOutput made a malformed chunk" in str(err.value)


def chunk_result(**change):
    fields = dict(index=0, of=1, text="hi", phonemes="h", tokens=np.array([0, 5, 0]), durations=np.ones(3),
                  frames=np.array([2, 3, 1]), f0=np.zeros(12, np.float32), energy=np.zeros(12, np.float32),
                  attention=None, audio=np.zeros(3600, np.float32), sample_rate=24000, samples_per_frame=600,
                  offset=0, seconds=0.1)
    fields.update(change)
    return ChunkResult(**fields)


def test_chunk_results_are_checked_too_and_say_which_views_they_fill():
    assert chunk_result().views == (View.MEL, View.ALIGNMENT, View.F0, View.TIMINGS)
    latents = chunk_result(frames=np.zeros(0, np.int64), extras={"latents": np.zeros((2, 4, 8), np.float16)})
    assert View.LATENTS in latents.views and View.ALIGNMENT not in latents.views
    with pytest.raises(EngineError, match="'made_up' not declared"):
        chunk_result(extras={"made_up": np.zeros(3)})
    with pytest.raises(EngineError, match="energy holds NaN"):
        chunk_result(energy=np.full(12, np.nan, np.float32))
    with pytest.raises(EngineError, match="f0 has 12 points and energy 11"):
        chunk_result(energy=np.zeros(11, np.float32))
    with pytest.raises(EngineError, match="sample_rate is 0"):
        chunk_result(sample_rate=0)
