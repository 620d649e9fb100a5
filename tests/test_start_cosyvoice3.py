"""1-click-start.sh with --engine cosyvoice3: the plan, and the failures that must come before any install.

CosyVoice is not on PyPI: the script clones it at a pinned commit (or takes --cosyvoice-src / COSYVOICE_SRC)
before it makes voxnb's environment, so a box that cannot reach GitHub learns so in seconds. These tests run
the script on a copy of the few files it reads, with no network and nothing installed.
"""
import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "voxnb" / "engines" / "cosyvoice3" / "install.py"
PIN = runpy.run_path(str(INSTALL))
COMMIT, URL = PIN["COMMIT"], PIN["REPO_URL"]


def mini_repo(base: Path) -> Path:
    """The script and what it reads before any install (a full copy is not needed to fail early)."""
    repo = base / "repo"
    for f in ("1-click-start.sh", "pyproject.toml", "environment.yml"):
        (repo / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, repo / f)
    # the engines' specs and the plan (python3 -m voxnb.engines, voxnb.plan) run from the checkout with the system python3
    shutil.copytree(ROOT / "voxnb", repo / "voxnb", ignore=shutil.ignore_patterns("__pycache__", "assets"),
                    dirs_exist_ok=True)
    return repo


def run(tmp_path, *args, path_prefix=None, extra_env=None):
    repo = mini_repo(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "COSYVOICE_SRC", "VOXNB_ENV_DIR")}
    env.update({"VOXNB_PLATFORM": "generic", "VOXNB_RUN_DIR": str(tmp_path / "run"),
                "VOXNB_HOME": str(tmp_path / "home"), "VOXNB_CACHE": str(tmp_path / "cache"),
                "PIP_NO_INDEX": "1"})              # should anything get as far as pip, it fails instead of downloading
    if path_prefix:
        env["PATH"] = f"{path_prefix}:{env['PATH']}"
    env.update(extra_env or {})
    p = subprocess.run(["bash", "1-click-start.sh", *args], cwd=repo, capture_output=True, text=True, env=env,
                       timeout=60)
    return p, repo


def nothing_installed(repo: Path):
    return not (repo / ".venv").exists() and not (repo / ".conda-env").exists() and not (repo / "envs").exists()


def test_plan_names_python_310_the_pinned_commit_and_the_source_dir(tmp_path):
    p, repo = run(tmp_path, "--plan", "--engine", "kokoro,cosyvoice3")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("engine:      cosyvoice3"))
    assert f"own environment {repo}/envs/cosyvoice3" in line
    assert "Python 3.10" in line and "torch==2.3.1" in line
    src = tmp_path / "cache" / "src" / "CosyVoice"
    assert f"commit {COMMIT} in {src} (to clone from {URL})" in out
    assert not (tmp_path / "cache").exists() and nothing_installed(repo)     # a plan changes nothing

    given = tmp_path / "checkout"
    (given / "cosyvoice" / "cli").mkdir(parents=True)
    (given / "cosyvoice" / "cli" / "cosyvoice.py").touch()
    (given / "third_party" / "Matcha-TTS" / "matcha").mkdir(parents=True)
    (given / "requirements.txt").write_text("torch==2.3.1\ntorchaudio==2.3.1\n")
    p, _ = run(tmp_path, "--plan", "--engine", "cosyvoice3", "--cosyvoice-src", str(given))
    assert p.returncode == 0 and f"commit {COMMIT} in {given} (given)" in p.stdout, p.stdout + p.stderr


def test_conda_makes_the_python_310_environment(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "conda").write_text("#!/bin/sh\nexit 0\n")
    (fake / "conda").chmod(0o755)
    p, _ = run(tmp_path, "--plan", "--engine", "cosyvoice3", path_prefix=fake)
    assert p.returncode == 0 and "Python 3.10 (conda create python=3.10)" in p.stdout, p.stdout + p.stderr


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_missing_source_dir_fails_fast_and_names_the_option(tmp_path, how):
    args, extra = ("--cosyvoice-src", "/nonexistent"), {}
    if how == "env":
        args, extra = (), {"COSYVOICE_SRC": "/nonexistent"}
    p, repo = run(tmp_path, "--engine", "cosyvoice3", "--no-launch", *args, extra_env=extra)
    assert p.returncode != 0
    assert "/nonexistent" in p.stderr and "--cosyvoice-src" in p.stderr and "COSYVOICE_SRC" in p.stderr
    assert COMMIT in p.stderr                                   # how to fetch the right one
    assert nothing_installed(repo)


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path):
    half = tmp_path / "half"
    (half / "cosyvoice" / "cli").mkdir(parents=True)
    (half / "cosyvoice" / "cli" / "cosyvoice.py").touch()      # the submodule was not fetched
    p, repo = run(tmp_path, "--engine", "cosyvoice3", "--no-launch", "--cosyvoice-src", str(half))
    assert p.returncode != 0 and "third_party/Matcha-TTS/matcha" in p.stderr and "--recursive" in p.stderr
    assert nothing_installed(repo)


def test_offline_clone_fails_fast_with_the_url_and_the_manual_way(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\n"
                              "echo \"fatal: unable to access '$3': Could not resolve host: github.com\" >&2\n"
                              "exit 128\n")
    (fake / "git").chmod(0o755)
    p, repo = run(tmp_path, "--engine", "cosyvoice3", "--no-launch", path_prefix=fake)
    assert p.returncode != 0
    assert "Could not resolve host" in p.stderr                 # git's own words are shown
    assert f"could not clone {URL}" in p.stderr
    assert "--cosyvoice-src" in p.stderr and COMMIT in p.stderr and "--recursive" in p.stderr
    assert nothing_installed(repo)
    assert not (tmp_path / "cache" / "src" / "CosyVoice").exists()              # no half clone left behind
    assert not (tmp_path / "cache" / "src" / "CosyVoice.partial").exists()


def test_unknown_engine_lists_cosyvoice3(tmp_path):
    p, _ = run(tmp_path, "--plan", "--engine", "cosyvoice")
    assert p.returncode != 0 and "cosyvoice3" in p.stderr
