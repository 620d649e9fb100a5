"""OpenAI's speech API on `voxnb serve`, through OpenAI's own Python client: an app written for OpenAI's TTS
speaks with the loaded engine, every format decodes, streams as it is made, and refusals name the problem."""
import base64
import io
import json
import threading
import urllib.request

import numpy as np
import pytest
from net import free_port
from test_server import metric, start_server, stop_server, wait_for

import voxnb

openai = pytest.importorskip("openai")

FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
TEXT = "Hello there, this is voxnb speaking through OpenAI's own client."
SENTENCES = " ".join(f"Sentence number {i} is here, and it carries a few more words so that it takes a while."
                     for i in range(1, 13))


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("openai-home")


@pytest.fixture(scope="module")
def server(home):
    port = free_port()
    proc = start_server(port, env={"VOXNB_HOME": str(home)})   # its voices library: home/voices
    yield f"http://127.0.0.1:{port}", proc
    stop_server(proc)


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=f"{server[0]}/v1", api_key="not-needed-on-loopback", max_retries=0)


@pytest.fixture(scope="module")
def spoken(client):
    """TEXT in every format, whole, as a non-streaming app reads it: format -> (bytes, headers)."""
    out = {}
    for fmt in FORMATS:
        reply = client.audio.speech.with_raw_response.create(model="tts-1", voice="jf_alpha", input=TEXT,
                                                             response_format=fmt)
        out[fmt] = reply.content, reply.headers
    return out


def decode(fmt: str, data: bytes) -> tuple[np.ndarray, int]:
    """(mono float audio, sample rate) the way a client reads each format."""
    import soundfile as sf

    if fmt == "pcm":
        return np.frombuffer(data, "<i2").astype(np.float32) / 32768, 24000
    if fmt in ("wav", "flac"):
        audio, rate = sf.read(io.BytesIO(data), dtype="float32")
        return audio, rate
    import av

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(stream)]
        return np.concatenate(frames).astype(np.float32), stream.rate


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_decodes_to_the_same_marked_speech(spoken, fmt, tmp_path):
    from voxnb.output import provenance

    data, headers = spoken[fmt]
    audio, rate = decode(fmt, data)
    assert headers["x-voxnb-sample-rate"] == "24000"
    assert rate == (48000 if fmt == "opus" else 24000)    # Opus always decodes at 48 kHz
    assert len(audio) / rate > 0.5
    record = json.loads(headers["x-voxnb-provenance"])
    assert record["engine"] == "kokoro" and record["voice"]["name"] == "jf_alpha" and record["watermarked"] is True
    assert headers["x-voxnb-consent"] == "not needed"   # a stock voice
    pcm, _ = decode("pcm", spoken["pcm"][0])
    if fmt in ("wav", "flac"):   # lossless: sample for sample the pcm reply
        assert np.array_equal(audio, pcm)
    elif fmt != "pcm":           # lossy: as long as the pcm reply (the encoder's padding aside)
        assert abs(len(audio) / rate - len(pcm) / 24000) < 0.1
    assert voxnb.detect(audio, rate).marked
    if fmt not in ("pcm", "aac"):   # raw PCM and ADTS have no tags; the others carry the record inside
        (tmp_path / f"take.{fmt}").write_bytes(data)
        assert provenance.read(tmp_path / f"take.{fmt}") == {**record, "source": "file"}


def test_audio_streams_as_it_is_made_and_clients_that_leave_free_the_engine(client, server):
    import httpx

    url = server[0]
    queue = lambda: json.loads(urllib.request.urlopen(f"{url}/health", timeout=30).read())["queue"]   # noqa: E731
    before = queue()["cancelled"]
    with client.audio.speech.with_streaming_response.create(model="kokoro", voice="jf_alpha", input=SENTENCES,
                                                            response_format="pcm") as reply:
        pieces = reply.iter_bytes()
        first = next(pieces)
        running = queue()["running"]   # the engine is still making this request's later chunks
        assert running is not None and running["id"] == reply.headers["x-voxnb-request"]
        assert running["kind"] == "stream" and len(first) > 0
        assert len(next(pieces)) > 0

        def leaves_while_queued():   # no status before its first chunk: it waits, gives up after 3 s
            with pytest.raises(httpx.ReadTimeout):
                httpx.post(f"{url}/v1/audio/speech", json={"model": "kokoro", "voice": "jf_alpha", "input": "Hi."},
                           timeout=httpx.Timeout(60, read=3), trust_env=False)

        waiter = threading.Thread(target=leaves_while_queued)
        waiter.start()
        wait_for(lambda: queue()["waiting"] == 1, what="the second request to queue")
        waiter.join()
        # its place is freed while the first still runs, not when its turn comes
        left = wait_for(lambda: (q := queue())["cancelled"] > before and q, what="the queued request to go")
        assert left["waiting"] == 0 and left["running"]["id"] == running["id"]
    # the first closed after two pieces: the server cancels the rest at the next chunk boundary
    wait_for(lambda: (q := queue())["cancelled"] == before + 2 and q["running"] is None,
             what="the server to cancel the request its client left")


