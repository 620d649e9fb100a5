#!/usr/bin/env bash
# voxnb one-click start: set up Python, PyTorch, voxnb and its weights, then launch
# JupyterLab + the Voila dashboard and print their URLs. Safe to run again: what is
# already installed is reused, and a running voxnb is reported instead of started twice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unset VIRTUAL_ENV  # another activated venv would make Jupyter list that venv's kernels instead of ours
TORCH_VERSION=2.13.0
# f5-tts and voxcpm import torchaudio; 2.8 is the newest PyTorch with a torchaudio beside it on every index
ENGINE_TORCH_VERSION=2.8.0
PYTORCH_INDEX=${VOXNB_PYTORCH_INDEX:-https://download.pytorch.org/whl}

usage() {
  cat <<'EOF'
Usage: bash 1-click-start.sh [options]

Sets up voxnb (Python environment, PyTorch, voxnb, engine weights) and starts JupyterLab
and the Voila dashboard in the background, then prints their URLs.

Options:
  --cpu              ignore any GPU: install the CPU build of PyTorch
  --engine NAMES     engines to serve, comma-separated: kokoro (CPU), f5 and voxcpm (GPU: zero-shot
                     cloning from a reference clip) (default: kokoro). Each gets its weights fetched and
                     verified and one server process that every viewer and kernel shares; f5 and voxcpm
                     live in environments of their own (envs/<engine>, PyTorch 2.8)
  --accept-licence   accept the engine weights' licences without being asked (F5-TTS: CC-BY-NC 4.0)
  --model-source SRC where engine weights come from: modelscope (default on AutoDL and PAI-DSW) or hf
  --engine-env MODE  shared: engines live in voxnb's environment where their pins allow (default);
                     own: every engine in an environment of its own under envs/<engine>, with a
                     Jupyter kernel "voxnb · <engine>" for notebooks
  --engine-port N    first engine server's port (default 8870; the next engines count up); loopback only
  --max-queue N      requests that may wait per engine server; one more is refused at once (default 8)
  --max-viewers N    live dashboard viewers (kernels) at once (default: sized from the machine's memory)
  --allow-host NAME  also serve the dashboard under this host name (repeatable; '.example.org' allows
                     its subdomains); other Host headers get 403 (DNS-rebinding protection)
  --lab-port N       JupyterLab port (default 8888; 8889 on AutoDL, whose own Lab uses 8888)
  --dash-port N      dashboard port (default 8866; 6006 on AutoDL, the port its custom service publishes)
  --host ADDR        address the servers listen on (default 127.0.0.1; 0.0.0.0 on AutoDL and PAI-DSW)
  --no-launch        set up only; start nothing
  --status           report what is running and print the URLs
  --stop             stop the servers this script started (by pid)
  --network-turbo    AutoDL: `source /etc/network_turbo` for downloads (the proxy is unset for local traffic)
  --pip-index URL    PyPI mirror for pip, e.g. https://pypi.tuna.tsinghua.edu.cn/simple
  --hf-endpoint URL  model hub endpoint for engines that fetch weights, e.g. https://hf-mirror.com
  --venv             use a venv in .venv even when conda is present
  --plan             print what would be done (platform, GPU, PyTorch build, environment) and exit
  -h, --help         show this help

Environment: VOXNB_HOME (voices, outputs), VOXNB_CACHE (weights cache), VOXNB_RUN_DIR (pids, logs),
VOXNB_ENV_DIR (where the Python environment goes), VOXNB_PLATFORM (generic|autodl|pai-dsw, to override detection).
EOF
}

die() { echo "error: $*" >&2; exit 1; }
say() { echo "==> $*"; }

ACCEPT=0; MODEL_SOURCE=""; CPU=0; ENGINE=kokoro; LAB_PORT=""; DASH_PORT=""; HOST=""; LAUNCH=1; ACTION=start
ENGINE_ENV=shared; ENGINE_PORT=8870; MAX_QUEUE=8; MAX_VIEWERS=0; ALLOW_HOSTS=()
TURBO=0; PIP_INDEX=""; HF_ENDPOINT_ARG=""; FORCE_VENV=0; PLAN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) CPU=1 ;;
    --engine) ENGINE=${2:?--engine needs a name}; shift ;;
    --accept-licence|--accept-license) ACCEPT=1 ;;
    --model-source) MODEL_SOURCE=${2:?--model-source needs hf or modelscope}; shift ;;
    --engine-env) ENGINE_ENV=${2:?--engine-env needs shared or own}; shift ;;
    --engine-port) ENGINE_PORT=${2:?--engine-port needs a number}; shift ;;
    --max-queue) MAX_QUEUE=${2:?--max-queue needs a number}; shift ;;
    --max-viewers) MAX_VIEWERS=${2:?--max-viewers needs a number}; shift ;;
    --allow-host) ALLOW_HOSTS+=(--allow-host "${2:?--allow-host needs a name}"); shift ;;
    --lab-port) LAB_PORT=${2:?--lab-port needs a number}; shift ;;
    --dash-port) DASH_PORT=${2:?--dash-port needs a number}; shift ;;
    --host) HOST=${2:?--host needs an address}; shift ;;
    --no-launch) LAUNCH=0 ;;
    --status) ACTION=status ;;
    --stop) ACTION=stop ;;
    --network-turbo) TURBO=1 ;;
    --pip-index) PIP_INDEX=${2:?--pip-index needs a URL}; shift ;;
    --hf-endpoint) HF_ENDPOINT_ARG=${2:?--hf-endpoint needs a URL}; shift ;;
    --venv) FORCE_VENV=1 ;;
    --plan) PLAN=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
  shift
