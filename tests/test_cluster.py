"""Replicas and batches on a real Ray cluster: a head and a second node process on loopback, Kokoro served
from two replicas (one per node), a replica and a batch worker killed, the batch's driver killed."""
import concurrent.futures
import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from net import free_port
from test_server import start_server, stop_server, wait_for

import voxnb
from voxnb import errors
from voxnb.runs.batch import read_manifest

pytest.importorskip("ray", reason="the cluster tests need ray[serve] (tests/run.sh installs it)")
# Ray keeps every address on loopback instead of this box's network address (one box, two node processes)
LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
TEXT = "The quick brown fox jumps over the lazy dog. 你好，世界。"
LONG = " ".join(f"Sentence number {i} is here, and it has a few more words so that it takes a while." for i in range(8))
HOLD = " ".join(f"Sentence number {i} is here, and it has a few more words so that it takes a while." for i in range(4))


@pytest.fixture(scope="module")
def cluster():
    os.environ.update(LOOPBACK)
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, connect=False, head_node_args={"num_cpus": 1, "include_dashboard": False})
    c.add_node(num_cpus=1)
    yield c.address
    c.shutdown()


def health(url):
    with urllib.request.urlopen(f"{url}/health", timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def replicated(cluster):
    port = free_port()
    proc = start_server(port, "--engine", "kokoro", "--replicas", "2", "--ray", cluster, "--max-queue", "6",
                        "--max-ongoing", "1", env=LOOPBACK)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: sum(r["state"] == "ready" for r in health(url)["replicas"]) == 2, 120, "two ready replicas")
    yield url, proc
    stop_server(proc)


def test_two_replicas_on_two_nodes_answer_like_one_engine(replicated):
    url, _ = replicated
    listed = health(url)["replicas"]
    assert len({r["node"] for r in listed}) == 2 and len({r["pid"] for r in listed}) == 2
    assert all(r["device"] == "cpu" and r["memory"]["rss_mb"] > 50 for r in listed)
    local = voxnb.load_engine("kokoro").synthesize(TEXT, "jf_alpha", seed=7).audio
    remote = voxnb.connect(url)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(lambda _: remote.synthesize(TEXT, "jf_alpha", seed=7).audio, range(8)))
    assert all(np.array_equal(a, local) for a in outs)                  # bit-identical to one process
    body = health(url)
    assert sorted(r["served"] for r in body["replicas"])[0] >= 1        # both replicas took a share
    assert body["served"] >= 8
    metrics = urllib.request.urlopen(f"{url}/metrics", timeout=10).read().decode()
    served = [ln for ln in metrics.splitlines()
              if ln.startswith('voxnb_requests_total{engine="kokoro",kind="synthesize",outcome="served"}')]
    assert served and float(served[0].split()[-1]) == body["queue"]["served"]
    assert 'voxnb_replicas{engine="kokoro",state="ready"} 2.0' in metrics


def test_a_full_queue_answers_busy_at_once(replicated):
    url, _ = replicated
    remote = voxnb.connect(url)
    results = []

    def hold():
        try:
            results.append(remote.synthesize(HOLD, "jf_alpha").duration_s)
        except errors.VoxnbError as err:
            results.append(err)

    threads = [threading.Thread(target=hold) for _ in range(8)]   # 2 replicas x 1 in flight + 6 waiting
    for t in threads:
        t.start()
    wait_for(lambda: health(url)["queue"]["waiting"] == 6, 60, "a full queue")
    with pytest.raises(errors.EngineBusyError, match="busy"):
        remote.synthesize("One more.", "jf_alpha")
    assert health(url)["queue"]["waiting"] >= 5                            # refused while the others still wait
    for t in threads:
        t.join(300)
    assert len(results) == 8 and all(isinstance(r, float) for r in results), results


def test_a_killed_replica_is_replaced_and_its_request_finished(replicated):
    url, proc = replicated
    remote = voxnb.connect(url)
    box = {}

    def run():
        try:
            box["result"] = remote.synthesize(LONG, "jf_alpha", seed=3)
        except errors.VoxnbError as err:
            box["error"] = err

    t = threading.Thread(target=run)
    t.start()
    busy = wait_for(lambda: [r for r in health(url)["replicas"] if r["running"]], 60, "a running replica")[0]
    os.kill(busy["pid"], signal.SIGKILL)
    t.join(300)
    if "error" in box:   # allowed: a clear error that says to send it again
        assert isinstance(box["error"], errors.ReplicaLostError) and "again" in box["error"].fix
    else:
        assert box["result"].duration_s > 10
    for _ in range(3):
        assert remote.synthesize("And after that?", "jf_alpha").duration_s > 0.3
    live = wait_for(lambda: [r for r in health(url)["replicas"] if r["state"] == "ready" and r["pid"] != busy["pid"]]
                    if len([r for r in health(url)["replicas"] if r["state"] == "ready"]) == 2 else None,
                    60, "a replacement replica within a minute")
    assert busy["pid"] not in {r["pid"] for r in live} and len(live) == 2
    assert proc.poll() is None


