"""Where voxnb keeps the user's files: never inside its own checkout, old voices never lost."""
import os
from pathlib import Path

import pytest

from voxnb import paths
from voxnb.errors import VoxnbError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_home(tmp_path, monkeypatch):
    """A home folder with no VOXNB_HOME set and no AutoDL data disk."""
    monkeypatch.delenv("VOXNB_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths, "AUTODL_DATA_DISK", str(tmp_path / "no-autodl"))
    return tmp_path


def test_default_home_is_not_the_folder_git_clone_makes(fake_home):
    assert paths.home_dir() == fake_home / "voxnb-data"
    assert paths.voices_dir() == fake_home / "voxnb-data" / "voices"


def test_voices_saved_under_the_old_default_stay_in_use(fake_home):
    (fake_home / "voxnb" / "voices").mkdir(parents=True)
    assert paths.home_dir() == fake_home / "voxnb"


def test_a_checkout_at_the_old_default_is_never_the_home(fake_home):
    checkout = fake_home / "voxnb"
    (checkout / "voxnb").mkdir(parents=True)
    (checkout / "voxnb" / "__init__.py").write_text("")
    (checkout / "pyproject.toml").write_text('[project]\nname = "voxnb"\n')
    (checkout / "voices").mkdir()     # what the old default left inside a checkout
    assert paths.home_dir() == fake_home / "voxnb-data"


@pytest.mark.parametrize("inside", [".", "voices-here", "voxnb/assets"])
def test_voxnb_home_inside_its_own_source_folder_is_refused(monkeypatch, inside):
    assert paths.source_root() == REPO      # the tests run from a checkout
    monkeypatch.setenv("VOXNB_HOME", str(REPO / inside))
    with pytest.raises(VoxnbError, match="inside voxnb's own source folder") as err:
        paths.voices_dir()
    assert "VOXNB_HOME" in err.value.fix
    assert not (REPO / inside).exists() or inside in (".", "voxnb/assets")   # nothing made in the checkout
    assert not (REPO / inside / "voices").exists()


def test_voxnb_home_beside_the_checkout_is_fine(monkeypatch, tmp_path):
    monkeypatch.setenv("VOXNB_HOME", str(tmp_path / "elsewhere"))
    assert paths.voices_dir() == tmp_path / "elsewhere" / "voices"
    assert os.path.isdir(tmp_path / "elsewhere" / "outputs") is False   # made only when asked for
