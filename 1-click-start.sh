#!/usr/bin/env bash
# voxnb one-click start: set up Python, PyTorch, voxnb and its weights, then launch
# JupyterLab + the Voila dashboard and print their URLs. Safe to run again: what is
# already installed is reused, and a running voxnb is reported instead of started twice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
unset VIRTUAL_ENV  # another activated venv would make Jupyter list that venv's kernels instead of ours
TORCH_VERSION=2.13.0
# The engines and how each is installed come from their specs (voxnb/engines/<name>/spec.py, read with
# `python3 -m voxnb.engines ...`); their PyTorch builds (the shared 2.8 with torchaudio, or an engine's own
# pins), where each folder goes and whether it fits are decided by voxnb/plan (python3 -m voxnb.plan).
PYTORCH_INDEX=${VOXNB_PYTORCH_INDEX:-https://download.pytorch.org/whl}

find_python() {
  local c
  for c in python3.12 python3.11 python3.10 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}
engines_py() {  # what the engines' specs say, read with the system Python (no environment needed)
  local py=${SYS_PY:-}
  [ -n "$py" ] || py=$(find_python) || { echo "error: no Python 3.10 or newer found" >&2; return 1; }
  (cd "$ROOT" && PYTHONPATH="$ROOT" "$py" -m voxnb.engines "$@")
}

usage() {
  cat <<'EOF'
Usage: bash 1-click-start.sh [options]

Sets up voxnb (Python environment, PyTorch, voxnb, engine weights) and starts JupyterLab
and the Voila dashboard in the background, then prints their URLs.

Options:
  --cpu              ignore any GPU: install the CPU build of PyTorch
EOF
  # the engines, as their specs describe them
  engines_py usage 2>/dev/null || echo "  --engine NAMES     engines to serve, comma-separated (python3 -m voxnb.engines list names them)"
  cat <<'EOF'
  --cosyvoice-src DIR  use this CosyVoice checkout (with its Matcha-TTS submodule) instead of cloning one;
                     for boxes that cannot reach GitHub (also: COSYVOICE_SRC=DIR)
  --accept-licence   accept the engine weights' licences without being asked (F5-TTS: CC-BY-NC 4.0)
  --model-source SRC where engine weights come from: modelscope (default on AutoDL and PAI-DSW) or hf
  --engine-env MODE  shared: engines live in voxnb's environment where their pins allow (default);
                     own: every engine in an environment of its own under envs/<engine>, with a
                     Jupyter kernel "voxnb · <engine>" for notebooks
  --engine-port N    first engine server's port (default 8870; the next engines count up); loopback only
  --max-queue N      requests that may wait per engine server; one more is refused at once (default 8)
  --replicas N|all   serve each engine from N replicas on Ray (all: one per GPU; auto: scaled on queue
                     length); installs ray[serve]; --status lists the replicas
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
  --plan             print what would be done and exit: platform, GPU (compute capability), the PyTorch
                     build and dtype of each engine, every environment, cache, weights and voices folder
                     with the space it needs and the space free there, and where each weight file comes
                     from; exits non-zero where the plan does not fit
  -h, --help         show this help

Environment: VOXNB_HOME (voices, outputs), VOXNB_CACHE (weights cache), VOXNB_RUN_DIR (pids, logs),
VOXNB_ENV_DIR (where the Python environment goes), VOXNB_ENVS_DIR (where the engines' environments go),
VOXNB_DATA_DISK (a big disk for all of these; default /root/autodl-tmp on AutoDL, or where the checkout's
disk has under 40 GB free), VOXNB_PLATFORM (generic|autodl|pai-dsw, to override detection),
COSYVOICE_SRC (a CosyVoice checkout, as --cosyvoice-src).
EOF
}

die() { echo "error: $*" >&2; exit 1; }
say() { echo "==> $*"; }
cli_hint() {  # the environment is not on PATH in the user's shell: say how to reach the command line
  local bin; bin=$(dirname "$PY")
  echo "Command line: $bin/voxnb --help"
  if [ "$ENV_KIND" = conda ]; then echo "  or, in a new shell: conda activate $ENV_DIR && voxnb --help"
  else echo "  or, in a new shell: source $bin/activate && voxnb --help"; fi
  echo "Voices and outputs: \$VOXNB_HOME (${VOXNB_HOME:-~/voxnb-data})"
}

ACCEPT=0; MODEL_SOURCE=""; CPU=0; ENGINE=""; LAB_PORT=""; DASH_PORT=""; HOST=""; LAUNCH=1; ACTION=start
ENGINE_ENV=shared; ENGINE_PORT=8870; MAX_QUEUE=8; MAX_VIEWERS=0; ALLOW_HOSTS=(); REPLICAS=""
TURBO=0; PIP_INDEX=""; HF_ENDPOINT_ARG=""; FORCE_VENV=0; PLAN=0; SRC_ARG=${COSYVOICE_SRC:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) CPU=1 ;;
    --engine) ENGINE=${2:?--engine needs a name}; shift ;;
    --accept-licence|--accept-license) ACCEPT=1 ;;
    --model-source) MODEL_SOURCE=${2:?--model-source needs hf or modelscope}; shift ;;
    --engine-env) ENGINE_ENV=${2:?--engine-env needs shared or own}; shift ;;
    --engine-port) ENGINE_PORT=${2:?--engine-port needs a number}; shift ;;
    --max-queue) MAX_QUEUE=${2:?--max-queue needs a number}; shift ;;
    --replicas) REPLICAS=${2:?--replicas needs a number, all or auto}; shift ;;
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
    --cosyvoice-src) SRC_ARG=${2:?--cosyvoice-src needs a directory}; shift ;;
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
[ -z "$REPLICAS" ] || [[ "$REPLICAS" =~ ^([1-9][0-9]*|all|auto)$ ]] \
  || die "--replicas '$REPLICAS' is not a number of replicas: give 1 or more, all (one per GPU) or auto"
