#!/usr/bin/env bash
# The GPU check: on a box with an NVIDIA GPU, in about 5-8 minutes,
#   1. the GPU's facts (nvidia-smi),
#   2. the gpu-marked tests (those that need real weights skip, saying so),
#   3. the tiny random-weight engines on CUDA in the dtype each runs in there (tests/gpu/tiny_cuda.py),
#   4. `voxnb bench --engine NAME --random-weights --json` for f5 and voxcpm on CUDA,
# then one report: printed, and written to $OUT/gpu-report.md when OUT is set. Exit 0 when every step
# passed, 1 when one failed, 2 without a GPU. Uses .venv and .venv-engines (made by tests/run.sh, which
# needs the network; made here first if missing), or VOXNB_CHECK_PY / VOXNB_CHECK_ENGINES_PY.
set -uo pipefail
cd "$(dirname "$0")/../.."
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "no NVIDIA GPU here (nvidia-smi is missing or fails): this check needs one. The CPU tests: bash tests/run.sh" >&2
  exit 2
fi
PY=${VOXNB_CHECK_PY:-$PWD/.venv/bin/python}
EPY=${VOXNB_CHECK_ENGINES_PY:-$PWD/.venv-engines/bin/python}
if [ ! -x "$PY" ] || [ ! -x "$EPY" ]; then
  echo "==> making the test environments first (bash tests/run.sh -k zzz_setup_only)"
  bash tests/run.sh -k zzz_setup_only >/tmp/voxnb-gpu-setup.log 2>&1 \
    || { tail -n 30 /tmp/voxnb-gpu-setup.log >&2; echo "error: could not make .venv/.venv-engines (log: /tmp/voxnb-gpu-setup.log)" >&2; exit 1; }
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
LOG=$(mktemp -d)
REPORT="$LOG/gpu-report.md"
STATUS=0
step() {  # $1 title, $2 timeout (s), then the command: its tail goes into the report
  local title=$1 limit=$2 rc; shift 2
  echo "==> $title" >&2
  timeout "$limit" "$@" >"$LOG/step.out" 2>&1; rc=$?
  [ "$rc" = 0 ] || STATUS=1
  { echo "## $title: $([ "$rc" = 0 ] && echo ok || echo "FAILED (exit $rc$([ "$rc" = 124 ] && echo ", over ${limit} s"))")"
    echo; echo '```'; tail -n "${TAIL:-25}" "$LOG/step.out"; echo '```'; echo; } >>"$REPORT"
  cat "$LOG/step.out" >&2
}
{ echo "# voxnb GPU check ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown))"; echo; } >"$REPORT"
TAIL=10 step "GPU" 30 nvidia-smi --query-gpu=name,memory.total,compute_cap,driver_version --format=csv
TAIL=5 step "PyTorch sees it" 60 "$EPY" -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0), torch.cuda.get_device_capability(0))'
# real-weight tests skip where `voxnb fetch` has not put the weights: -rs lists why
step "gpu-marked tests (engines environment)" 150 env VIRTUAL_ENV="${EPY%/bin/python}" PATH="$(dirname "$EPY"):$PATH" \
  "$EPY" -m pytest -m gpu -q -rs -p no:cacheprovider tests/engines
step "gpu-marked tests (main environment)" 90 env VIRTUAL_ENV="${PY%/bin/python}" PATH="$(dirname "$PY"):$PATH" \
  "$PY" -m pytest -m gpu -q -rs -p no:cacheprovider --ignore=tests/engines --ignore=tests/cosyvoice3 tests
TAIL=10 step "tiny engines on CUDA in their dtypes" 180 "$EPY" tests/gpu/tiny_cuda.py
for e in f5 voxcpm; do
  TAIL=5 step "random-weight bench: $e (full size, speed and memory only)" 150 \
    "$EPY" -m voxnb bench --engine "$e" --random-weights --json
done
echo >&2; cat "$REPORT"
if [ -n "${OUT:-}" ]; then mkdir -p "$OUT" && cp "$REPORT" "$OUT/gpu-report.md"; fi
rm -rf "$LOG"
exit $STATUS
