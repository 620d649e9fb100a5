"""voxnb/plan and `1-click-start.sh --plan`: where every folder goes, whether it fits, which PyTorch build
and dtype each engine gets. The script runs on a copy of the few files it reads before any install, with a
fake nvidia-smi and df on PATH where a test needs one; nothing is installed."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from voxnb import plan
from voxnb.plan import Disk, builds, cuda_tag, data_disk, parse_gpu

ROOT = Path(__file__).resolve().parents[1]
FILES = ("1-click-start.sh", "pyproject.toml", "environment.yml")


def voxcpm_model(vram_gb, capability=None):
    """The model the plan picks for the engine with two, by the name the plan prints for it."""
    return plan.model_label(plan.auto_model(plan.spec("voxcpm"), vram_gb, capability))


def mini_repo(base: Path) -> Path:
    """The script and the package it reads before any install (the engines' specs, the plan), less the
    weights fetcher (voxnb/weights/hub.py), which only the sources lines need."""
    repo = base / "repo"
    for f in FILES:
        (repo / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, repo / f)
    shutil.copytree(ROOT / "voxnb", repo / "voxnb", ignore=shutil.ignore_patterns("__pycache__", "assets", "hub.py"))
    return repo


def fake(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text("#!/bin/sh\n" + body)
    (bin_dir / name).chmod(0o755)


def smi(bin_dir: Path, name="NVIDIA A100-SXM4-80GB", mib=81920, cap="8.0", driver="550.54.15", cuda="12.4"):
    fake(bin_dir, "nvidia-smi", f'''case "$1" in
  --query-gpu=name,memory.total,compute_cap,driver_version) echo "{name}, {mib} MiB, {cap}, {driver}" ;;
  --query-gpu*) echo "{name}" ;;
  *) echo "| NVIDIA-SMI {driver}   Driver Version: {driver}   CUDA Version: {cuda} |" ;;
esac
''')


def run(tmp_path, *args, extra=None, repo=None):
    repo = repo or mini_repo(tmp_path)
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "VOXNB_ENV_DIR", "VOXNB_ENVS_DIR", "VOXNB_HOME", "VOXNB_CACHE", "PIP_CACHE_DIR",
                        "VOXNB_DATA_DISK", "COSYVOICE_SRC", "HF_HOME", "CONDA_PKGS_DIRS")}
    env.update({"VOXNB_PLATFORM": "generic", "VOXNB_RUN_DIR": str(tmp_path / "run"), "HOME": str(tmp_path / "home"),
                "PIP_NO_INDEX": "1"})
    bin_dir = tmp_path / "bin"
    if not (bin_dir / "df").exists():   # a plan's verdict must not hang on this machine's free space
        fake(bin_dir, "df", 'echo "Filesystem 1024-blocks Used Available Capacity Mounted on"\n'
                            'echo "/dev/big 1073741824 0 1073741824 0% /"\n')
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env.update(extra or {})
    p = subprocess.run(["bash", "1-click-start.sh", *args], cwd=repo, capture_output=True, text=True, env=env,
                       timeout=120, stdin=subprocess.DEVNULL)
    return p, repo


def lines(out: str, prefix: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith(prefix)]


# ---- the rules ------------------------------------------------------------------------------------------
def test_voxcpm_model_needs_12_gb_for_voxcpm2():
    assert voxcpm_model(24.0) == "VoxCPM2" and voxcpm_model(12.0) == "VoxCPM2"
    assert voxcpm_model(11.9) == "VoxCPM1.5" and voxcpm_model(None) == "VoxCPM1.5"
    # without bf16 (a 16 GB T4) VoxCPM runs in float32, and VoxCPM2 then needs 20 GB
    assert voxcpm_model(15.0, (7, 5)) == "VoxCPM1.5" and voxcpm_model(24.0, (7, 5)) == "VoxCPM2"
    assert voxcpm_model(15.0, (8, 9)) == "VoxCPM2"


def test_driver_cuda_decides_the_wheel_tag():
    assert [cuda_tag(v) for v in [(13, 0), (12, 8), (12, 4), (11, 8), (11, 4), None]] == \
        ["cu130", "cu128", "cu126", "cu118", None, None]


def test_gpu_query_is_parsed_and_an_old_driver_leaves_fields_unknown():
    gpu = parse_gpu("Tesla T4, 15360 MiB, 7.5, 535.104.05", "12.2")
    assert (gpu.name, gpu.memory_gb, gpu.capability, gpu.driver, gpu.driver_cuda) == \
        ("Tesla T4", 15.0, (7, 5), "535.104.05", (12, 2))
    old = parse_gpu("Tesla K80", "11.4")
    assert old.name == "Tesla K80" and old.capability is None and old.memory_gb is None
    assert parse_gpu("", "") is None


def test_builds_pair_torch_with_the_onnxruntime_of_the_same_cuda():
    a100 = builds(parse_gpu("A100, 81920 MiB, 8.0, 550", "12.4"), ["cosyvoice3"])
    assert a100["cosyvoice3"].tag == "cu118" and a100["cosyvoice3"].onnxruntime == "onnxruntime-gpu==1.18.0"
    b = builds(parse_gpu("RTX 5090, 32607 MiB, 12.0, 570", "12.8"), ["f5", "cosyvoice3"])
    assert b["engine"].tag == "cu128" and b["cosyvoice3"].torch == "2.7.1" and b["cosyvoice3"].tag == "cu128"
    assert b["cosyvoice3"].onnxruntime.startswith("onnxruntime-gpu==1.2")     # cuDNN 9, as torch 2.7.1 ships
    cu118 = builds(parse_gpu("V100, 32768 MiB, 7.0, 520", "11.8"), ["f5"])
    assert cu118["engine"].tag == "cu118" and cu118["engine"].torch == "2.7.1"   # not a silent CPU torch
    with pytest.raises(plan.PlanError, match="CUDA 11.4.*--cpu"):
        builds(parse_gpu("K80, 12288 MiB, 3.7, 470", "11.4"), ["voxcpm"])
    with pytest.raises(plan.PlanError, match="12.8"):
        builds(parse_gpu("RTX 5090, 32607 MiB, 12.0, 560", "12.6"), ["f5"])
    assert builds(parse_gpu("K80, 12288 MiB, 3.7, 470", "11.4"), ["kokoro"])["main"].tag == "cpu"


def test_a_small_checkout_disk_sends_installs_to_the_data_disk(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setattr(plan, "AUTODL_DATA_DISK", str(data))

    def disk(free_here):
        return lambda p: Disk("/dev/big", "/data", 200.0) if str(p).startswith(str(data)) else \
            Disk("/dev/small", "/", free_here)

    assert data_disk("generic", ROOT, {}, disk(20.0)) == data        # under 40 GB free beside the checkout
    assert data_disk("generic", ROOT, {}, disk(100.0)) is None
    assert data_disk("autodl", ROOT, {}, disk(100.0)) == data         # AutoDL: always its data disk
    assert data_disk("generic", ROOT, {"VOXNB_DATA_DISK": str(data)}, disk(100.0)) == data   # asked for: used
    assert data_disk("autodl", ROOT, {"VOXNB_DATA_DISK": str(tmp_path / "none")}, disk(1.0)) is None


def test_folders_are_summed_per_disk():
    folders = [plan.Folder("a", Path("/x/a"), 3.0), plan.Folder("b", Path("/x/b"), 4.0), plan.Folder("c", Path("/y"), 1.0)]
    disk = lambda p: Disk("/dev/x", "/x", 5.0) if str(p).startswith("/x") else Disk("/dev/y", "/y", 9.0)  # noqa: E731
    groups = {d.mount: need for d, need, _ in plan.by_disk(folders, disk)}
    assert groups == {"/x": 7.0, "/y": 1.0}


# ---- the script ----------------------------------------------------------------------------------------
def test_fake_autodl_plan_puts_every_environment_cache_and_weights_on_the_data_disk(tmp_path):
    data = tmp_path / "autodl-tmp"
    data.mkdir()
    smi(tmp_path / "bin")
    repo = mini_repo(tmp_path)      # with the whole package: the plan asks voxnb.engines for the sources
    shutil.copytree(ROOT / "voxnb", repo / "voxnb", ignore=shutil.ignore_patterns("__pycache__", "assets"),
                    dirs_exist_ok=True)
    p, repo = run(tmp_path, "--plan", "--engine", "kokoro,f5,voxcpm", repo=repo,
                  extra={"VOXNB_PLATFORM": "autodl", "VOXNB_DATA_DISK": str(data)})
    assert p.returncode == 0, p.stdout + p.stderr
    folders = lines(p.stdout, "folder:")
    whats = " ".join(folders)
    for what in ("environment .venv", "environment f5", "environment voxcpm", "pip cache", "weights kokoro",
                 "weights f5", "weights voxcpm (VoxCPM2)", "weights whisper", "voices and outputs"):
        assert what in whats, what
    for ln in folders:
        assert f": {data}/" in ln, ln
    assert f"environment: venv at {data}/voxnb-envs/.venv" in p.stdout
    assert "free on" in folders[0] and lines(p.stdout, "space:")
    assert "A100" in p.stdout and "compute capability 8.0" in p.stdout
    assert not list(data.iterdir()) and not (repo / ".venv").exists() and not (repo / "envs").exists()
    # on AutoDL the weights come from ModelScope, but F5's vocoder only from Hugging Face
    src = " ".join(lines(p.stdout, "sources:"))
    assert "F5TTS_v1_Base/model_1250000.safetensors <- modelscope AI-ModelScope/F5-TTS" in src
    assert "vocos/pytorch_model.bin <- hf charactr/vocos-mel-24khz" in src
    assert "else package:f5_tts/infer/examples/vocab.txt" in src
    assert "voxcpm: ./ <- modelscope OpenBMB/VoxCPM2" in src      # an A100: VoxCPM2


def test_an_environment_already_in_the_checkout_is_reused_not_moved(tmp_path):
    data = tmp_path / "autodl-tmp"
    data.mkdir()
    repo = mini_repo(tmp_path)
    (repo / "envs" / "f5" / "bin").mkdir(parents=True)
    (repo / "envs" / "f5" / "bin" / "python").touch()
    p, _ = run(tmp_path, "--plan", "--cpu", "--engine", "f5", repo=repo,
               extra={"VOXNB_PLATFORM": "autodl", "VOXNB_DATA_DISK": str(data)})
    assert p.returncode == 0, p.stderr
    assert f"environment f5: {repo}/envs/f5 (present, needs nothing more" in p.stdout
    assert f"environment .venv: {data}/voxnb-envs/.venv" in p.stdout


def test_blackwell_gets_cu128_and_cosyvoice_a_newer_torch(tmp_path):
    smi(tmp_path / "bin", name="NVIDIA GeForce RTX 5090", mib=32607, cap="12.0", driver="570.86.10", cuda="12.8")
    p, _ = run(tmp_path, "--plan", "--engine", "f5,cosyvoice3")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "torch==2.13.0 (cu128)" in p.stdout and "torch==2.8.0+torchaudio (cu128)" in p.stdout
    cosy = lines(p.stdout, "engine:      cosyvoice3")[0]
    assert "torch==2.7.1+torchaudio (cu128) instead of its requirements.txt's 2.3.1" in cosy
    assert "onnxruntime-gpu==1.22.0" in cosy and "sm_120" in p.stdout and "f5 float16" in p.stdout


def test_turing_runs_voxcpm_in_float32_and_f5_in_float16(tmp_path):
    smi(tmp_path / "bin", name="NVIDIA GeForce RTX 2080 Ti", mib=11264, cap="7.5", driver="535.54", cuda="12.2")
    p, _ = run(tmp_path, "--plan", "--engine", "f5,voxcpm,cosyvoice3")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "dtype:       voxcpm float32 on the GPU (sm_75)" in p.stdout
    assert "dtype:       f5 float16 on the GPU (sm_75)" in p.stdout
    assert "voxcpm:      VoxCPM1.5" in p.stdout                           # 11 GB: below VoxCPM2's 12
    assert "torch==2.3.1+torchaudio (cu118)" in p.stdout and "onnxruntime-gpu==1.18.0" in p.stdout


def test_a_driver_older_than_cuda_11_8_refuses_a_gpu_engine(tmp_path):
    smi(tmp_path / "bin", name="Tesla K80", mib=12288, cap="3.7", driver="470.82", cuda="11.4")
    for args in (("--plan", "--engine", "kokoro,f5"), ("--no-launch", "--engine", "f5")):
        p, repo = run(tmp_path, *args)
        assert p.returncode != 0
        assert "470.82" in p.stderr and "CUDA 11.4" in p.stderr and "Update the driver" in p.stderr
        assert "--cpu" in p.stderr and not (repo / ".venv").exists() and not (repo / "envs").exists()
        shutil.rmtree(repo)
    p, _ = run(tmp_path, "--plan", "--engine", "f5", "--cpu")              # the way out it names
    assert p.returncode == 0 and "(cpu)" in p.stdout


def test_a_disk_too_small_refuses_before_anything_is_installed(tmp_path):
    data = tmp_path / "autodl-tmp"
    data.mkdir()
    # every folder on one 5 GB disk
    fake(tmp_path / "bin", "df", 'echo "Filesystem 1024-blocks Used Available Capacity Mounted on"\n'
                                 'echo "/dev/tiny 10485760 5242880 5242880 50% /tiny"\n')
    extra = {"VOXNB_PLATFORM": "autodl", "VOXNB_DATA_DISK": str(data)}
    p, repo = run(tmp_path, "--plan", "--cpu", "--engine", "kokoro,f5", extra=extra)
    assert p.returncode != 0 and "DOES NOT FIT" in p.stdout and "5.0 GB free" in p.stdout, p.stdout + p.stderr
    shutil.rmtree(repo)
    p, repo = run(tmp_path, "--no-launch", "--cpu", "--engine", "kokoro,f5", extra=extra)
    assert p.returncode != 0 and "not enough disk space" in p.stderr and "nothing was installed" in p.stderr
    assert "/tiny" in p.stderr and "5.0 GB free" in p.stderr and "environment f5" in p.stderr
    assert not list(data.iterdir()) and not (repo / ".venv").exists() and not (tmp_path / "run" / "pip-install.log").exists()


def test_sources_line_without_hub_cli(tmp_path):
    p, _ = run(tmp_path, "--plan", "--cpu", "--engine", "f5")       # the copy has no weights/hub.py
    assert p.returncode == 0 and "sources: unknown (voxnb.weights.hub missing)" in p.stdout


def test_sources_come_from_hub_cli(tmp_path):
    fake(tmp_path, "python", """case "$*" in
  "-m voxnb.engines sources f5 --json") echo '[{"file": "vocos/config.yaml", "source": "hf", "repo": "charactr/vocos-mel-24khz", "url": "https://hf.co/x"}]' ;;
  *) echo "No module named voxnb.engines" >&2; exit 1 ;;
esac
""")
    from voxnb.plan.__main__ import sources

    assert sources(ROOT, str(tmp_path / "python"), "f5") == \
        ["vocos/config.yaml <- hf charactr/vocos-mel-24khz (https://hf.co/x)"]
    assert "No module named" in sources(ROOT, str(tmp_path / "python"), "voxcpm")[0]


def test_gpu_check_without_a_gpu_exits_2(tmp_path):
    env = {**os.environ, "PATH": f"{tmp_path}:/usr/bin:/bin"}     # no nvidia-smi
    p = subprocess.run(["bash", str(ROOT / "tests" / "gpu" / "check.sh")], capture_output=True, text=True, env=env,
                       timeout=60, cwd=tmp_path)
    assert p.returncode == 2 and "no NVIDIA GPU" in p.stderr, p.stdout + p.stderr
