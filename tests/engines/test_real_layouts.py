"""The engines' real files, read as the user's box reads them.

F5's vocab and DiT size come from the f5-tts wheel itself; Vocos's and VoxCPM 1.5's configs are the
hub's, shipped in voxnb/engines/*/configs (SOURCES.md there says from where). The full-size models are
built from them on the meta device and counted; the tiny instances keep every real file and name and
shrink only weights (and, for VoxCPM, the sizes a tiny model needs), then go the user's way:
`voxnb fetch NAME --from DIR`, the manifest, ``voxnb.load_engine(NAME)``, the engine's own loader.
"""
import json
import os
import subprocess
import sys
from math import prod
from pathlib import Path

from tiny_engines import TINY_VOXCPM, build_f5, build_voxcpm

F5_DIT_LAYOUT = {"dim": 1024, "depth": 22, "heads": 16, "ff_mult": 2, "text_dim": 512, "conv_layers": 4}


# -- F5-TTS v1 Base -------------------------------------------------------------------------------------
def test_f5_package_vocab_fits_the_published_checkpoint():
    """The checkpoint's text embedding is (2546, 512) (F5-TTS issues 115, 871: 2545 tokens + a filler);
    the vocab the wheel ships, which load_model falls back to, gives exactly that shape."""
    from voxnb.engines.f5 import arch

    lines = arch.package_vocab().read_text(encoding="utf-8").split("\n")
    tokens = lines[:-1] if lines[-1] == "" else lines
    assert len(tokens) == 2545 and tokens[0] == " ", "a space at id 0, then 2544 characters and pinyin"
    assert {"a", "ni3", "hao3", "，"} <= set(tokens)
    model = arch.full_size_model("meta")
    assert tuple(model.transformer.text_embed.text_embed.weight.shape) == (2546, 512)
    assert len(model.vocab_char_map) == 2545


def test_f5_adapter_reads_the_real_dit_size_and_it_has_the_published_count():
    """The adapter's own path (`_v1_base_arch`, the package yaml; no voxnb-arch.json) builds the 336 M DiT."""
    from voxnb.engines.f5 import arch
    from voxnb.engines.f5.engine import _v1_base_arch

    assert _v1_base_arch() == arch.v1_base_arch()
    assert {k: _v1_base_arch()[k] for k in F5_DIT_LAYOUT} == F5_DIT_LAYOUT
    model = arch.full_size_model("meta")
    assert next(model.parameters()).device.type == "meta"
    total = arch.count_params_m(model)
    text = arch.count_params_m(model.transformer.text_embed)
    print(f"F5TTS_v1_Base CFM/DiT: {total:.1f} M parameters ({text:.1f} M of them the text embedding "
          f"and its ConvNeXt; the mel filterbank is a buffer, not counted)")
    assert abs(total - arch.PUBLISHED_PARAMS_M) / arch.PUBLISHED_PARAMS_M <= 0.03
    assert len(model.transformer.transformer_blocks) == 22


def test_vocos_config_is_the_documented_one_and_has_its_size():
    import yaml

    from voxnb.engines.f5 import arch

    cfg = yaml.safe_load(arch.VOCOS_CONFIG.read_text())
    assert cfg["feature_extractor"]["init_args"] == dict(sample_rate=24000, n_fft=1024, hop_length=256, n_mels=100,
                                                        padding="center")
    assert cfg["backbone"]["init_args"] == dict(input_channels=100, dim=512, intermediate_dim=1536, num_layers=8)
    assert cfg["head"]["init_args"] == dict(dim=512, n_fft=1024, hop_length=256, padding="center")
    total = arch.count_params_m(arch.vocoder("meta"))
    print(f"vocos-mel-24khz: {total:.2f} M parameters")
    assert abs(total - arch.VOCOS_PARAMS_M) / arch.VOCOS_PARAMS_M <= 0.03


