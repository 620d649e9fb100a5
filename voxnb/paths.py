"""Where voxnb keeps files: a cache for derived weights, a home for voices and outputs.

$VOXNB_HOME and $VOXNB_CACHE win; on AutoDL both default to its data disk, because
the system disk there is small and is reset with the image.  The home is never voxnb's own
source folder: `git clone` into the home folder makes ~/voxnb, which was once the default home,
so voices landed inside the checkout (and `python` started in ~ imported the checkout).
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import VoxnbError

AUTODL_DATA_DISK = "/root/autodl-tmp"
DEFAULT_HOME = "~/voxnb-data"
LEGACY_HOME = "~/voxnb"     # the default before 0.x: still used if it holds voices and is not a checkout


def _base(env: str, autodl_sub: str, default: str, create: bool = True) -> Path:
    value = os.environ.get(env)
    if not value:
        value = os.path.join(AUTODL_DATA_DISK, autodl_sub) if os.path.isdir(AUTODL_DATA_DISK) else default
    path = Path(value).expanduser()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def source_root(start: Path | None = None) -> Path | None:
    """The checkout voxnb runs from (the folder with its pyproject.toml), or None for an installed wheel."""
    root = (start or Path(__file__)).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    try:
        return root if pyproject.is_file() and 'name = "voxnb"' in pyproject.read_text(encoding="utf-8") else None
    except OSError:
        return None


def _is_checkout(folder: Path) -> bool:
    return (folder / "voxnb" / "__init__.py").is_file() and (folder / "pyproject.toml").is_file()


def _default_home() -> str:
    legacy = Path(LEGACY_HOME).expanduser()
    if (legacy / "voices").is_dir() and not _is_checkout(legacy):
        return LEGACY_HOME   # voices saved under the old default stay where the user left them
    return DEFAULT_HOME


def cache_dir() -> Path:
    """Derived files that can be rebuilt (assembled weights, enrollment cache)."""
    return _base("VOXNB_CACHE", "voxnb-cache", "~/.cache/voxnb")


def home_dir() -> Path:
    """The user's own files: saved voices and generated audio; refused inside voxnb's source folder."""
    path = _base("VOXNB_HOME", "voxnb", _default_home(), create=False)
    root = source_root()
    if root is not None and (path.resolve() == root or root in path.resolve().parents):
        raise VoxnbError(key="paths.voxnb_home_inside_voxnb", path=path, root=root, default_home=DEFAULT_HOME)
    path.mkdir(parents=True, exist_ok=True)
    return path


def voices_dir() -> Path:
    path = home_dir() / "voices"
    path.mkdir(parents=True, exist_ok=True)
    return path


def outputs_dir() -> Path:
    path = home_dir() / "outputs"
    path.mkdir(parents=True, exist_ok=True)
    return path
