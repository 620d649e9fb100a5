"""The engine server's metrics and its one structured log line per request."""
import json
import time

from prometheus_client.parser import text_string_to_metric_families

from voxnb.server.metrics import ServerMetrics


def samples(metrics):
    data, kind = metrics.render()
    assert kind.startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(data.decode()) for s in f.samples}


def test_a_finished_request_is_counted_timed_and_logged_once():
    lines = []
    m = ServerMetrics("kokoro", queue=lambda: 3, replicas=lambda: {"ready": 2, "lost": 1}, write=lines.append)
    started = time.monotonic() - 2.0
    m.finished(request_id="abc", kind="synthesize", outcome="served", started=started, first_audio=started + 0.5,
               stats={"audio_s": 4.0}, described={"voice_id": "v123", "chars": 42}, replica="r1")
    m.refused("stream", "busy")
    got = samples(m)
    assert got[("voxnb_requests_total", (("engine", "kokoro"), ("kind", "synthesize"), ("outcome", "served")))] == 1
    assert got[("voxnb_requests_total", (("engine", "kokoro"), ("kind", "stream"), ("outcome", "busy")))] == 1
    assert got[("voxnb_requests_total", (("engine", "kokoro"), ("kind", "clone"), ("outcome", "failed")))] == 0
    assert got[("voxnb_audio_seconds_total", (("engine", "kokoro"),))] == 4.0
    assert got[("voxnb_rtf_count", (("engine", "kokoro"),))] == 1
    assert got[("voxnb_first_audio_seconds_count", (("engine", "kokoro"), ("kind", "synthesize")))] == 1
    assert got[("voxnb_queue_length", (("engine", "kokoro"),))] == 3
    assert got[("voxnb_replicas", (("engine", "kokoro"), ("state", "ready")))] == 2
    assert got[("voxnb_replicas", (("engine", "kokoro"), ("state", "loading")))] == 0
    [line] = lines                                       # one line per request, and none for a refusal
    record = json.loads(line)
    assert record["id"] == "abc" and record["engine"] == "kokoro" and record["voice_id"] == "v123"
    assert record["chars"] == 42 and record["outcome"] == "served" and record["replica"] == "r1"
    assert 1.9 < record["seconds"] < 10 and record["audio_s"] == 4.0


def test_two_servers_in_one_process_keep_their_own_counts():
    a = ServerMetrics("kokoro", queue=lambda: 0, replicas=dict, write=lambda _: None)
    b = ServerMetrics("kokoro", queue=lambda: 0, replicas=dict, write=lambda _: None)
    a.refused("clone", "invalid")
    key = ("voxnb_requests_total", (("engine", "kokoro"), ("kind", "clone"), ("outcome", "invalid")))
    assert samples(a)[key] == 1 and samples(b)[key] == 0
