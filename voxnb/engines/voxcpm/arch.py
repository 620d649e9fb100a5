"""VoxCPM 1.5 at its published size, with random weights, and a stand-in for its tokenizer.

``full_size_model`` builds ``VoxCPMModel`` (MiniCPM-4 LM, residual LM, local encoder, local DiT,
44.1 kHz AudioVAE) from the hub's ``config.json`` as voxnb ships it (configs/voxcpm1.5.json, see
configs/SOURCES.md), as ``VoxCPMModel.from_local`` builds it, without reading any weights. On the
meta device it counts parameters; on "cpu" or "cuda" it is what a speed and memory benchmark runs.

The real tokenizer (MiniCPM-4's, 73,448 ids) lives only on the hub. ``stand_in_tokenizer`` lays out
the same ids for what the model and the loader rely on (``<s>`` 1, ``</s>`` 2, ``<|audio_start|>``
101 ... ``<|/span|>`` 112, the 256 byte-fallback tokens at 1089-1344, ``<|im_end|>`` 73440 ...), the
same normaliser, decoder and BOS rule, one token per Han character (what VoxCPM's own wrapper makes of
Chinese anyway) and letter pairs and triples for other text, so token counts, and the generation
lengths VoxCPM derives from them, are of the real order (English about 1.7 x). Its ids for ordinary
words are not the real ones.
"""
from __future__ import annotations

import json
import string
from pathlib import Path

CONFIGS = Path(__file__).with_name("configs")
CONFIG_1_5 = CONFIGS / "voxcpm1.5.json"
PUBLISHED_PARAMS_M = 800     # VoxCPM1.5's model card ("~800M"); its docs say 750M elsewhere

# The real tokenizer's ids, from its tokenizer_config.json (configs/SOURCES.md).
SPECIALS = {0: "<unk>", 1: "<s>", 2: "</s>"}
MARKERS = ("<|audio_start|>", "<|audio_end|>", "<|audio_prompt_start|>", "<|audio_prompt_end|>",
           "<|background|>", "<|/background|>", "<|characters|>", "<|/characters|>",
           "<|speaker_id|>", "<|/speaker_id|>", "<|span|>", "<|/span|>")          # ids 101-112
FIRST_MARKER, FIRST_BYTE, VOCAB_SIZE = 101, 1089, 73448
CHAT = ("<|im_end|>", "<|im_start|>", "<|tool_call|>", "<|execute_start|>", "<|execute_end|>",
        "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>")                   # ids 73440-73447
SPACE = "\u2581"        # SentencePiece's word marker: the real normaliser puts it before every word


