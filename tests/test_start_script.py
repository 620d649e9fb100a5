"""1-click-start.sh as a user runs it: plan, set up into a fresh folder, launch, status, stop."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from net import free_port, get
from repo_copy import copy_repo

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "1-click-start.sh"


def sh(*args, env=None, cwd=ROOT, timeout=900):
    e = {**os.environ, **(env or {})}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=e, cwd=cwd,
                          timeout=timeout)


def fake_bin(tmp_path, name, body):
    d = tmp_path / "bin"
    d.mkdir(exist_ok=True)
    (d / name).write_text("#!/bin/sh\n" + body)
    (d / name).chmod(0o755)
    return {"PATH": f"{d}:{os.environ['PATH']}"}


def test_help_documents_every_flag():
    out = sh("--help").stdout
    flags = set(re.findall(r"^\s+(--[a-z-]+)\)", SCRIPT.read_text(), re.M))
    assert flags >= {"--cpu", "--engine", "--lab-port", "--dash-port", "--no-launch", "--status", "--stop"}
    for flag in flags:
        assert flag in out, flag


def test_unknown_flag_and_bad_port_fail_clearly():
    p = sh("--frobnicate")
    assert p.returncode != 0 and "unknown option: --frobnicate" in p.stderr
    p = sh("--lab-port", "99999", "--plan")
    assert p.returncode != 0 and "99999" in p.stderr


@pytest.mark.parametrize("driver, tag", [("13.0", "cu130"), ("12.8", "cu128"), ("12.4", "cu126"),
                                         ("11.8", "cu118"), ("11.4", "cpu")])
def test_gpu_box_picks_the_cuda_build_from_the_driver(tmp_path, driver, tag):
    env = fake_bin(tmp_path, "nvidia-smi", f'''case "$1" in
  --query-gpu*) echo "NVIDIA A100-SXM4-80GB" ;;
  *) echo "| NVIDIA-SMI 550.54   Driver Version: 550.54   CUDA Version: {driver} |" ;;
esac
''')
    plan = sh("--plan", env={**env, "VOXNB_PLATFORM": "generic"}).stdout
    assert f"({tag})" in plan
    assert "A100" in plan and f"CUDA {driver}" in plan
    if tag != "cpu":
        assert f"https://download.pytorch.org/whl/{tag}" in plan
    cpu_plan = sh("--plan", "--cpu", env=env).stdout
    assert "(cpu)" in cpu_plan and "whl/cu" not in cpu_plan


def test_platform_defaults(tmp_path):
    autodl = sh("--plan", env={"VOXNB_PLATFORM": "autodl"}).stdout
    assert "platform:    autodl" in autodl and "dashboard on 0.0.0.0:6006" in autodl
    dsw = sh("--plan", env={"VOXNB_PLATFORM": "pai-dsw"}).stdout
    assert "pai-dsw" in dsw
    generic = sh("--plan", env={"VOXNB_PLATFORM": "generic"}).stdout
    assert "127.0.0.1:8888" in generic and "127.0.0.1:8866" in generic


def test_conda_is_used_when_present(tmp_path):
    env = fake_bin(tmp_path, "conda", "exit 0\n")
    assert "environment: conda" in sh("--plan", env=env).stdout
    assert "environment: venv" in sh("--plan", "--venv", env=env).stdout


def test_environment_yml_matches_pyproject_and_script():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    yml = (ROOT / "environment.yml").read_text()
    pip_lines = [ln.strip()[2:].strip().strip('"') for ln in yml.split("- pip:")[1].splitlines() if ln.strip()]
    torch_pin = re.search(r"^TORCH_VERSION=(\S+)", SCRIPT.read_text(), re.M).group(1)
    assert f"torch=={torch_pin}" in pip_lines
    assert sorted(d for d in pip_lines if not d.startswith("torch")) == sorted(
        d for d in deps if not d.startswith("torch"))


# ---- a real set-up into a temporary folder, then launches from it ------------------------------

@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The script run with --no-launch on a copy of the repo: creates its own venv from scratch."""
    base = tmp_path_factory.mktemp("oneclick")
    repo = copy_repo(base / "repo")
    env = {"VOXNB_PLATFORM": "generic", "VOXNB_RUN_DIR": str(base / "run"), "VOXNB_HOME": str(base / "home"),
           "PYTHON": sys.executable}
    p = subprocess.run(["bash", "1-click-start.sh", "--no-launch", "--cpu"], cwd=repo, capture_output=True,
                       text=True, env={**os.environ, **env}, timeout=1200)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    yield repo, env, p.stdout
    shutil.rmtree(base, ignore_errors=True)   # its .venv is ~3 GB


