"""The README's Python examples run as written."""
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_examples_run(tmp_path, monkeypatch, engine):
    import json

    from net import free_port
    from test_server import start_server, stop_server

    port = free_port()
    server = start_server(port)   # what the start script gives each kernel: VOXNB_SERVERS
    monkeypatch.setenv("VOXNB_SERVERS", json.dumps({"kokoro": {"url": f"http://127.0.0.1:{port}", "token": ""}}))
    try:
        run_examples(tmp_path, monkeypatch)
    finally:
        stop_server(server)
    assert (tmp_path / "served.wav").exists()


def examples(gpu_engines: bool) -> list[str]:
    """The README's Python blocks; those that load F5-TTS or VoxCPM run in the engine environment
    (tests/engines/test_hub_engines.py), the rest here."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b for b in blocks if bool(re.search(r'load_engine\("(f5|voxcpm)"\)', b)) == gpu_engines]


def run_examples(tmp_path, monkeypatch):
    blocks = examples(gpu_engines=False)
    assert blocks
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOXNB_HOME", str(tmp_path / "home"))
    os.symlink(ROOT / "assets", tmp_path / "assets")
    for code in blocks:
        scope: dict = {}
        exec(compile(code, "README.md", "exec"), scope)
    assert (tmp_path / "hello.wav").exists() and (tmp_path / "hello.json").exists()
    # voice.save("harvard") saves into the library `voxnb synth --voice harvard` reads, not the current folder
    assert (tmp_path / "home" / "voices" / "harvard.voice.npz").exists()
    assert not (tmp_path / "harvard.voice.npz").exists()


def test_readme_names_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert "bash 1-click-start.sh" in text and "bash tests/run.sh" in text
    assert "bash tests/run.sh" in (ROOT / ".ci" / "run").read_text()