def test_clone_stream_and_cancel_work_unchanged(replicated):
    url, _ = replicated
    remote = voxnb.connect(url)
    clip = Path(__file__).resolve().parents[1] / "assets" / "reference" / "harvard_f" / "harvard_01.flac"
    voice = remote.clone(clip, name="harvard", consent=True)
    assert voice.engine == "kokoro" and voice.name == "harvard"
    before = health(url)["queue"]["cancelled"]
    stream = remote.stream(LONG, voice, inspect=False)
    first = next(stream)
    assert first.index == 0 and first.of >= 3
    stream.close()                                  # the client goes away: its request is cancelled
    wait_for(lambda: health(url)["queue"]["cancelled"] > before, 60, "the server to cancel the request")
    for _ in range(3):                              # and every replica still takes requests after it
        assert len(remote.synthesize("Still here.", voice).audio) > 0


def test_status_lists_each_replica(replicated):
    from voxnb.launch import engines as launch_engines

    url, proc = replicated
    entry = {"port": int(url.rsplit(":", 1)[1]), "token": "", "pid": proc.pid}
    line, ready = launch_engines.describe("kokoro", entry, True)
    assert ready and len([ln for ln in line.splitlines() if ln.startswith("  replica ")]) >= 2, line
    assert "--replicas" in launch_engines.command("kokoro", {"python": "python", "port": 1}, 8, "2")


def test_bench_serve_prints_the_table(tmp_path):
    p = subprocess.run([sys.executable, "-m", "voxnb", "bench", "--serve", "--replicas", "1", "--concurrency", "2",
                        "--requests", "2", "--json"], capture_output=True, text=True, timeout=600,
                       env={**os.environ, **LOOPBACK})
    assert p.returncode == 0, p.stderr[-3000:]
    figures = json.loads(p.stdout)
    assert [r["config"] for r in figures["rows"]] == ["voxnb serve", "--replicas 1"]
    for row in figures["rows"]:
        assert row["requests"] == 2 and not row["errors"] and row["requests_per_min"] > 0
        assert 0 < row["first_audio_p50_s"] <= row["latency_p50_s"] and row["audio_s_per_s"] > 0
    from voxnb.bench import serving

    assert "req/min" in serving.table(figures) and "--replicas 1" in serving.table(figures)


def worker_pids():
    """The batch's engine workers (Ray names its worker processes after the actor class)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if b"BatchWorker" in f.read():
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def rows_listed(manifest):
    try:
        return [r for r in read_manifest(manifest) if r["file"]]
    except (OSError, csv.Error):
        return []


def test_a_batch_survives_a_killed_worker_and_a_killed_driver(cluster, replicated, tmp_path):
    stop_server(replicated[1])   # its replicas hold the cluster's two CPUs
    script = tmp_path / "lines.csv"
    with open(script, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "text"])
        for i in range(20):
            w.writerow([f"l{i:02d}", f"This is line number {i}, read aloud for the cluster batch test."])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "voxnb", "batch", str(script), "--voice", "jf_alpha", "--out", str(out),
           "--ray", cluster]
    env = {**os.environ, **LOOPBACK}
    log = tmp_path / "driver.log"   # a file, not a pipe nobody reads while the driver runs
    with log.open("w") as sink:
        driver = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env)
    manifest = out / "manifest.csv"
    try:
        wait_for(lambda: len(rows_listed(manifest)) >= 3, 240, "three rows written")
    except AssertionError:
        driver.kill()
        driver.wait(30)
        raise AssertionError(log.read_text()[-3000:]) from None
    victim = worker_pids()[0]
    os.kill(victim, signal.SIGKILL)                                       # a worker, mid-batch
    wait_for(lambda: len(rows_listed(manifest)) >= 9, 240, "nine rows written")
    driver.kill()                                                         # then the driver itself
    driver.wait(30)
    assert len(rows_listed(manifest)) < 20
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=400)
    assert again.returncode == 0, again.stdout + again.stderr
    rows = read_manifest(manifest)
    assert sorted(r["name"] for r in rows) == [f"l{i:02d}" for i in range(20)] and not any(r["error"] for r in rows)
    wavs = sorted(p.name for p in out.glob("*.wav"))
    assert wavs == sorted(r["file"] for r in rows) == [f"l{i:02d}.wav" for i in range(20)]   # no duplicates
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no partial or temp file
    third = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=400)
    assert third.returncode == 0 and "every row was already done (20 of 20)" in third.stdout, third.stdout + third.stderr
    assert sorted(p.name for p in out.glob("*.wav")) == wavs