def test_no_launch_sets_up_a_working_environment(installed):
    repo, env, out = installed
    py = repo / ".venv" / "bin" / "python"
    assert "set up done" in out
    check = subprocess.run([str(py), "-c", "import voxnb, torch, voila, ipywidgets; print(torch.__version__)"],
                           capture_output=True, text=True)
    assert check.returncode == 0 and "2.13.0" in check.stdout
    clean = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}   # as in a shell with this env active
    clean["PATH"] = f"{py.parent}:{clean['PATH']}"
    specs = subprocess.run([str(py), "-m", "jupyter", "kernelspec", "list"], capture_output=True, text=True,
                           env=clean).stdout
    assert re.search(r"^\s*voxnb\s", specs, re.M)
    again = subprocess.run(["bash", "1-click-start.sh", "--no-launch"], cwd=repo, capture_output=True, text=True,
                           env={**os.environ, **env}, timeout=600)
    assert again.returncode == 0 and "environment up to date" in again.stdout


def test_set_up_says_how_to_reach_the_cli_and_a_checkout_beside_does_not_shadow_voxnb(installed, tmp_path):
    repo, env, out = installed
    cli = re.search(r"^Command line: (\S+) --help$", out, re.M)
    assert cli and "source " in out and "$VOXNB_HOME" in out, out[-1500:]
    assert subprocess.run([cli.group(1), "--help"], capture_output=True, text=True).returncode == 0
    # `git clone` into ~ makes ~/voxnb: `python` started in ~ must still import the installed voxnb,
    # not the folder named voxnb beside it (an import-hook editable install did)
    (tmp_path / "voxnb").mkdir()
    probe = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-c", "import voxnb; print(voxnb.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True)
    assert probe.stdout.strip() == str(repo / "voxnb" / "__init__.py"), probe.stdout + probe.stderr


def test_launch_status_duplicate_taken_port_restart_and_stop(installed):
    repo, env, _ = installed
    lab, dash, engine = free_port(), free_port(), free_port()

    def run(*args):
        return subprocess.run(["bash", "1-click-start.sh", *args], cwd=repo, capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=900)

    p = run("--lab-port", str(lab), "--dash-port", str(dash), "--engine-port", str(engine))
    try:
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        token = re.search(r"token=([0-9a-f]+)", p.stdout).group(1)
        assert f"http://127.0.0.1:{dash}/" in p.stdout
        assert get(f"http://127.0.0.1:{lab}/api/status?token={token}")[0] == 200
        assert get(f"http://127.0.0.1:{lab}/api/status")[0] == 403          # no token, no entry
        assert get(f"http://127.0.0.1:{engine}/health")[0] == 401            # nor for the engine server
        code, page = get(f"http://127.0.0.1:{dash}/")                         # the dashboard renders
        assert code == 200 and "voxnb" in page
        assert get(f"http://127.0.0.1:{dash}/voila/files/notebooks/dashboard.ipynb")[0] in (403, 404)
        status = run("--status")
        assert status.returncode == 0 and status.stdout.count("running") >= 3, status.stdout
        line = re.search(r"^Engine kokoro +running +port (\d+) +pid (\d+) +RSS ([\d.]+) MB +queue 0/8 .* served \d+",
                         status.stdout, re.M)
        assert line and int(line.group(1)) == engine and float(line.group(3)) > 50, status.stdout
        pids = sorted(re.findall(r"pid (\d+)", status.stdout))
        assert len(pids) == 3
        again = run("--lab-port", str(lab), "--dash-port", str(dash), "--engine-port", str(engine))
        assert again.returncode == 0 and "already running" in again.stdout
        assert sorted(re.findall(r"pid (\d+)", run("--status").stdout)) == pids
        # the engine server dies: --status says so and how to fix it; running the script again restarts
        # only the engine, and the viewers' Lab and dashboard keep running
        os.kill(int(line.group(2)), signal.SIGKILL)
        dead = run("--status")
        assert dead.returncode != 0 and re.search(r"^Engine kokoro +stopped", dead.stdout, re.M)
        assert "run `bash 1-click-start.sh` again" in dead.stdout
        healed = run()
        assert healed.returncode == 0 and "restarted the kokoro engine" in healed.stdout, healed.stdout + healed.stderr
        status = run("--status")
        assert status.returncode == 0 and status.stdout.count("running") >= 3
        new_pids = dict(re.findall(r"^(\w+).*pid (\d+)", status.stdout, re.M))
        assert new_pids["JupyterLab"] in pids and new_pids["Dashboard"] in pids and new_pids["Engine"] not in pids
        assert get(f"http://127.0.0.1:{engine}/health")[0] == 401            # same port, same token
    finally:
        stop = run("--stop")
    assert stop.returncode == 0 and "stopped" in stop.stdout and "kokoro engine" in stop.stdout
    for port in (lab, dash, engine):  # nothing listens, and a new server can bind (TIME_WAIT aside, as servers do)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    assert run("--status").returncode != 0