# -- VoxCPM 1.5 -------------------------------------------------------------------------------------------
def test_voxcpm_config_gives_the_documented_rates():
    """44.1 kHz AudioVAE, patch size 4, 6.25 Hz LM token rate (its release note), MiniCPM-4 0.5B sizes."""
    from voxnb.engines.voxcpm import arch

    cfg = arch.config()
    vae = cfg["audio_vae_config"]
    hop = prod(vae["encoder_rates"])
    assert vae["sample_rate"] == 44100 and hop == prod(vae["decoder_rates"]) == 1764
    assert cfg["patch_size"] == 4 and vae["sample_rate"] / hop / cfg["patch_size"] == 6.25
    lm = cfg["lm_config"]
    head = lm["hidden_size"] // lm["num_attention_heads"]
    assert len(lm["rope_scaling"]["long_factor"]) == len(lm["rope_scaling"]["short_factor"]) == head // 2
    assert lm["vocab_size"] == arch.VOCAB_SIZE and cfg["architecture"] == "voxcpm"


def test_voxcpm_full_size_model_has_the_published_count():
    from voxnb.engines.voxcpm import arch

    model = arch.full_size_model("meta")
    assert next(model.base_lm.parameters()).device.type == "meta"
    total = arch.count_params_m(model)
    vae = arch.count_params_m(model.audio_vae)
    parts = {name: arch.count_params_m(getattr(model, name))
             for name in ("base_lm", "residual_lm", "feat_encoder", "feat_decoder", "audio_vae")}
    print(f"VoxCPM1.5: {total:.1f} M parameters, {total - vae:.1f} M without the AudioVAE; "
          + ", ".join(f"{k} {v:.1f} M" for k, v in parts.items()))
    assert len(model.base_lm.layers) == 24 and model.patch_size == 4
    # its model card's "~800M" is the model without the AudioVAE (the vocoder); its docs say 750 M
    assert abs(total - vae - arch.PUBLISHED_PARAMS_M) / arch.PUBLISHED_PARAMS_M <= 0.03


def test_voxcpm_stand_in_tokenizer_keeps_the_real_ids(tmp_path):
    """What the model and the loader rely on sits at the real tokenizer's ids, through a save and a load
    (`LlamaTokenizerFast.from_pretrained`, as VoxCPM loads it)."""
    from transformers import LlamaTokenizerFast
    from voxcpm.model.utils import mask_multichar_chinese_tokens

    from voxnb.engines.voxcpm import arch

    arch.save_stand_in_tokenizer(tmp_path)
    tok = LlamaTokenizerFast.from_pretrained(tmp_path)
    assert len(tok) == arch.VOCAB_SIZE
    ids = tok.convert_tokens_to_ids
    assert (ids("<unk>"), ids("<s>"), ids("</s>")) == (0, 1, 2)
    assert (ids("<|audio_start|>"), ids("<|audio_end|>"), ids("<|/span|>")) == (101, 102, 112)
    assert (ids("<|im_end|>"), ids("<|fim_suffix|>"), ids("<0x00>")) == (73440, 73447, 1089)
    assert tok.eos_token_id == 73440
    encoded = tok("Hello world")["input_ids"]
    assert encoded[0] == 1 and tok.decode(encoded, skip_special_tokens=True) == "Hello world"
    assert tok.decode(tok("🙂 ok")["input_ids"], skip_special_tokens=True) == "🙂 ok", "byte fallback"
    wrapped = mask_multichar_chinese_tokens(tok)      # VoxCPM's own wrapper: no BOS, one id per Han character
    text = "我们今天去公园散步"
    assert [t for t in wrapped.tokenize(text) if t != "\u2581"] == list(text)
    assert 1 not in wrapped("Hello world") and 0 not in wrapped(text), "no unknown ids"


