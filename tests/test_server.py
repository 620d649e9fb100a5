"""`voxnb serve` + RemoteEngine: one Kokoro served to clients that cannot tell it from an in-kernel engine."""
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import numpy as np
import pytest
from net import free_port

import voxnb
from voxnb import errors
from voxnb.engines.remote import RemoteEngine

LONG = " ".join(f"Sentence number {i} is here, and it carries a few more words so that it takes a while to say."
                for i in range(1, 13))
TWO_CHUNKS = ("The first part of this text is long enough that Kokoro speaks it as one chunk of its own, "
              "with plenty of words in it to fill the model's context well beyond what it reads at once. "
              "And then the second part follows right after it, again with quite a lot of words, "
              "so that the splitter has to make two or more pieces out of the whole thing.")


def start_server(port, *args, env=None):
    proc = subprocess.Popen([sys.executable, "-m", "voxnb", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    # the server logs a line per request: its output is read all along, or a full pipe would stall it
    proc.lines = []
    proc.drain = threading.Thread(target=lambda: proc.lines.extend(proc.stdout), daemon=True)
    proc.drain.start()
    deadline = time.time() + 180
    while time.time() < deadline:
        assert proc.poll() is None, server_log(proc)
        try:
            req = urllib.request.Request(f"http://127.0.0.1:{port}/health",
                                         headers={"Authorization": f"Bearer {(env or {}).get('VOXNB_SERVER_TOKEN', '')}"})
            with urllib.request.urlopen(req, timeout=2) as r:
                if json.loads(r.read())["ready"]:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("the engine server did not become ready")


def server_log(proc) -> str:
    """What the server printed (all of it, once it has exited)."""
    if proc.poll() is not None:
        proc.drain.join(30)
    return "".join(proc.lines)


def stop_server(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = start_server(port, "--max-queue", "1")
    yield f"http://127.0.0.1:{port}", proc
    stop_server(proc)


@pytest.fixture(scope="module")
def remote(server):
    engine = voxnb.connect(server[0])
    yield engine
    engine.close()


def wait_for(predicate, seconds=120, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def same_chunks(a, b):
    assert len(a) == len(b)
    for ca, cb in zip(a, b):
        for f in ("index", "of", "text", "phonemes", "sample_rate", "samples_per_frame", "offset", "warnings"):
            assert getattr(ca, f) == getattr(cb, f), f
        for f in ("tokens", "durations", "frames", "f0", "energy", "attention", "audio"):
            x, y = getattr(ca, f), getattr(cb, f)
            assert (x is None and y is None) or (x.dtype == y.dtype and np.array_equal(x, y)), f
        assert np.array_equal(ca.alignment, cb.alignment)


def test_served_outputs_are_marked_consent_is_kept_and_unmarked_audio_refused(remote, ref_clip):
    import getpass

    result = remote.synthesize("Hello there, this one is served.", "jf_tebukuro")
    assert voxnb.detect(result.audio, result.sample_rate).marked and result.provenance["watermarked"] is True
    assert result.provenance["voice"]["name"] == "jf_tebukuro" and result.provenance["engine"] == "kokoro"
    for chunk in remote.stream(TWO_CHUNKS, "jf_tebukuro", inspect=False):
        assert voxnb.detect(chunk.audio, chunk.sample_rate).marked
    for call in (remote.synthesize, lambda *a, **k: list(remote.stream(*a, **k))):
        with pytest.raises(errors.SettingsError, match="marks every output"):
            call("Hi.", "jf_tebukuro", watermark=False)
    with pytest.raises(errors.ConsentRequiredError):
        remote.clone(ref_clip)
    voice = remote.clone(ref_clip, consent="my own voice, recorded today")
    assert voice.consent["statement"] == "my own voice, recorded today" and voice.consent["by"] == getpass.getuser()
    assert remote.synthesize("Hi.", voice).provenance["voice"]["consent"] == voice.consent["id"]


def test_synth_through_a_server_streams_into_the_file_with_progress(remote, server, tmp_path):
    import soundfile as sf

    from voxnb.output import provenance

    out = tmp_path / "served.flac"
    p = subprocess.run([sys.executable, "-m", "voxnb", "synth", "--server", server[0], "--voice", "jf_alpha",
                        "--text", TWO_CHUNKS, "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [line for line in p.stderr.splitlines() if "chunk" in line]
    assert len(lines) >= 2 and lines[0].startswith("  chunk 1/") and "s of audio, about" in lines[0]
    written, sr = sf.read(out, dtype="float32")
    whole = remote.synthesize(TWO_CHUNKS, "jf_alpha", inspect=False)
    assert sr == whole.sample_rate and len(written) == len(whole.audio)
    assert np.abs(written - whole.audio).max() < 2 / 32768          # the same audio, up to 16-bit rounding
    record = provenance.read(out)
    assert record["engine"] == remote.capabilities.name and record["voice"]["name"] == "jf_alpha"
    assert record["watermarked"] is True and record["source"] == "file + sidecar"


def test_health_and_capabilities(remote, engine):
    h = remote.health()
    assert h["ready"] and h["engine"] == "kokoro" and h["device"] == "cpu"
    assert h["version"] == engine.capabilities.version
    assert h["memory"]["rss_mb"] > 50 and h["queue"]["max_queue"] == 1 and "served" in h
    assert remote.capabilities == dataclasses.replace(engine.capabilities, refines=False)   # no refine route
    assert isinstance(remote, voxnb.Engine)


def test_remote_clone_and_synthesis_equal_the_in_kernel_engine(remote, engine, ref_clip, cloned):
    voice = remote.clone(ref_clip, name="ref-speaker", cache=False, consent=True)   # fitted afresh by the server
    assert voice == cloned and voice.method == cloned.method and dict(voice.controls) == dict(cloned.controls)
    for k in cloned.conditioning:
        assert np.array_equal(voice.conditioning[k], cloned.conditioning[k]), k
    got = remote.synthesize(TWO_CHUNKS, voice, style="happy", speed=1.1, seed=5)
    want = engine.synthesize(TWO_CHUNKS, cloned, style="happy", speed=1.1, seed=5)
    assert len(want.chunks) >= 2
    assert got.audio.dtype == want.audio.dtype and np.array_equal(got.audio, want.audio)   # bit-identical
    same_chunks(got.chunks, want.chunks)
    for f in ("text", "sample_rate", "voice_id", "voice_name", "engine", "engine_version", "settings", "seed",
              "warnings"):
        assert getattr(got, f) == getattr(want, f), f
    assert np.array_equal(got.mel, want.mel) and set(got.timings) == set(want.timings)
    same_chunks(list(remote.stream(TWO_CHUNKS, voice, seed=5)), list(engine.stream(TWO_CHUNKS, cloned, seed=5)))
    stock = remote.stock_voice("jf_tebukuro")
    assert stock == engine.stock_voice("jf_tebukuro")
    assert np.array_equal(remote.synthesize("Hi there.", "jf_tebukuro").audio,
                          engine.synthesize("Hi there.", "jf_tebukuro").audio)


def test_streaming_delivers_the_first_chunk_before_the_last_is_made(remote):
    stream = remote.stream(LONG, "jf_tebukuro", inspect=False)
    first = next(stream)
    running = remote.health()["queue"]["running"]   # the server is still making this request's chunks
    assert first.index == 0 and first.of >= 3
    assert running is not None and running["items"] < first.of
    rest = list(stream)
    assert [c.index for c in rest] == list(range(1, first.of))


def test_a_request_beyond_the_queue_bound_is_refused_at_once(remote, server):
    running = remote.stream(LONG, "jf_tebukuro", inspect=False)
    queued = remote.stream(LONG, "jf_tebukuro", inspect=False)
    next(running)
    waiter = threading.Thread(target=lambda: next(queued, None), daemon=True)
    waiter.start()
    wait_for(lambda: remote.health()["queue"]["waiting"] == 1, what="a queued request")
    with pytest.raises(errors.EngineBusyError, match=r"busy: 1 request waiting \(the server's limit is 1\)"):
        remote.synthesize("Hello.", "jf_tebukuro")
    assert remote.health()["queue"]["refused"] >= 1
    running.close()                 # cancels it on the server; the queued one starts and yields
    waiter.join(120)
    queued.close()
    wait_for(lambda: (q := remote.health()["queue"])["running"] is None and q["waiting"] == 0,
             what="the cancelled requests to leave")
    assert len(remote.synthesize("Hello again.", "jf_tebukuro").audio) > 0


def test_a_killed_client_frees_the_server_for_the_next_one(remote, server):
    url, _ = server
    before = remote.health()["queue"]
    code = ("import sys, time, voxnb\n"
            f"s = voxnb.connect({url!r}).stream({LONG!r}, 'jf_tebukuro', inspect=False)\n"
            "c = next(s); print('first', c.of, flush=True); time.sleep(600)\n")
    client = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = client.stdout.readline().split()
        assert line and line[0] == "first", line
        of = int(line[1])
        client.kill()                                   # SIGKILL: no goodbye, just a closed socket
        client.wait(30)
        after = wait_for(lambda: (q := remote.health()["queue"])["cancelled"] > before["cancelled"]
                         and q["running"] is None and q, what="the server to cancel the dead client's request")
        assert after["served"] == before["served"]      # it did not run to the end
    finally:
        client.kill()
    got = remote.synthesize("The next one is served.", "jf_tebukuro")
    assert got.duration_s > 0.5 and of >= 3


@pytest.mark.parametrize("case", ["text file", "silent clip", "empty text", "broken markup", "bad speed",
                                  "unknown setting", "unknown stock voice", "missing file"])
def test_bad_input_gets_the_same_error_as_in_kernel(remote, engine, tmp_path, case, cloned):
    import soundfile as sf

    notes = tmp_path / "notes.wav"
    notes.write_text("just some text, not audio\n" * 50)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(24000 * 5, np.float32), 24000)
    calls = {"text file": lambda e: e.clone(notes, consent=True), "silent clip": lambda e: e.clone(silent, consent=True),
             "missing file": lambda e: e.clone(tmp_path / "nope.wav", consent=True),
             "empty text": lambda e: e.synthesize("   ", cloned),
             "broken markup": lambda e: e.synthesize("今天[h][zzz]好", cloned),
             "bad speed": lambda e: e.synthesize("Hello.", cloned, speed=9),
             "unknown setting": lambda e: e.synthesize("Hello.", cloned, volume=3),
             "unknown stock voice": lambda e: e.synthesize("Hello.", "nobody")}
    with pytest.raises(errors.VoxnbError) as local:
        calls[case](engine)
    with pytest.raises(errors.VoxnbError) as served:
        calls[case](remote)
    assert type(served.value) is type(local.value)
    assert str(served.value) == str(local.value)
    assert getattr(served.value, "position", None) == getattr(local.value, "position", None)


def test_a_killed_server_is_reported_not_a_hang(tmp_path):
    from voxnb.dashboard import App, Session
    from voxnb.voice import VoiceLibrary

    port = free_port()
    proc = start_server(port)
    remote = voxnb.connect(f"http://127.0.0.1:{port}")
    session = Session(engine_factory=lambda: remote, library=VoiceLibrary(tmp_path / "v"), workdir=tmp_path / "w")
    session.voice = remote.stock_voice("jf_tebukuro")
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with pytest.raises(errors.EngineStoppedError, match=r"kokoro engine stopped.*Restart it with `bash 1-click-start.sh`"):
        remote.synthesize("Hello.", session.voice)
    app = App(session=session, warm=False)
    app.text.text.value = "Hello."
    app.generate()
    wait_for(lambda: not app._busy.locked(), 60, "the dashboard to give up")
    assert "engine stopped" in app.status.value and "bash 1-click-start.sh" in app.status.value
    assert not app.generator.go.disabled


def test_beyond_loopback_a_token_is_required(tmp_path):
    port = free_port()
    proc = start_server(port, "--host", "0.0.0.0", env={"VOXNB_SERVER_TOKEN": "s3cret-s3cret-s3cret"})
    try:
        url = f"http://127.0.0.1:{port}"
        with pytest.raises(errors.EngineError, match="needs its token"):
            RemoteEngine(url, token="")
        with pytest.raises(errors.EngineError, match="Too many wrong tokens"):   # not even compared yet
            RemoteEngine(url, token="wrong")
        time.sleep(1.0)
        engine = RemoteEngine(url, token="s3cret-s3cret-s3cret")
        assert engine.health()["ready"]
    finally:
        stop_server(proc)
    with socket.socket() as taken:   # the server stops at the taken port, after saying its token
        taken.bind(("0.0.0.0", 0))
        generated = subprocess.run([sys.executable, "-m", "voxnb", "serve", "--host", "0.0.0.0", "--port",
                                    str(taken.getsockname()[1])], capture_output=True, text=True, timeout=60,
                                   env={k: v for k, v in os.environ.items() if k != "VOXNB_SERVER_TOKEN"})
    assert "clients need this token" in generated.stderr      # never open without one
    assert generated.returncode == 2 and "is in use" in generated.stderr


def test_a_loopback_server_refuses_foreign_host_headers(server):
    req = urllib.request.Request(f"{server[0]}/health", headers={"Host": "rebind.example:80"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403


def test_the_client_ignores_proxy_variables(server, monkeypatch):
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")   # nothing listens there: a proxied request would fail
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert voxnb.connect(server[0]).health()["ready"]


def test_connect_without_a_server_says_how_to_start_one(monkeypatch):
    monkeypatch.delenv("VOXNB_SERVERS", raising=False)
    with pytest.raises(errors.EngineStoppedError, match="voxnb serve"):
        voxnb.connect()
    port = free_port()
    with pytest.raises(errors.EngineStoppedError, match="Restart it with"):
        voxnb.load_engine("kokoro", server=f"http://127.0.0.1:{port}")


def test_the_phoneme_preview_comes_from_the_server_with_its_notes_in_both_languages(remote, server):
    from voxnb.text import phonemize

    text = "你好，世界。Hello there 😀 [h][ào] and [M][AY0][N][UW1][T]."
    got, want = remote.phonemize(text), phonemize(text)
    assert got == want and got[0].warnings
    note = got[0].warnings[0]
    assert note.render("en") == want[0].warnings[0] and "未朗读" in note.render("zh")
    # a synthesis's notes cross the wire with their key too
    result = remote.synthesize("Hello there 😀.", "jf_tebukuro")
    assert result.warnings and "未朗读" in result.warnings[0].render("zh")
    for bad in ({"text": None}, {"text": "hi", "lang": 3}, {"text": ["a"]}):
        with pytest.raises(errors.TextError, match="must be strings"):
            remote._json("POST", "/phonemize", bad)
    with pytest.raises(errors.TextError, match="'fr'"):
        remote.phonemize("hi", lang="fr")


def test_a_served_viewer_loads_no_lexicon_and_no_heavy_library(server, ref_clip, tmp_path):
    """What keeps a dashboard viewer's kernel light: the engine server phonemizes, voxnb's numpy mel
    draws, and nothing imports torch, librosa or the G2P lexicons."""
    code = f"""
import json, os, sys, time
os.environ["VOXNB_SERVERS"] = json.dumps({{"kokoro": {{"url": {server[0]!r}}}}})
from voxnb.dashboard import App, Session
from voxnb.voice import VoiceLibrary
s = Session(library=VoiceLibrary({str(tmp_path / 'v')!r}), workdir={str(tmp_path / 'w')!r})
app = App(session=s, warm=False)
s.load_upload("ref.flac", open({str(ref_clip)!r}, "rb").read())
s.enroll(consent=True)
app.text.text.value = "你好，世界。Hello from a viewer. A second sentence follows it."
app.text.update_preview()
app.generate()
while app._busy.locked():
    time.sleep(0.2)
print(app.status.value)
print(sorted(m for m in ("torch", "librosa", "numba", "hibari", "jieba", "pypinyin") if m in sys.modules))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    status, loaded = p.stdout.strip().splitlines()[-2:]
    assert "Done" in status and loaded == "[]", p.stdout


def metric(url, name, **labels):
    """One sample of the server's /metrics (prometheus text), 0 when absent."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as r:
        text = r.read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def test_metrics_count_what_was_sent(server, remote):
    url, _ = server
    served = dict(name="voxnb_requests_total", engine="kokoro", kind="synthesize", outcome="served")
    invalid = dict(name="voxnb_requests_total", engine="kokoro", kind="synthesize", outcome="invalid")
    streamed = dict(name="voxnb_requests_total", engine="kokoro", kind="stream", outcome="served")
    before = {k: metric(url, **v) for k, v in (("served", served), ("invalid", invalid), ("streamed", streamed))}
    audio_before = metric(url, "voxnb_audio_seconds_total", engine="kokoro")
    seconds = sum(remote.synthesize(f"Counted request {i}.", "jf_alpha").duration_s for i in range(3))
    seconds += sum(len(c.audio) / c.sample_rate for c in remote.stream("Streamed once.", "jf_alpha"))
    with pytest.raises(errors.VoxnbError):
        remote.synthesize("A voice that is not there.", "nobody_at_all")
    assert metric(url, **served) == before["served"] + 3
    assert metric(url, **streamed) == before["streamed"] + 1
    assert metric(url, **invalid) == before["invalid"] + 1
    assert abs(metric(url, "voxnb_audio_seconds_total", engine="kokoro") - audio_before - seconds) < 0.05
    assert metric(url, "voxnb_request_seconds_count", engine="kokoro", kind="synthesize") >= 3
    assert metric(url, "voxnb_replicas", engine="kokoro", state="ready") == 1
    assert metric(url, "voxnb_queue_length", engine="kokoro") == 0
