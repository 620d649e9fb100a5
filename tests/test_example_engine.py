"""An engine is its own package alone: tests/example_engine/echo, copied into voxnb/engines/ of a copy of
the repository and nothing else edited, is made by load_engine, speaks, and is listed by doctor, the CLI's
help, the dashboard's engine menu and served by `voxnb serve`. Everything runs in subprocesses on the copy."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from net import free_port
from repo_copy import ROOT, copy_repo

EXAMPLE = ROOT / "tests" / "example_engine" / "echo"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("repo"))
    before = {p.relative_to(repo) for p in repo.rglob("*") if p.is_file()}
    shutil.copytree(EXAMPLE, repo / "voxnb" / "engines" / "echo", ignore=shutil.ignore_patterns("__pycache__"))
    after = {p.relative_to(repo) for p in repo.rglob("*") if p.is_file()}
    assert {str(p) for p in after - before} == {f"voxnb/engines/echo/{f}" for f in ("__init__.py", "spec.py", "engine.py")}
    return repo


def env_for(repo: Path, home: Path) -> dict:
    # the copy's voxnb, not the checkout's: first on the path
    return {**os.environ, "PYTHONPATH": str(repo), "VOXNB_HOME": str(home), "HF_HUB_OFFLINE": "1"}


def run(repo, home, *args, timeout=180):
    return subprocess.run([sys.executable, *args], cwd=repo, env=env_for(repo, home), capture_output=True, text=True,
                          timeout=timeout)


SCRIPT = textwrap.dedent("""
    import dataclasses, json, sys
    import voxnb
    from voxnb.engines import load_engine, available
    from voxnb.dashboard.session import engine_label, engine_names
    from voxnb.errors import BadVoiceFileError, SettingsError
    from voxnb.voice import Voice

    assert voxnb.engines.__file__.startswith(sys.argv[1]), voxnb.engines.__file__
    engine = load_engine("echo")
    voice = engine.clone(sys.argv[2], name="ref", transcript="The birch canoe slid on the smooth planks.", consent=True)
    result = engine.synthesize("Hello there. A second sentence.", voice, seed=3)
    try:
        engine.synthesize("Hi.", voice, style="happy")
        refused = ""
    except SettingsError as err:
        refused = str(err)
    path = voice.save(sys.argv[3] + "/ref")
    loaded = Voice.load(path)
    bad = voice.conditioning | {"pitch_hz": voice.conditioning["pitch_hz"] * 100}
    try:
        Voice.load(dataclasses.replace(voice, conditioning=bad).save(sys.argv[3] + "/bad"))
        damaged = ""
    except BadVoiceFileError as err:
        damaged = str(err)
    print(json.dumps({
        "available": available(), "menu": engine_names(), "label": engine_label("echo", engine.capabilities),
        "caps": engine.capabilities.to_dict(), "engine": result.engine, "sample_rate": result.sample_rate,
        "duration_s": result.duration_s, "chunks": len(result.chunks), "peak": float(abs(result.audio).max()),
        "marked": voxnb.detect(result.audio, result.sample_rate).marked, "pitch": float(voice.conditioning["pitch_hz"][0]),
        "refused": refused, "loaded": loaded == voice, "damaged": damaged}))
""")


def test_the_example_engine_is_found_speaks_and_is_listed(repo, tmp_path, ref_clip):
    p = run(repo, tmp_path, "-c", SCRIPT, str(repo), str(ref_clip), str(tmp_path))
    assert p.returncode == 0, p.stderr[-3000:]
    info = json.loads(p.stdout.strip().splitlines()[-1])
    assert "echo" in info["available"] and "echo" in info["menu"] and info["label"] == "echo"
    assert info["engine"] == "echo" and info["sample_rate"] == 16000 and info["chunks"] >= 1
    assert 0.5 < info["duration_s"] < 10 and 0.05 < info["peak"] < 1.0 and info["marked"]
    assert 60 <= info["pitch"] <= 400
    caps = info["caps"]      # read from its spec: the settings it takes are the ones it does not refuse
    assert "style" not in caps["settings"] and "speed" in caps["settings"] and caps["views"] == ["mel", "f0", "timings"]
    assert "Echo has no style control: it hums at the reference's pitch" in info["refused"]
    assert info["loaded"] and "'pitch_hz' array holds values" in info["damaged"]


def test_doctor_and_the_cli_help_list_it(repo, tmp_path):
    doctor = run(repo, tmp_path, "-m", "voxnb", "doctor", "--json")
    assert doctor.returncode == 0, doctor.stderr[-3000:]
    assert "echo" in json.loads(doctor.stdout)["engines"]
    synth = run(repo, tmp_path, "-m", "voxnb", "synth", "--help")
    assert synth.returncode == 0 and "echo" in synth.stdout, synth.stdout
    compare = run(repo, tmp_path, "-m", "voxnb", "compare", "--help")
    assert "echo" in compare.stdout.replace("\n", " "), compare.stdout


def test_the_server_serves_it(repo, tmp_path, ref_clip):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "voxnb", "serve", "--engine", "echo", "--port", str(port)],
                              cwd=repo, env=env_for(repo, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        client = textwrap.dedent("""
            import json, sys, time
            import voxnb
            for _ in range(300):
                try:
                    engine = voxnb.connect(sys.argv[1])
                    break
                except voxnb.VoxnbError:
                    time.sleep(0.3)
            else:
                sys.exit("the echo engine server did not answer in 90 s")
            voice = engine.clone(sys.argv[2], transcript="The birch canoe slid on the smooth planks.", consent=True)
            result = engine.synthesize("Hello there.", voice, seed=1)
            print(json.dumps({"name": engine.capabilities.name, "engine": result.engine, "duration_s": result.duration_s}))
        """)
        p = run(repo, tmp_path, "-c", client, f"http://127.0.0.1:{port}", str(ref_clip))
        assert p.returncode == 0, p.stderr[-3000:]
        info = json.loads(p.stdout.strip().splitlines()[-1])
        assert info["name"] == "echo" and info["engine"] == "echo" and info["duration_s"] > 0.3
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
