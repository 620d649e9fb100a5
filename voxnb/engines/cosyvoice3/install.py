"""Where CosyVoice's source comes from, and which of its requirements an inference box needs.

CosyVoice is not on PyPI (the `cosyvoice` there is a third party's stub): the start script clones the
official repository at ``COMMIT`` with its Matcha-TTS submodule, and installs the requirements that
``requirements(path)`` returns. Those are the repository's own pins, less what only training, serving
or TensorRT export needs (deepspeed, tensorrt, gradio, fastapi, grpc, tensorboard; Matcha imports gdown and wget, so they stay), with these changes:
wetext >= 0.1 (0.0.4 downloads its grammars at start-up), onnxruntime for the CPU where there is no
GPU, and no pin on libraries voxnb also uses where inference does not depend on the release. Given another
torch (``torch=``: 2.7.1 on Blackwell cards), torch and torchaudio are pinned to it, and so is what cannot
stay beside it (TORCH_BOUND). ``python -m voxnb.engines.cosyvoice3.install requirements FILE [--gpu] [--torch V]``
prints them.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

REPO_URL = "https://github.com/FunAudioLLM/CosyVoice.git"
COMMIT = "ace7c47f41bbd303aa6bf1ea80e6f9fbd595cd40"   # Fun-CosyVoice3 support, Dec 2025
PYTHON = "3.10"                                          # what the repository is built and tested on
SOURCE_ENV = "COSYVOICE_SRC"

SKIP = {"deepspeed", "tensorrt-cu12", "tensorrt-cu12-bindings", "tensorrt-cu12-libs", "gradio", "fastapi",
        "fastapi-cli", "uvicorn", "grpcio", "grpcio-tools", "tensorboard", "pydantic"}
# voxnb depends on these too; inference does not care which release, so voxnb's ranges decide
UNPIN = {"matplotlib", "librosa", "soundfile", "onnx", "networkx", "rich"}
REPLACE = {"wetext": "wetext>=0.1",            # 0.0.4 fetches its FSTs from a hub when it starts
           "modelscope": "modelscope>=1.22"}     # voxnb's fetch uses it; no model is loaded through it


# sdists whose setup.py imports pkg_resources (gone from setuptools 81): built without isolation,
# after the rest, with setuptools < 81 in the environment
LEGACY_BUILD = {"openai-whisper"}
# Pins that a torch newer than CosyVoice's 2.3.1 cannot live with, from the torch release that needs the
# change. openai-whisper 20231117 requires triton < 3, and torch >= 2.4 requires triton 3, so pip quietly
# puts torch 2.3.1 back (no sm_120 kernels, cuDNN 8 under onnxruntime-gpu 1.22); 20240930 drops that cap,
# and its audio.py and tokenizer.py, all that CosyVoice imports, are the same files as 20231117's.
TORCH_BOUND = {"openai-whisper": ((2, 4), "openai-whisper==20240930")}
# What the start script reads from here (by file, with runpy): the torch the repository pins at COMMIT, the
# files a usable checkout has (Matcha-TTS is a submodule), the folders its environment's .pth lists, what must
# then import, and the system packages it wants (apt-get, where the script may).
TORCH_PIN = "2.3.1"
CHECKOUT = ("cosyvoice/cli/cosyvoice.py", "third_party/Matcha-TTS/matcha")
PATHS = (".", "third_party/Matcha-TTS")
IMPORTS = ("cosyvoice", "matcha")
APT = ("sox", "libsox-dev")


def torch_build(tag: str, blackwell: bool) -> dict:
    """The PyTorch build of CosyVoice's environment, and the onnxruntime (its speech tokenizer) that shares
    its CUDA and cuDNN, for a driver whose newest wheel tag is ``tag`` ('cpu' without a GPU): the
    start script's plan (``Install.torch``) calls it."""
    if tag == "cpu":
        return {"torch": TORCH_PIN, "tag": "cpu", "onnxruntime": "onnxruntime==1.18.0"}
    if blackwell:
        # torch 2.3.1 (CosyVoice's pin) has no sm_120 kernels; 2.7.1 is the oldest with a cu128 build, and
        # it ships cuDNN 9, as onnxruntime-gpu 1.19+ wants. 1.22 carries compute_90 PTX that the driver
        # compiles for Blackwell; 1.23's 90a PTX does not run there (microsoft/onnxruntime#26230).
        return {"torch": "2.7.1", "tag": "cu128", "onnxruntime": "onnxruntime-gpu==1.22.0",
                "note": "torch 2.7.1+cu128 instead of CosyVoice's pinned 2.3.1, which has no sm_120 kernels "
                        "(CosyVoice's tiny end-to-end test under 2.7.1 needs a CosyVoice checkout: "
                        "run tests/cosyvoice3 with COSYVOICE_SRC on such a card)"}
    # One CUDA and one cuDNN for torch and onnxruntime. PyPI's torch 2.3.1 is the CUDA 12.1 build with
    # cuDNN 8.9; onnxruntime-gpu on PyPI is CUDA 11.8 + cuDNN 8 up to 1.18 and CUDA 12 + cuDNN 9 from
    # 1.19 (torch 2.3.1 pins cuDNN 8, so the two cannot share an environment); the CUDA 12 + cuDNN 8
    # build of 1.18 lives on Microsoft's own feed, which mirrors do not carry. So the CUDA 11.8 build
    # of torch 2.3.1 (cuDNN 8.7) with PyPI's onnxruntime-gpu 1.18.0: every driver from 11.8 up runs it.
    return {"torch": TORCH_PIN, "tag": "cu118", "onnxruntime": "onnxruntime-gpu==1.18.0",
            "note": "CUDA 11.8 build, matching onnxruntime-gpu 1.18.0 (CUDA 11.8, cuDNN 8)"}