def config(path: str | Path = CONFIG_1_5, **overrides) -> dict:
    """The config as a dict; ``overrides`` replace top-level keys (a test shrinks sizes this way)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data.update(overrides)
    return data


def stand_in_tokenizer():
    """A ``LlamaTokenizerFast`` with the real tokenizer's layout of ids (see the module's doc)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, processors
    from transformers import LlamaTokenizerFast

    vocab = {t: i for i, t in SPECIALS.items()}
    vocab.update({f"<ph_{i}>": i for i in range(3, FIRST_MARKER)})
    vocab.update({t: FIRST_MARKER + i for i, t in enumerate(MARKERS)})
    vocab.update({f"<reserved_{i}>": i for i in range(FIRST_MARKER + len(MARKERS), FIRST_BYTE)})
    vocab.update({f"<0x{b:02X}>": FIRST_BYTE + b for b in range(256)})
    letters, lower = string.ascii_letters, string.ascii_lowercase
    pairs = [a + b for a in lower for b in lower]
    # merges into word-start letters, letter pairs and triples: English comes out at about 1.7 x the real count
    merges = ([(SPACE, c) for c in letters] + [(p[0], p[1]) for p in pairs] + [(SPACE + p[0], p[1]) for p in pairs]
              + [(p, c) for p in pairs for c in lower])
    pieces = [SPACE, *string.digits, *string.punctuation, *letters, *(a + b for a, b in merges),
              *(chr(c) for c in range(0x4E00, 0xA000)), *"，。！？、；：“”‘’（）《》…—"]
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    vocab.update({f"<unused_{i}>": i for i in range(len(vocab), VOCAB_SIZE - len(CHAT))})
    bpe = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    bpe.normalizer = normalizers.Sequence([normalizers.Prepend(SPACE), normalizers.Replace(" ", SPACE)])
    bpe.decoder = decoders.Sequence([decoders.Replace(SPACE, " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    bpe.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    bpe.add_special_tokens([SPECIALS[0], SPECIALS[1], SPECIALS[2], *CHAT])
    return LlamaTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="<|im_end|>", unk_token="<unk>",
                              add_bos_token=True, add_eos_token=False, legacy=True,
                              additional_special_tokens=list(CHAT))


def save_stand_in_tokenizer(directory: str | Path, tokenizer=None) -> Path:
    """Write the stand-in as the hub's three files: tokenizer.json, and tokenizer_config.json and
    special_tokens_map.json with the real ones' fields (their quirks too: the config's EOS is
    ``<|im_end|>``, the map's ``</s>``; the markers 101-112 are special only in the config)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (tokenizer or stand_in_tokenizer()).save_pretrained(directory)
    entry = dict(lstrip=False, normalized=False, rstrip=False, single_word=False)
    specials = {**SPECIALS, **{FIRST_MARKER + i: t for i, t in enumerate(MARKERS)},
                **{VOCAB_SIZE - len(CHAT) + i: t for i, t in enumerate(CHAT)}}
    config = dict(add_bos_token=True, add_eos_token=False,
                  added_tokens_decoder={str(i): dict(content=t, **entry, special=True) for i, t in specials.items()},
                  additional_special_tokens=list(CHAT), bos_token="<s>", clean_up_tokenization_spaces=False,
                  eos_token="<|im_end|>", legacy=True, model_max_length=10**30, pad_token=None, sp_model_kwargs={},
                  spaces_between_special_tokens=False, tokenizer_class="LlamaTokenizer", unk_token="<unk>",
                  use_default_system_prompt=False)
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    tokens = dict(additional_special_tokens=[dict(content=t, **entry) for t in CHAT], bos_token=dict(content="<s>", **entry),
                  eos_token=dict(content="</s>", **entry), unk_token=dict(content="<unk>", **entry))
    (directory / "special_tokens_map.json").write_text(json.dumps(tokens, indent=2), encoding="utf-8")
    return directory


def full_size_model(device: str = "meta", config_path: str | Path = CONFIG_1_5, tokenizer=None,
                    dtype: str = "float32"):
    """``VoxCPMModel`` as ``from_local`` builds it, random weights in ``dtype`` (the AudioVAE in float32,
    as there), on ``device`` ("meta", "cpu", "cuda")."""
    import torch
    from voxcpm.model.utils import get_dtype
    from voxcpm.model.voxcpm import VoxCPMConfig, VoxCPMModel
    from voxcpm.modules.audiovae import AudioVAE

    # VoxCPM allocates its KV caches on a real device: on meta, keep them token-sized (they hold no parameters)
    small_cache = {"max_length": 16} if device == "meta" else {}
    cfg = VoxCPMConfig.model_validate(config(config_path, dtype=dtype, **small_cache))
    with torch.device(device):
        vae = AudioVAE(config=cfg.audio_vae_config) if cfg.audio_vae_config else AudioVAE()
        model = VoxCPMModel(cfg, tokenizer or stand_in_tokenizer(), vae, device="cpu" if device == "meta" else device)
    model = model.to(get_dtype(dtype))
    model.audio_vae = model.audio_vae.to(torch.float32)
    return model.eval()


def count_params_m(module, skip_prefix: str = "") -> float:
    """Parameters in millions; ``skip_prefix`` leaves a part out (e.g. "audio_vae.")."""
    return sum(p.numel() for n, p in module.named_parameters() if not (skip_prefix and n.startswith(skip_prefix))) / 1e6
