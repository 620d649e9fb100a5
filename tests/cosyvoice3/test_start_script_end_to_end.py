"""`1-click-start.sh --engine kokoro,cosyvoice3` on a copy of the repo with a CosyVoice checkout given:
the Python 3.10 environment with the checkout's pins, the weights (a clear error offline, then taken
from a directory), its server, and a clone and a synthesis through it; tiny weights stand in for the
real ones. Runs where COSYVOICE_SRC is set (tests/run.sh runs it in .venv-cosyvoice); minutes long."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SRC = os.environ.get("COSYVOICE_SRC", "")
if not SRC or not (Path(SRC) / "cosyvoice" / "cli" / "cosyvoice.py").is_file():
    pytest.skip("set COSYVOICE_SRC to a CosyVoice checkout to run the start script's CosyVoice 3 set-up",
                allow_module_level=True)
if sys.version_info[:2] != (3, 10):
    pytest.skip("runs from .venv-cosyvoice (python 3.10), which builds the tiny weights", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from net import free_port  # noqa: E402
from repo_copy import copy_repo, start_env  # noqa: E402
from tiny_cosyvoice3 import build_cosyvoice3  # noqa: E402


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    base = tmp_path_factory.mktemp("oneclick-cv3")
    repo = copy_repo(base / "repo")
    env = start_env(base, leave_out=".venv")
    yield repo, env, base
    shutil.rmtree(base, ignore_errors=True)     # two environments, several GB


def _run(box, *args, timeout=1800):
    repo, env, _ = box
    return subprocess.run(["bash", "1-click-start.sh", "--cpu", "--cosyvoice-src", SRC, *args], cwd=repo,
                          capture_output=True, text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL)


def test_cosyvoice3_installs_fetches_serves_and_clones(box, ref_clip):
    repo, env, base = box
    # 1. environment made, then the weights cannot be fetched offline: the model id and the manual way
    p = _run(box, "--engine", "cosyvoice3", "--no-launch")
    assert p.returncode != 0 and "FunAudioLLM/Fun-CosyVoice3-0.5B-2512" in p.stderr and "--from DIR" in p.stderr, \
        p.stdout[-2000:] + p.stderr[-3000:]
    epy = repo / "envs" / "cosyvoice3" / "bin" / "python"
    check = subprocess.run([str(epy), "-c", "import sys, torch, transformers, cosyvoice, matcha, voxnb; "
                            "print(sys.version_info[:2], torch.__version__, transformers.__version__)"],
                           capture_output=True, text=True)
    assert check.returncode == 0 and "(3, 10)" in check.stdout and "4.51.3" in check.stdout, check.stderr[-2000:]
    # 2. weights placed by hand, then launched beside kokoro
    tiny = build_cosyvoice3(base / "tiny", Path(SRC))
    placed = subprocess.run([str(epy), "-m", "voxnb", "fetch", "cosyvoice3", "--from", str(tiny)],
                            capture_output=True, text=True, env=env)
    assert placed.returncode == 0, placed.stderr[-2000:]
    ports = [str(free_port()) for _ in range(3)]
    p = _run(box, "--engine", "kokoro,cosyvoice3", "--lab-port", ports[0], "--dash-port", ports[1],
             "--engine-port", ports[2])
    try:
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
        status = _run(box, "--status", timeout=120).stdout
        pid = re.search(r"^Engine cosyvoice3 +running +port (\d+) +pid (\d+)", status, re.M)
        assert pid, status
        engines = json.loads((Path(env["VOXNB_RUN_DIR"]) / "state.json").read_text())["engines"]
        assert engines["cosyvoice3"]["python"] == str(epy)
        import voxnb

        remote = voxnb.connect(f"http://127.0.0.1:{pid.group(1)}", token=engines["cosyvoice3"]["token"])
        assert remote.capabilities.name == "cosyvoice3" and "sichuan" in remote.capabilities.instructions
        voice = remote.clone(ref_clip, transcript="The birch canoe slid on the smooth planks.", consent=True)
        result = remote.synthesize("你好，世界。", voice, seed=2, instruct="sichuan")
        c = result.chunks[0]
        assert result.duration_s > 0 and np.isfinite(result.audio).all()
        assert c.extras["mel"].shape[1] == 2 * len(c.extras["speech_tokens"])
    finally:
        _run(box, "--stop", timeout=120)
