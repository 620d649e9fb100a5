import subprocess
import sys

import voxnb

PUBLIC = ["Capabilities", "ChunkResult", "Detection", "Engine", "Reference", "RemoteEngine", "Result", "SPEED_RANGE", "STYLES",
          "SynthesisSettings", "Voice", "VoiceLibrary", "VoxnbError", "__version__", "available_engines",
          "connect", "detect", "load_engine", "phonemize", "prepare_reference", "transcribe"]


def test_public_api_is_pinned():
    assert sorted(voxnb.__all__) == sorted(PUBLIC)
    for name in voxnb.__all__:
        assert getattr(voxnb, name) is not None


def test_import_loads_nothing_heavy():
    code = ("import sys, voxnb; heavy = [m for m in ('onnxruntime', 'torch', 'librosa', 'faster_whisper', "
            "'resemblyzer', 'jieba', 'hibari', 'httpx', 'fastapi', 'voila') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_engine_registry():
    assert "kokoro" in voxnb.available_engines()
    import pytest
    from voxnb.errors import EngineError

    with pytest.raises(EngineError, match="Available engines"):
        voxnb.load_engine("nope")
