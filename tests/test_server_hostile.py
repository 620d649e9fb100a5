"""The engine server against hostile and careless clients, over real HTTP to a real `voxnb serve` (Kokoro):
every refusal a 4xx with words that name the problem and the fix, memory held to its bound, the engine
freed from clients that stop reading, ids the server's own, tokens that resist guessing, and the
bookkeeping right. The hostile set itself is voxnb.bench.hostile, which `voxnb bench --hostile` prints."""
import http.client
import json
import socket
import subprocess
import sys
import threading
import time

import pytest
from net import free_port
from test_server import LONG, server_log, start_server, stop_server, wait_for

import voxnb
from voxnb.bench import hostile
from voxnb.engines.remote import RemoteEngine, wire

READ_TIMEOUT_S, SEND_TIMEOUT_S = 2, 4


@pytest.fixture(scope="module")
def served():
    port = free_port()
    proc = start_server(port, "--max-queue", "2", "--read-timeout", str(READ_TIMEOUT_S),
                        "--send-timeout", str(SEND_TIMEOUT_S))
    remote = voxnb.connect(f"http://127.0.0.1:{port}")
    yield port, remote, remote.health()["pid"], proc
    remote.close()
    stop_server(proc)


def good(remote) -> bool:
    return remote.synthesize("Good.", "jf_tebukuro").duration_s > 0.2


def test_every_hostile_case_is_refused_and_a_good_request_follows(served):
    port, remote, pid, _ = served
    target = hostile.Target("127.0.0.1", port, stock="jf_tebukuro", engine="kokoro")
    rows = hostile.run(target, pid, lambda: good(remote), slow_s=3 * READ_TIMEOUT_S)
    print("\n" + hostile.table(rows))
    assert len(rows) == len(hostile.cases())
    for row in rows:
        assert row["ok"], row
        assert row["good_after"], row
        assert row["status"] != 500 and "Internal Server Error" not in row["message"], row
        for leak in ("This is a bug", "/tmp", "voxnb-serve-", "pickle", "not a voxnb message (not"):
            assert leak not in row["message"], row
        if isinstance(row["status"], int) and row["status"] >= 400 and row["status"] != 404:
            assert row["message"], row   # a refusal says what and how to fix it
    by = {r["case"]: r for r in rows}
    for case in ("1 MB that inflates to 1 GiB", "600 MiB chunked body", "style pack of 49 M values (deflated)",
                 "Content-Length of 1 GiB"):
        row = by[case]
        assert row["rss_peak_mb"] is not None and row["rss_peak_mb"] - row["rss_before_mb"] < 100, row
    assert "20,000 characters" in by["20 MB text"]["message"] and "clip" not in by["20 MB text"]["message"]
    assert "--allow-origin" in by["cross-site simple POST"]["message"]
    assert "far more than a voice holds" in by["style pack of 49 M values (deflated)"]["message"]
    assert "speech" in by["reference: silence"]["message"]


