"""F5-TTS and VoxCPM adapters end to end on tiny random-weight instances of the engines' own classes.

What the audio says is noise; what is checked is the adapter: weights resolution, cloning, chunking,
per-chunk seeds, every intermediate and its shape, refusals, and the wire to a served engine.
"""
import dataclasses
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from net import free_port as _free_port

from voxnb.errors import BadReferenceError, SettingsError, TextError, VoiceNotFoundError
from voxnb.voice import Voice

TEXT = "The quick brown fox jumps over the lazy dog. 我们今天去公园散步，好吗？ It is a fine day."


@pytest.fixture(scope="module")
def results(hub_engines, hub_voices):
    return {n: e.synthesize(TEXT, hub_voices[n], seed=7) for n, e in hub_engines.items()}


@pytest.mark.parametrize("name", ["f5", "voxcpm"])
def test_clone_keeps_reference_transcript_and_prompt_features(name, hub_engines, hub_voices):
    voice, engine = hub_voices[name], hub_engines[name]
    assert voice.engine == name and voice.transcript.startswith("The birch canoe")
    audio = voice.conditioning["prompt_audio"]
    assert audio.dtype == np.float32 and 3.0 < len(audio) / engine.capabilities.sample_rate <= engine.MAX_REFERENCE_S
    feature = {"f5": "prompt_mel", "voxcpm": "prompt_feat"}[name]
    assert voice.conditioning[feature].ndim >= 2 and np.isfinite(voice.conditioning[feature]).all()


@pytest.mark.parametrize("name", ["f5", "voxcpm"])
def test_synthesis_is_chunked_and_carries_every_intermediate(name, results, hub_engines):
    result, caps = results[name], hub_engines[name].capabilities
    assert len(result.chunks) >= 2, "voxnb's splitter cuts the text, not the engine"
    assert result.sample_rate == caps.sample_rate and np.isfinite(result.audio).all() and result.duration_s > 0
    for c in result.chunks:
        assert c.audio.size > 0 and c.f0.shape == c.energy.shape and c.f0.size >= len(c.audio) // c.samples_per_frame
        layers, heads, rows, cols = c.attention.shape          # opt-in capture, on by default
        assert layers == 2 and heads == 2 and 0 < rows <= 128 and 0 < cols <= 128
        assert np.allclose(c.attention.astype(np.float32).sum(-1), 1.0, atol=0.02), "each row is a distribution"
    first = result.chunks[0]
    if name == "f5":
        mel, traj = first.extras["mel"], first.extras["trajectory"]
        assert mel.shape[0] == 100 and traj.shape == (33, 100, mel.shape[1])     # 32 solver steps + the noise
        assert np.allclose(traj[-1].astype(np.float32), mel, atol=0.05), "the last ODE step is the vocoder's mel"
        assert abs(len(first.audio) - mel.shape[1] * 256) <= 256
        assert "trajectory" in caps.views and "alignment" in caps.lacks
    else:
        lat, stop = first.extras["latents"], first.extras["stop_prob"]
        assert lat.ndim == 3 and lat.shape[0] == len(stop) and lat.shape[2] == 64, "one latent patch per step"
        assert stop.ndim == 1 and ((stop >= 0) & (stop <= 1)).all()
        assert first.attention.shape[2] == min(len(stop), 128), "one attention row per decoding step"
        assert "latents" in caps.views and "speed" not in caps.settings


@pytest.mark.parametrize("name", ["f5", "voxcpm"])
def test_same_seed_same_audio_bit_for_bit_and_other_seed_differs(name, hub_engines, hub_voices, results):
    engine, voice = hub_engines[name], hub_voices[name]
    again = engine.synthesize(TEXT, voice, seed=7)
    assert np.array_equal(again.audio, results[name].audio)
    other = engine.synthesize(TEXT, voice, seed=8)
    assert not np.array_equal(other.audio, results[name].audio)


