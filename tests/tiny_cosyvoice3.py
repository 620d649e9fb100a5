"""A tiny random-weight CosyVoice 3, built from a checkout's own classes and its LibriTTS recipe config.

The recipe's yaml is shrunk (LM 64-d, DiT 64-d x 2 layers, HiFT 16 channels, no GAN block); the LM
is a tiny Qwen2 with a locally built byte-level tokenizer of 151,643 base tokens plus Qwen's three
specials, so that CosyVoice's own special tokens put ``<|endofprompt|>`` at id 151646 as its LM
asserts; CAM++ and the speech tokenizer are small ONNX graphs with the real ones' inputs and outputs.
The directory it writes has the layout of Fun-CosyVoice3-0.5B-2512.
"""
from __future__ import annotations

import re
from pathlib import Path

BASE_TOKENS = 151_643
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def shrink_config(text: str) -> str:
    """The LibriTTS cosyvoice3.yaml at toy size, without its GAN training block."""
    for old, new in (("llm_input_size: 896", "llm_input_size: 64"), ("llm_output_size: 896", "llm_output_size: 64"),
                     ("        channels: 1024", "        channels: 64"), ("            dim: 1024", "            dim: 64"),
                     ("            depth: 22", "            depth: 2"), ("            heads: 16", "            heads: 2"),
                     ("            dim_head: 64", "            dim_head: 32"), ("base_channels: 512", "base_channels: 16"),
                     ("cond_channels: 512", "cond_channels: 16")):
        assert old in text, f"the recipe config changed: {old!r} not found"
        text = text.replace(old, new)
    return re.sub(r"# gan related module.*?(?=# processor functions)", "", text, flags=re.S)


def _tokenizer(directory: Path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import Qwen2TokenizerFast
    from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode

    byte_chars = list(bytes_to_unicode().values())
    vocab = {c: i for i, c in enumerate(byte_chars)}
    vocab.update({f"<unused{i}>": i for i in range(len(vocab), BASE_TOKENS)})
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = Qwen2TokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>",
                              unk_token=None, bos_token=None)
    fast.add_special_tokens({"additional_special_tokens": QWEN_SPECIALS[1:]})
    assert fast.convert_tokens_to_ids("<|im_end|>") == BASE_TOKENS + 2
    fast.save_pretrained(directory)


def build_cosyvoice3(root: Path, src: Path) -> Path:
    import sys

    import torch

    for p in (src / "third_party" / "Matcha-TTS", src):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
    from cosyvoice.tokenizer.tokenizer import CosyVoice3Tokenizer
    from hyperpyyaml import load_hyperpyyaml
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    root = Path(root)
    blank = root / "CosyVoice-BlankEN"
    blank.mkdir(parents=True, exist_ok=True)
    _tokenizer(blank)
    size = len(CosyVoice3Tokenizer(str(blank)).tokenizer)
    assert CosyVoice3Tokenizer(str(blank)).tokenizer.convert_tokens_to_ids("<|endofprompt|>") == 151646
    config = Qwen2Config(vocab_size=(size + 63) // 64 * 64, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=8192,
                         tie_word_embeddings=True)
    Qwen2ForCausalLM(config).save_pretrained(blank)

    recipe = (src / "examples/libritts/cosyvoice3/conf/cosyvoice3.yaml").read_text(encoding="utf-8")
    (root / "cosyvoice3.yaml").write_text(shrink_config(recipe), encoding="utf-8")
    with open(root / "cosyvoice3.yaml", encoding="utf-8") as f:
        configs = load_hyperpyyaml(f, overrides={"qwen_pretrain_path": str(blank)})
    with torch.no_grad():
        # A random LM picks one of its 200 stop tokens at once (CosyVoice's min length only blocks the
        # first): zero logits for them keep it speaking to its max length, 20 tokens per text token.
        configs["llm"].llm_decoder.weight[configs["llm"].speech_token_size:] = 0
    for name in ("llm", "flow", "hift"):
        torch.save(configs[name].state_dict(), root / f"{name}.pt")

    # campplus.onnx and speech_tokenizer_v3.onnx: the small stand-ins the random-weight bench writes too
    from voxnb.engines.cosyvoice3.arch import write_onnx_stand_ins

    write_onnx_stand_ins(root)
    return root
