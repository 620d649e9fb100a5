#!/usr/bin/env bash
# Set up a fresh machine and run the test suite: the README's test command.
# Creates .venv (or reuses it), installs CPU PyTorch, voxnb and its test extras, then runs pytest;
# then .venv-engines (torch 2.8 + torchaudio 2.8, f5-tts, voxcpm: what the GPU engines' own
# environments hold) and runs tests/engines there on tiny random-weight instances of those engines;
# with COSYVOICE_SRC set (a CosyVoice checkout), .venv-cosyvoice (python 3.10) runs tests/cosyvoice3 too;
# COSYVOICE_TORCH=2.7.1 with it runs them under the torch a Blackwell card's envs/cosyvoice3 gets instead.
# Extra arguments go to both pytest runs, e.g. `bash tests/run.sh -k text -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# The browser test drives Debian's Chromium (never a downloaded browser); CJK fonts so Chinese renders.
# espeak-ng: robotic but person-like speech that the reference check must accept.
# rubberband-cli: the Rubber Band time-stretcher a dub uses for a cue that overruns its slot.
if ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/fonts/opentype/noto ] || ! command -v espeak-ng >/dev/null 2>&1 \
   || ! command -v rubberband >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk espeak-ng rubberband-cli >/dev/null
  else
    echo "note: install chromium, fonts-noto-cjk, espeak-ng and rubberband-cli (apt-get) for the browser, reference and dub tests" >&2
  fi
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
# Two test environments and the start-script tests' own copies take about 25 GB at their peak.
for where in . "${TMPDIR:-/tmp}"; do
  free_gb=$(df -Pk "$where" | awk 'NR==2 {print int($4 / 1048576)}')
  if [ "${free_gb:-0}" -lt 25 ]; then
    echo "warning: only ${free_gb} GB free under $where; the tests need about 25 GB (free some, or set TMPDIR)" >&2
  fi