[[ "$MAX_QUEUE" =~ ^[0-9]+$ ]] || die "--max-queue '$MAX_QUEUE' is not a whole number (0 refuses while busy)"
[[ "$MAX_VIEWERS" =~ ^[0-9]+$ ]] || die "--max-viewers '$MAX_VIEWERS' is not a whole number (0 sizes it from memory)"
case "$ENGINE_ENV" in shared|own) ;; *) die "--engine-env must be shared or own (got '$ENGINE_ENV')" ;; esac
case "$MODEL_SOURCE" in ""|hf|modelscope) ;; *) die "--model-source must be hf or modelscope (got '$MODEL_SOURCE')" ;; esac
[ -z "$MODEL_SOURCE" ] || export VOXNB_MODEL_SOURCE=$MODEL_SOURCE

# ---- engines: what each is and how it installs, from its spec ------------------------------------
SYS_PY=$(find_python) || die "no Python 3.10 or newer found. Install one (apt-get install python3 python3-venv) or conda, then run this again."
KNOWN_ENGINES=$(engines_py list | tr '\n' ' ') || die "could not read the engines' specs (python3 -m voxnb.engines list, above)"
KNOWN_ENGINES=${KNOWN_ENGINES% }
[ -n "$ENGINE" ] || ENGINE=${KNOWN_ENGINES%% *}     # the default engine comes first
IFS=, read -r -a ENGINES <<< "$ENGINE"
[ "${#ENGINES[@]}" -gt 0 ] || die "--engine needs at least one name (available: $KNOWN_ENGINES)"
for e in "${ENGINES[@]}"; do
  [[ " $KNOWN_ENGINES " == *" $e "* ]] || die "unknown engine '$e' (available: ${KNOWN_ENGINES// /, })"
done
engine_vars=$(engines_py install "${ENGINES[@]}") || die "could not read how to install $ENGINE (python3 -m voxnb.engines install, above)"
eval "$engine_vars"    # ENGINE_<TITLE|DEVICE|ENV|EXTRA|PYTHON|INSTALLER|SOURCE>_<engine>
engine_info() { local v="ENGINE_$1_$2"; echo "${!v-}"; }    # $1 field, $2 engine
own_env() {  # does engine $1 get an environment of its own? (pins that clash with voxnb's own force it)
  case "$(engine_info ENV "$1")" in
    main) [ "$ENGINE_ENV" = own ] ;;
    *) true ;;
  esac
}
MAIN_EXTRAS=""   # the pyproject extras of the engines that live in voxnb's own environment
for e in "${ENGINES[@]}"; do
  x=$(engine_info EXTRA "$e")
  if [ -n "$x" ] && ! own_env "$e"; then MAIN_EXTRAS="${MAIN_EXTRAS:+$MAIN_EXTRAS,}$x"; fi
done

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
  autodl)  : "${LAB_PORT:=8889}" "${DASH_PORT:=6006}" "${HOST:=0.0.0.0}"    # the data disk: see voxnb/plan
           export VOXNB_MODEL_SOURCE=${VOXNB_MODEL_SOURCE:-modelscope} ;;       # the plan and the fetch agree
  pai-dsw) : "${LAB_PORT:=8889}" "${DASH_PORT:=8866}" "${HOST:=0.0.0.0}"
           export VOXNB_MODEL_SOURCE=${VOXNB_MODEL_SOURCE:-modelscope} ;;
  generic) : "${LAB_PORT:=8888}" "${DASH_PORT:=8866}" "${HOST:=127.0.0.1}" ;;
  *) die "VOXNB_PLATFORM must be generic, autodl or pai-dsw (got '$PLATFORM')" ;;
esac
RUN_DIR=${VOXNB_RUN_DIR:-$ROOT/run}

# ---- GPU, the PyTorch builds, and where everything goes ------------------------------------------------
# The driver's CUDA version (top right of nvidia-smi) bounds the CUDA runtime a wheel may use; the card's
# compute capability decides which builds have kernels for it (sm_120 only in cu128 builds of torch >= 2.7)
# and the dtype each engine runs in. voxnb/plan turns these facts into the plan.
GPU="none"; DRIVER_CUDA=""; GPU_QUERY=""
if [ "$CPU" = 0 ] && command -v nvidia-smi >/dev/null 2>&1; then
  if smi=$(nvidia-smi 2>/dev/null); then
    DRIVER_CUDA=$(printf '%s\n' "$smi" | sed -n 's/.*CUDA Version: *\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' | head -n1)
    # an old driver does not know compute_cap and refuses the whole query: then the name alone
    GPU_QUERY=$(nvidia-smi --query-gpu=name,memory.total,compute_cap,driver_version --format=csv,noheader 2>/dev/null | head -n1 || true)
    case "$GPU_QUERY" in *"not a valid field"*|*"Invalid"*|"") GPU_QUERY=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n1 || true) ;; esac
    GPU=${GPU_QUERY%%,*}
    [ -n "$GPU" ] || GPU="NVIDIA GPU"
    [ -n "$GPU_QUERY" ] || GPU_QUERY=$GPU
  else
    echo "warning: nvidia-smi is present but failed; using the CPU build of PyTorch." >&2
  fi
