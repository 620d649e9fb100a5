"""Tiny random-weight instances of the hub engines, built from the engines' own classes and configs.

They run the real adapter code on a CPU in well under a second per call; what they say is noise.
Each builder writes the directory layout ``voxnb fetch NAME --from DIR`` expects.
"""
from __future__ import annotations

import json
from pathlib import Path


def build_f5(root: Path) -> Path:
    """F5-TTS in the hub's layout: ``F5TTS_v1_Base/`` with the package's vocab (the checkpoint's, 2545 tokens)
    and a 2-layer DiT (0.27 M parameters, its size in ``voxnb-arch.json``: the real 336 M one is built on the
    meta device in test_real_layouts), ``vocos/`` with the real vocos-mel-24khz config and random weights."""
    import shutil

    import torch
    from safetensors.torch import save_file

    from voxnb.engines.f5 import arch as f5_arch

    torch.manual_seed(0)
    root = Path(root)
    (root / "F5TTS_v1_Base").mkdir(parents=True, exist_ok=True)
    (root / "vocos").mkdir(exist_ok=True)
    shutil.copyfile(f5_arch.VOCOS_CONFIG, root / "vocos/config.yaml")
    torch.save(f5_arch.vocoder("cpu").state_dict(), root / "vocos/pytorch_model.bin")
    vocab = root / "F5TTS_v1_Base/vocab.txt"
    shutil.copyfile(f5_arch.package_vocab(), vocab)
    arch = dict(f5_arch.v1_base_arch(), dim=64, depth=2, heads=2, dim_head=32, text_dim=32, conv_layers=1)
    model = f5_arch.full_size_model("cpu", arch=arch, vocab_file=vocab)
    save_file({f"ema_model.{k}": v.contiguous() for k, v in model.state_dict().items()},
              str(root / "F5TTS_v1_Base/model_1250000.safetensors"))
    (root / "voxnb-arch.json").write_text(json.dumps(arch))
    return root


TINY_VOXCPM = dict(   # the real config.json's sizes that a tiny instance must shrink; the rest stays as shipped
    lm_config=dict(hidden_size=128, intermediate_size=256, num_attention_heads=2, num_hidden_layers=2,
                   num_key_value_heads=1),       # head size 64, as the real one: its rope factors fit unchanged
    residual_lm_num_layers=1, encoder_config=dict(hidden_dim=128, ffn_dim=256, num_heads=2, num_layers=1),
    dit_config=dict(hidden_dim=128, ffn_dim=256, num_heads=2, num_layers=1),
    audio_vae_config=dict(encoder_dim=4, decoder_dim=32))   # device "cuda", dtype "bfloat16" stay: the adapter decides


def build_voxcpm(root: Path) -> Path:
    """VoxCPM 1.5 in the hub's layout: its config.json with only the sizes in TINY_VOXCPM shrunk (44.1 kHz
    AudioVAE, patch size 4, 73,448 ids as published), the stand-in of its tokenizer with the real ids of
    every special token, model.safetensors and audiovae.pth (about 10 M parameters, most the embedding)."""
    import torch
    from safetensors.torch import save_file

    from voxnb.engines.voxcpm import arch as vox_arch

    torch.manual_seed(0)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    config = vox_arch.config()
    for key, value in TINY_VOXCPM.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    (root / "config.json").write_text(json.dumps(config, indent=2))
    tokenizer = vox_arch.stand_in_tokenizer()
    vox_arch.save_stand_in_tokenizer(root, tokenizer)
    model = vox_arch.full_size_model("cpu", config_path=root / "config.json", tokenizer=tokenizer)
    save_file({k: v.contiguous() for k, v in model.state_dict().items() if not k.startswith("audio_vae.")},
              str(root / "model.safetensors"))
    torch.save({"state_dict": model.audio_vae.state_dict()}, root / "audiovae.pth")
    return root


TINY_VOXCPM2 = dict(   # VoxCPM2's config.json (configs/voxcpm2.json) with only its sizes shrunk; head size
    # (kv_channels 128), vocabulary, patch, latent and FSQ sizes, AudioVAE V2 rates (16 kHz in, 48 kHz out),
    # device "cuda" and dtype "bfloat16" stay as shipped: the adapter decides those
    lm_config=dict(hidden_size=64, intermediate_size=96, num_attention_heads=2, num_hidden_layers=2,
                   num_key_value_heads=1),
    residual_lm_num_layers=1, encoder_config=dict(hidden_dim=32, ffn_dim=48, num_heads=2, num_layers=1),
    dit_config=dict(hidden_dim=32, ffn_dim=48, num_heads=2, num_layers=1),
    audio_vae_config=dict(encoder_dim=4, decoder_dim=64))     # 6 decoder blocks halve 64 channels down to 1


def build_voxcpm2(root: Path) -> Path:
    """VoxCPM2 in the hub's layout (openbmb/VoxCPM2): its config.json with only the sizes in TINY_VOXCPM2
    shrunk, the stand-in of its tokenizer (VoxCPM 1.5's ids: 101-104 are the audio and reference-audio
    markers VoxCPM2 uses), model.safetensors in bf16 without the audio VAE (as the hub's) and audiovae.pth
    in float32 (about 5 M parameters, most the embedding)."""
    import torch
    from safetensors.torch import save_file
    from voxcpm.model.voxcpm2 import VoxCPM2Model, VoxCPMConfig
    from voxcpm.modules.audiovae import AudioVAEV2

    from voxnb.engines.voxcpm import arch as vox_arch

    torch.manual_seed(0)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    config = vox_arch.config(vox_arch.CONFIGS / "voxcpm2.json")
    for key, value in TINY_VOXCPM2.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    (root / "config.json").write_text(json.dumps(config, indent=2))
    tokenizer = vox_arch.stand_in_tokenizer()
    vox_arch.save_stand_in_tokenizer(root, tokenizer)
    cfg = VoxCPMConfig.model_validate({**config, "dtype": "float32"})
    model = VoxCPM2Model(cfg, tokenizer, AudioVAEV2(config=cfg.audio_vae_config), device="cpu")
    save_file({k: v.to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()
               if not k.startswith("audio_vae.")}, str(root / "model.safetensors"))
    torch.save({"state_dict": model.audio_vae.state_dict()}, root / "audiovae.pth")
    return root


BUILDERS = {"f5": build_f5, "voxcpm": build_voxcpm}
