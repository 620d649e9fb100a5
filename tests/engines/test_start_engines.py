"""`1-click-start.sh --engine kokoro,f5` on a copy of the repo: the F5 environment (PyTorch 2.8 +
torchaudio + f5-tts), its weights (refused without the licence, a clear error offline, then taken
from the cache), its server, and a clone through it; with tiny weights standing in for the real ones."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from net import free_port as _free_port
from repo_copy import copy_repo as _copy_repo
from repo_copy import start_env


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    base = tmp_path_factory.mktemp("oneclick-f5")
    repo = _copy_repo(base / "repo")
    env = start_env(base, leave_out=".venv-engines")
    yield repo, env
    # the copy holds two environments (~11 GB with CUDA torch): keep the disk for the rest of the run
    shutil.rmtree(base, ignore_errors=True)


def _run(box, *args, timeout=1800):
    repo, env = box
    return subprocess.run(["bash", "1-click-start.sh", "--cpu", *args], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=timeout, stdin=subprocess.DEVNULL)


def test_f5_engine_installs_fetches_serves_and_clones(box, tiny_dirs, ref_clip):
    repo, env = box
    # 1. no licence accepted, nobody at a terminal: refused, naming the licence and the flag
    p = _run(box, "--engine", "f5", "--no-launch")
    assert p.returncode != 0 and "CC-BY-NC-4.0" in p.stderr and "--accept-licence" in p.stderr, p.stderr[-2000:]
    epy = repo / "envs" / "f5" / "bin" / "python"
    check = subprocess.run([str(epy), "-c", "import torch, torchaudio, f5_tts, voxnb; print(torch.__version__)"],
                           capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.startswith("2.8.0"), check.stderr[-2000:]
    # 2. accepted, but the hub is unreachable: the model id, the source and the manual way
    p = _run(box, "--engine", "f5", "--no-launch", "--accept-licence")
    assert p.returncode != 0 and "SWivid/F5-TTS" in p.stderr and "--from DIR" in p.stderr, p.stderr[-2000:]
    # 3. weights placed by hand: set up, then launched with kokoro beside it
    placed = subprocess.run([str(epy), "-m", "voxnb", "fetch", "f5", "--from", str(tiny_dirs["f5"])],
                            capture_output=True, text=True, env=env)
    assert placed.returncode == 0, placed.stderr[-2000:]
    ports = [str(_free_port()) for _ in range(3)]
    p = _run(box, "--engine", "kokoro,f5", "--lab-port", ports[0], "--dash-port", ports[1], "--engine-port", ports[2])
    try:
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
        status = _run(box, "--status", timeout=120).stdout
        assert re.search(r"^Engine kokoro +running", status, re.M) and re.search(r"^Engine f5 +running", status, re.M)
        pid = re.search(r"^Engine f5 +running +port (\d+) +pid (\d+)", status, re.M)
        cmdline = Path(f"/proc/{pid.group(2)}/cmdline").read_bytes().split(b"\0")
        assert cmdline[0].decode() == str(epy), "the f5 server runs from its own environment"
        engines = json.loads((Path(env["VOXNB_RUN_DIR"]) / "state.json").read_text())["engines"]
        assert set(engines) == {"kokoro", "f5"} and engines["f5"]["python"] == str(epy)
        import voxnb

        remote = voxnb.connect(f"http://127.0.0.1:{pid.group(1)}", token=engines["f5"]["token"])
        assert remote.capabilities.name == "f5"
        voice = remote.clone(ref_clip, transcript="The birch canoe slid on the smooth planks.", consent=True)
        result = remote.synthesize("Hello from the start script.", voice, seed=2)
        assert result.duration_s > 0 and "trajectory" in result.chunks[0].extras
        assert np.isfinite(result.audio).all()
    finally:
        _run(box, "--stop", timeout=120)
