"""The engine servers the launcher runs next to JupyterLab and Voila: start, probe, report.

Standard library only, like the launcher. Each engine runs ``python -m voxnb serve`` from its own
Python (an engine with conflicting pins has an environment of its own), listens on loopback, and
wants a token that only the launcher's children know: the dashboard's kernels find URL and token in
``VOXNB_SERVERS``, which the launcher puts in JupyterLab's and Voila's environment.
"""
from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path

ENGINE_HOST = "127.0.0.1"     # kernels run on this machine; the servers are never exposed
SERVERS_ENV = "VOXNB_SERVERS"  # read by voxnb.engines.remote.configured_servers
TOKEN_ENV = "VOXNB_SERVER_TOKEN"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def plan(names: list[str], first_port: int, pythons: dict[str, str], default_python: str, run: Path) -> dict:
    """State entries for the engines to start: one port each, counting up from ``first_port``."""
    return {name: {"port": first_port + i, "token": secrets.token_hex(24), "python": pythons.get(name, default_python),
                   "log": str(run / f"engine-{name}.log")}
            for i, name in enumerate(names)}


def command(name: str, entry: dict, max_queue: int, replicas: str = "") -> list[str]:
    """``replicas`` (N, all, auto): served from that many replicas on a Ray instance of this box."""
    return [entry["python"], "-m", "voxnb", "serve", "--engine", name, "--host", ENGINE_HOST,
            "--port", str(entry["port"]), "--max-queue", str(max_queue), *(["--replicas", replicas] if replicas else [])]


def env_for(entry: dict, base: dict) -> dict:
    return {**base, TOKEN_ENV: entry["token"]}


def servers_env(engines: dict) -> str:
    return json.dumps({name: {"url": f"http://{ENGINE_HOST}:{e['port']}", "token": e["token"]}
                       for name, e in engines.items()})


def health(entry: dict, timeout: float = 3.0) -> dict | None:
    """The server's /health record (ready or still loading), or None when it does not answer."""
    req = urllib.request.Request(f"http://{ENGINE_HOST}:{entry['port']}/health",
                                 headers={"Authorization": f"Bearer {entry['token']}"})
    try:
        with _NO_PROXY.open(req, timeout=timeout) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:   # 503 while loading still carries the record
        try:
            return json.loads(e.read())
        except ValueError:
            return None
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_ready(engines: dict, alive, deadline: float) -> dict[str, str]:
    """Wait until every engine answers ready; returns {name: why} for those that did not."""
    pending = dict.fromkeys(engines, "did not answer in time")
    while pending and time.time() < deadline:
        for name in list(pending):
            entry = engines[name]
            if not alive(entry["pid"]):
                pending[name] = "exited"
                return pending
            h = health(entry)
            if h and h.get("ready"):
                del pending[name]
            elif h and h.get("status") == "failed":
                pending[name] = f"failed to load: {h.get('error', {}).get('problem', '')}"
                return pending
        if pending:
            time.sleep(0.5)
    return pending


def describe(name: str, entry: dict, running: bool) -> tuple[str, bool]:
    """One --status line (engine, state, port, pid, RSS, queue, requests served) and whether it is ready."""
    h = health(entry) if running else None
    if h is None:
        state = "not answering" if running else "stopped"
        return f"Engine {name:10} {state:14} port {entry['port']}  pid {entry['pid']}", False
    q = h.get("queue", {})
    busy = "busy" if q.get("running") else "idle"
    line = (f"Engine {name:10} {('running' if h.get('ready') else h.get('status', '?')):14} port {entry['port']}  "
            f"pid {entry['pid']}  RSS {h.get('memory', {}).get('rss_mb', '?')} MB  "
            f"queue {q.get('waiting', 0)}/{q.get('max_queue', '?')} ({busy})  served {h.get('served', 0)}")
    for r in h.get("replicas") or []:   # a replicated server: one line per replica
        line += (f"\n  replica {r.get('replica', '?'):10} {r.get('state', '?'):8} node {r.get('node', '?')}  "
                 f"pid {r.get('pid', '?')}  {r.get('device') or '?'}  RSS {r.get('memory', {}).get('rss_mb', '?')} MB  "
                 f"served {r.get('served', 0)}")
    return line, bool(h.get("ready"))