# -- the user's path on tiny weights ------------------------------------------------------------------------
def _voxnb_fetch(name: str, source: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, VOXNB_CACHE=str(cache), HF_HUB_OFFLINE="1")
    env.pop(f"VOXNB_{name.upper()}_DIR", None)
    return subprocess.run([sys.executable, "-m", "voxnb", "fetch", name, "--from", str(source), *extra],
                          env=env, capture_output=True, text=True, timeout=300)


def test_f5_hub_layout_fetched_and_loaded_through_the_adapter(tmp_path, monkeypatch):
    from voxnb.weights import hub
    from voxnb.engines import load_engine
    from voxnb.engines.f5 import WEIGHTS, arch

    source = build_f5(tmp_path / "hub")
    assert (source / "F5TTS_v1_Base/model_1250000.safetensors").is_file()
    assert (source / "F5TTS_v1_Base/vocab.txt").read_bytes() == arch.package_vocab().read_bytes()
    assert (source / "vocos/config.yaml").read_bytes() == arch.VOCOS_CONFIG.read_bytes()
    done = _voxnb_fetch("f5", source, tmp_path / "cache", "--accept-licence")
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("VOXNB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("VOXNB_F5_DIR", raising=False)
    directory = hub.check(WEIGHTS, deep=True)
    manifest = hub.read_manifest(directory)
    assert set(manifest["files"]) >= set(WEIGHTS.files()) and manifest["source"].startswith("local:")
    engine = load_engine("f5", device="cpu")
    assert len(engine.model.vocab_char_map) == 2545
    backbone = engine.vocoder.backbone
    assert len(backbone.convnext) == 8 and backbone.embed.out_channels == 512, "the real Vocos, random weights"
    voice = engine.clone(_speech(), transcript="The birch canoe slid on the smooth planks.", consent=True)
    result = engine.synthesize("Hello there.", voice, seed=1, inspect=False)
    assert result.sample_rate == 24000 and result.duration_s > 0


def test_voxcpm_hub_layout_fetched_and_loaded_through_the_adapter(tmp_path, monkeypatch):
    import torch
    from safetensors.torch import load_file

    from voxnb.weights import hub
    from voxnb.engines import load_engine
    from voxnb.engines.voxcpm import WEIGHTS, arch

    source = build_voxcpm(tmp_path / "hub")
    names = {p.name for p in source.iterdir()}
    assert {"config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "model.safetensors", "audiovae.pth"} <= names
    real, tiny = arch.config(), json.loads((source / "config.json").read_text())
    changed = {k for k in real if real[k] != tiny[k]}
    assert changed == set(TINY_VOXCPM), f"only the sizes a tiny model needs differ, not {changed}"
    assert tiny["lm_config"]["rope_scaling"] == real["lm_config"]["rope_scaling"]
    done = _voxnb_fetch("voxcpm", source, tmp_path / "cache", "--model", "voxcpm1.5")
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("VOXNB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("VOXNB_VOXCPM_DIR", raising=False)
    directory = hub.check(WEIGHTS, deep=True)
    assert hub.read_manifest(directory)["source"].startswith("local:")
    engine = load_engine("voxcpm", device="cpu")
    model = engine.model
    assert engine.capabilities.sample_rate == 44100 and model.patch_size == 4
    saved = load_file(str(directory / "model.safetensors"))
    expected = {k for k in model.state_dict() if not k.startswith("audio_vae.")}
    assert set(saved) == expected, "VoxCPM loads with strict=False: a key mismatch would go unnoticed"
    assert torch.equal(saved["stop_head.weight"].float(), model.stop_head.weight.detach().float().cpu())
    voice = engine.clone(_speech(), transcript="The birch canoe slid on the smooth planks.", consent=True)
    result = engine.synthesize("Hello there.", voice, seed=1, inspect=False)
    assert result.sample_rate == 44100 and result.duration_s > 0


def _speech() -> Path:
    clip = Path(__file__).resolve().parents[2] / "assets/reference/harvard_f/harvard_01.flac"
    assert clip.is_file(), "assets/reference/ lacks its speech clips"
    return clip
