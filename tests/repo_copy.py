"""A copy of the repository as a fresh clone would have it, for tests that run the start script."""
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_repo(repo: Path) -> Path:
    """The files a clone would have (and new ones not yet committed), nothing built."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file():
            (repo / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, repo / f)
    return repo


def start_env(base: Path, leave_out: str) -> dict:
    """The environment a start-script test runs the script in: run, home and cache folders of its own
    under ``base``, no model hub, and no test environment (PATH entries containing ``leave_out``) active."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "VOXNB_CACHE", "VOXNB_HOME")}
    env.update(VOXNB_PLATFORM="generic", VOXNB_RUN_DIR=str(base / "run"), VOXNB_HOME=str(base / "home"),
               VOXNB_CACHE=str(base / "cache"), HF_HUB_OFFLINE="1", VOXNB_MODEL_SOURCE="hf")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if leave_out not in p)
    return env
