"""`voxnb fetch`'s network code against a stand-in hub on loopback (tests/hub_standin.py), through the
real huggingface_hub and modelscope clients: listing, download, a cut connection resumed, a corrupt
file fetched again then refused, a listing refused while downloads work, a missing file named with its
source, and F5 from ModelScope taking its vocoder from Hugging Face and its vocab from the f5-tts wheel."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hub_standin import Faults, StandinHub

from voxnb.weights import hub
from voxnb.engines.f5 import WEIGHTS as F5

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hub"
CKPT = "F5TTS_v1_Base/model_1250000.safetensors"
REPOS = {"hf": ["SWivid/F5-TTS", "charactr/vocos-mel-24khz"], "ms": ["AI-ModelScope/F5-TTS"]}


@pytest.fixture(scope="module")
def server():
    # one server for the module: it is stateless between tests but for the faults and the log
    with StandinHub(**{k: {r: FIXTURES / k / r for r in v} for k, v in REPOS.items()}) as running:
        yield running


@pytest.fixture
def standin(server, tmp_path, monkeypatch):
    import huggingface_hub.constants as hf_constants

    server.faults = Faults()
    server.requests.clear()
    for var in ("HF_HUB_OFFLINE", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                "all_proxy", "no_proxy", "MODELSCOPE_DOMAIN", hub.SOURCE_ENV):
        monkeypatch.delenv(var, raising=False)
    # huggingface_hub reads HF_HUB_OFFLINE once, at import (tests/run.sh sets it for every other test)
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    # and 0.x mounts an offline adapter on the session it opens then, which it keeps for the process
    reset_hf_sessions()
    try:    # modelscope >= 1.40 keeps the endpoint it first read from the environment in a default config
        import modelscope_hub.config as ms_config
        monkeypatch.setattr(ms_config, "_default_config", None)
    except ImportError:
        pass
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.setenv("MODELSCOPE_ENDPOINT", server.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("MODELSCOPE_CACHE", str(tmp_path / "ms-cache"))
    monkeypatch.setenv("VOXNB_CACHE", str(tmp_path / "voxnb-cache"))
    monkeypatch.setenv("VOXNB_F5_DIR", str(tmp_path / "f5"))
    monkeypatch.setenv("VOXNB_STANDIN_DIR", str(tmp_path / "standin"))
    yield server
    reset_hf_sessions()     # the other tests get an offline session again


def reset_hf_sessions():
    from huggingface_hub import utils as hf_utils

    # 1.x keeps one httpx session (close_session); 0.x, which transformers 4 needs, has reset_sessions
    (getattr(hf_utils, "close_session", None) or hf_utils.reset_sessions)()


def fetch(spec=F5, **options):
    said = []
    summary = hub.fetch(spec, accept=True, progress=said.append, **options)
    return summary, said


def fixture_bytes(hub_name, repo, file):
    return (FIXTURES / hub_name / repo / file).read_bytes()


def test_listing_and_download_from_hugging_face(standin, tmp_path):
    summary, _ = fetch(source="hf")
    directory = hub.check(F5, deep=True)
    assert (directory / CKPT).read_bytes() == fixture_bytes("hf", "SWivid/F5-TTS", CKPT)
    assert (directory / "vocos/pytorch_model.bin").read_bytes() == fixture_bytes(
        "hf", "charactr/vocos-mel-24khz", "pytorch_model.bin")
    files = hub.read_manifest(directory)["files"]
    assert {f["source"] for f in files.values()} == {"hf"}
    assert files[CKPT]["verified_against_hub"] and files["vocos/pytorch_model.bin"]["verified_against_hub"]
    assert files[CKPT]["url"] == f"{standin.url}/SWivid/F5-TTS/resolve/main/{CKPT}"
    assert ("POST", "/api/models/SWivid/F5-TTS/paths-info/main", "") in standin.requests
    assert "2 checked against the hub's sha256" in summary


@pytest.mark.parametrize("source", ["hf", "modelscope"])
def test_a_cut_download_resumes_where_it_stopped(standin, monkeypatch, source):
    import huggingface_hub.constants as hf_constants

    # huggingface_hub writes in 10 MB chunks: 16-byte ones put the cut inside a 158-byte file
    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 16)
    standin.faults.cut[CKPT] = 64
    fetch(source=source)
    hub_name = "hf" if source == "hf" else "ms"
    want = fixture_bytes(hub_name, REPOS[hub_name][0], CKPT)
    assert (hub.model_dir("f5") / CKPT).read_bytes() == want
    gets = [r for m, p, r in standin.requests if m == "GET" and (p.endswith(CKPT) or CKPT.replace("/", "%2F") in p)]
    assert gets[0] == "" and "bytes=64-" in gets[1:], f"the second GET resumes at byte 64: {gets}"


def test_a_corrupt_file_is_fetched_again_once_then_refused(standin):
    standin.faults.corrupt[CKPT] = 1
    _, said = fetch(source="hf")
    assert hub.check(F5, deep=True)
    assert any("does not match the sha256" in s and "fetching it again" in s for s in said)

    spec = hub.WeightsSpec("standin", "Stand-in", (hub.Part("SWivid/F5-TTS", None, (CKPT,)),))
    standin.faults.corrupt[CKPT] = 2
    with pytest.raises(hub.WeightsError) as err:
        fetch(spec, source="hf")
    text = str(err.value)
    assert CKPT in text and f"{standin.url}/SWivid/F5-TTS/resolve/main/{CKPT}" in text and "twice" in text
    assert "place the files by hand" in text
    assert not (hub.model_dir("standin") / CKPT).exists(), "the corrupt copy is not left behind"


@pytest.mark.parametrize("source", ["hf", "modelscope"])
def test_a_refused_listing_does_not_stop_downloads(standin, source):
    standin.faults.refuse_listing = True
    _, said = fetch(source=source)
    files = hub.read_manifest(hub.check(F5, deep=True))["files"]
    assert not any(f["verified_against_hub"] for f in files.values()), "nothing was listed, nothing claimed"
    assert any("did not list" in s and "downloading anyway" in s for s in said)
    if source == "hf":
        assert ("POST", "/api/models/SWivid/F5-TTS/paths-info/main", "") in standin.requests


@pytest.mark.parametrize("listed", [True, False])
def test_a_missing_file_is_named_with_its_source(standin, listed):
    standin.faults.refuse_listing = not listed
    spec = hub.WeightsSpec("standin", "Stand-in", (hub.Part("charactr/vocos-mel-24khz", None, ("absent.pt",)),))
    with pytest.raises(hub.WeightsError) as err:
        fetch(spec, source="modelscope")
    text = str(err.value)
    assert "absent.pt" in text and "missing on Hugging Face" in text
    assert f"{standin.url}/charactr/vocos-mel-24khz/resolve/main/absent.pt" in text
    assert "HF_ENDPOINT" in text and "voxnb fetch standin --from DIR" in text


@pytest.mark.parametrize("listed", [True, False])
def test_f5_from_modelscope_takes_the_vocoder_from_hugging_face_and_the_packaged_vocab(standin, listed):
    from importlib.resources import files as package_files

    standin.faults.refuse_listing = not listed
    summary, said = fetch(source="modelscope")
    directory = hub.check(F5, deep=True)
    manifest = hub.read_manifest(directory)["files"]
    assert manifest[CKPT]["source"] == "modelscope" and manifest[CKPT]["repo"] == "AI-ModelScope/F5-TTS"
    assert manifest["vocos/config.yaml"]["source"] == "hf" and manifest["vocos/pytorch_model.bin"]["source"] == "hf"
    vocab = manifest["F5TTS_v1_Base/vocab.txt"]
    assert vocab["source"] == "package" and not vocab["verified_against_hub"]
    packaged = package_files("f5_tts").joinpath("infer/examples/vocab.txt").read_bytes()
    assert (directory / "F5TTS_v1_Base/vocab.txt").read_bytes() == packaged
    assert (directory / CKPT).read_bytes() == fixture_bytes("ms", "AI-ModelScope/F5-TTS", CKPT)
    paths = [p for _, p, _ in standin.requests]
    assert any(p.startswith("/api/v1/models/AI-ModelScope/F5-TTS/repo?") and "model_1250000" in p for p in paths)
    assert "/charactr/vocos-mel-24khz/resolve/main/pytorch_model.bin" in paths
    assert not any("vocos" in p for p in paths if p.startswith("/api/v1/")), "never asks ModelScope for Vocos"
    assert any("has no ModelScope copy" in s for s in said) and "package" in summary


def test_the_proxy_from_the_environment_carries_the_requests(standin, monkeypatch):
    """AutoDL's network accelerator is an HTTP proxy set in the environment: the clients go through it."""

    monkeypatch.setenv("HF_ENDPOINT", "http://hub.invalid")     # a name that never resolves
    monkeypatch.setenv("HTTP_PROXY", standin.url)
    monkeypatch.delenv("NO_PROXY")
    spec = hub.WeightsSpec("standin", "Stand-in", (hub.Part("charactr/vocos-mel-24khz", None, ("config.yaml",)),))
    reset_hf_sessions()  # huggingface_hub reads the proxy variables when it opens its session, as at start-up
    try:
        fetch(spec, source="hf")
    finally:
        reset_hf_sessions()  # the next test's session goes straight to the stand-in again
    assert (hub.model_dir("standin") / "config.yaml").is_file()
    assert "http://hub.invalid/charactr/vocos-mel-24khz/resolve/main/config.yaml" in [p for _, p, _ in standin.requests]


def test_sources_says_where_each_file_comes_from_without_heavy_imports():
    code = ("import sys, voxnb.engines.__main__ as c; c.main(['sources', 'f5', '--source', 'modelscope', '--json']);"
            "heavy = [m for m in ('torch', 'huggingface_hub', 'modelscope', 'f5_tts') if m in sys.modules];"
            "print(heavy, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "[]", "no heavy import for --plan"
    rows = {r["file"]: r for r in json.loads(out.stdout)}
    assert set(rows) == set(F5.files())
    assert rows[CKPT]["source"] == "modelscope" and rows[CKPT]["repo"] == "AI-ModelScope/F5-TTS"
    assert rows["vocos/pytorch_model.bin"]["source"] == "hf"
    assert rows["vocos/pytorch_model.bin"]["url"].endswith("/charactr/vocos-mel-24khz/resolve/main/pytorch_model.bin")
    assert rows["F5TTS_v1_Base/vocab.txt"]["fallback"] == "package:f5_tts/infer/examples/vocab.txt"
    assert hub.sources(F5, "hf")[0]["source"] == "hf"
