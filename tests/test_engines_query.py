"""`python -m voxnb.engines`: the start script's questions about engines, answered from their specs alone.

A new engine is a package with a spec.py: placed in a copy of the repository, it is listed, described in
the script's --help, installed where its spec says and planned, with the script unedited. The query runs
on a bare python3 (no numpy), as the script runs it before any environment exists."""
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SPEC = '''"""A toy engine: its spec is all the start script needs to know of it."""
from ..spec import EngineSpec, Install, Model

SPEC = EngineSpec(
    name="toyvoice", title="Toy Voice", factory="voxnb.engines.toyvoice.engine:ToyEngine", package="toyvoice",
    licence="MIT", device="cuda", clones=True,
    models=(Model("toy-big", "Toy Big", weights="toyvoice-big", size_gb=3.25, min_vram_gb=40.0),
            Model("toy-small", "Toy Small", weights="toyvoice-small", size_gb=0.75)),
    install=Install(environment="engines", extra="toyvoice"))
'''
# Python that cannot import numpy, as on a box where nothing is installed yet
BARE = ("import runpy, sys; sys.modules['numpy'] = None; sys.argv[0] = 'x'; "
        "runpy.run_module(sys.argv.pop(1), run_name='__main__')")


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    base = tmp_path_factory.mktemp("newengine")
    repo = base / "repo"
    for f in ("1-click-start.sh", "pyproject.toml", "environment.yml"):
        (repo / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, repo / f)
    shutil.copytree(ROOT / "voxnb", repo / "voxnb", ignore=shutil.ignore_patterns("__pycache__", "assets"))
    toy = repo / "voxnb" / "engines" / "toyvoice"
    toy.mkdir()
    (toy / "__init__.py").write_text('"""Toy Voice."""\n')
    (toy / "spec.py").write_text(SPEC)
    bin_dir = base / "bin"      # the plan's verdict must not hang on this machine's free space
    bin_dir.mkdir()
    (bin_dir / "df").write_text('#!/bin/sh\necho "Filesystem 1024-blocks Used Available Capacity Mounted on"\n'
                                'echo "/dev/big 1073741824 0 1073741824 0% /"\n')
    (bin_dir / "df").chmod(0o755)
    yield repo
    shutil.rmtree(base, ignore_errors=True)


def query(repo: Path, *args: str, module="voxnb.engines") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", BARE, module, *args], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=60)


def script(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "VOXNB_ENV_DIR", "VOXNB_ENVS_DIR", "VOXNB_DATA_DISK", "COSYVOICE_SRC")}
    env.update(VOXNB_PLATFORM="generic", VOXNB_RUN_DIR=str(repo.parent / "run"), HOME=str(repo.parent / "home"),
               VOXNB_CACHE=str(repo.parent / "cache"), PIP_NO_INDEX="1",
               PATH=f"{repo.parent / 'bin'}:{os.environ['PATH']}")
    return subprocess.run(["bash", "1-click-start.sh", *args], cwd=repo, capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_a_new_engine_is_listed_by_its_spec_alone(repo):
    assert (repo / "1-click-start.sh").read_bytes() == (ROOT / "1-click-start.sh").read_bytes()
    p = query(repo, "list")
    assert p.returncode == 0, p.stderr
    names = p.stdout.split()
    assert "toyvoice" in names and names[0] == "kokoro"        # the default first
    assert "toyvoice" in query(repo, "list", "--gpu").stdout.split()
    assert "toyvoice" not in subprocess.run([sys.executable, "-m", "voxnb.engines", "list"], cwd=ROOT,
                                            capture_output=True, text=True).stdout.split()


def test_install_lines_are_shell_assignments_from_the_spec(repo):
    p = query(repo, "install", "toyvoice")
    assert p.returncode == 0, p.stderr
    values = dict(line.split("=", 1) for line in p.stdout.splitlines())
    assert {k: shlex.split(v)[0] if v != "''" else "" for k, v in values.items()} == {
        "ENGINE_TITLE_toyvoice": "Toy Voice", "ENGINE_DEVICE_toyvoice": "cuda", "ENGINE_ENV_toyvoice": "engines",
        "ENGINE_EXTRA_toyvoice": "toyvoice", "ENGINE_PYTHON_toyvoice": "", "ENGINE_INSTALLER_toyvoice": "",
        "ENGINE_SOURCE_toyvoice": ""}
    assert query(repo, "install", "nosuch").returncode == 2


def test_help_describes_the_new_engine(repo):
    p = script(repo, "--help")
    assert p.returncode == 0, p.stderr
    line = next(ln for ln in p.stdout.splitlines() if " toyvoice " in ln)
    assert "Toy Voice: GPU" in line and "envs/toyvoice" in p.stdout


def test_plan_installs_and_sizes_the_new_engine_as_its_spec_says(repo):
    p = script(repo, "--plan", "--cpu", "--engine", "kokoro,toyvoice")
    assert p.returncode == 0, p.stdout + p.stderr
    assert f"engine:      toyvoice (own environment {repo}/envs/toyvoice, torch==2.8.0+torchaudio (cpu)" in p.stdout
    # no GPU: the last (smallest) model, its size from the spec
    assert "weights toyvoice (Toy Small)" in p.stdout and "models/toyvoice-small (needs 0.8 GB" in p.stdout
    assert "toyvoice:    Toy Small (no GPU; Toy Big from 40 GB of GPU memory" in p.stdout
    assert "environment toyvoice" in p.stdout
    bad = script(repo, "--plan", "--engine", "toyvoic")
    assert bad.returncode != 0 and "toyvoice" in bad.stderr


def test_the_plan_runs_without_numpy(repo):
    p = query(repo, "shell", "--root", str(repo), "--engines", "toyvoice", "--own", "toyvoice",
              "--gpu-query", "NVIDIA A100, 81920 MiB, 8.0, 550", "--driver-cuda", "12.4", module="voxnb.plan")
    assert p.returncode == 0, p.stderr
    assert "ENGINE_TORCH_TAG=cu126" in p.stdout and f"ENGINE_DIR_toyvoice={repo}/envs/toyvoice" in p.stdout
