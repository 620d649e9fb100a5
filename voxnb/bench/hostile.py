"""The engine server against hostile and careless clients: every case is a real HTTP request to a real
server, judged by its status, the server's memory before, at its peak and after, and whether a good
request right after it is served. ``voxnb bench --hostile`` prints the table; tests/test_server_hostile.py
holds each case to its expected status and the memory bound.

A case sends raw bytes (http.client or a socket), so it says exactly what a hostile client says.
"""
from __future__ import annotations

import functools
import http.client
import io
import json
import math
import select
import socket
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..engines.remote import wire

CLIENT = {"X-Voxnb-Client": "hostile-bench", "Content-Type": wire.MEDIA_TYPE}
MIB = 2**20
CLIP = Path(__file__).resolve().parents[2] / "assets" / "reference" / "alsa_f" / "front_center.flac"


@dataclass
class Target:
    host: str
    port: int
    token: str = ""
    stock: str = ""          # a stock voice name for the good request and synthesis cases
    engine: str = ""         # the engine it serves (a voice file names it)

    def headers(self, extra: dict | None = None, client: bool = True) -> dict:
        h = dict(CLIENT if client else {})
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return {**h, **(extra or {})}


@dataclass
class Case:
    name: str
    expect: tuple            # statuses that are right; "closed": the server dropped the connection
    send: Callable[[Target], object]


def request(t: Target, method: str, path: str, body: bytes | None = b"", headers: dict | None = None,
            client: bool = True) -> tuple[object, str]:
    """(status, the refusal's words): "200+error" for a reply whose frames end in an error."""
    conn = http.client.HTTPConnection(t.host, t.port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=t.headers(headers, client))
        r = conn.getresponse()
        data = r.read()
        if r.status == 200 and r.headers.get("content-type", "").startswith(wire.MEDIA_TYPE):
            errors = [m["error"] for m, _ in wire.read_frames([data]) if m.get("kind") == "error"]
            return ("200+error", _words(errors[0])) if errors else (200, "")
        try:
            return r.status, _words(json.loads(data)["error"])
        except (ValueError, KeyError, TypeError):
            return r.status, data[:200].decode("utf-8", "replace")
    except (ConnectionError, http.client.RemoteDisconnected, BrokenPipeError, socket.timeout):
        return "closed", ""
    finally:
        conn.close()


def _words(record: dict) -> str:
    return f"{record.get('problem', '')} {record.get('fix', '')}".strip()


def message(meta, arrays: dict | None = None) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(meta if isinstance(meta, str) else json.dumps(meta)),
             **{f"a_{k}": v for k, v in (arrays or {}).items()})
    return buf.getvalue()


