"""VoxCPM2 as a model of the voxcpm engine, and the dtype VoxCPM loads in.

A tiny random-weight VoxCPM2 built from the package's own classes in the hub's layout (bf16
model.safetensors, fp32 audiovae.pth, config.json saying "voxcpm2" and "bfloat16") goes the user's
way: `voxnb fetch voxcpm2 --from DIR`, then `load_engine("voxcpm", model=...)`, clone, synthesize.
The model choice (by GPU memory and fetched weights) and the dtype choice (by compute capability)
are steered by replacing their probes; the model itself stays on the CPU.
"""
import dataclasses
import json

import numpy as np
import pytest
import torch

from tiny_engines import build_voxcpm, build_voxcpm2

from voxnb.errors import SettingsError, VoiceNotFoundError

TRANSCRIPT = "The birch canoe slid on the smooth planks."


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Tensors this small gain nothing from intra-op threads, and on a busy CPU each op then waits for
    a second core (15 ms per attention call instead of 0.06 ms)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A weights cache of this module's own (the session's holds the other hub engines' tiny weights)."""
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("voxcpm2-cache")
        mp.setenv("VOXNB_CACHE", str(root))
        yield root


@pytest.fixture(scope="module")
def tiny2(tmp_path_factory):
    return build_voxcpm2(tmp_path_factory.mktemp("tiny") / "VoxCPM2")


@pytest.fixture(scope="module")
def fetched2(cache, tiny2):
    from voxnb.cli.commands import main

    assert main(["fetch", "voxcpm2", "--from", str(tiny2)]) == 0
    return cache / "models" / "voxcpm2"


@pytest.fixture(scope="module")
def engine2(fetched2):
    from voxnb.engines import load_engine

    # 2 diffusion steps and no retries: a random stop head rarely stops, so each step counts
    return load_engine("voxcpm", model="voxcpm2", device="cpu", retry_badcase=False, inference_timesteps=2)


@pytest.fixture(scope="module")
def voice2(engine2, ref_clip):
    return engine2.clone(ref_clip, name="v2", transcript=TRANSCRIPT, consent=True)


# -- the rule ---------------------------------------------------------------------------------------
def test_default_model_wants_12_gb_of_gpu():
    from voxnb.engines.voxcpm import choose_model, default_model

    assert [default_model(v) for v in (None, 0.0, 8.0, 11.9, 12.0, 24.0, 80.0)] == \
        ["voxcpm1.5"] * 4 + ["voxcpm2"] * 3
    assert choose_model("auto", 24.0, present=lambda m: True) == "voxcpm2"
    assert choose_model("auto", 24.0, present=lambda m: False) == "voxcpm1.5", "no VoxCPM2 weights: 1.5"
    assert choose_model("auto", 8.0, present=lambda m: True) == "voxcpm1.5"
    assert choose_model("voxcpm2", None, present=lambda m: False) == "voxcpm2", "asked for is asked for"
    with pytest.raises(SettingsError, match="no model 'voxcpm3'"):
        choose_model("voxcpm3", None)
    # a card without bf16 runs VoxCPM in float32: VoxCPM2 then needs 20 GB (a 16 GB T4 keeps 1.5)
    assert [default_model(v, (7, 5)) for v in (16.0, 19.9, 20.0, 32.0)] == ["voxcpm1.5"] * 2 + ["voxcpm2"] * 2
    assert default_model(16.0, (8, 6)) == "voxcpm2"
    assert choose_model("auto", 16.0, present=lambda m: True, capability=(7, 0)) == "voxcpm1.5"