def test_sse_events_carry_the_same_audio(client, spoken):
    reply = client.audio.speech.with_raw_response.create(model="gpt-4o-mini-tts", voice="jf_alpha", input=TEXT,
                                                         response_format="pcm", stream_format="sse")
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = [json.loads(line[len("data: "):]) for line in reply.content.decode().splitlines()
              if line.startswith("data: ")]
    assert [e["type"] for e in events[:-1]] == ["speech.audio.delta"] * (len(events) - 1) and len(events) >= 2
    assert events[-1]["type"] == "speech.audio.done" and events[-1]["usage"]["input_tokens"] > 0
    audio = b"".join(base64.b64decode(e["audio"]) for e in events[:-1])
    assert audio == spoken["pcm"][0]


def test_a_saved_cloned_voice_is_spoken_by_name_and_by_id(client, server, home, ref_clip):
    from voxnb.voice import VoiceLibrary

    remote = voxnb.connect(server[0])
    try:
        voice = remote.clone(ref_clip, name="narrator", consent="my own voice, recorded for this test")
    finally:
        remote.close()
    VoiceLibrary(home / "voices").save(voice)
    for name in ("narrator", voice.id, {"id": voice.id}):   # the last as OpenAI's custom voice reference
        reply = client.audio.speech.with_raw_response.create(model="kokoro", voice=name, input="A cloned voice.",
                                                             response_format="wav", instructions="Say it warmly.")
        assert reply.headers["x-voxnb-ignored"] == "instructions"   # Kokoro follows no instructions in words
        audio, rate = decode("wav", reply.content)
        record = json.loads(reply.headers["x-voxnb-provenance"])
        assert record["voice"] == {"id": voice.id, "name": "narrator", "cloned": True, "consent": voice.consent["id"]}
        assert reply.headers["x-voxnb-consent"] == voice.consent["id"]
        assert len(audio) / rate > 0.5
    listed = {v["name"]: v["kind"] for v in json.loads(urllib.request.urlopen(
        f"{server[0]}/v1/audio/voices", timeout=30).read())["data"]}
    assert listed["narrator"] == "saved" and listed["jf_alpha"] == "stock"


def test_models_lists_the_engine_and_openais_names(client):
    ids = [m.id for m in client.models.list()]
    assert ids[0] == "kokoro" and {"tts-1", "tts-1-hd", "gpt-4o-mini-tts"} <= set(ids)
    assert client.models.retrieve("tts-1").owned_by == "voxnb"


@pytest.mark.parametrize("case, error, words, param", [
    ({"voice": "alloy"}, "BadRequestError", ["no voice called 'alloy'", "jf_alpha", "voxnb clone"], "voice"),
    ({"input": "x" * 4097}, "BadRequestError", ["4097 characters", "at most 4096", "voxnb book"], "input"),
    ({"input": "   "}, "BadRequestError", ["input is empty"], "input"),
    ({"response_format": "ogg"}, "BadRequestError", ["response_format 'ogg'", "mp3, opus, aac, flac, wav, pcm"],
     "response_format"),
    ({"speed": 3.0}, "BadRequestError", ["Speed 3.0", "0.5 to 2.0"], "speed"),
    ({"speed": "fast"}, "BadRequestError", ["'speed' is str", "a number"], "speed"),
    ({"stream_format": "chunks"}, "BadRequestError", ["stream_format 'chunks'"], "stream_format"),
    ({"model": "gpt-5"}, "NotFoundError", ["model 'gpt-5'", "kokoro, tts-1"], "model"),
])
def test_refusals_name_the_problem(client, server, case, error, words, param):
    before = metric(server[0], "voxnb_requests_total", kind="speech", outcome="invalid")
    with pytest.raises(getattr(openai, error)) as refused:
        client.audio.speech.create(**{"model": "tts-1", "voice": "jf_alpha", "input": "Hello.", **case})
    for word in words:
        assert word in refused.value.message
    assert refused.value.param == param and refused.value.type == "invalid_request_error"
    assert metric(server[0], "voxnb_requests_total", kind="speech", outcome="invalid") == before + 1