done
pip_q() {  # $1 venv; the rest: pip install arguments
  local venv=$1; shift
  "$venv/bin/python" -m pip install -q "$@" >>"$venv/pip-install.log" 2>&1 || {
    tail -n 40 "$venv/pip-install.log"; echo "error: pip install $* failed (log: $venv/pip-install.log)" >&2; exit 1; }
}
make_venv() {  # $1 venv dir, $2 torch pin, then extra packages; reinstalls only when they changed
  local venv=$1 torch=$2 extras=""; shift 2
  [ "$venv" != .venv ] || extras=",cluster"   # Ray for the replica and cluster-batch tests (tests/test_cluster.py)
  local want
  want=$(cat pyproject.toml | sha256sum | cut -c1-16)-$torch-$*-compat
  [ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
  [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$want" ] && return 0
  : >"$venv/pip-install.log"
  pip_q "$venv" --upgrade pip
  # torch 2.13.0 resolves to the local CPU wheel on this machine kind; an unpinned torch pulls a CUDA build.
  pip_q "$venv" "torch==$torch" "$@"
  pip_q "$venv" --config-settings editable_mode=compat -e ".[test$extras]"
  echo "$want" >"$venv/.stamp"
}
make_venv .venv 2.13.0
.venv/bin/python -c "import voxnb, torch, onnxruntime; print('voxnb', voxnb.__version__, '| torch', torch.__version__)"
# torch 2.8 is the newest release with a torchaudio beside it on PyPI (f5-tts and voxcpm import torchaudio)
make_venv .venv-engines 2.8.0 "torchaudio==2.8.0" "f5-tts==1.1.22" "voxcpm==2.0.3" "transformers>=4.51,<5" "modelscope>=1.22"
.venv-engines/bin/python -c "import f5_tts, voxcpm, torch; print('engines env | torch', torch.__version__)"
# CosyVoice 3 is not on PyPI: given a checkout of its source (COSYVOICE_SRC), .venv-cosyvoice holds what
# envs/cosyvoice3 holds on a user's box (python 3.10, the checkout's own pins) and runs its tiny end-to-end test.
CV_PY=""
if [ -n "${COSYVOICE_SRC:-}" ]; then
  [ -f "$COSYVOICE_SRC/requirements.txt" ] || { echo "error: COSYVOICE_SRC=$COSYVOICE_SRC is not a CosyVoice checkout" >&2; exit 1; }
  # the first python3.10 that runs: a pyenv shim is on PATH even where no 3.10 is selected, and then fails
  for c in $(command -v python3.10) "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
    if "$c" -V >/dev/null 2>&1; then CV_PY=$c; break; fi
  done
  [ -n "$CV_PY" ] || { echo "error: CosyVoice 3's tests need python3.10 on PATH" >&2; exit 1; }
  CV_ENV=.venv-cosyvoice cv_torch=() cv_ort=""
  if [ -n "${COSYVOICE_TORCH:-}" ]; then
    # the start script's src_packages on a GPU: torch and torchaudio at that release (the requirements'
    # --torch) and the onnxruntime-gpu that voxnb.plan pairs with it, here its CPU build at the same version
    cv_ort=$(.venv/bin/python - "$COSYVOICE_TORCH" <<'EOF'
import sys
from voxnb.plan import Gpu, builds
cards = [None, Gpu("", None, (8, 6), "", (12, 4)), Gpu("", None, (8, 6), "", (11, 8)), Gpu("", None, (12, 0), "", (12, 8))]
pairs = {b.torch: b.onnxruntime for b in (builds(g, ["cosyvoice3"])["cosyvoice3"] for g in cards)}
if sys.argv[1] not in pairs:
    sys.exit(f"error: COSYVOICE_TORCH={sys.argv[1]} is no torch the start script gives CosyVoice 3; "
             f"use one of {', '.join(sorted(pairs))}")
print(pairs[sys.argv[1]].replace("onnxruntime-gpu", "onnxruntime", 1))
EOF
    ) || exit 1
    CV_ENV=.venv-cosyvoice-torch$COSYVOICE_TORCH cv_torch=(--torch "$COSYVOICE_TORCH")
  fi
  cv_req=$(mktemp)
  .venv/bin/python -m voxnb.engines.cosyvoice3.install requirements "$COSYVOICE_SRC/requirements.txt" --legacy without ${cv_torch[@]+"${cv_torch[@]}"} >"$cv_req"
  cv_legacy=$(.venv/bin/python -m voxnb.engines.cosyvoice3.install requirements "$COSYVOICE_SRC/requirements.txt" --legacy only ${cv_torch[@]+"${cv_torch[@]}"})
  [ -z "$cv_ort" ] || sed -i "s/^onnxruntime==.*/$cv_ort/" "$cv_req"
  want=$(cat pyproject.toml "$cv_req" | sha256sum | cut -c1-16)
  [ -x "$CV_ENV/bin/python" ] || "$CV_PY" -m venv "$CV_ENV"
  if [ "$(cat "$CV_ENV/.stamp" 2>/dev/null)" != "$want" ]; then
    : >"$CV_ENV/pip-install.log"
    pip_q "$CV_ENV" --upgrade pip
    pip_q "$CV_ENV" -r "$cv_req"
    pip_q "$CV_ENV" "setuptools<81" wheel      # openai-whisper's sdist imports pkg_resources
    # shellcheck disable=SC2086
    pip_q "$CV_ENV" --no-build-isolation $cv_legacy
    pip_q "$CV_ENV" --config-settings editable_mode=compat -e ".[cosyvoice3,test]"
    echo "$want" >"$CV_ENV/.stamp"
  fi
  if [ -n "${COSYVOICE_TORCH:-}" ]; then   # a later install must not have swapped the torch under test
    "$CV_ENV/bin/python" -c 'import sys, torch, torchaudio, onnxruntime, transformers, whisper
print(f"{sys.argv[2]} | torch {torch.__version__} | torchaudio {torchaudio.__version__} | onnxruntime "
      f"{onnxruntime.__version__} | transformers {transformers.__version__} | openai-whisper {whisper.__version__}")
sys.exit(torch.__version__.split("+")[0] != sys.argv[1] and f"error: torch {torch.__version__} in {sys.argv[2]}, not {sys.argv[1]}")' \
      "$COSYVOICE_TORCH" "$CV_ENV"
  fi
  rm -f "$cv_req"
fi
# Tests never reach a model hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
in_venv() {  # $1 venv, then the command: as if activated (tests start jupyter, voila, voxnb from PATH)
  local venv=$1; shift
  VIRTUAL_ENV="$PWD/$venv" PATH="$PWD/$venv/bin:$PATH" "$@"
}
status=0
run_tests() {
  local rc=0
  in_venv "$@" || rc=$?
  # -k that selects nothing in one of the two runs is not a failure (pytest's exit 5)
  if [ "$rc" = 5 ] && [ "$FILTERED" = 1 ]; then rc=0; fi
  [ "$rc" = 0 ] || status=$rc
}
FILTERED=$([ $# -gt 0 ] && echo 1 || echo 0)
run_tests .venv python -m pytest -m "not gpu" -q --ignore=tests/engines "$@"
run_tests .venv-engines python -m pytest -m "not gpu" -q tests/engines "$@"
if [ -n "$CV_PY" ]; then
  run_tests "$CV_ENV" python -m pytest -m "not gpu" -q tests/cosyvoice3 "$@"
fi
exit $status
