"""Where voxnb keeps files: a cache for derived weights, a home for voices and outputs.

$VOXNB_HOME and $VOXNB_CACHE win; on AutoDL both default to its data disk, because
the system disk there is small and is reset with the image.
"""
from __future__ import annotations

import os
from pathlib import Path

AUTODL_DATA_DISK = "/root/autodl-tmp"


def _base(env: str, autodl_sub: str, default: str) -> Path:
    value = os.environ.get(env)
    if not value:
        value = os.path.join(AUTODL_DATA_DISK, autodl_sub) if os.path.isdir(AUTODL_DATA_DISK) else default
    path = Path(value).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Derived files that can be rebuilt (assembled weights, enrollment cache)."""
    return _base("VOXNB_CACHE", "voxnb-cache", "~/.cache/voxnb")


def home_dir() -> Path:
    """The user's own files: saved voices and generated audio."""
    return _base("VOXNB_HOME", "voxnb", "~/voxnb")


def voices_dir() -> Path:
    path = home_dir() / "voices"
    path.mkdir(parents=True, exist_ok=True)
    return path


def outputs_dir() -> Path:
    path = home_dir() / "outputs"
    path.mkdir(parents=True, exist_ok=True)
    return path
