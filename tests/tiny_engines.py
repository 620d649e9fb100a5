"""Tiny random-weight instances of the hub engines, built from the engines' own classes and configs.

They run the real adapter code on a CPU in well under a second per call; what they say is noise.
Each builder writes the directory layout ``voxnb fetch NAME --from DIR`` expects.
"""
from __future__ import annotations

import json
from pathlib import Path


def build_f5(root: Path) -> Path:
    """F5-TTS: a 2-layer DiT (0.27 M parameters) in CFM, the package's vocab, a 1-layer Vocos."""
    import shutil
    from importlib.resources import files

    import torch
    import yaml
    from f5_tts.model import CFM, DiT
    from f5_tts.model.utils import get_tokenizer
    from safetensors.torch import save_file
    from vocos import Vocos

    torch.manual_seed(0)
    root = Path(root)
    (root / "F5TTS_v1_Base").mkdir(parents=True, exist_ok=True)
    (root / "vocos").mkdir(exist_ok=True)
    vocos_cfg = {
        "feature_extractor": {"class_path": "vocos.feature_extractors.MelSpectrogramFeatures",
                              "init_args": {"sample_rate": 24000, "n_fft": 1024, "hop_length": 256, "n_mels": 100,
                                            "padding": "center"}},
        "backbone": {"class_path": "vocos.models.VocosBackbone",
                     "init_args": {"input_channels": 100, "dim": 32, "intermediate_dim": 64, "num_layers": 1}},
        "head": {"class_path": "vocos.heads.ISTFTHead",
                 "init_args": {"dim": 32, "n_fft": 1024, "hop_length": 256, "padding": "center"}}}
    (root / "vocos/config.yaml").write_text(yaml.safe_dump(vocos_cfg))
    torch.save(Vocos.from_hparams(str(root / "vocos/config.yaml")).state_dict(), root / "vocos/pytorch_model.bin")
    vocab = root / "F5TTS_v1_Base/vocab.txt"
    shutil.copyfile(str(files("f5_tts").joinpath("infer/examples/vocab.txt")), vocab)
    char_map, size = get_tokenizer(str(vocab), "custom")
    arch = dict(dim=64, depth=2, heads=2, dim_head=32, ff_mult=2, text_dim=32, conv_layers=1)
    model = CFM(transformer=DiT(**arch, text_num_embeds=size, mel_dim=100),
                mel_spec_kwargs=dict(n_fft=1024, hop_length=256, win_length=1024, n_mel_channels=100,
                                     target_sample_rate=24000, mel_spec_type="vocos"),
                odeint_kwargs=dict(method="euler"), vocab_char_map=char_map)
    save_file({f"ema_model.{k}": v.contiguous() for k, v in model.state_dict().items()},
              str(root / "F5TTS_v1_Base/model_1250000.safetensors"))
    (root / "voxnb-arch.json").write_text(json.dumps(arch))
    return root


def build_voxcpm(root: Path) -> Path:
    """VoxCPM 1.5 layout: config.json in VoxCPMConfig's schema, a locally trained BPE tokenizer,
    model.safetensors and audiovae.pth (about 0.5 M parameters)."""
    import torch
    from safetensors.torch import save_file
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaTokenizerFast
    from voxcpm.model.voxcpm import VoxCPMConfig, VoxCPMModel
    from voxcpm.modules.audiovae import AudioVAE, AudioVAEConfig

    torch.manual_seed(0)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace()
    bpe.decoder = decoders.Metaspace()
    corpus = ["hello world this is a tiny tokenizer for tests", "the quick brown fox jumps over the lazy dog",
              "你好世界，这是一个测试。我们今天去公园散步。"] * 20
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<unk>", "<s>", "</s>"], initial_alphabet=list("abcdefghijklmnopqrstuvwxyz")))
    tokenizer = LlamaTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    tokenizer.save_pretrained(root)
    head_dim = 32
    rope = dict(type="longrope", long_factor=[1.0] * (head_dim // 2), short_factor=[1.0] * (head_dim // 2),
                original_max_position_embeddings=4096)
    lm = dict(bos_token_id=1, eos_token_id=2, hidden_size=64, intermediate_size=128, max_position_embeddings=4096,
              num_attention_heads=2, num_hidden_layers=2, num_key_value_heads=1, rms_norm_eps=1e-5, rope_scaling=rope,
              vocab_size=max(len(tokenizer), 128), use_mup=False, scale_emb=1.0, dim_model_base=64, scale_depth=1.0,
              rope_theta=10000.0)
    vae = dict(encoder_dim=8, encoder_rates=[2, 5, 8, 8], latent_dim=64, decoder_dim=32, decoder_rates=[8, 8, 5, 2],
               sample_rate=16000)
    config = dict(architecture="voxcpm", lm_config=lm, patch_size=2, feat_dim=64, residual_lm_num_layers=1,
                  scalar_quantization_latent_dim=32, scalar_quantization_scale=9,
                  encoder_config=dict(hidden_dim=64, ffn_dim=128, num_heads=2, num_layers=1),
                  dit_config=dict(hidden_dim=64, ffn_dim=128, num_heads=2, num_layers=1, cfm_config={}),
                  audio_vae_config=vae, max_length=512, device="cpu", dtype="float32")
    (root / "config.json").write_text(json.dumps(config))
    audio_vae = AudioVAE(AudioVAEConfig(**vae))
    model = VoxCPMModel(VoxCPMConfig.model_validate(config), tokenizer, audio_vae, device="cpu")
    save_file({k: v.contiguous() for k, v in model.state_dict().items() if not k.startswith("audio_vae.")},
              str(root / "model.safetensors"))
    torch.save({"state_dict": audio_vae.state_dict()}, root / "audiovae.pth")
    return root


BUILDERS = {"f5": build_f5, "voxcpm": build_voxcpm}