def test_an_engine_in_an_environment_of_its_own(installed):
    """--engine-env own: envs/kokoro with voxnb in it, a "voxnb · kokoro" kernel, and the server run from it."""
    repo, env, _ = installed
    e = {**{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}, **env}   # another venv hides our kernels
    p = subprocess.run(["bash", "1-click-start.sh", "--engine-env", "own", "--lab-port", str(free_port()),
                        "--dash-port", str(free_port()), "--engine-port", str(free_port())],
                       cwd=repo, capture_output=True, text=True, env=e, timeout=1500)
    try:
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        epy = repo / "envs" / "kokoro" / "bin" / "python"
        assert epy.exists()
        main_py = repo / ".venv" / "bin" / "python"
        # `jupyter kernelspec` runs the first jupyter-kernelspec on PATH: make it this environment's
        specs = json.loads(subprocess.run([str(main_py), "-m", "jupyter", "kernelspec", "list", "--json"],
                                          capture_output=True, text=True,
                                          env={**e, "PATH": f"{main_py.parent}:{e['PATH']}"}).stdout)["kernelspecs"]
        spec = specs["voxnb-kokoro"]["spec"]
        assert spec["display_name"] == "voxnb · kokoro" and spec["argv"][0] == str(epy)
        status = subprocess.run(["bash", "1-click-start.sh", "--status"], cwd=repo, capture_output=True, text=True,
                                env=e, timeout=120).stdout
        pid = re.search(r"^Engine kokoro +running +port \d+ +pid (\d+)", status, re.M).group(1)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[0].decode() == str(epy) and b"serve" in cmdline
    finally:
        subprocess.run(["bash", "1-click-start.sh", "--stop"], cwd=repo, env=e, timeout=120)


def test_replicas_through_ray_listed_by_status(installed):
    """--replicas 2: Ray installed into the environment, the engine served by two replicas, --status lists them,
    --stop takes the replicas (and the local Ray) down with the server."""
    repo, env, _ = installed

    def run(*args, timeout=900):
        return subprocess.run(["bash", "1-click-start.sh", *args], cwd=repo, capture_output=True, text=True,
                              env={**os.environ, **env}, timeout=timeout)

    assert "is not a number of replicas" in run("--replicas", "many", "--plan").stderr
    p = run("--replicas", "2", "--lab-port", str(free_port()), "--dash-port", str(free_port()),
            "--engine-port", str(free_port()))
    try:
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
        for _ in range(120):   # the replicas register with the server as they load
            status = run("--status", timeout=120).stdout
            if len(re.findall(r"^  replica \S+ +ready", status, re.M)) == 2:
                break
            time.sleep(1)
        replicas = re.findall(r"^  replica \S+ +ready +node \S+ +pid (\d+) +cpu +RSS ([\d.]+) MB", status, re.M)
        assert len(replicas) == 2 and all(float(rss) > 50 for _, rss in replicas), status
    finally:
        stop = run("--stop")
    assert stop.returncode == 0
    for pid, _ in replicas:   # no replica outlives the server
        for _ in range(60):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.5)
        assert not Path(f"/proc/{pid}").exists(), f"replica {pid} still runs"


def test_taken_port_is_named(installed):
    repo, env, _ = installed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = subprocess.run(["bash", "1-click-start.sh", "--lab-port", str(port), "--dash-port", str(free_port())],
                           cwd=repo, capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    assert p.returncode != 0
    assert f"Port {port} is in use by PID {os.getpid()}" in p.stderr and "--lab-port" in p.stderr


def test_pai_dsw_dashboard_answers_through_the_lab_proxy(tmp_path):
    """On PAI-DSW the dashboard is reached as <lab>/proxy/<port>/ (jupyter-server-proxy strips the prefix)."""
    import json

    lab, dash = free_port(), free_port()
    start = subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "start", "--root", str(ROOT), "--run-dir",
                            str(tmp_path), "--lab-port", str(lab), "--dash-port", str(dash), "--platform", "pai-dsw"],
                           capture_output=True, text=True, cwd=ROOT, timeout=300)
    try:
        assert start.returncode == 0, start.stdout + start.stderr
        assert f"/proxy/{dash}/" in start.stdout and "PAI-DSW" in start.stdout
        token = json.loads((tmp_path / "state.json").read_text())["token"]
        code, page = get(f"http://127.0.0.1:{lab}/proxy/{dash}/?token={token}")
        assert code == 200 and f"/proxy/{dash}/voila/static/voila.js" in page
        assert get(f"http://127.0.0.1:{lab}/proxy/{dash}/voila/static/voila.js?token={token}")[0] == 200
    finally:
        subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "stop", "--run-dir", str(tmp_path)], cwd=ROOT,
                       timeout=60)