def _name(line: str) -> str:
    return re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].strip().lower()


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version.split("+")[0])[:2])


def requirements(path: str | Path, gpu: bool = False, legacy: bool | None = None,
                 torch: str | None = None) -> list[str]:
    """The repository's requirements.txt as an inference box needs it, one pip requirement a line.
    ``legacy``: True = only the LEGACY_BUILD ones, False = all but those, None = all.
    ``torch``: the torch (and torchaudio) release instead of the repository's pin."""
    out = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")):      # comments and its own --extra-index-url lines
            continue
        name = _name(line)
        if name in SKIP or (legacy is not None and (name in LEGACY_BUILD) != legacy):
            continue
        if name == "onnxruntime-gpu":
            line = line if gpu else line.replace("onnxruntime-gpu", "onnxruntime", 1)
        elif name == "onnxruntime" and "darwin" in line:
            continue                                      # the other platforms' line
        elif torch and name in ("torch", "torchaudio"):
            line = f"{name}=={torch}"
        elif torch and name in TORCH_BOUND and _release(torch) >= TORCH_BOUND[name][0]:
            line = TORCH_BOUND[name][1]
        out.append(REPLACE.get(name, name if name in UNPIN else line))
    return out


def source_dir(explicit: str | Path | None = None) -> Path | None:
    """A CosyVoice checkout: the one given, ``$COSYVOICE_SRC``, else where the start script puts it."""
    from ...paths import cache_dir

    for candidate in (explicit, os.environ.get(SOURCE_ENV), cache_dir() / "src" / "CosyVoice"):
        if candidate and (Path(candidate) / "cosyvoice" / "cli" / "cosyvoice.py").is_file():
            return Path(candidate)
    return None


def add_to_path(src: Path) -> None:
    """Make ``import cosyvoice`` and its ``import matcha`` work from a checkout (it is not a package)."""
    for p in (src / "third_party" / "Matcha-TTS", src):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voxnb.engines.cosyvoice3.install")
    sub = parser.add_subparsers(dest="cmd", required=True)
    req = sub.add_parser("requirements", help="print the inference requirements of a CosyVoice checkout")
    req.add_argument("file", help="the checkout's requirements.txt")
    req.add_argument("--gpu", action="store_true", help="keep onnxruntime-gpu")
    req.add_argument("--legacy", choices=("only", "without"), help="only / all but the legacy-build sdists")
    req.add_argument("--torch", help="this torch and torchaudio release instead of the checkout's pin")
    sub.add_parser("commit", help="print the pinned commit")
    args = parser.parse_args(argv)
    if args.cmd == "commit":
        print(COMMIT)
    else:
        legacy = {"only": True, "without": False}.get(args.legacy)
        print("\n".join(requirements(args.file, gpu=args.gpu, legacy=legacy, torch=args.torch)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