fi
if [ "$FORCE_VENV" = 0 ] && command -v conda >/dev/null 2>&1; then ENV_KIND=conda; else ENV_KIND=venv; fi
OWN=()
for e in "${ENGINES[@]}"; do if own_env "$e"; then OWN+=("$e"); fi; done
PLAN_ARGS=(--root "$ROOT" --platform "$PLATFORM" --engines "$ENGINE" --env-kind "$ENV_KIND"
           --own "$(IFS=,; echo "${OWN[*]}")" --gpu-query "$GPU_QUERY" --driver-cuda "$DRIVER_CUDA"
           --source-dir "$SRC_ARG")
# --status and --stop only need to find the environment: an old driver must not stand in their way
if [ "$CPU" = 1 ] || [ "$ACTION" != start ]; then PLAN_ARGS+=(--cpu); fi
plan_py() {  # $1 shell|show|check: voxnb/plan with the system Python (no environment needed)
  local action=$1; shift
  (cd "$ROOT" && PYTHONPATH="$ROOT" "$SYS_PY" -m voxnb.plan "$action" "${PLAN_ARGS[@]}" "$@")
}
plan_vars=$(plan_py shell) || exit 1
eval "$plan_vars"    # TORCH_TAG, ENGINE_TORCH_*, OWN_TORCH*_<engine>, OWN_ORT_<engine>, ENV_DIR, DATA_DISK, ENGINE_DIR_<engine>
if [ -n "$DATA_DISK" ]; then   # caches, weights, voices and outputs on the data disk, for every process started here
  export VOXNB_HOME VOXNB_CACHE PIP_CACHE_DIR HF_HOME MODELSCOPE_CACHE UV_CACHE_DIR
  [ -z "${CONDA_PKGS_DIRS:-}" ] || export CONDA_PKGS_DIRS
fi
if [ -n "$DRIVER_CUDA" ] && [ "$TORCH_TAG" = cpu ] && [ "$CPU" = 0 ]; then
  echo "warning: the driver supports CUDA $DRIVER_CUDA, older than any PyTorch $TORCH_VERSION build; using the CPU build (update the driver for the GPU)." >&2
fi
if [ "$TORCH_TAG" = cpu ]; then TORCH_INDEX=""; else TORCH_INDEX="$PYTORCH_INDEX/$TORCH_TAG"; fi
if [ "$ENGINE_TORCH_TAG" = cpu ]; then ENGINE_TORCH_INDEX=""; else ENGINE_TORCH_INDEX="$PYTORCH_INDEX/$ENGINE_TORCH_TAG"; fi
engine_dir() { local v="ENGINE_DIR_$1"; echo "${!v:-$ROOT/envs/$1}"; }
PY="$ENV_DIR/bin/python"