done
for p in "$LAB_PORT" "$DASH_PORT" "$ENGINE_PORT"; do
  [ -z "$p" ] || [[ "$p" =~ ^[0-9]+$ && "$p" -ge 1 && "$p" -le 65535 ]] || die "port '$p' is not a number from 1 to 65535"
done
[[ "$MAX_QUEUE" =~ ^[0-9]+$ ]] || die "--max-queue '$MAX_QUEUE' is not a whole number (0 refuses while busy)"
[[ "$MAX_VIEWERS" =~ ^[0-9]+$ ]] || die "--max-viewers '$MAX_VIEWERS' is not a whole number (0 sizes it from memory)"
case "$ENGINE_ENV" in shared|own) ;; *) die "--engine-env must be shared or own (got '$ENGINE_ENV')" ;; esac
case "$MODEL_SOURCE" in ""|hf|modelscope) ;; *) die "--model-source must be hf or modelscope (got '$MODEL_SOURCE')" ;; esac
[ -z "$MODEL_SOURCE" ] || export VOXNB_MODEL_SOURCE=$MODEL_SOURCE

# ---- engines ---------------------------------------------------------------------------------
KNOWN_ENGINES="kokoro f5 voxcpm"
HUB_ENGINES=" f5 voxcpm "   # weights from a model hub; torch 2.8 + torchaudio in their own environment
IFS=, read -r -a ENGINES <<< "$ENGINE"
[ "${#ENGINES[@]}" -gt 0 ] || die "--engine needs at least one name (available: $KNOWN_ENGINES)"
for e in "${ENGINES[@]}"; do
  [[ " $KNOWN_ENGINES " == *" $e "* ]] || die "unknown engine '$e' (available: ${KNOWN_ENGINES// /, })"
done
is_hub() { [[ "$HUB_ENGINES" == *" $1 "* ]]; }
own_env() {  # does engine $1 get an environment of its own? (pins that clash with voxnb's own force it)
  case "$1" in
    kokoro) [ "$ENGINE_ENV" = own ] ;;
    *) true ;;
  esac
}

# ---- platform -------------------------------------------------------------------------------
detect_platform() {
  if [ -n "${VOXNB_PLATFORM:-}" ]; then echo "$VOXNB_PLATFORM"
  elif [ -d /root/autodl-tmp ]; then echo autodl
  elif [ -n "${DSW_INSTANCE_ID:-}${PAI_DSW_INSTANCE_ID:-}${PAI_INSTANCE_ID:-}" ]; then echo pai-dsw
  else echo generic
  fi
}
PLATFORM=$(detect_platform)
case "$PLATFORM" in
  autodl)  : "${LAB_PORT:=8889}" "${DASH_PORT:=6006}" "${HOST:=0.0.0.0}"
           export VOXNB_HOME=${VOXNB_HOME:-/root/autodl-tmp/voxnb} VOXNB_CACHE=${VOXNB_CACHE:-/root/autodl-tmp/voxnb-cache}
           export PIP_CACHE_DIR=${PIP_CACHE_DIR:-/root/autodl-tmp/pip-cache} ;;
  pai-dsw) : "${LAB_PORT:=8889}" "${DASH_PORT:=8866}" "${HOST:=0.0.0.0}" ;;
  generic) : "${LAB_PORT:=8888}" "${DASH_PORT:=8866}" "${HOST:=127.0.0.1}" ;;
  *) die "VOXNB_PLATFORM must be generic, autodl or pai-dsw (got '$PLATFORM')" ;;