@functools.lru_cache(maxsize=4)
def deflated_zeros(meta: str, name: str, dtype: str, shape: tuple) -> bytes:
    """An npz of a JSON meta and one all-zero array, deflated: a few hundred KB that declare gigabytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("meta.npy", "w") as f:
            np.lib.format.write_array(f, np.array(meta))
        with z.open(name + ".npy", "w", force_zip64=True) as f:
            header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": shape}
            np.lib.format.write_array_header_2_0(f, header)
            block, left = bytes(16 * MIB), math.prod(shape) * np.dtype(dtype).itemsize
            while left:
                f.write(block[:min(left, len(block))])
                left -= min(left, len(block))
    return buf.getvalue()


def chunked(t: Target, path: str, total: int) -> tuple[object, str]:
    """A chunked body of ``total`` bytes (no Content-Length): the status, or "closed" when the server cut it."""
    with socket.create_connection((t.host, t.port), timeout=60) as s:
        head = "".join(f"{k}: {v}\r\n" for k, v in t.headers({"Transfer-Encoding": "chunked"}).items())
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
        piece = b"%x\r\n" % MIB + bytes(MIB) + b"\r\n"
        try:
            for _ in range(total // MIB):
                s.sendall(piece)
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _reply(s)


def _reply(s: socket.socket) -> tuple[object, str]:
    """(status, the refusal's words) of a raw reply; "closed" when the server hung up without one."""
    data = b""
    try:
        while len(data) < 65536:
            piece = s.recv(65536)
            if not piece:
                break
            data += piece
            head, sep, body = data.partition(b"\r\n\r\n")
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
            if sep and length and len(body) >= length[0]:
                break
    except OSError:
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return "closed", ""
    try:
        return int(data.split()[1]), _words(json.loads(data.partition(b"\r\n\r\n")[2])["error"])
    except (ValueError, KeyError, TypeError):
        return int(data.split()[1]), ""


def slow(t: Target, what: str, seconds: float, gap: float = 0.5) -> tuple[object, str]:
    """Headers, or a body, trickled a byte every ``gap`` s: the server's reply ("closed" when it hung up)
    within ``seconds``, or "open" when it is still waiting then."""
    body = message({"text": "Hi.", "voice_name": t.stock})
    head = "POST /synthesize HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in t.headers({"Content-Length": str(len(body))}).items()) + "\r\n"
    data = head.encode() + body
    with socket.create_connection((t.host, t.port), timeout=seconds) as s:
        i = 0 if what == "headers" else len(head)
        s.sendall(data[:i])
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if select.select([s], [], [], gap)[0]:
                    return _reply(s)
                if i < len(data):
                    s.sendall(data[i:i + 1])
                    i += 1
            except OSError:
                return "closed", ""
    return "open", ""


def cases(slow_s: float = 10.0) -> list[Case]:
    clip = np.frombuffer(CLIP.read_bytes(), np.uint8)
    post = lambda path, body, **kw: (lambda t: request(t, "POST", path, body(t) if callable(body) else body, **kw))
    synth = lambda meta: post("/synthesize", lambda t: message({"voice_name": t.stock, "text": "Hi.", **meta}))
    clone = lambda meta, data=clip: post("/clone", message({"source": "file", "filename": "me.flac", **meta,
                                                            "options": {"consent": True, **meta.get("options", {})}},
                                                           {"data": data}))
    sr = 24000
    silence = np.zeros(10 * sr, np.float32)
    ten_minutes = (0.1 * np.sin(np.arange(600 * sr) * 0.05)).astype(np.float32)
    report = {"duration_s": 10.0, "speech_s": 9.0, "speech_ratio": 0.9, "peak": 0.5, "clipping_ratio": 0.0,
              "snr_db": 30.0, "original_sample_rate": sr, "original_channels": 1, "original_duration_s": 10.0,
              "warnings": []}
    as_reference = lambda audio: clone({"source": "reference", "sample_rate": sr, "report": report}, audio)
    big_pack = lambda t: deflated_zeros(json.dumps({"id": "x", "name": "x", "engine": t.engine, "method": "m"}),
                                        "c_style_pack", "<f4", (49_000_000,))
    return [
        Case("empty body", (400,), post("/synthesize", b"")),
        Case("garbage", (400,), post("/synthesize", b"\x80\x04garbage" * 100)),
        Case("truncated message", (400,), post("/synthesize", lambda t: message({"text": "Hi."})[:300])),
        Case("meta is a list", (400,), post("/synthesize", message([1, 2]))),
        Case("meta is a string", (400,), post("/synthesize", message('"text"'))),
        Case("meta is null", (400,), post("/synthesize", message("null"))),
        Case("meta is not JSON", (400,), post("/synthesize", message("{not json"))),
        Case("meta nested 100k deep", (400,), post("/synthesize", message("[" * 100_000 + "]" * 100_000))),
        Case("pickled object array", (400,), post("/synthesize", lambda t: _pickled())),
        Case("2000 arrays", (400,), post("/synthesize", message({"text": "Hi."},
                                                                {f"x{i}": np.zeros(1) for i in range(2000)}))),
        Case("settings is a list", (400,), synth({"settings": [1]})),
        Case("voice_name is a number", (400,), post("/synthesize", message({"text": "Hi.", "voice_name": 3}))),
        Case("text is a list", (400,), synth({"text": ["Hi."]})),
        Case("empty text", (400,), synth({"text": "  "})),
        Case("unknown setting", (400,), synth({"settings": {"volume": 3}})),
        Case("speed is text", (400,), synth({"settings": {"speed": "fast"}})),
        Case("speed is NaN", (400,), synth({"settings": {"speed": float("nan")}})),
        Case("seed is a list", (400,), synth({"settings": {"seed": [1]}})),
        Case("voice file is garbage", (400,), post("/synthesize", message({"text": "Hi."},
                                                                          {"voice": np.ones(100, np.uint8)}))),
        Case("style pack of 49 M values (deflated)", (400,), post("/synthesize", lambda t: message(
            {"text": "Hi."}, {"voice": np.frombuffer(big_pack(t), np.uint8)}))),
        Case("20 MB text", (413,), synth({"text": "a " * 10_000_000})),
        Case("1 MB that inflates to 1 GiB", (413,), post("/synthesize", lambda t: deflated_zeros(
            json.dumps({"text": "Hi."}), "a_voice", "u1", (2**30,)))),
        Case("Content-Length of 1 GiB", (413, "closed"), lambda t: _declared(t, 2**30)),
        Case("600 MiB chunked body", (413, "closed"), lambda t: chunked(t, "/clone", 600 * MIB)),
        Case("filename '..'", (400,), clone({"filename": ".."})),
        Case("filename with NUL", (400,), clone({"filename": "a\0.wav"})),
        Case("filename of 5000 characters", (400,), clone({"filename": "a" * 5000 + ".wav"})),
        Case("sample_rate missing", (400,), clone({"source": "array"}, np.zeros(sr, np.float32))),
        Case("sample_rate NaN", (400,), clone({"source": "array", "sample_rate": float("nan")},
                                             np.zeros(sr, np.float32))),
        Case("sample_rate is text", (400,), clone({"source": "array", "sample_rate": "24000"},
                                                 np.zeros(sr, np.float32))),
        Case("unknown reference kind", (400,), clone({"source": "url"})),
        Case("unknown clone option", (400,), clone({"options": {"lr": 3}})),
        Case("reference: silence", (400,), as_reference(silence)),
        Case("reference: 10 minutes", (400,), as_reference(ten_minutes)),
        Case("clip with 1.2 s of speech", (400,), clone({})),
        Case("array of 3 dimensions", (400,), clone({"source": "array", "sample_rate": sr},
                                                   np.zeros((2, 2, sr), np.float32))),
        Case("clone without consent", (400,), post("/clone", message({"source": "file", "filename": "me.flac"},
                                                                    {"data": clip}))),
        Case("phonemize: 2 MB", (413,), post("/phonemize", message({"text": "a " * 1_000_000}))),
        Case("phonemize: text is null", (400,), post("/phonemize", message({"text": None}))),
        Case("cross-site simple POST", (403,), post("/synthesize", lambda t: message(
            {"text": "Hi.", "voice_name": t.stock}), headers={"Content-Type": "text/plain",
                                                              "Origin": "https://evil.example"}, client=False)),
        Case("foreign Origin with voxnb's headers", (403,), post(
            "/synthesize", lambda t: message({"text": "Hi.", "voice_name": t.stock}),
            headers={"Origin": "https://evil.example"})),
        Case("CORS preflight from another site", (403,), lambda t: request(
            t, "OPTIONS", "/synthesize", None, {"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"}, client=False)),
        Case("POST without X-Voxnb-Client", (403,), post("/synthesize", lambda t: message(
            {"text": "Hi.", "voice_name": t.stock}), headers={"Content-Type": wire.MEDIA_TYPE}, client=False)),
        Case("POST as text/plain", (415,), post("/synthesize", lambda t: message(
            {"text": "Hi.", "voice_name": t.stock}), headers={"Content-Type": "text/plain"})),
        Case("Host of another name", (403,), lambda t: request(t, "GET", "/health", None,
                                                               {"Host": "rebind.example"})),
        Case("stock voice path traversal", (404,), lambda t: request(t, "GET", "/voices/stock/..%2F..%2Fetc",
                                                                     None)),
        Case("slow headers", ("closed",), lambda t: slow(t, "headers", slow_s)),
        Case("slow body", (408, "closed"), lambda t: slow(t, "body", slow_s)),
    ]


def _pickled() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(json.dumps({"text": "Hi."})), a_x=np.array([{"a": 1}], dtype=object))
    return buf.getvalue()


