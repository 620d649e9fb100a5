"""Fixtures for the hub engines' tests, which run in the engine environment (tests/run.sh makes it):
tiny random-weight instances fetched into the test cache from a local directory."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # tests/ for tiny_engines, audio_fixtures

from tiny_engines import BUILDERS  # noqa: E402

HUB_ENGINES = ("f5", "voxcpm")


@pytest.fixture(scope="session")
def tiny_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-weights")
    return {name: build(root / name) for name, build in BUILDERS.items()}


@pytest.fixture(scope="session")
def fetched(tiny_dirs, isolated_home):
    from voxnb.engines import fetch

    return {name: fetch(name, source_dir=tiny_dirs[name], accept=True, progress=lambda m: None)
            for name in HUB_ENGINES}


@pytest.fixture(scope="session")
def hub_engines(fetched):
    from voxnb.engines import load_engine

    return {name: load_engine(name, device="cpu") for name in HUB_ENGINES}


@pytest.fixture(scope="session")
def hub_voices(hub_engines, ref_clip):
    return {name: e.clone(ref_clip, name=f"{name}-ref", transcript="The birch canoe slid on the smooth planks.", consent=True)
            for name, e in hub_engines.items()}
