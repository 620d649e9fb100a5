"""Start, report and stop the JupyterLab and Voila servers that 1-click-start.sh launches.

Standard library only, so it also runs before the environment is complete. State (pids,
ports, token, URLs) lives in one JSON file in the run directory; logs sit beside it.

    python -m voxnb.launch.jupyter start --root . --run-dir run --lab-port 8888 --dash-port 8866
    python -m voxnb.launch.jupyter status --run-dir run
    python -m voxnb.launch.jupyter stop --run-dir run
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import engines as launch_engines

DASHBOARD = "notebooks/dashboard.ipynb"
WS_MAX_BYTES = 64 * 2**20     # Voila's websocket limit; a 30 s WAV or a few-MB mp3 must upload
CULL_IDLE_S = 1800            # a viewer's kernel (and its model, ~500 MB) is freed after 30 idle minutes
READY_TIMEOUT_S = 180
ENGINE_READY_TIMEOUT_S = 900  # a GPU engine's first load reads GBs of weights from a network disk


class LaunchError(Exception):
    pass


def port_owner(port: int) -> str:
    """'PID 123 (cmdline)' of the process listening on ``port``, read from /proc; '' if unknown."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(f[9])
    for pid_dir in Path("/proc").glob("[0-9]*"):
        try:
            for fd in (pid_dir / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    cmd = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                    return f"PID {pid_dir.name} ({cmd[:80]})"
        except OSError:
            continue
    return ""


def check_port(port: int, host: str, flag: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return
        except OSError:
            pass
    owner = port_owner(port) or "another process"
    raise LaunchError(f"Port {port} is in use by {owner}. Stop it, or choose another port with {flag} N.")


def http_ok(url: str, timeout: float = 3.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return 0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


def public_urls(state: dict) -> dict:
    platform, host = state["platform"], state["display_host"]
    lab = f"http://{host}:{state['lab']['port']}/lab?token={state['token']}"
    dash = f"http://{host}:{state['dash']['port']}{state['dash']['base_url']}"
    urls = {"jupyterlab": lab, "dashboard": dash}
    if platform == "autodl":
        urls["note"] = (f"AutoDL: open the console's custom service (自定义服务) for port {state['dash']['port']}; "
                        "it gives the public dashboard URL. JupyterLab is reached through an SSH tunnel.")
    elif platform == "pai-dsw":
        urls["dashboard"] = f"<your DSW JupyterLab URL, with /lab replaced by>{state['dash']['base_url']}"
        urls["note"] = ("PAI-DSW: the dashboard is served through JupyterLab's proxy; the URL needs your DSW "
                        "login, so share it only with people in your workspace.")
    return urls


def _spawn(cmd: list[str], log: Path, cwd: Path, env: dict) -> int:
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                                env=env, start_new_session=True)
    return proc.pid


def _terminate(pid: int, wait_s: float = 10.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except OSError:
            return
        deadline = time.time() + wait_s
        while time.time() < deadline:
            if not alive(pid):
                return
            time.sleep(0.2)


def commands(args, token: str, python: str) -> dict[str, list[str]]:
    lab = [python, "-m", "jupyterlab", "--no-browser", f"--ServerApp.ip={args.host}",
           f"--ServerApp.port={args.lab_port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={args.root}",
           "--ServerApp.allow_remote_access=True"]
    if os.geteuid() == 0:  # rented GPU boxes (AutoDL, DSW) log you in as root
        lab.append("--ServerApp.allow_root=True")
    base = f"/proxy/{args.dash_port}/" if args.platform == "pai-dsw" else "/"
    dash = [python, "-m", "voxnb.dashboard.server", DASHBOARD, f"--Voila.root_dir={args.root}", "--no-browser",
            f"--Voila.ip={args.host}", f"--Voila.port={args.dash_port}", "--Voila.port_retries=0",
            # behind a prefix-stripping proxy (PAI-DSW's /proxy/<port>/) the server answers at / while
            # pages ask for their assets under the proxy path
            "--Voila.server_url=/", f"--Voila.base_url={base}",
            # serve no file from disk at all: uploads, voices and outputs are never reachable by URL
            "--VoilaConfiguration.file_allowlist=[]",
            # JSON, not key=value: the key=value form hands tornado a string and breaks every websocket
            f'--Voila.tornado_settings={{"websocket_max_message_size": {WS_MAX_BYTES}}}',
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            "--MappingKernelManager.cull_interval=60", "--MappingKernelManager.cull_connected=True",
            "--VoilaConfiguration.show_tracebacks=False",
            # voxnb.dashboard.server's own: a cap on viewers (0: sized from memory), Host names answered
            f"--max-viewers={args.max_viewers}", *[f"--allow-host={h}" for h in args.allow_host]]
    if args.viewer_grace is not None:
        dash.append(f"--viewer-grace={args.viewer_grace}")
    if args.platform in ("autodl", "pai-dsw"):
        # their proxies pass on the public host name they were reached under, which we cannot know;
        # that proxy is the only way a browser reaches this port, so no rebinding page can get here
        dash.append("--allow-host=*")
    return {"lab": lab, "dash": dash, "dash_base": base}


def start(args) -> int:
    run = Path(args.run_dir)
    run.mkdir(parents=True, exist_ok=True)
    state_file = run / "state.json"
    current = load_state(run)
    # local traffic must not go through a download proxy; another venv's VIRTUAL_ENV would hide our kernels
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy") and k != "VIRTUAL_ENV"}
    if current and all(alive(current[k]["pid"]) for k in ("lab", "dash")):
        dead = [n for n, e in current.get("engines", {}).items() if not alive(e["pid"])]
        if dead:   # viewers keep their kernels: only the stopped engines start again, on the same port and token
            restarted = {n: current["engines"][n] for n in dead}
            _start_engines(restarted, args, env)
            _write_state(state_file, current)
            failed = launch_engines.wait_ready(restarted, alive, time.time() + args.engine_timeout)
            if failed:
                name, why = next(iter(failed.items()))
                raise LaunchError(f"The {name} engine server {why}.\n"
                                  f"Last lines of its log:\n{_tail(restarted[name]['log'])}")
            print(f"restarted the {', '.join(dead)} engine server(s).")
        print("voxnb is already running (use --stop first to restart it):")
        print_urls(current)
        return 0
    if current:  # part of it died: stop the rest rather than leave half a voxnb running
        _stop_all(current)
        state_file.unlink(missing_ok=True)
    check_port(args.lab_port, args.host, "--lab-port")
    check_port(args.dash_port, args.host, "--dash-port")
    if args.lab_port == args.dash_port:
        raise LaunchError("--lab-port and --dash-port must differ.")
    names = [n for n in args.engines.split(",") if n]
    pythons = dict(p.split("=", 1) for p in args.engine_python)
    engines = launch_engines.plan(names, args.engine_port, pythons, args.python or sys.executable, run)
    for name, e in engines.items():
        if e["port"] in (args.lab_port, args.dash_port):
            raise LaunchError(f"The {name} engine's port {e['port']} is the Lab's or the dashboard's: "
                              "choose another with --engine-port N.")
        check_port(e["port"], launch_engines.ENGINE_HOST, "--engine-port")
    token = secrets.token_hex(24)
    cmds = commands(args, token, args.python or sys.executable)
    state = {"platform": args.platform, "display_host": args.display_host or _display_host(args.host),
             "token": token, "root": str(args.root), "started": time.time(), "engines": engines,
             "lab": {"port": args.lab_port, "log": str(run / "jupyterlab.log")},
             "dash": {"port": args.dash_port, "log": str(run / "dashboard.log"), "base_url": cmds["dash_base"]}}
    # engines first: the dashboard's kernels find them through VOXNB_SERVERS from the moment they start
    _start_engines(engines, args, env)
    _write_state(state_file, state)
    failed = launch_engines.wait_ready(engines, alive, time.time() + args.engine_timeout)
    if failed:
        _stop_all(state)
        state_file.unlink(missing_ok=True)
        name, why = next(iter(failed.items()))
        raise LaunchError(f"The {name} engine server {why}; nothing was started.\n"
                          f"Last lines of its log:\n{_tail(engines[name]['log'])}")
    if engines:
        env[launch_engines.SERVERS_ENV] = launch_engines.servers_env(engines)
    state["lab"]["pid"] = _spawn(cmds["lab"], Path(state["lab"]["log"]), Path(args.root), env)
    state["dash"]["pid"] = _spawn(cmds["dash"], Path(state["dash"]["log"]), Path(args.root), env)
    _write_state(state_file, state)
    probes = {"lab": f"http://127.0.0.1:{args.lab_port}/api/status?token={token}",
              "dash": f"http://127.0.0.1:{args.dash_port}/voila/static/voila.js"}
    deadline = time.time() + args.timeout
    pending = dict(probes)
    while pending and time.time() < deadline:
        for k in list(pending):
            if not alive(state[k]["pid"]):
                break
            if http_ok(pending[k]) == 200:
                del pending[k]
        else:
            time.sleep(0.5)
            continue
        break
    if pending:
        _stop_all(state)
        state_file.unlink(missing_ok=True)
        which = ", ".join("JupyterLab" if k == "lab" else "the dashboard" for k in pending)
        tail = "".join(_tail(state[k]["log"]) for k in pending)
        raise LaunchError(f"{which} did not start within {args.timeout} s; all servers were stopped.\n"
                          f"Last lines of its log:\n{tail}")
    print_urls(state)
    return 0


def _start_engines(engines: dict, args, env: dict) -> None:
    for name, e in engines.items():
        e["pid"] = _spawn(launch_engines.command(name, e, args.max_queue, args.replicas), Path(e["log"]), Path(args.root),
                          launch_engines.env_for(e, env))


def _write_state(state_file: Path, state: dict) -> None:
    tmp = state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.chmod(tmp, 0o600)  # it holds the JupyterLab token and the engine servers' tokens
    tmp.replace(state_file)


def _stop_all(state: dict) -> None:
    for key in ("lab", "dash"):
        if "pid" in state.get(key, {}):
            _terminate(state[key]["pid"])
    for e in state.get("engines", {}).values():
        if "pid" in e:
            _terminate(e["pid"])


def _tail(log: str, lines: int = 15) -> str:
    try:
        return "".join(Path(log).read_text(errors="replace").splitlines(True)[-lines:])
    except OSError:
        return ""


def _display_host(host: str) -> str:
    if host not in ("0.0.0.0", "::"):
        return host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def load_state(run: Path) -> dict | None:
    try:
        return json.loads((Path(run) / "state.json").read_text())
    except (OSError, ValueError):
        return None


def print_urls(state: dict) -> None:
    urls = public_urls(state)
    print(f"  Dashboard:  {urls['dashboard']}")
    print(f"  JupyterLab: {urls['jupyterlab']}")
    if "note" in urls:
        print(f"  {urls['note']}")
    print(f"  Logs: {Path(state['lab']['log']).parent}")


def status(args) -> int:
    state = load_state(Path(args.run_dir))
    if not state:
        print("voxnb is not running.")
        return 1
    up, want = 0, 2
    for key, name, path in (("lab", "JupyterLab", f"/api/status?token={state['token']}"),
                            ("dash", "Dashboard", "/voila/static/voila.js")):
        svc = state[key]
        running = alive(svc["pid"])
        code = http_ok(f"http://127.0.0.1:{svc['port']}{path}") if running else 0
        up += running and code == 200
        word = "running" if running and code == 200 else ("not answering" if running else "stopped")
        print(f"{name:11} {word:14} port {svc['port']}  pid {svc['pid']}")
    for name, e in state.get("engines", {}).items():
        line, ready = launch_engines.describe(name, e, alive(e["pid"]))
        want += 1
        up += ready
        print(line)
    if up:
        print_urls(state)
    if up < want and any(not alive(e["pid"]) for e in state.get("engines", {}).values()):
        print("  An engine server stopped: run `bash 1-click-start.sh` again to restart it.")
    return 0 if up == want else 1


def stop(args) -> int:
    run = Path(args.run_dir)
    state = load_state(run)
    if not state:
        print("voxnb is not running.")
        return 0
    _stop_all(state)
    (run / "state.json").unlink(missing_ok=True)
    engines = "".join(f", the {n} engine (port {e['port']})" for n, e in state.get("engines", {}).items())
    print(f"stopped JupyterLab (port {state['lab']['port']}), the dashboard (port {state['dash']['port']}){engines}.")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m voxnb.launch.jupyter")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start")
    s.add_argument("--root", default=".")
    s.add_argument("--run-dir", required=True)
    s.add_argument("--lab-port", type=int, default=8888)
    s.add_argument("--dash-port", type=int, default=8866)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--display-host", default="")
    s.add_argument("--platform", default="generic", choices=["generic", "autodl", "pai-dsw"])
    s.add_argument("--python", default="")
    s.add_argument("--timeout", type=float, default=READY_TIMEOUT_S)
    s.add_argument("--max-viewers", type=int, default=0,
                   help="most dashboard viewers at once; over it a page says the dashboard is full (0: from memory)")
    s.add_argument("--viewer-grace", type=float, default=None, metavar="SECONDS",
                   help="release a viewer's kernel once no page has been connected to it this long (default 120)")
    s.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also serve the dashboard under this Host name (repeatable; .example.org: its subdomains)")
    s.add_argument("--engines", default="", help="comma-separated engines to serve (kokoro,...); none: kernels load their own")
    s.add_argument("--engine-port", type=int, default=8870, help="first engine server's port; the next ones count up")
    s.add_argument("--engine-python", action="append", default=[], metavar="NAME=PYTHON",
                   help="run NAME's server with this Python (an environment of its own)")
    s.add_argument("--max-queue", type=int, default=8, help="requests that may wait per engine")
    s.add_argument("--replicas", default="", metavar="N|all|auto",
                   help="serve each engine from replicas on a Ray instance of this box (all: one per GPU)")
    s.add_argument("--engine-timeout", type=float, default=ENGINE_READY_TIMEOUT_S)
    for name in ("status", "stop"):
        sub.add_parser(name).add_argument("--run-dir", required=True)
    c = sub.add_parser("check-port")
    c.add_argument("port", type=int)
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--flag", default="--port")
    args = p.parse_args(argv)
    try:
        if args.cmd == "check-port":
            check_port(args.port, args.host, args.flag)
            return 0
        return {"start": start, "status": status, "stop": stop}[args.cmd](args)
    except LaunchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
