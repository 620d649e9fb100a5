#!/usr/bin/env bash
# Set up a fresh machine and run the test suite: the README's test command.
# Creates .venv (or reuses it), installs CPU PyTorch, voxnb and its test extras, then runs pytest.
# Extra arguments go to pytest, e.g. `bash tests/run.sh -k text -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# The browser test drives Debian's Chromium (never a downloaded browser); CJK fonts so Chinese renders.
if ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/fonts/opentype/noto ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "note: install chromium and fonts-noto-cjk (apt-get) for the browser test" >&2
  fi
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
LOG=.venv/pip-install.log
pip_q() { python -m pip install -q "$@" >>"$LOG" 2>&1 || { tail -n 40 "$LOG"; echo "error: pip install $* failed (log: $LOG)" >&2; exit 1; }; }
: >"$LOG"
pip_q --upgrade pip
# torch 2.13.0 resolves to the local CPU wheel on this machine kind; an unpinned torch pulls a CUDA build.
pip_q "torch==2.13.0"
pip_q -e ".[test]"
python -c "import voxnb, torch, onnxruntime; print('voxnb', voxnb.__version__, '| torch', torch.__version__)"
# Tests never reach a model hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec python -m pytest -m "not gpu" -q "$@"