@pytest.mark.parametrize("name", ["f5", "voxcpm"])
def test_a_chunk_does_not_depend_on_the_chunks_before_it(name, hub_engines, hub_voices, results):
    """Per-chunk seeds: chunk 2 of the text is the same whether or not chunk 1 was made (and streamed)."""
    engine, voice = hub_engines[name], hub_voices[name]
    streamed = list(engine.stream(TEXT, voice, seed=7))
    assert [c.audio.tobytes() for c in streamed] == [c.audio.tobytes() for c in results[name].chunks]


def test_inspect_off_keeps_no_attention(hub_engines, hub_voices):
    r = hub_engines["f5"].synthesize("Hello there, friend.", hub_voices["f5"], inspect=False)
    assert r.chunks[0].attention is None and "trajectory" in r.chunks[0].extras


def test_settings_an_engine_lacks_are_refused(hub_engines, hub_voices):
    with pytest.raises(SettingsError, match="VoxCPM has no speed control"):
        hub_engines["voxcpm"].synthesize("Hello.", hub_voices["voxcpm"], speed=1.3)
    with pytest.raises(SettingsError, match="F5-TTS has no style control"):
        hub_engines["f5"].synthesize("Hello.", hub_voices["f5"], style="happy")
    slow = hub_engines["f5"].synthesize("Hello there, my friend.", hub_voices["f5"], speed=0.6)
    fast = hub_engines["f5"].synthesize("Hello there, my friend.", hub_voices["f5"], speed=1.5)
    assert slow.duration_s > fast.duration_s * 1.8, "F5's speed scales its duration rule"


def test_markup_each_engine_in_its_own_form(hub_engines, hub_voices):
    r = hub_engines["f5"].synthesize("你[h][ào]吗？", hub_voices["f5"])
    assert "hao4" in r.chunks[0].phonemes.split(), "pinyin markup goes in as F5's own token"
    with pytest.raises(TextError, match="ARPAbet"):
        hub_engines["f5"].synthesize("The [M][AY0][N][UW1][T] is up.", hub_voices["f5"])
    with pytest.raises(TextError, match="pinyin"):
        hub_engines["voxcpm"].synthesize("你[h][ào]吗？", hub_voices["voxcpm"])
    r = hub_engines["voxcpm"].synthesize("[breath] Well, hello.", hub_voices["voxcpm"])
    assert any("breath" in w for w in r.warnings)


def test_voice_of_another_engine_and_stock_voices_are_refused(hub_engines, hub_voices):
    with pytest.raises(VoiceNotFoundError, match="made for the voxcpm engine"):
        hub_engines["f5"].synthesize("Hello.", hub_voices["voxcpm"])
    with pytest.raises(VoiceNotFoundError, match="no stock voices"):
        hub_engines["f5"].synthesize("Hello.", "af_heart")


def test_saved_voice_speaks_the_same(hub_engines, hub_voices, tmp_path):
    path = hub_voices["f5"].save(tmp_path / "mine")
    loaded = Voice.load(path)
    a = hub_engines["f5"].synthesize("Hello there, friend.", hub_voices["f5"], seed=3)
    b = hub_engines["f5"].synthesize("Hello there, friend.", loaded, seed=3)
    assert np.array_equal(a.audio, b.audio)


def test_long_reference_with_typed_transcript_is_refused_and_asr_fills_a_cut_one(hub_engines, ref_clip):
    from audio_fixtures import read

    clips = [read(ref_clip.parent / f"harvard_0{i}.flac") for i in (1, 2, 1)]
    sr = clips[0][1]
    long = (np.concatenate([c[0] for c in clips]), sr)   # ~17 s of one speaker
    with pytest.raises(BadReferenceError, match="at most 12 s"):
        hub_engines["f5"].clone(long, transcript="whatever it says", consent=True)
    voice = hub_engines["f5"].clone(long, consent=True)       # cut at a pause, then transcribed (tiny.en, English)
    assert len(voice.conditioning["prompt_audio"]) / 24000 <= 12.0 and len(voice.transcript.split()) >= 5
    assert any("cut to" in w for w in voice.report["warnings"])


