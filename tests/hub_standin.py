"""A stand-in model hub on loopback: the part of the Hugging Face and ModelScope HTTP APIs that
huggingface_hub (``hf_hub_download``, ``get_paths_info``, ``list_repo_tree``) and modelscope
(``get_model_files``, ``model_file_download``) use, serving small fixture files.

    with StandinHub(hf={"SWivid/F5-TTS": DIR}, ms={...}) as hub:
        HF_ENDPOINT=hub.url, MODELSCOPE_ENDPOINT=hub.url

Both APIs share one port: ModelScope's paths all start with ``/api/v1/``, which no Hugging Face
route does. Faults are switched on per test (``cut``, ``corrupt``, ``refuse_listing``) so the
network code meets what real hubs and mirrors do; every request is logged in ``requests``.
A request with an absolute URI (``GET http://host/path``) is served too: that is how a client
speaks to an HTTP proxy, which is what AutoDL's network accelerator is.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"     # one fixed revision for every repository
LFS_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".onnx")   # served as LFS files, as on the real hub


@dataclass
class Faults:
    cut: dict[str, int] = field(default_factory=dict)        # path in repo -> bytes sent before the cut (once)
    corrupt: dict[str, int] = field(default_factory=dict)    # path in repo -> how many downloads come corrupt
    refuse_listing: bool = False                              # paths-info / repo/files answer 405 / 404


class StandinHub:
    def __init__(self, hf: dict[str, Path] | None = None, ms: dict[str, Path] | None = None):
        self.repos = {"hf": {k: Path(v) for k, v in (hf or {}).items()},
                      "ms": {k: Path(v) for k, v in (ms or {}).items()}}
        self.faults = Faults()
        self.requests: list[tuple[str, str, str]] = []       # (method, path, Range header or "")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandinHub:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- the repositories ---------------------------------------------------------------------
    def file(self, hub: str, repo: str, path: str) -> Path | None:
        root = self.repos[hub].get(repo)
        if root is None or ".." in path.split("/"):
            return None
        found = root / path
        return found if found.is_file() else None

    def entries(self, hub: str, repo: str) -> list[dict]:
        root = self.repos[hub][repo]
        out = []
        for p in sorted(root.rglob("*")):
            if p.is_file():
                data = p.read_bytes()
                out.append({"path": str(p.relative_to(root)), "size": len(data), "data": data,
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
                            "lfs": p.suffix in LFS_SUFFIXES})
        return out

    def body(self, path: str, data: bytes) -> bytes:
        """What a download sends: corrupt (same size, other bytes) while the fault lasts."""
        if self.faults.corrupt.get(path, 0) > 0:
            self.faults.corrupt[path] -= 1
            return bytes(b ^ 0x55 for b in data)
        return data


def _hf_entry(e: dict) -> dict:
    rec = {"type": "file", "path": e["path"], "size": e["size"], "oid": e["oid"]}
    if e["lfs"]:
        rec["lfs"] = {"oid": e["sha256"], "size": e["size"], "pointerSize": 134}
    return rec


def _ms_entry(e: dict) -> dict:
    return {"Name": e["path"].rsplit("/", 1)[-1], "Path": e["path"], "Type": "blob", "Size": e["size"],
            "Sha256": e["sha256"], "Revision": COMMIT, "IsLFS": e["lfs"], "Mode": "33188", "CommitId": COMMIT}


def _handler(hub: StandinHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):      # quiet: the log is hub.requests
            pass

        # -- plumbing ------------------------------------------------------------------------
        def _route(self):
            split = urlsplit(self.path)            # an absolute URI (through a proxy) or a plain path
            hub.requests.append((self.command, self.path, self.headers.get("Range", "")))
            return unquote(split.path), parse_qs(split.query)

        def _send(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False):
            self.send_response(status)
            headers = dict(headers or {})
            length = headers.pop("Content-Length", len(body))   # once: huggingface_hub 0.x reads "158, 158" as none
            for k, v in headers.items():
                self.send_header(k, str(v))
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _json(self, status: int, obj, headers: dict | None = None):
            self._send(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **(headers or {})})

        def _not_found(self, what: str, hf: bool = True):
            # huggingface_hub reads X-Error-Code to tell a missing file from a missing repository
            code = {"X-Error-Code": "EntryNotFound", "X-Error-Message": what} if hf else {}
            self._json(404, {"error": what, "Code": 404, "Message": what, "Success": False}, code)

        def _read_body(self) -> bytes:
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _serve_file(self, hub_name: str, repo: str, path: str, head: bool, extra: dict):
            found = hub.file(hub_name, repo, path)
            if found is None:
                return self._not_found(f"{path} is not in {repo}", hf=hub_name == "hf")
            entry = next(e for e in hub.entries(hub_name, repo) if e["path"] == path)
            data = entry["data"]
            headers = {"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", **extra}
            if head:
                return self._send(200, b"", {**headers, "Content-Length": len(data)}, head=True)
            data = hub.body(path, data)
            start, status = 0, 200
            rng = self.headers.get("Range", "")
            if rng.startswith("bytes="):
                first, _, last = rng[6:].partition("-")
                start = int(first or 0)
                end = int(last) + 1 if last else len(data)
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(data)}"
                data, status = data[start:end], 206
            cut = hub.faults.cut.pop(path, None)
            if cut is not None and cut < len(data):
                # announce the whole body, send part of it, drop the connection: a network cut
                self.send_response(status)
                for k, v in {**headers, "Content-Length": len(data)}.items():
                    self.send_header(k, str(v))
                self.end_headers()
                self.wfile.write(data[:cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self._send(status, data, headers)

        # -- Hugging Face ----------------------------------------------------------------------
        def _hf(self, path: str, query: dict, head: bool) -> bool:
            parts = path.strip("/").split("/")
            if len(parts) >= 5 and parts[2] == "resolve":          # /{owner}/{name}/resolve/{rev}/{file}
                repo, file = "/".join(parts[:2]), "/".join(parts[4:])
                if repo not in hub.repos["hf"]:
                    self._json(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
                    return True
                entry = next((e for e in hub.entries("hf", repo) if e["path"] == file), None)
                extra = {"X-Repo-Commit": COMMIT}
                if entry is not None:
                    extra["ETag"] = f'"{entry["oid"]}"'
                    if entry["lfs"]:
                        extra.update({"X-Linked-Etag": f'"{entry["sha256"]}"', "X-Linked-Size": entry["size"]})
                self._serve_file("hf", repo, file, head, extra)
                return True
            if len(parts) >= 5 and parts[0] == "api" and parts[1] == "models":
                repo, verb = "/".join(parts[2:4]), parts[4]
                if repo not in hub.repos["hf"]:
                    self._json(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
                    return True
                entries = hub.entries("hf", repo)
                if verb == "paths-info":                               # POST /api/models/{repo}/paths-info/{rev}
                    form = parse_qs(self._read_body().decode())        # read even when refused: keep-alive
                    if hub.faults.refuse_listing:
                        self._json(405, {"error": "Method Not Allowed"})
                        return True
                    wanted = set(form.get("paths", []))
                    self._json(200, [_hf_entry(e) for e in entries if e["path"] in wanted])
                    return True
                if verb == "tree":                                     # GET /api/models/{repo}/tree/{rev}
                    self._json(200, [_hf_entry(e) for e in entries])
                    return True
                if verb == "revision":                                 # GET /api/models/{repo}/revision/{rev}
                    self._json(200, {"id": repo, "sha": COMMIT,
                                     "siblings": [{"rfilename": e["path"], "size": e["size"]} for e in entries]})
                    return True
            return False

        # -- ModelScope ------------------------------------------------------------------------
        def _ms(self, path: str, query: dict, head: bool) -> bool:
            parts = path.strip("/").split("/")
            if parts[:3] != ["api", "v1", "models"] or len(parts) < 5:
                return False
            repo = "/".join(parts[3:5])
            rest = parts[5:]
            if repo not in hub.repos["ms"]:
                self._json(404, {"Code": 10010205001, "Message": f"model {repo} not found", "Success": False})
                return True
            entries = hub.entries("ms", repo)
            if rest == ["repo", "files"]:
                if hub.faults.refuse_listing:
                    self._json(404, {"Code": 404, "Message": "not found", "Success": False})
                else:
                    self._json(200, {"Code": 200, "Data": {"Files": [_ms_entry(e) for e in entries]},
                                     "Success": True})
                return True
            if rest == ["repo"]:                                       # ?Revision=...&FilePath=...
                file = query.get("FilePath", [""])[0]
                self._serve_file("ms", repo, file, head, {})
                return True
            if rest == ["revisions"]:
                rev = {"Revision": "master", "CommitId": COMMIT, "CreatedAt": 1700000000}
                self._json(200, {"Code": 200, "Success": True,
                                 "Data": {"RevisionMap": {"Branches": [rev], "Tags": []}}})
                return True
            if not rest:
                self._json(200, {"Code": 200, "Success": True,
                                 "Data": {"Path": repo.split("/")[0], "Name": repo.split("/")[1],
                                          "Revision": "master"}})
                return True
            return False

        def _dispatch(self, head: bool = False):
            path, query = self._route()
            if not (self._ms(path, query, head) or self._hf(path, query, head)):
                self._not_found(f"no route for {self.command} {path}")

        def do_GET(self):
            self._dispatch()

        def do_HEAD(self):
            self._dispatch(head=True)

        def do_POST(self):
            self._dispatch()

    return Handler