esac
RUN_DIR=${VOXNB_RUN_DIR:-$ROOT/run}
ENV_DIR=${VOXNB_ENV_DIR:-}

# ---- GPU and the PyTorch build --------------------------------------------------------------
# The driver's CUDA version (top right of nvidia-smi) bounds the CUDA runtime a wheel may use.
# Within a major version CUDA's minor-version compatibility lets a 12.6 wheel run on any 12.x
# driver, so every 12.x driver below 12.8 gets cu126.
cuda_tag() {
  local v=$1 major minor
  major=${v%%.*}; minor=${v#*.}; minor=${minor%%.*}
  local n=$((major * 10 + minor))
  if   [ "$n" -ge 130 ]; then echo cu130
  elif [ "$n" -ge 128 ]; then echo cu128
  elif [ "$n" -ge 120 ]; then echo cu126
  elif [ "$n" -ge 118 ]; then echo cu118
  else echo cpu
  fi
}
GPU="none"; DRIVER_CUDA=""; TORCH_TAG=cpu
if [ "$CPU" = 0 ] && command -v nvidia-smi >/dev/null 2>&1; then
  if smi=$(nvidia-smi 2>/dev/null); then
    DRIVER_CUDA=$(printf '%s\n' "$smi" | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n1)
    GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n1 || true)
    [ -n "$GPU" ] || GPU="NVIDIA GPU"
    if [ -n "$DRIVER_CUDA" ]; then
      TORCH_TAG=$(cuda_tag "$DRIVER_CUDA")
      [ "$TORCH_TAG" != cpu ] || echo "warning: the driver supports CUDA $DRIVER_CUDA, older than any PyTorch $TORCH_VERSION build; using the CPU build (update the driver for the GPU)." >&2
    fi
  else
    echo "warning: nvidia-smi is present but failed; using the CPU build of PyTorch." >&2
  fi
fi
if [ "$TORCH_TAG" = cpu ]; then TORCH_INDEX=""; else TORCH_INDEX="$PYTORCH_INDEX/$TORCH_TAG"; fi
# PyTorch 2.8 has builds for CUDA 12.6 and 12.8 (a 13.x driver runs 12.8 builds); none for 11.8
case "$TORCH_TAG" in
  cu126|cu128) ENGINE_TORCH_TAG=$TORCH_TAG ;;
  cu130) ENGINE_TORCH_TAG=cu128 ;;
  *) ENGINE_TORCH_TAG=cpu ;;
esac
if [ "$ENGINE_TORCH_TAG" = cpu ]; then ENGINE_TORCH_INDEX=""; else ENGINE_TORCH_INDEX="$PYTORCH_INDEX/$ENGINE_TORCH_TAG"; fi

# ---- environment: conda from environment.yml, else a venv ------------------------------------
find_python() {
  local c
  for c in python3.12 python3.11 python3.10 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}
if [ "$FORCE_VENV" = 0 ] && command -v conda >/dev/null 2>&1; then
  ENV_KIND=conda; ENV_DIR=${ENV_DIR:-$ROOT/.conda-env}
else
  ENV_KIND=venv; ENV_DIR=${ENV_DIR:-$ROOT/.venv}
fi
PY="$ENV_DIR/bin/python"

if [ "$PLAN" = 1 ]; then
  echo "platform:    $PLATFORM"
  echo "gpu:         $GPU${DRIVER_CUDA:+ (driver CUDA $DRIVER_CUDA)}"
  echo "torch:       torch==$TORCH_VERSION ($TORCH_TAG)${TORCH_INDEX:+ from $TORCH_INDEX}"
  echo "environment: $ENV_KIND at $ENV_DIR"
  for e in "${ENGINES[@]}"; do
    if own_env "$e"; then where="own environment $ROOT/envs/$e"; else where="voxnb's environment"; fi
    if is_hub "$e"; then where="$where, torch==$ENGINE_TORCH_VERSION+torchaudio ($ENGINE_TORCH_TAG), weights from ${VOXNB_MODEL_SOURCE:-the default hub}"; fi
    echo "engine:      $e ($where)"
  done
  echo "engine port: $ENGINE_PORT (loopback), queue limit $MAX_QUEUE"
  echo "servers:     JupyterLab on $HOST:$LAB_PORT, dashboard on $HOST:$DASH_PORT"
  echo "run dir:     $RUN_DIR"
  exit 0
fi

launcher() { "${LAUNCH_PY:-$PY}" -m voxnb.launcher "$@"; }
if [ "$ACTION" = status ] || [ "$ACTION" = stop ]; then
  LAUNCH_PY=$PY; [ -x "$PY" ] || LAUNCH_PY=$(find_python) || die "no Python 3.10+ found"
  cd "$ROOT"; launcher "$ACTION" --run-dir "$RUN_DIR"; exit $?