def post(url: str, body: bytes, kind: str = "application/json", **headers) -> tuple[int, dict]:
    import httpx

    reply = httpx.post(f"{url}/v1/audio/speech", content=body, headers={"Content-Type": kind, **headers},
                       timeout=60, trust_env=False)
    return reply.status_code, reply.json()["error"]


@pytest.mark.parametrize("body, kind, status, words", [
    (b"{not json", "application/json", 400, "not JSON"),
    (b"\xff\xfe{}", "application/json", 400, "not JSON"),
    (b"[1, 2]", "application/json", 400, "JSON list, not an object"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "not JSON"),
    (json.dumps({"model": "tts-1", "voice": "jf_alpha"}).encode(), "application/json", 400, "lacks 'input'"),
    (json.dumps({"model": "tts-1", "voice": 5, "input": "Hi."}).encode(), "application/json", 400, "'voice' is int"),
    (json.dumps({"model": "tts-1", "voice": "jf_alpha", "input": "x" * (2 << 20)}).encode(), "application/json",
     413, "at most 1 MiB"),
    (json.dumps({"model": "tts-1", "voice": "jf_alpha", "input": "Hi."}).encode(), "text/plain", 415,
     "takes application/json"),
])
def test_a_hostile_request_gets_a_clean_4xx(server, body, kind, status, words):
    got, error = post(server[0], body, kind)
    assert got == status and words in error["message"], error
    assert set(error) == {"message", "type", "param", "code"}


def test_refusals_speak_chinese_to_a_chinese_client(server):
    status, error = post(server[0], json.dumps({"model": "tts-1", "voice": "alloy", "input": "你好"}).encode(),
                         **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert status == 400 and "没有名为 'alloy' 的声音" in error["message"]


def test_a_server_with_a_token_takes_it_as_the_api_key(home):
    import time

    token = "s3cret-s3cret-s3cret"
    port = free_port()
    proc = start_server(port, env={"VOXNB_SERVER_TOKEN": token, "VOXNB_HOME": str(home)})
    try:
        url = f"http://127.0.0.1:{port}/v1"
        with pytest.raises(openai.AuthenticationError, match="needs its token.*api_key"):
            openai.OpenAI(base_url=url, api_key="wrong", max_retries=0).audio.speech.create(
                model="tts-1", voice="jf_alpha", input="Hello.")
        time.sleep(1.0)   # a wrong token makes the next try from this address wait 0.5 s
        good = openai.OpenAI(base_url=url, api_key=token, max_retries=0)
        assert good.audio.speech.create(model="tts-1", voice="jf_alpha", input="Hello.", response_format="wav").read()
    finally:
        stop_server(proc)


def test_a_replicated_server_answers_the_same(home):
    """Replicas on Ray stand where the engine thread stands: the route reads the same frames from them."""
    pytest.importorskip("ray", reason="replicas need ray[serve] (tests/run.sh installs it)")
    port = free_port()
    proc = start_server(port, "--replicas", "1", env={"VOXNB_HOME": str(home)})
    try:
        replicated = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="-", max_retries=0)
        reply = replicated.audio.speech.with_raw_response.create(model="tts-1", voice="jf_alpha", input=TEXT,
                                                                 response_format="wav")
        audio, rate = decode("wav", reply.content)
        assert len(audio) / rate > 0.5 and voxnb.detect(audio, rate).marked
        assert json.loads(reply.headers["x-voxnb-provenance"])["voice"]["name"] == "jf_alpha"
        with pytest.raises(openai.BadRequestError, match="no voice called 'alloy'"):
            replicated.audio.speech.create(model="tts-1", voice="alloy", input="Hello.")
    finally:
        stop_server(proc)