def _stream_request(port: int, hint: str = "", inspect: bool = True, text: str = LONG) -> socket.socket:
    """A raw streaming request whose reply nobody reads."""
    body = wire.pack({"text": text, "voice_name": "jf_tebukuro", "settings": {"inspect": inspect}})
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    extra = f"X-Voxnb-Request: {hint}\r\n" if hint else ""
    s.sendall(f"POST /synthesize/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Voxnb-Client: test\r\n{extra}"
              f"Content-Type: {wire.MEDIA_TYPE}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    return s


def _peak_while(pid: int, action) -> float:
    """The server's highest RSS (MB) while ``action()`` runs, sampled every 20 ms."""
    peak, stop = [hostile.rss_mb(pid)[0]], threading.Event()

    def sample():
        while not stop.is_set():
            peak.append(hostile.rss_mb(pid)[0])
            time.sleep(0.02)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        action()
    finally:
        stop.set()
        sampler.join()
    return max(peak)


def test_a_client_that_stops_reading_is_cancelled_and_memory_stays_flat(served):
    """Frames with every intermediate (inspect=True) that nobody reads: at most MAX_UNSENT wait in the
    server, the request is cancelled after the send timeout, and the server's memory stays within 100 MB of
    what the same request costs when its client reads it (the engine's own working memory is in both: its
    ONNX arena grows over the first long chunks it meets, so the second read is the baseline)."""
    from voxnb.server.app import MAX_UNSENT

    port, remote, pid, _ = served
    read = [_peak_while(pid, lambda: list(remote.stream(LONG, "jf_tebukuro", inspect=True))) for _ in range(2)][-1]
    before = remote.health()["queue"]
    unsent = []
    s = _stream_request(port)

    def until_cancelled():
        def done():
            q = remote.health()["queue"]
            unsent.append(q["running"]["unsent"] if q["running"] else 0)
            return q["cancelled"] > before["cancelled"] and q["running"] is None
        wait_for(done, 120, "the server to cancel a request nobody reads")
    try:
        unread = _peak_while(pid, until_cancelled)
    finally:
        s.close()
    after = hostile.rss_mb(pid)[0]
    print(f"server RSS: peak {read:.0f} MB with a client that reads, {unread:.0f} MB with one that does not "
          f"({after:.0f} MB once cancelled); frames waiting at most {max(unsent)}")
    assert max(unsent) <= MAX_UNSENT
    assert unread - read < 100 and after - read < 100
    assert remote.health()["queue"]["served"] == before["served"]
    assert good(remote)


def test_a_client_that_stops_reading_and_leaves_frees_the_engine_within_one_chunk(served):
    port, remote, pid, _ = served
    before = remote.health()["queue"]
    s = _stream_request(port)
    running = wait_for(lambda: (q := remote.health()["queue"])["running"] and q["running"]["items"] >= 1 and q,
                       60, "the request to start")
    s.close()   # gone, with frames unread
    at_close = remote.health()["queue"]["running"]
    seen = [at_close["items"] if at_close else running["running"]["items"]]

    def freed():
        q = remote.health()["queue"]
        if q["running"]:
            seen.append(q["running"]["items"])
        return q["running"] is None and q["cancelled"] > before["cancelled"]
    wait_for(freed, 60, "the engine to be freed")
    assert max(seen) - seen[0] <= 1, seen      # at most the chunk in progress when it left
    assert remote.health()["queue"]["served"] == before["served"]
    assert good(remote)


def test_request_ids_are_made_by_the_server_and_unique(served):
    port, remote, _, _ = served
    a = _stream_request(port, hint="same", inspect=False)
    wait_for(lambda: remote.health()["queue"]["running"], 60, "A to run")
    b = _stream_request(port, hint="same", inspect=False)
    wait_for(lambda: remote.health()["queue"]["waiting"] == 1, 60, "B to wait")
    ids = []
    for s in (a, b):
        s.settimeout(30)
        head = s.recv(4096).split(b"\r\n\r\n")[0].decode()
        ids.append(next(line.split(": ", 1)[1] for line in head.split("\r\n")
                        if line.lower().startswith("x-voxnb-request:")))
    assert ids[0] != ids[1] and "same" not in ids
    a.close()   # A's client leaving cancels A, never B
    wait_for(lambda: (r := remote.health()["queue"]["running"]) and r["id"] == ids[1], 60, "B to run")
    assert remote.cancel(ids[1]) is True
    b.close()
    wait_for(lambda: remote.health()["queue"]["running"] is None, 60, "B to stop")
    assert good(remote)
    assert remote.last_request_id and remote.last_request_id not in ids


def test_two_hundred_good_requests_are_two_hundred_served(served):
    _, remote, _, _ = served
    before = remote.health()["queue"]
    for i in range(200):
        remote.synthesize("Hi.", "jf_tebukuro", inspect=False)
    after = wait_for(lambda: (q := remote.health()["queue"])["running"] is None and q, 30, "the last to finish")
    assert after["served"] - before["served"] == 200
    assert after["cancelled"] == before["cancelled"] and after["failed"] == before["failed"]


def _post(port, token, origin=None, method="POST"):
    headers = {"X-Voxnb-Client": "test", "Content-Type": wire.MEDIA_TYPE, "Authorization": f"Bearer {token}"}
    if origin:
        headers["Origin"] = origin
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, "/phonemize", body=None if method == "OPTIONS" else wire.pack({"text": "Hi."}),
                 headers=headers)
    r = conn.getresponse()
    r.read()
    conn.close()
    return r


def test_tokens_are_long_rate_limited_logged_and_kept_out_of_ps(tmp_path):
    weak = subprocess.run([sys.executable, "-m", "voxnb", "serve", "--token", "T", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert weak.returncode != 0 and "16 or more" in weak.stderr and "secrets.token_urlsafe" in weak.stderr
    token = "k" * 8 + "9f2c4e7a1b3d5f60"
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    port = free_port()
    proc = start_server(port, "--token-file", str(token_file), "--allow-origin", "https://studio.example",
                        env={"VOXNB_SERVER_TOKEN": token})
    try:
        assert token not in " ".join(proc.args)
        statuses = [_post(port, f"guess-{i:012d}").status for i in range(6)]
        assert statuses[0] == 401 and set(statuses[1:]) == {429}, statuses   # the next tries are not compared
        limited = _post(port, token)
        assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
        time.sleep(float(limited.headers["Retry-After"]) + 0.1)
        assert _post(port, token).status == 200
        # a web front end named by --allow-origin gets its preflight and CORS headers; others get nothing
        pre = _post(port, token, "https://studio.example", "OPTIONS")
        assert pre.status == 204 and pre.headers["Access-Control-Allow-Origin"] == "https://studio.example"
        ok = _post(port, token, "https://studio.example")
        assert ok.status == 200 and ok.headers["Access-Control-Allow-Origin"] == "https://studio.example"
        other = _post(port, token, "https://evil.example")
        assert other.status == 403 and "Access-Control-Allow-Origin" not in other.headers
        assert RemoteEngine(f"http://127.0.0.1:{port}", token=token).health()["ready"]
    finally:
        stop_server(proc)
    log = server_log(proc)
    assert log.count("without the right token") == 1 and "guess-" not in log and token not in log
    with socket.socket() as taken:   # stops at the taken port, after the warning
        taken.bind(("127.0.0.1", 0))
        flagged = subprocess.run([sys.executable, "-m", "voxnb", "serve", "--token", token, "--port",
                                  str(taken.getsockname()[1])], capture_output=True, text=True, timeout=60)
    assert "shows in `ps`" in flagged.stderr and flagged.returncode != 0


def test_the_hostile_bench_prints_every_case_against_a_running_server(served):
    port, *_ = served
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", "--hostile", "--server", f"http://127.0.0.1:{port}",
                        "--json"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    rows = json.loads(p.stdout)
    assert [r["case"] for r in rows] == [c.name for c in hostile.cases()]
    assert all(r["ok"] and r["good_after"] and r["rss_after_mb"] > 50 for r in rows)