fi

# Refuse early (before minutes of installing) if a port is taken by something else.
if [ "$LAUNCH" = 1 ] && [ -f "$RUN_DIR/state.json" ] && [ -x "$PY" ] && (cd "$ROOT" && launcher status --run-dir "$RUN_DIR" >/dev/null 2>&1); then
  say "voxnb is already running"; cd "$ROOT"; launcher status --run-dir "$RUN_DIR"; exit 0
fi
SYS_PY=$(find_python) || die "no Python 3.10 or newer found. Install one (apt-get install python3 python3-venv) or conda, then run this again."
if [ "$LAUNCH" = 1 ] && [ ! -f "$RUN_DIR/state.json" ]; then
  (cd "$ROOT" && "$SYS_PY" -m voxnb.launcher check-port "$LAB_PORT" --host "$HOST" --flag=--lab-port) || exit 1
  (cd "$ROOT" && "$SYS_PY" -m voxnb.launcher check-port "$DASH_PORT" --host "$HOST" --flag=--dash-port) || exit 1
fi

free_mb=$(df -Pm "$(dirname "$ENV_DIR")" | awk 'NR==2 {print $4}')
[ ! -x "$PY" ] && [ "${free_mb:-0}" -lt 3000 ] && die "only ${free_mb} MB free on $(dirname "$ENV_DIR"); voxnb needs about 3 GB (more for a CUDA PyTorch). Free some space or set VOXNB_ENV_DIR to a bigger disk."

if [ "$TURBO" = 1 ]; then
  [ -f /etc/network_turbo ] || die "--network-turbo: /etc/network_turbo not found (it exists only on AutoDL)"
  # shellcheck disable=SC1091
  source /etc/network_turbo