# ---- an engine built from its source (not on PyPI): its own Python and a pinned checkout -------------
# The engine's installer module (its spec's Install.installer) says where the source comes from, at which
# commit, what a usable checkout holds and what must then import; it is read and run as a file, so no voxnb
# import is needed (voxnb's environment may not exist yet). --cosyvoice-src / COSYVOICE_SRC give a checkout.
SRC_ENGINE=""; SRC_TITLE=""; SRC_INSTALL=""; SRC_URL=""; SRC_COMMIT=""; SRC_PYTHON=""; SRC=""
SRC_PIN=""; SRC_CHECKOUT=""; SRC_PATHS=""; SRC_IMPORTS=""; SRC_APT=""; SRC_TORCH=""; SRC_TORCH_TAG=""; SRC_ORT=""
wants_engine() { [[ " ${ENGINES[*]} " == *" $1 "* ]]; }
from_source() { [ -n "$(engine_info INSTALLER "$1")" ]; }
cache_root() {  # voxnb.paths.cache_dir(): $VOXNB_CACHE, else AutoDL's data disk, else ~/.cache/voxnb
  local c=${VOXNB_CACHE:-}
  if [ -z "$c" ]; then
    if [ -d /root/autodl-tmp ]; then c=/root/autodl-tmp/voxnb-cache; else c=$HOME/.cache/voxnb; fi
  fi
  echo "${c/#\~/$HOME}"
}
src_load() {  # $1 engine: SRC_* from its spec, the plan's PyTorch pins for it and its installer's pins
  local py=$PY meta v
  SRC_ENGINE=$1; SRC_TITLE=$(engine_info TITLE "$1"); SRC_INSTALL=$(engine_info INSTALLER "$1")
  SRC_PYTHON=$(engine_info PYTHON "$1")
  v="OWN_TORCH_$1"; SRC_TORCH=${!v-}; v="OWN_TORCH_TAG_$1"; SRC_TORCH_TAG=${!v-}; v="OWN_ORT_$1"; SRC_ORT=${!v-}
  v="SRC_DIR_$1"; SRC=${!v-}
  [ -x "$py" ] || py=$(find_python) || die "no Python 3.10 or newer found to read $SRC_INSTALL"
  meta=$("$py" -c 'import runpy, sys; g = runpy.run_path(sys.argv[1])
for k in ("REPO_URL", "COMMIT", "TORCH_PIN"): print(g.get(k, ""))
for k in ("CHECKOUT", "PATHS", "IMPORTS", "APT"): print(" ".join(g.get(k, ())))' "$SRC_INSTALL") \
    || die "could not read $SRC_TITLE's pinned commit from $SRC_INSTALL"
  { read -r SRC_URL; read -r SRC_COMMIT; read -r SRC_PIN; read -r SRC_CHECKOUT; read -r SRC_PATHS; read -r SRC_IMPORTS
    read -r SRC_APT; } <<< "$meta"
}
src_missing() {  # $1 dir: print what a usable checkout lacks; nothing if it is one
  local f
  for f in $SRC_CHECKOUT; do
    [ -e "$1/$f" ] || { echo "$f"; return 0; }
  done
}
src_manual() {  # how to fetch the source by hand where GitHub is reachable
  local name; name=$(engine_info SOURCE "$SRC_ENGINE")
  echo "  git clone --recursive $SRC_URL $name && cd $name && git checkout $SRC_COMMIT && git submodule update --init --recursive"
  echo "then copy that folder to this machine and run again with --cosyvoice-src DIR (or COSYVOICE_SRC=DIR)."
}
find_py310() {  # a Python $SRC_PYTHON that can make a venv: on PATH, or pyenv's
  local c
  for c in "$(command -v "python$SRC_PYTHON" 2>/dev/null || true)" "$HOME"/.pyenv/versions/"$SRC_PYTHON".*/bin/python"$SRC_PYTHON"; do
    if [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != tuple(map(int, sys.argv[1].split("."))))' "$SRC_PYTHON" >/dev/null 2>&1; then
      echo "$c"; return 0
    fi
  done
  return 1
}
src_python_plan() {  # how envs/<engine> gets its Python, in words
  local py310
  if [ "$ENV_KIND" = conda ]; then echo "conda create python=$SRC_PYTHON"
  elif py310=$(find_py310); then echo "venv from $py310"
  elif command -v uv >/dev/null 2>&1 || [ -x "$ENV_DIR/bin/uv" ]; then echo "uv venv --python $SRC_PYTHON"
  else echo "uv venv --python $SRC_PYTHON, uv installed into voxnb's environment"
  fi
}
src_git() {  # git, through AutoDL's proxy when it has one (as fetch_weights does for the hub)
  if [ "$PLATFORM" = autodl ] && [ -f /etc/network_turbo ] && [ "$TURBO" = 0 ]; then
    # shellcheck disable=SC1091
    (source /etc/network_turbo >/dev/null 2>&1; git "$@")
  else
    git "$@"
  fi
}
src_source() {  # $1 dir: the source at $SRC_COMMIT with its submodules there, cloned or reused
  local dir=$1 tmp head
  command -v git >/dev/null 2>&1 \
    || die "git is needed to fetch $SRC_TITLE's source (apt-get install git), or pass a checkout with --cosyvoice-src DIR"
  if [ -e "$dir/.git" ]; then
    head=$(git -C "$dir" rev-parse HEAD 2>/dev/null || true)
    if [ "$head" = "$SRC_COMMIT" ] && [ -z "$(src_missing "$dir")" ]; then
      say "$SRC_TITLE source at ${SRC_COMMIT:0:7} ($dir)"; return 0
    fi
    say "moving $SRC_TITLE's source to ${SRC_COMMIT:0:7} ($dir)"
    if ! { { git -C "$dir" cat-file -e "$SRC_COMMIT^{commit}" 2>/dev/null || src_git -C "$dir" fetch -q origin; } \
           && git -C "$dir" checkout -q --force "$SRC_COMMIT" \
           && src_git -C "$dir" submodule update -q --init --recursive --force; }; then
      die "could not update $dir to $SRC_COMMIT from $SRC_URL (offline, or GitHub blocked?). Fetch it by hand:
$(src_manual)"
    fi
  elif [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    die "$dir is in the way: not a git checkout of $SRC_TITLE. Move it away, or pass it with --cosyvoice-src DIR if it is one."
  else
    say "cloning $SRC_TITLE's source at ${SRC_COMMIT:0:7} into $dir"
    tmp="$dir.partial"; rm -rf "$tmp"; mkdir -p "$(dirname "$dir")"
    if ! { src_git clone -q "$SRC_URL" "$tmp" && git -C "$tmp" checkout -q "$SRC_COMMIT" \
           && src_git -C "$tmp" submodule update -q --init --recursive; }; then
      rm -rf "$tmp"
      die "could not clone $SRC_URL (offline, or GitHub blocked?). $SRC_TITLE is not on PyPI; on AutoDL try --network-turbo, or fetch it where GitHub is reachable:
$(src_manual)"
    fi
    rm -rf "$dir"; mv "$tmp" "$dir"
  fi
  local missing; missing=$(src_missing "$dir")
  [ -z "$missing" ] || die "$dir at $SRC_COMMIT has no $missing; remove the folder and run again"
}
src_preflight() {  # $1 engine, before any long install: its source is there (or given) and the commit known
  src_load "$1"
  if [ -n "$SRC_ARG" ]; then
    [ -d "$SRC_ARG" ] || die "--cosyvoice-src / COSYVOICE_SRC: '$SRC_ARG' is not a directory. Give a $SRC_TITLE checkout with its submodules, or leave both unset to clone one:
$(src_manual)"
    SRC=$(cd "$SRC_ARG" && pwd)
    local missing; missing=$(src_missing "$SRC")
    [ -z "$missing" ] || die "--cosyvoice-src / COSYVOICE_SRC: $SRC is not a $SRC_TITLE checkout with its submodules (no $missing). Fetch one with:
$(src_manual)"
    local head; head=$(git -C "$SRC" rev-parse HEAD 2>/dev/null || true)
    if [ -n "$head" ] && [ "$head" != "$SRC_COMMIT" ]; then
      echo "warning: $SRC is at ${head:0:7}, not the pinned ${SRC_COMMIT:0:7}; using it as it is." >&2
    fi
    say "$SRC_TITLE source: $SRC (given)"
  else
    SRC="$(cache_root)/src/$(engine_info SOURCE "$1")"
    src_source "$SRC"
  fi
  printf -v "SRC_DIR_$1" '%s' "$SRC"
  say "$SRC_TITLE's environment: Python $SRC_PYTHON ($(src_python_plan))"
}

if [ "$PLAN" = 1 ]; then
  echo "platform:    $PLATFORM"
  echo "gpu:         $GPU${DRIVER_CUDA:+ (driver CUDA $DRIVER_CUDA)}"
  echo "torch:       torch==$TORCH_VERSION ($TORCH_TAG)${TORCH_INDEX:+ from $TORCH_INDEX}"
  echo "environment: $ENV_KIND at $ENV_DIR"
  for e in "${ENGINES[@]}"; do
    if own_env "$e"; then where="own environment $(engine_dir "$e")"; else where="voxnb's environment"; fi
    if from_source "$e"; then
      src_load "$e"
      if [ -n "$SRC_ARG" ]; then src=$SRC_ARG; state="given"
        [ -z "$(src_missing "$src")" ] || state="given, but not a $SRC_TITLE checkout with its submodules"
      else src="$(cache_root)/src/$(engine_info SOURCE "$e")"; state="to clone from $SRC_URL"
        [ "$(git -C "$src" rev-parse HEAD 2>/dev/null || true)" != "$SRC_COMMIT" ] || state="present"
      fi
      torch_pin=$(sed -n 's/^torch==\([^ ;]*\).*/\1/p' "$src/requirements.txt" 2>/dev/null | head -n1 || true)
      if [ "$SRC_TORCH" = "${torch_pin:-$SRC_PIN}" ]; then torch_pin="torch==$SRC_TORCH+torchaudio ($SRC_TORCH_TAG) as its requirements.txt pins"
      else torch_pin="torch==$SRC_TORCH+torchaudio ($SRC_TORCH_TAG) instead of its requirements.txt's ${torch_pin:-$SRC_PIN}"; fi
      where="$where, Python $SRC_PYTHON ($(src_python_plan)), $torch_pin, $SRC_ORT"
      where="$where, weights from ${VOXNB_MODEL_SOURCE:-the default hub}"
      echo "engine:      $e ($where)"
      echo "source:      $e at commit $SRC_COMMIT in $src ($state)"
      continue
    fi
    if [ "$(engine_info ENV "$e")" = engines ]; then where="$where, torch==$ENGINE_TORCH_VERSION+torchaudio ($ENGINE_TORCH_TAG), weights from ${VOXNB_MODEL_SOURCE:-the default hub}"; fi
    echo "engine:      $e ($where)"
  done
  echo "engine port: $ENGINE_PORT (loopback), queue limit $MAX_QUEUE${REPLICAS:+, $REPLICAS replicas each on Ray}"
  echo "servers:     JupyterLab on $HOST:$LAB_PORT, dashboard on $HOST:$DASH_PORT"
  echo "run dir:     $RUN_DIR"
  plan_py show --python "$([ -x "$PY" ] && echo "$PY" || echo "$SYS_PY")"; exit $?
fi

launcher() { "${LAUNCH_PY:-$PY}" -m voxnb.launch.jupyter "$@"; }
if [ "$ACTION" = status ] || [ "$ACTION" = stop ]; then
  LAUNCH_PY=$PY; [ -x "$PY" ] || LAUNCH_PY=$(find_python) || die "no Python 3.10+ found"
  cd "$ROOT"; launcher "$ACTION" --run-dir "$RUN_DIR"; exit $?
fi

# Refuse early (before minutes of installing) if a port is taken by something else.
if [ "$LAUNCH" = 1 ] && [ -f "$RUN_DIR/state.json" ] && [ -x "$PY" ] && (cd "$ROOT" && launcher status --run-dir "$RUN_DIR" >/dev/null 2>&1); then
  say "voxnb is already running"; cd "$ROOT"; launcher status --run-dir "$RUN_DIR"; cli_hint; exit 0
fi
if [ "$LAUNCH" = 1 ] && [ ! -f "$RUN_DIR/state.json" ]; then
  (cd "$ROOT" && "$SYS_PY" -m voxnb.launch.jupyter check-port "$LAB_PORT" --host "$HOST" --flag=--lab-port) || exit 1
  (cd "$ROOT" && "$SYS_PY" -m voxnb.launch.jupyter check-port "$DASH_PORT" --host "$HOST" --flag=--dash-port) || exit 1
fi

if [ "$TURBO" = 1 ]; then
  [ -f /etc/network_turbo ] || die "--network-turbo: /etc/network_turbo not found (it exists only on AutoDL)"
  # shellcheck disable=SC1091
  source /etc/network_turbo
fi
[ -z "$PIP_INDEX" ] || export PIP_INDEX_URL=$PIP_INDEX
[ -z "$HF_ENDPOINT_ARG" ] || export HF_ENDPOINT=$HF_ENDPOINT_ARG
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Every environment, cache and weights folder must fit on its disk before anything is installed
plan_py check || exit 1
# CosyVoice's source and Python come first: a box that cannot reach GitHub learns it in seconds, not
# after voxnb's environment has been installed
for e in "${ENGINES[@]}"; do if from_source "$e"; then src_preflight "$e"; fi; done



RAY_PIN="ray[serve]>=2.49,<3"   # as pyproject's cluster extra: voxnb serve --replicas, voxnb batch --ray
# Reinstall only when what decides the environment changed.
STAMP="$ENV_DIR/.voxnb-stamp"
want_stamp=$(cat "$ROOT/pyproject.toml" "$ROOT/environment.yml" | sha256sum | cut -c1-16)-$TORCH_TAG-compat
MAIN_TARGET=$ROOT; main_stamp=$want_stamp    # voxnb, with the extras of the engines that share its environment
if [ -n "$MAIN_EXTRAS" ]; then MAIN_TARGET="${ROOT}[$MAIN_EXTRAS]"; main_stamp="$want_stamp-$MAIN_EXTRAS"; fi
# A plain path entry, not an import hook: with the hook, `python` started in the folder that holds
# this checkout (git clone into ~ makes ~/voxnb) imports the checkout as an empty namespace package.
EDITABLE=(--config-settings editable_mode=compat)
mkdir -p "$RUN_DIR"; PIP_LOG="$RUN_DIR/pip-install.log"
pip_q() {  # quiet unless it fails; the full log stays in the run dir
  "$PY" -m pip install -q "$@" >>"$PIP_LOG" 2>&1 || { tail -n 30 "$PIP_LOG" >&2; echo "(full log: $PIP_LOG)" >&2; return 1; }
}
link_into_checkout() {  # $1 env dir on the data disk, $2 its usual place in the checkout: a symlink there,
  # so envs/<engine> and .venv still name it (an install that is already in the checkout stays where it is)
  [ "$1" != "$2" ] || return 0
  if [ -L "$2" ] && [ ! -e "$2" ]; then rm -f "$2"; fi          # the data disk's folder was removed
  [ -e "$2" ] || { mkdir -p "$(dirname "$2")" && ln -s "$1" "$2"; } || true
}
mkdir -p "$(dirname "$ENV_DIR")"
[ -z "$DATA_DISK" ] || [ -n "${VOXNB_ENV_DIR:-}" ] || link_into_checkout "$ENV_DIR" "$ROOT/$(basename "$ENV_DIR")"
if [ -x "$PY" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$main_stamp" ]; then
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
    pip_q --no-deps "${EDITABLE[@]}" -e "$ROOT" || die "pip install -e . failed"
    [ -z "$MAIN_EXTRAS" ] || pip_q "${EDITABLE[@]}" -e "$MAIN_TARGET" || die "pip install -e .[$MAIN_EXTRAS] failed"
  else
    [ -x "$PY" ] || "$SYS_PY" -m venv "$ENV_DIR" || die "could not create a venv at $ENV_DIR (Debian/Ubuntu: apt-get install python3-venv)"
    pip_q --upgrade pip || true
    if [ -n "$TORCH_INDEX" ]; then
      pip_q "torch==$TORCH_VERSION" --extra-index-url "$TORCH_INDEX" || die "installing PyTorch ($TORCH_TAG) failed"
    else
      pip_q "torch==$TORCH_VERSION" || die "installing PyTorch failed"
    fi
    pip_q "${EDITABLE[@]}" -e "$MAIN_TARGET" || die "pip install -e . failed (see above)"
  fi
  "$PY" -m ipykernel install --sys-prefix --name voxnb --display-name "voxnb (Python)" >/dev/null \
    || die "registering the Jupyter kernel failed"
  echo "$main_stamp" > "$STAMP"
fi

# voxnb dub speeds up a cue that overruns its slot with the Rubber Band library where its program is
# installed (else with librosa's phase vocoder, which smears consonants more): installed where we may
if ! command -v rubberband >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q rubberband-cli >>"$PIP_LOG" 2>&1 \
    || say "note: rubberband-cli not installed (apt-get install rubberband-cli); voxnb dub stretches with librosa"
fi

# ---- engine environments and weights ------------------------------------------------------------
ENGINE_ARGS=()
src_apt() {  # the system packages the installer names (CosyVoice: sox); installed where we may, else said
  local first=${SRC_APT%% *}
  [ -n "$SRC_APT" ] || return 0
  command -v "$first" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $SRC_APT (for $SRC_TITLE)" >&2
    # shellcheck disable=SC2086
    if { DEBIAN_FRONTEND=noninteractive apt-get install -y -q $SRC_APT \
         || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $SRC_APT; }; } >>"$PIP_LOG" 2>&1; then
      return 0
    fi
  fi
  echo "warning: $first not installed; $SRC_TITLE runs without it (apt-get install $SRC_APT)" >&2
}
src_uv() {  # print a uv: on PATH, in voxnb's environment, or installed there now
  command -v uv 2>/dev/null && return 0
  [ -x "$ENV_DIR/bin/uv" ] || pip_q uv >&2 || return 1
  echo "$ENV_DIR/bin/uv"
}
src_python() {  # $1 dir: a Python $SRC_PYTHON environment with pip there
  local dir=$1 epy="$1/bin/python" py310 uv
  if [ -x "$epy" ] && ! "$epy" -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, sys.argv[1].split("."))))' "$SRC_PYTHON"; then
    echo "$dir is not Python $SRC_PYTHON: making it again" >&2; rm -rf "$dir"
  fi
  [ -x "$epy" ] && return 0
  if [ "$ENV_KIND" = conda ]; then
    conda create -y -q -p "$dir" "python=$SRC_PYTHON" pip >&2 && return 0
    echo "error: conda create -p $dir python=$SRC_PYTHON failed (see above)" >&2; return 1
  fi
  if py310=$(find_py310) && "$py310" -m venv "$dir" >&2; then return 0; fi
  rm -rf "$dir"
  if uv=$(src_uv) && "$uv" venv -q --seed --python "$SRC_PYTHON" "$dir" >&2; then return 0; fi
  rm -rf "$dir"
  echo "error: $SRC_TITLE needs Python $SRC_PYTHON and none could be made here (no conda, no python$SRC_PYTHON with venv, and uv could not download one: it fetches Python from GitHub, or from UV_PYTHON_INSTALL_MIRROR). Install conda (AutoDL and PAI-DSW images have it), or Python $SRC_PYTHON with venv: apt-get install python$SRC_PYTHON-venv (Ubuntu 22.04), or from the deadsnakes PPA on other Ubuntu releases; then run this again." >&2
  return 1
}
src_packages() {  # $1 env python: the checkout's requirements, then voxnb; the checkout importable through a .pth
  local epy=$1 req="$RUN_DIR/$SRC_ENGINE-requirements.txt" gpu=() torch=() site p
  [ "$GPU" = none ] || gpu=(--gpu)
  # torch, torchaudio and onnxruntime-gpu as voxnb/plan chose them with the spec's Install.torch hook (why:
  # the comments there; CosyVoice: the CUDA 11.8 build of its pinned 2.3.1 beside onnxruntime-gpu 1.18.0, or
  # 2.7.1+cu128 with onnxruntime-gpu 1.22 on Blackwell). --torch also moves the pins that cannot stay beside
  # a newer torch (the installer's TORCH_BOUND).
  "$epy" "$SRC_INSTALL" requirements "$SRC/requirements.txt" --legacy without --torch "$SRC_TORCH" ${gpu[@]+"${gpu[@]}"} >"$req" \
    || { echo "error: could not read $SRC/requirements.txt" >&2; return 1; }
  sed -i -e "s/^onnxruntime-gpu==.*/$SRC_ORT/" "$req"
  if [ "$SRC_TORCH_TAG" != cpu ]; then
    PY=$epy pip_q "torch==$SRC_TORCH+$SRC_TORCH_TAG" "torchaudio==$SRC_TORCH+$SRC_TORCH_TAG" \
      --extra-index-url "$PYTORCH_INDEX/$SRC_TORCH_TAG" || return 1
  fi
  PY=$epy pip_q -r "$req" || return 1
  # openai-whisper's sdist imports pkg_resources: built without isolation, against setuptools < 81
  PY=$epy pip_q "setuptools<81" wheel || return 1
  "$epy" "$SRC_INSTALL" requirements "$SRC/requirements.txt" --legacy only --torch "$SRC_TORCH" >"$req.legacy" || return 1
  [ ! -s "$req.legacy" ] || PY=$epy pip_q --no-build-isolation -r "$req.legacy" || return 1
  PY=$epy pip_q "${EDITABLE[@]}" -e "${ROOT}[$(engine_info EXTRA "$SRC_ENGINE")]" || return 1
  if [ "${#gpu[@]}" -gt 0 ] && grep -q '^onnxruntime-gpu' "$req"; then
    # voxnb's onnxruntime (CPU) shares the onnxruntime package's files: put the GPU build's back on top
    PY=$epy pip_q --force-reinstall --no-deps "$(grep '^onnxruntime-gpu' "$req" | head -n1)" || return 1
  fi
  site=$("$epy" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') || return 1
  for p in $SRC_PATHS; do if [ "$p" = . ]; then echo "$SRC"; else echo "$SRC/$p"; fi; done >"$site/voxnb-$SRC_ENGINE.pth"
  [ -z "$SRC_IMPORTS" ] || "$epy" -c 'import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]' $SRC_IMPORTS >&2 \
    || { echo "error: $SRC_IMPORTS do not import from $SRC in $epy" >&2; return 1; }
  # pip replaces torch without failing where a later requirement wants another (it did for openai-whisper)
  "$epy" -c 'import sys, torch; sys.exit(torch.__version__.split("+")[0] != sys.argv[1])' "$SRC_TORCH" \
    || { echo "error: $epy has torch $("$epy" -c 'import torch; print(torch.__version__)' 2>&1 | tail -n1), not the planned $SRC_TORCH: a requirement pulled another in (see $PIP_LOG)" >&2; return 1; }
}
engine_env() {  # $1 engine: make envs/$1 with voxnb in it, register its kernel, print its python
  local name=$1 dir epy stamp want="$want_stamp-$1"
  dir=$(engine_dir "$1"); epy="$dir/bin/python"; stamp="$dir/.voxnb-stamp"
  mkdir -p "$(dirname "$dir")"
  [ -z "$DATA_DISK" ] || link_into_checkout "$dir" "$ROOT/envs/$name"
  # a CPU torch left by an older script on a GPU box is replaced
  if [ "$(engine_info ENV "$name")" = engines ]; then want="$want-$ENGINE_TORCH_VERSION-$ENGINE_TORCH_TAG"; fi
  if from_source "$name"; then   # a new pin, another checkout or its requirements: install again
    src_load "$name"
    want="$want-${SRC_COMMIT:0:12}-$( { echo "$SRC $GPU $SRC_TORCH $SRC_TORCH_TAG $SRC_ORT"; cat "$SRC/requirements.txt"; } | sha256sum | cut -c1-8)"
  fi
  if [ -x "$epy" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then echo "$epy"; return 0; fi
  say "environment for the $name engine ($dir)" >&2
  if from_source "$name"; then
    src_apt
    src_python "$dir" || return 1
  elif [ "$ENV_KIND" = conda ]; then
    [ -x "$epy" ] || conda create -y -q -p "$dir" "python=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" pip >&2 \
      || { echo "error: conda create for $name failed" >&2; return 1; }
  else
    [ -x "$epy" ] || "$SYS_PY" -m venv "$dir" >&2 || { echo "error: could not create a venv at $dir" >&2; return 1; }
  fi
  PY=$epy pip_q --upgrade pip || true
  if from_source "$name"; then
    src_packages "$epy" || return 1
  else
    local torch=("torch==$TORCH_VERSION") index=$TORCH_INDEX target=$ROOT extra
    extra=$(engine_info EXTRA "$name")
    [ -z "$extra" ] || target="${ROOT}[$extra]"     # the engine's package(s) and modelscope
    if [ "$(engine_info ENV "$name")" = engines ]; then
      torch=("torch==$ENGINE_TORCH_VERSION" "torchaudio==$ENGINE_TORCH_VERSION"); index=$ENGINE_TORCH_INDEX
      if [ "$ENGINE_TORCH_TAG" != cpu ]; then torch=("${torch[@]/%/+$ENGINE_TORCH_TAG}"); fi  # never a CPU wheel by mistake
    fi
    if [ -n "$index" ]; then
      PY=$epy pip_q "${torch[@]}" --extra-index-url "$index" || return 1
    else
      PY=$epy pip_q "${torch[@]}" || return 1
    fi
    PY=$epy pip_q "${EDITABLE[@]}" -e "$target" || return 1
  fi
  # the kernel spec goes where voxnb's own Jupyter looks, and starts this environment's Python
  "$epy" -m ipykernel install --prefix "$ENV_DIR" --name "voxnb-$name" --display-name "voxnb · $name" >/dev/null \
    || { echo "error: registering the voxnb · $name kernel failed" >&2; return 1; }
  echo "$want" > "$stamp"
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
  if [ "$(engine_info DEVICE "$e")" = cuda ] && [ "$GPU" != none ] && [ "$ASR_DONE" = 0 ]; then
    # the reference transcript these engines need, in English or Mandarin (the CPU tiny.en is English only)
    say "reference ASR weights (Whisper large-v3-turbo)"
    fetch_weights "$EPY" whisper || echo "warning: no Whisper weights; transcripts fall back to English-only tiny.en (type Mandarin ones)" >&2
    ASR_DONE=1
  fi
  [ "$EPY" = "$PY" ] || ENGINE_ARGS+=(--engine-python "$e=$EPY")
  if [ -n "$REPLICAS" ] && ! "$EPY" -c "import ray.serve" >/dev/null 2>&1; then   # replicas are Ray Serve's
    say "installing Ray for $e's replicas"
    PY=$EPY pip_q "$RAY_PIN" || die "installing $RAY_PIN into $e's environment failed"
  fi
done
[ -z "$REPLICAS" ] || ENGINE_ARGS+=(--replicas "$REPLICAS")

if [ "$TURBO" = 1 ]; then unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY; fi
if [ "$LAUNCH" = 0 ]; then
  say "set up done. Launch with: bash 1-click-start.sh"
  cli_hint
  exit 0
fi
say "starting the engine server(s) ($ENGINE), JupyterLab and the dashboard"
cd "$ROOT"
launcher start --root "$ROOT" --run-dir "$RUN_DIR" --lab-port "$LAB_PORT" \
  --dash-port "$DASH_PORT" --host "$HOST" --platform "$PLATFORM" --python "$PY" \
  --engines "$ENGINE" --engine-port "$ENGINE_PORT" --max-queue "$MAX_QUEUE" --max-viewers "$MAX_VIEWERS" \
  ${ENGINE_ARGS[@]+"${ENGINE_ARGS[@]}"} ${ALLOW_HOSTS[@]+"${ALLOW_HOSTS[@]}"} || exit $?
cli_hint