def test_fetch_from_directory_manifest_and_corruption(fetched, tiny_dirs, tmp_path, monkeypatch):
    from voxnb.weights import hub
    from voxnb.engines.f5 import WEIGHTS

    directory = hub.check(WEIGHTS, deep=True)
    manifest = hub.read_manifest(directory)
    assert set(manifest["files"]) >= set(WEIGHTS.files()) and manifest["source"].startswith("local:")
    copy = tmp_path / "f5"
    monkeypatch.setenv("VOXNB_F5_DIR", str(copy))
    hub.fetch(WEIGHTS, source_dir=tiny_dirs["f5"], accept=True, progress=lambda m: None)
    ckpt = copy / WEIGHTS.files()[0]
    cut = ckpt.with_name("cut")
    cut.write_bytes(ckpt.read_bytes()[:-10])
    os.replace(cut, ckpt)       # a new file: the fetched one may share its inode with the source
    with pytest.raises(hub.WeightsError, match="model_1250000.safetensors has .* bytes"):
        hub.check(WEIGHTS)
    from voxnb.engines import load_engine
    with pytest.raises(hub.WeightsError, match="voxnb fetch f5"):
        load_engine("f5", device="cpu")


def test_licence_is_asked_once(tiny_dirs, tmp_path, monkeypatch):
    from voxnb.weights import hub
    from voxnb.engines.f5 import WEIGHTS

    monkeypatch.setenv("VOXNB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(hub.LicenceError, match="CC-BY-NC-4.0.*--accept-licence"):
        hub.fetch(WEIGHTS, source_dir=tiny_dirs["f5"], progress=lambda m: None)
    asked = []
    hub.fetch(WEIGHTS, source_dir=tiny_dirs["f5"], ask=lambda q: asked.append(q) or "y", progress=lambda m: None)
    hub.fetch(WEIGHTS, source_dir=tiny_dirs["f5"], ask=lambda q: asked.append(q) or "n", progress=lambda m: None)
    assert len(asked) == 1, "accepted once, never asked again"


def test_offline_fetch_names_model_source_and_the_manual_way(tmp_path, monkeypatch):
    from voxnb.weights import hub
    from voxnb.engines.voxcpm import WEIGHTS

    monkeypatch.setenv("VOXNB_VOXCPM_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(hub.WeightsError) as err:
        hub.fetch(WEIGHTS, source="hf", progress=lambda m: None)
    text = str(err.value)
    assert "openbmb/VoxCPM1.5" in text and "Hugging Face" in text and "voxnb fetch voxcpm --from DIR" in text
    assert "modelscope" in text.lower(), "names the other source to try"


def test_model_source_defaults_to_modelscope_on_china_clouds(monkeypatch):
    from voxnb.weights import hub

    monkeypatch.delenv(hub.SOURCE_ENV, raising=False)
    monkeypatch.setenv("DSW_INSTANCE_ID", "dsw-1")
    assert hub.default_source() == "modelscope"
    monkeypatch.delenv("DSW_INSTANCE_ID")
    if not os.path.isdir("/root/autodl-tmp"):
        assert hub.default_source() == "hf"
    monkeypatch.setenv(hub.SOURCE_ENV, "ftp")
    with pytest.raises(hub.WeightsError, match="not a model source"):
        hub.default_source()


def test_served_engine_gives_the_in_kernel_result_bit_for_bit(fetched, hub_engines, hub_voices, results):
    """The engine behind `voxnb serve` (its own process) returns what the in-kernel engine does,
    intermediates included, across the wire."""
    import voxnb

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "voxnb", "serve", "--engine", "f5", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        deadline = time.time() + 120
        while True:
            try:
                remote = voxnb.connect(f"http://127.0.0.1:{port}")
                health = remote.health()
                assert health.get("status") != "failed", health
                if health.get("status") == "ready":
                    break
            except AssertionError:
                raise
            except Exception:
                pass
            assert time.time() < deadline and proc.poll() is None, "the f5 server did not become ready"
            time.sleep(1)
        assert remote.capabilities.name == "f5" and remote.capabilities.lacks
        r = remote.synthesize(TEXT, hub_voices["f5"], seed=7)
        local = results["f5"]
        assert np.array_equal(r.audio, local.audio)
        for a, b in zip(r.chunks, local.chunks):
            assert a.attention_axes == b.attention_axes and set(a.extras) == set(b.extras)
            assert np.array_equal(a.extras["trajectory"], b.extras["trajectory"])
            assert np.array_equal(a.attention, b.attention)
        with pytest.raises(SettingsError, match="no style control"):
            remote.synthesize("Hello.", hub_voices["f5"], style="sad")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_compare_puts_every_engine_in_one_table(hub_engines, ref_clip):
    from voxnb.runs.compare import compare, table

    rows = compare(ref_clip, "Hello there, this is a test.", dict(hub_engines),
                   transcript="The birch canoe slid on the smooth planks.", seed=1, consent=True)
    assert [r.engine for r in rows] == ["f5", "voxcpm"] and not any(r.error for r in rows)
    for r in rows:
        assert r.duration_s > 0 and r.rtf > 0 and 0 < r.first_audio_s <= r.result.timings["total"]
        assert -1.0 <= r.similarity <= 1.0 and r.wer >= 0 and isinstance(r.asr_text, str)   # noise: ASR may hear nothing
    text = table(rows)
    assert "f5" in text and "voxcpm" in text and "similarity" in text


def test_compare_keeps_going_when_one_engine_fails(hub_engines, ref_clip):
    from voxnb.runs.compare import compare

    rows = compare(ref_clip, "你[h][ào]吗？", dict(hub_engines), transcript="The birch canoe.", measure=False,
                   consent=True)
    by = {r.engine: r for r in rows}
    assert by["f5"].result is not None and "pinyin" in by["voxcpm"].error


def test_cli_fetch_synth_and_compare(tiny_dirs, tmp_path, ref_clip):
    env = dict(os.environ, VOXNB_CACHE=str(tmp_path / "cache"))
    run = lambda *a: subprocess.run([sys.executable, "-m", "voxnb", *a], capture_output=True, text=True, env=env,
                                    timeout=300)
    no = run("fetch", "f5", "--from", str(tiny_dirs["f5"]))
    assert no.returncode == 2 and "--accept-licence" in no.stderr
    missing = run("synth", "--engine", "f5", "--ref", str(ref_clip), "--consent", "--text", "Hi.", "--out", str(tmp_path / "x"))
    assert missing.returncode == 2 and "voxnb fetch f5" in missing.stderr
    ok = run("fetch", "f5", "--from", str(tiny_dirs["f5"]), "--accept-licence")
    assert ok.returncode == 0, ok.stderr
    ok = run("fetch", "voxcpm", "--from", str(tiny_dirs["voxcpm"]))
    assert ok.returncode == 0, ok.stderr
    out = run("synth", "--engine", "f5", "--ref", str(ref_clip), "--consent", "--text", "Hello there.", "--out",
              str(tmp_path / "take"), "--seed", "4", "--json")
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "take.wav").exists() and '"seed": 4' in out.stdout
    cmp = run("compare", "--ref", str(ref_clip), "--consent", "--consent", "--text", "Hello there.", "--engines", "f5,voxcpm", "--json",
              "--out", str(tmp_path / "cmp"))
    assert cmp.returncode == 0, cmp.stderr
    assert (tmp_path / "cmp" / "f5.wav").exists() and (tmp_path / "cmp" / "voxcpm.wav").exists()
    doctor = run("doctor")
    assert "f5: package installed, weights ok" in doctor.stdout
    bench = run("bench", "--engine", "voxcpm", "--quick", "--json")
    assert bench.returncode == 0, bench.stderr
    rows = __import__("json").loads(bench.stdout)["rows"]
    assert len(rows) == 2 and all(r["rtf"] > 0 and -1 <= r["similarity"] <= 1 for r in rows)


def test_inspector_draws_each_engines_views(hub_engines, results):
    """The dashboard's inspector shows the tabs each engine's Result can fill and says what it lacks."""
    from voxnb.dashboard.app import App
    from voxnb.dashboard.inspect_panel import result_views
    from voxnb.dashboard.session import Session

    assert result_views(results["f5"]) == ["mel", "attention", "trajectory", "f0", "timings"]
    assert result_views(results["voxcpm"]) == ["mel", "attention", "latents", "f0", "timings"]
    for name in ("f5", "voxcpm"):
        app = App(Session(engine_factory=lambda n=name: hub_engines[n]), warm=False)
        app.session.result = results[name]
        app.inspect = app.inspector
        app.inspect.show(results[name])
        titles = [app.inspect.tabs.get_title(i) for i in range(len(app.inspect.tabs.children))]
        assert len(titles) == 5 and ("ODE steps" in titles) == (name == "f5")
        assert ("Latents & stop" in titles) == (name == "voxcpm")
        assert "Not available from" in app.inspect.lacks.value and "alignment" in app.inspect.lacks.value.lower()
        images = app.inspect.images
        shown = ["mel", "attention", "f0", "timings", "trajectory" if name == "f5" else "latents"]
        assert all(images[v].value[:4] == b"\x89PNG" for v in shown)
        if name == "f5":
            before = images["trajectory"].value
            app.inspect.step.value = 0                          # the noise the ODE starts from
            assert images["trajectory"].value != before
            app.inspect.layer.value = 1
            app.inspect.head.value = 1
            assert app.inspect.layer.max == 2 and len(app.inspect.head.options) == 3


def test_no_hidden_downloads_at_load(fetched, monkeypatch):
    """Engines get local paths only: with every hub unreachable they still load and speak."""
    from voxnb.engines import load_engine

    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")      # a dead proxy: any request would fail
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    engine = load_engine("voxcpm", device="cpu")
    assert engine.model is not None and dataclasses.asdict(engine.capabilities)["name"] == "voxcpm"


def test_dashboard_switches_engine_and_compares(hub_engines, fetched, tmp_path):
    """The dashboard lists the engines this kernel has, clones the clip in use again after a switch,
    greys out settings the engine lacks, and compares engines in one table with a player each."""
    from voxnb.dashboard.app import App
    from voxnb.dashboard.session import Session, engine_names

    assert engine_names() == ["kokoro", "f5", "voxcpm"]
    session = Session(engine_factory=lambda: hub_engines["f5"], workdir=tmp_path)
    app = App(session=session, warm=False)
    app._warm()
    assert list(app.controls.engine.options) == ["kokoro", "f5", "voxcpm"] and app.controls.engine.value == "f5"
    assert app.controls.style.disabled and not app.controls.speed.disabled
    app.reference.source.value = "sample"
    app.reference.sample.value = "harvard_f/harvard_01"
    app.text.text.value = "Hello there, this is F5 speaking."
    app._generate()
    assert session.result.engine == "f5" and "trajectory" in app.inspector.shown
    heard = app.reference.transcript.value
    assert heard == session.voice.transcript and len(heard.split()) >= 4, "ASR filled the box, to be corrected"
    app.reference.transcript.value = "The birch canoe slid on the smooth planks."
    session.use_engine("voxcpm")
    session._engine = hub_engines["voxcpm"]          # the in-kernel instance the fixture already loaded
    app.controls.offer_engines(session.engine.capabilities)
    assert app.controls.speed.disabled and app.controls.speed.value == 1.0
    app._generate()                                  # the same clip, cloned again for VoxCPM
    assert session.voice.engine == "voxcpm" and session.result.engine == "voxcpm"
    assert "latents" in app.inspector.shown
    app.comparison.engines.value = ("f5", "voxcpm")
    session._engine = hub_engines["voxcpm"]
    import voxnb.dashboard.session as session_module
    original = session_module.engine_for
    session_module.engine_for = lambda name: hub_engines[name]
    try:
        app.comparison.compare()
    finally:
        session_module.engine_for = original
    table = app.comparison.table.value
    assert "f5" in table and "voxcpm" in table and "similarity" in table
    assert len(app.comparison.players.children) == 2


def test_readme_gpu_engine_example_runs(fetched, tmp_path, monkeypatch, capsys):
    from test_readme import ROOT, examples

    blocks = examples(gpu_engines=True)
    assert blocks
    monkeypatch.chdir(tmp_path)
    (tmp_path / "assets").symlink_to(ROOT / "assets")
    for code in blocks:
        exec(compile(code, "README.md", "exec"), {})
    assert "(33, 100," in capsys.readouterr().out
