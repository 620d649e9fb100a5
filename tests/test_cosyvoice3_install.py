"""CosyVoice 3's requirements under another torch (2.7.1 on Blackwell cards): torch and torchaudio move, and
so does what cannot stay beside them, else pip quietly puts CosyVoice's own torch 2.3.1 back."""
import subprocess
import sys

from voxnb.engines.cosyvoice3 import install

PINS = ("--extra-index-url https://download.pytorch.org/whl/cu121\n"
        "onnxruntime-gpu==1.18.0; sys_platform == 'linux'\nopenai-whisper==20231117\n"
        "torch==2.3.1\ntorchaudio==2.3.1\ntransformers==4.51.3\n")


def test_a_newer_torch_moves_torchaudio_and_whisper_with_it(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text(PINS)
    new = install.requirements(req, torch="2.7.1") + install.requirements(req, legacy=True, torch="2.7.1")
    assert "torch==2.7.1" in new and "torchaudio==2.7.1" in new and "transformers==4.51.3" in new
    # 20231117 requires triton < 3; torch >= 2.4 requires triton 3
    assert "openai-whisper==20240930" in new and "openai-whisper==20231117" not in new
    assert not any(r.startswith(("torch==2.3.1", "torchaudio==2.3.1")) for r in new)


def test_the_pinned_torch_changes_nothing(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text(PINS)
    for legacy in (None, True, False):
        assert install.requirements(req, legacy=legacy, torch="2.3.1") == install.requirements(req, legacy=legacy)
    assert install.requirements(req, legacy=True) == ["openai-whisper==20231117"]


def test_the_command_line_takes_the_torch(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text(PINS)
    out = subprocess.run([sys.executable, "-m", "voxnb.engines.cosyvoice3.install", "requirements", str(req),
                          "--legacy", "only", "--torch", "2.7.1"], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["openai-whisper==20240930"]