fi
[ -z "$PIP_INDEX" ] || export PIP_INDEX_URL=$PIP_INDEX
[ -z "$HF_ENDPOINT_ARG" ] || export HF_ENDPOINT=$HF_ENDPOINT_ARG
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Reinstall only when what decides the environment changed.
STAMP="$ENV_DIR/.voxnb-stamp"
want_stamp=$(cat "$ROOT/pyproject.toml" "$ROOT/environment.yml" | sha256sum | cut -c1-16)-$TORCH_TAG
mkdir -p "$RUN_DIR"; PIP_LOG="$RUN_DIR/pip-install.log"
pip_q() {  # quiet unless it fails; the full log stays in the run dir
  "$PY" -m pip install -q "$@" >>"$PIP_LOG" 2>&1 || { tail -n 30 "$PIP_LOG" >&2; echo "(full log: $PIP_LOG)" >&2; return 1; }
}
if [ -x "$PY" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want_stamp" ]; then
  say "environment up to date ($ENV_KIND at $ENV_DIR)"
else
  say "platform $PLATFORM, GPU: $GPU, PyTorch $TORCH_VERSION ($TORCH_TAG)"
  if [ "$ENV_KIND" = conda ]; then
    # environment.yml pins the same packages the venv path installs; the PyTorch index picks the build.
    if [ -n "$TORCH_INDEX" ]; then export PIP_EXTRA_INDEX_URL=$TORCH_INDEX; fi
    if [ -x "$PY" ]; then
      conda env update -p "$ENV_DIR" -f "$ROOT/environment.yml" || die "conda env update failed (see above)"
    else
      conda env create -p "$ENV_DIR" -f "$ROOT/environment.yml" || die "conda env create failed (see above)"
    fi
    unset PIP_EXTRA_INDEX_URL
    pip_q --no-deps -e "$ROOT" || die "pip install -e . failed"
  else
    [ -x "$PY" ] || "$SYS_PY" -m venv "$ENV_DIR" || die "could not create a venv at $ENV_DIR (Debian/Ubuntu: apt-get install python3-venv)"
    pip_q --upgrade pip || true
    if [ -n "$TORCH_INDEX" ]; then
      pip_q "torch==$TORCH_VERSION" --extra-index-url "$TORCH_INDEX" || die "installing PyTorch ($TORCH_TAG) failed"
    else
      pip_q "torch==$TORCH_VERSION" || die "installing PyTorch failed"
    fi
    pip_q -e "$ROOT" || die "pip install -e . failed (see above)"
  fi
  "$PY" -m ipykernel install --sys-prefix --name voxnb --display-name "voxnb (Python)" >/dev/null \
    || die "registering the Jupyter kernel failed"
  echo "$want_stamp" > "$STAMP"
fi

# ---- engine environments and weights ------------------------------------------------------------
ENGINE_ARGS=()
engine_env() {  # $1 engine: make envs/$1 with voxnb in it, register its kernel, print its python
  local name=$1 dir="$ROOT/envs/$1" epy="$ROOT/envs/$1/bin/python" stamp
  stamp="$dir/.voxnb-stamp"
  if [ -x "$epy" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_stamp-$name" ]; then echo "$epy"; return 0; fi
  say "environment for the $name engine ($dir)" >&2
  if [ "$ENV_KIND" = conda ]; then
    [ -x "$epy" ] || conda create -y -q -p "$dir" "python=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" pip >&2 \
      || { echo "error: conda create for $name failed" >&2; return 1; }
  else
    [ -x "$epy" ] || "$SYS_PY" -m venv "$dir" >&2 || { echo "error: could not create a venv at $dir" >&2; return 1; }
  fi
  PY=$epy pip_q --upgrade pip || true
  local torch=("torch==$TORCH_VERSION") index=$TORCH_INDEX target=$ROOT
  if is_hub "$name"; then
    torch=("torch==$ENGINE_TORCH_VERSION" "torchaudio==$ENGINE_TORCH_VERSION"); index=$ENGINE_TORCH_INDEX
    target="$ROOT[$name]"       # the engine's package (f5-tts, voxcpm) and modelscope
  fi
  if [ -n "$index" ]; then
    PY=$epy pip_q "${torch[@]}" --extra-index-url "$index" || return 1
  else
    PY=$epy pip_q "${torch[@]}" || return 1
  fi
  PY=$epy pip_q -e "$target" || return 1
  # the kernel spec goes where voxnb's own Jupyter looks, and starts this environment's Python
  "$epy" -m ipykernel install --prefix "$ENV_DIR" --name "voxnb-$name" --display-name "voxnb · $name" >/dev/null \
    || { echo "error: registering the voxnb · $name kernel failed" >&2; return 1; }
  echo "$want_stamp-$name" > "$stamp"
  echo "$epy"
}
fetch_weights() {  # $1 python, then what to fetch: the hub's files come through AutoDL's proxy when it has one
  local epy=$1; shift
  local args=("$@")
  [ "$ACCEPT" = 0 ] || args+=(--accept-licence)
  if [ "$PLATFORM" = autodl ] && [ -f /etc/network_turbo ] && [ "$TURBO" = 0 ] && [ "${VOXNB_MODEL_SOURCE:-modelscope}" = hf ]; then
    # shellcheck disable=SC1091
    (cd "$ROOT" && source /etc/network_turbo >/dev/null && "$epy" -m voxnb fetch "${args[@]}")
  else
    (cd "$ROOT" && "$epy" -m voxnb fetch "${args[@]}")
  fi
}
ASR_DONE=0
for e in "${ENGINES[@]}"; do
  EPY=$PY
  if own_env "$e"; then EPY=$(engine_env "$e") || die "setting up the $e engine's environment failed (log: $PIP_LOG)"; fi
  say "engine weights ($e)"
  fetch_weights "$EPY" "$e" || die "fetching the $e weights failed (see above)"
  if is_hub "$e" && [ "$GPU" != none ] && [ "$ASR_DONE" = 0 ]; then
    # the reference transcript these engines need, in English or Mandarin (the CPU tiny.en is English only)
    say "reference ASR weights (Whisper large-v3-turbo)"
    fetch_weights "$EPY" whisper || echo "warning: no Whisper weights; transcripts fall back to English-only tiny.en (type Mandarin ones)" >&2
    ASR_DONE=1
  fi
  [ "$EPY" = "$PY" ] || ENGINE_ARGS+=(--engine-python "$e=$EPY")
done

if [ "$TURBO" = 1 ]; then unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY; fi
if [ "$LAUNCH" = 0 ]; then
  say "set up done. Launch with: bash 1-click-start.sh"
  exit 0
fi
say "starting the engine server(s) ($ENGINE), JupyterLab and the dashboard"
cd "$ROOT"
launcher start --root "$ROOT" --run-dir "$RUN_DIR" --lab-port "$LAB_PORT" \
  --dash-port "$DASH_PORT" --host "$HOST" --platform "$PLATFORM" --python "$PY" \
  --engines "$ENGINE" --engine-port "$ENGINE_PORT" --max-queue "$MAX_QUEUE" --max-viewers "$MAX_VIEWERS" \
  ${ENGINE_ARGS[@]+"${ENGINE_ARGS[@]}"} ${ALLOW_HOSTS[@]+"${ALLOW_HOSTS[@]}"}