def test_gpu_memory_comes_from_nvidia_smi(monkeypatch):
    import subprocess

    from voxnb.engines import voxcpm

    monkeypatch.setattr(voxcpm.shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    monkeypatch.setattr(voxcpm.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, "24564\n81559\n", ""))
    assert voxcpm.gpu_memory_gb() == pytest.approx(24564 / 1024), "the first GPU, MiB -> GB"
    monkeypatch.setattr(voxcpm.shutil, "which", lambda name: None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert voxcpm.gpu_memory_gb() is None, "no nvidia-smi and no CUDA torch: a CPU box"


# -- fetching -----------------------------------------------------------------------------------------
def test_fetch_voxcpm2_takes_the_hub_layout(fetched2, tiny2):
    from voxnb.weights import hub
    from voxnb.engines.voxcpm import WEIGHTS2

    manifest = hub.read_manifest(hub.check(WEIGHTS2, fetched2, deep=True))
    assert {"config.json", "model.safetensors", "audiovae.pth", "tokenizer.json", "tokenizer_config.json"} <= \
        set(manifest["files"])
    assert json.loads((fetched2 / "config.json").read_text())["architecture"] == "voxcpm2"


def test_fetch_model_choice(cache, tiny2, tmp_path, monkeypatch, capsys):
    from voxnb.cli.commands import main
    from voxnb.weights import hub
    from voxnb.engines import voxcpm

    asked = []
    monkeypatch.setattr(hub, "fetch", lambda spec, **kw: asked.append(spec.name) or f"{spec.name}: fetched")
    for vram, model, want in ((None, None, "voxcpm"), (8.0, None, "voxcpm"), (24.0, None, "voxcpm2"),
                              (24.0, "auto", "voxcpm2"), (24.0, "voxcpm1.5", "voxcpm"), (None, "voxcpm2", "voxcpm2")):
        monkeypatch.setattr(voxcpm, "gpu_memory_gb", lambda: vram)
        assert main(["fetch", "voxcpm", *(["--model", model] if model else [])]) == 0
        assert asked[-1] == want, (vram, model)
    assert "auto: VoxCPM2 (a 24 GB GPU" in capsys.readouterr().err
    assert main(["fetch", "voxcpm2"]) == 0 and asked[-1] == "voxcpm2"
    assert main(["fetch", "voxcpm2", "--model", "voxcpm1.5"]) == 2
    assert main(["fetch", "f5", "--model", "voxcpm2"]) == 2
    assert "--model chooses among VoxCPM's models" in capsys.readouterr().err


def test_fetch_from_a_directory_takes_what_it_holds(tiny2, tmp_path, monkeypatch, capsys):
    from voxnb.cli.commands import main
    from voxnb.engines import voxcpm

    tiny15 = build_voxcpm(tmp_path / "VoxCPM1.5")
    monkeypatch.setenv("VOXNB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(voxcpm, "gpu_memory_gb", lambda: 80.0)     # auto would fetch VoxCPM2 from a hub
    assert main(["fetch", "voxcpm", "--from", str(tiny15)]) == 0
    assert (tmp_path / "cache/models/voxcpm/config.json").is_file()
    assert not (tmp_path / "cache/models/voxcpm2").exists()
    assert main(["fetch", "voxcpm", "--from", str(tiny2)]) == 0
    assert (tmp_path / "cache/models/voxcpm2/model.safetensors").is_file()
    # files of one model placed as the other's are refused, naming the right command
    assert main(["fetch", "voxcpm", "--model", "voxcpm1.5", "--from", str(tiny2)]) == 2
    err = capsys.readouterr().err
    assert "holds VoxCPM2, not VoxCPM 1.5" in err and "--model voxcpm2 --from" in err


# -- loading: the model, and its dtype --------------------------------------------------------------------
def test_engine_runs_voxcpm2_and_says_so(engine2):
    from voxcpm.model.voxcpm2 import VoxCPM2Model

    from voxnb.dashboard.session import engine_label
    from voxnb.engines.voxcpm import model_title

    caps = engine2.capabilities
    assert isinstance(engine2.model, VoxCPM2Model) and engine2.model_name == "voxcpm2"
    assert caps.sample_rate == 48000 and engine2.encode_rate == 16000, "AudioVAE V2: 16 kHz in, 48 kHz out"
    assert engine2.patch_samples == 4 * 1920, "one decoding step: 4 latent frames of 1920 samples at 48 kHz"
    assert model_title(caps.version) == "VoxCPM2" and caps.version.endswith(" float32")
    assert "VoxCPM2 in float32" in caps.notes
    assert engine_label("voxcpm", caps) == "voxcpm · VoxCPM2" and engine_label("f5", caps) == "f5"


def test_auto_takes_voxcpm2_only_where_the_gpu_has_the_memory(fetched2, monkeypatch):
    from voxnb.weights import hub
    from voxnb.engines import load_engine
    from voxnb.engines.voxcpm import engine as module

    monkeypatch.setattr(module, "_vram_gb", lambda device: 24.0)
    assert load_engine("voxcpm", device="cpu").model_name == "voxcpm2"
    monkeypatch.setattr(module, "_vram_gb", lambda device: 8.0)
    with pytest.raises(hub.WeightsError, match="VoxCPM 1.5 weights are not in"):   # 1.5 is not fetched here
        load_engine("voxcpm", device="cpu")


@pytest.mark.parametrize("capability, dtype", [((7, 5), "float32"), ((8, 6), "bfloat16")])
def test_dtype_follows_the_compute_capability_not_the_config(fetched2, monkeypatch, capability, dtype):
    """VoxCPM2's config says bfloat16; a T4 (7.5) has no fast bf16 and gets float32, an sm_86 card bf16."""
    from voxnb.engines import load_engine
    from voxnb.engines.voxcpm import engine as module

    assert json.loads((fetched2 / "config.json").read_text())["dtype"] == "bfloat16"
    monkeypatch.setattr(module, "cuda_capability", lambda device: capability)
    engine = load_engine("voxcpm", model="voxcpm2", device="cpu", retry_badcase=False)
    want = getattr(torch, dtype)
    model = engine.model
    assert engine.dtype == dtype and model.config.dtype == dtype and engine.capabilities.version.endswith(dtype)
    assert {p.dtype for n, p in model.named_parameters() if not n.startswith("audio_vae.")} == {want}
    assert model.base_lm.kv_cache.kv_cache.dtype == want, "the KV cache too"
    assert {p.dtype for p in model.audio_vae.parameters()} == {torch.float32}, "the package keeps its VAE fp32"


def test_voxcpm15_dtype_is_overridden_too(tmp_path, monkeypatch):
    """VoxCPM 1.5 loads in the card's dtype too, whichever its config names (the hub's says bfloat16)."""
    from voxnb.engines import fetch, load_engine
    from voxnb.engines.voxcpm import engine as module

    monkeypatch.setenv("VOXNB_CACHE", str(tmp_path / "cache"))
    tiny = build_voxcpm(tmp_path / "v15")
    fetch("voxcpm", model="voxcpm1.5", source_dir=tiny, progress=lambda m: None)
    configured = json.loads((tiny / "config.json").read_text())["dtype"]
    capability, want = ((7, 5), "float32") if configured == "bfloat16" else ((8, 0), "bfloat16")
    monkeypatch.setattr(module, "cuda_capability", lambda device: capability)
    engine = load_engine("voxcpm", model="auto", device="cpu")
    assert engine.model_name == "voxcpm1.5" and engine.dtype == want != configured
    assert next(engine.model.base_lm.parameters()).dtype == getattr(torch, want)
    assert f"VoxCPM 1.5 in {want}" in engine.capabilities.notes


# -- cloning and synthesis ----------------------------------------------------------------------------
def test_clone_holds_the_reference_twice(voice2, engine2):
    c = voice2.conditioning
    assert voice2.method == "voxcpm2-prompt-cache/1" and voice2.transcript == TRANSCRIPT
    assert c["prompt_feat"].shape[1:] == (4, 64) and c["ref_feat"].shape[1:] == (4, 64), "(patches, 4, latent)"
    # 16 kHz in, 4 x 640 samples per patch: a 3-15 s reference is 19-94 patches
    assert 18 <= c["prompt_feat"].shape[0] <= 94 and abs(c["ref_feat"].shape[0] - c["prompt_feat"].shape[0]) <= 1
    assert not np.array_equal(c["prompt_feat"], c["ref_feat"]), "padded left for continuation, right when isolated"
    assert len(c["prompt_audio"]) / engine2.SAMPLE_RATE <= engine2.MAX_REFERENCE_S


def test_synthesis_reproduces_and_carries_latents_and_stop(engine2, voice2):
    text = "Hi."
    a = engine2.synthesize(text, voice2, seed=3)
    b = engine2.synthesize(text, voice2, seed=3, inspect=False)
    c = engine2.synthesize(text, voice2, seed=4, inspect=False)
    assert a.sample_rate == 48000 and len(a.chunks) == 1
    assert np.array_equal(a.audio, b.audio), "same text, voice and seed: same audio (inspect on or off)"
    assert not np.array_equal(a.audio, c.audio)
    for chunk in a.chunks:
        lat, stop = chunk.extras["latents"], chunk.extras["stop_prob"]
        assert lat.shape == (len(stop), 4, 64) and np.isfinite(lat.astype(np.float32)).all()
        assert len(stop) >= 3 and ((stop >= 0) & (stop <= 1)).all()
        assert len(chunk.audio) == len(stop) * engine2.patch_samples, "VoxCPM2 decodes only generated patches"
        assert chunk.attention is not None and chunk.attention.shape[2] == min(len(stop), 128)
        assert int(chunk.extras["prompt_frames"][0]) == voice2.conditioning["prompt_feat"].shape[0]
    assert all(ch.attention is None for ch in b.chunks)


def test_a_voxcpm15_voice_is_refused(engine2, voice2):
    old = dataclasses.replace(voice2, method="voxcpm-prompt-cache/1")
    with pytest.raises(VoiceNotFoundError, match="made with VoxCPM 1.5; this engine runs VoxCPM2"):
        engine2.synthesize("Hello.", old)


# -- doctor, dashboard, full size -------------------------------------------------------------------------
def test_doctor_and_menu_know_both_models(fetched2, engine2, monkeypatch, tmp_path):
    from voxnb.cli import doctor
    from voxnb.dashboard.app import App
    from voxnb.dashboard.session import Session, engine_names
    from voxnb.engines import voxcpm

    monkeypatch.setattr(voxcpm, "gpu_memory_gb", lambda: None)
    text = doctor._hub_engines()
    assert "voxcpm: package installed, no weights (voxnb fetch voxcpm)" in text
    assert f"voxcpm2: package installed, weights ok in {fetched2}" in text
    assert "voxcpm model auto: VoxCPM 1.5 (no GPU" in text
    assert "voxcpm" in engine_names(), "on offer with VoxCPM2 alone fetched"
    app = App(session=Session(engine_factory=lambda: engine2, workdir=tmp_path), warm=False)
    app._warm()
    menu = app.controls.engine
    assert menu.value == "voxcpm" and dict(menu.options)["voxcpm · VoxCPM2"] == "voxcpm" and menu.label.endswith("VoxCPM2")


def test_full_size_config_is_voxcpm2_at_2b_parameters():
    """configs/voxcpm2.json (the hub's config.json, see configs/SOURCES.md) builds a 2B model."""
    from importlib.resources import files

    from voxcpm.model.voxcpm2 import VoxCPMConfig

    config = VoxCPMConfig.model_validate_json(files("voxnb.engines.voxcpm").joinpath("configs/voxcpm2.json").read_text())
    lm, enc, dit = config.lm_config, config.encoder_config, config.dit_config
    assert (lm.hidden_size, lm.num_hidden_layers, lm.kv_channels, lm.vocab_size) == (2048, 28, 128, 73448)
    assert len(lm.rope_scaling.long_factor) == lm.kv_channels // 2
    assert (enc.num_layers, dit.num_layers, config.residual_lm_num_layers) == (12, 12, 8)
    assert config.audio_vae_config.out_sample_rate == 48000 and config.dtype == "bfloat16"
    model = _full_size(config)
    params = sum(p.numel() for p in model.parameters())
    vae = sum(p.numel() for p in model.audio_vae.parameters())
    print(f"VoxCPM2 full size: {(params - vae) / 1e9:.3f} B parameters + {vae / 1e6:.1f} M in the audio VAE")
    assert 2.2e9 < params - vae < 2.4e9, "the model card's 2B"
    # the hub's model.safetensors holds 577 tensors and audiovae.pth 312 entries (configs/SOURCES.md)
    assert len([k for k in model.state_dict() if not k.startswith("audio_vae.")]) == 577
    assert len(model.audio_vae.state_dict()) == 312


def _full_size(config):
    """VoxCPM2Model at this config on the meta device (nothing allocated; a KV cache of 8 positions)."""
    from voxcpm.model.voxcpm2 import VoxCPM2Model
    from voxcpm.modules.audiovae import AudioVAEV2

    class Tokenizer:          # the model only wraps it; no text is tokenized here
        vocab: dict = {}

    config = config.model_copy(update={"max_length": 8, "device": "cpu", "dtype": "float32"})
    with torch.device("meta"):
        return VoxCPM2Model(config, Tokenizer(), AudioVAEV2(config.audio_vae_config), device="cpu")