def _declared(t: Target, size: int) -> tuple[object, str]:
    with socket.create_connection((t.host, t.port), timeout=30) as s:
        head = "".join(f"{k}: {v}\r\n" for k, v in t.headers({"Content-Length": str(size)}).items())
        s.sendall(f"POST /clone HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode() + bytes(MIB))
        return _reply(s)


# -- memory of the server process ------------------------------------------------------------------------
def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak since the last reset) RSS of ``pid`` in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def reset_peak(pid: int) -> bool:
    """Start a new peak (writing 5 to clear_refs resets VmHWM); False where the kernel does not allow it."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run(t: Target, pid: int, good: Callable[[], bool], only: list[str] | None = None, slow_s: float = 10.0,
        progress: Callable[[str], None] = lambda m: None) -> list[dict]:
    """Each case, then a good request: one record per case (status, RSS before/peak/after, good)."""
    rows = []
    for case in cases(slow_s):
        if only and case.name not in only:
            continue
        progress(case.name)
        before, _ = rss_mb(pid)
        exact = reset_peak(pid)
        try:
            status, words = case.send(t)
        except OSError as err:
            status, words = f"client error: {type(err).__name__}", ""
        after, peak = rss_mb(pid)
        rows.append({"case": case.name, "status": status, "expected": case.expect, "ok": status in case.expect,
                     "message": words,
                     "rss_before_mb": round(before, 1), "rss_peak_mb": round(peak, 1) if exact else None,
                     "rss_after_mb": round(after, 1), "good_after": good()})
    return rows


def table(rows: list[dict]) -> str:
    out = [f"{'case':42} {'status':>10} {'want':>12} {'RSS MB before':>13} {'peak':>7} {'after':>7}  good after"]
    for r in rows:
        want = "/".join(map(str, r["expected"]))
        peak = "-" if r["rss_peak_mb"] is None else f"{r['rss_peak_mb']:.0f}"
        out.append(f"{r['case'][:42]:42} {str(r['status']):>10} {want:>12} {r['rss_before_mb']:>13.0f} {peak:>7} "
                   f"{r['rss_after_mb']:>7.0f}  {'yes' if r['good_after'] else 'NO'}"
                   + ("" if r["ok"] else "   <- unexpected"))
    return "\n".join(out)
