"""Fun-CosyVoice3-0.5B-2512 at its published size, with random weights, in the hub's file layout.

``write_full_size`` writes what ``CosyVoice3(model_dir)`` reads: ``cosyvoice3.yaml``, ``llm.pt``,
``flow.pt``, ``hift.pt``, ``campplus.onnx``, ``speech_tokenizer_v3.onnx`` and ``CosyVoice-BlankEN/``
(the Qwen2 config, tokenizer and weights its LM is first built from). It is what ``voxnb bench
--random-weights`` loads through the adapter; what the model says is noise.

Where each size comes from (configs/SOURCES.md): the hub's own ``cosyvoice3.yaml`` cannot be reached
from here, so the yaml is the full-size LibriTTS recipe of the CosyVoice checkout itself
(``examples/libritts/cosyvoice3/conf/cosyvoice3.yaml``: LM 896-d, DiT 1024-d x 22 layers x 16 heads,
HiFT 512 channels), copied verbatim; the LM's Qwen2 is Qwen2.5-0.5B at its documented size
(configs/CosyVoice-BlankEN.json). The two ONNX models are stand-ins with the real ones' inputs and
outputs: they run only when a voice is cloned, which the bench does not time, and their memory (the
real speech tokenizer is far larger) is not in its figures. The tokenizer is a stand-in too (below).
"""
from __future__ import annotations

import json
import shutil
import string
from pathlib import Path

CONFIGS = Path(__file__).with_name("configs")
BLANK_EN_CONFIG = CONFIGS / "CosyVoice-BlankEN.json"
RECIPE = "examples/libritts/cosyvoice3/conf/cosyvoice3.yaml"
FLOW_STEPS = 10              # CausalMaskedDiffWithDiT.inference fixes the Euler solver at 10 steps
BASE_TOKENS = 151_643        # Qwen2's byte-level BPE; its three specials follow, then CosyVoice 3's own
QWEN_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
SPACE = "\u0120"             # byte-level BPE's mark for a space ("Ġ")


def source_root() -> Path:
    """The CosyVoice source the adapter imports (a checkout given by COSYVOICE_SRC, or an installed one)."""
    from ...errors import EngineError
    from .engine import load_source

    src = load_source()
    if src is None:
        import cosyvoice

        src = Path(cosyvoice.__file__).resolve().parents[1]
    if not (src / RECIPE).is_file():
        raise EngineError(key="cosyvoice.cosyvoice_s_source_full", src=src, recipe=RECIPE)
    return src


def stand_in_tokenizer(directory: str | Path) -> None:
    """A Qwen2 tokenizer with the real one's layout of ids, written into ``directory``.

    The real vocabulary (vocab.json + merges.txt of CosyVoice-BlankEN) lives only on the hub. The
    stand-in keeps what CosyVoice relies on: 151,643 byte-level base tokens, then ``<|endoftext|>``,
    ``<|im_start|>``, ``<|im_end|>``, so the special tokens CosyVoice 3 adds put ``<|endofprompt|>``
    at 151646 as its LM asserts. Its merges (letter pairs and triples) give English about twice the
    real number of tokens; the ids of ordinary words are not the real ones.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import Qwen2TokenizerFast
    from transformers.models.gpt2.tokenization_gpt2 import bytes_to_unicode

    lower = string.ascii_lowercase
    pairs = [a + b for a in lower for b in lower]
    merges = ([(SPACE, c) for c in string.ascii_letters] + [(p[0], p[1]) for p in pairs]
              + [(SPACE + p[0], p[1]) for p in pairs] + [(p, c) for p in pairs for c in lower])
    vocab = {c: i for i, c in enumerate(bytes_to_unicode().values())}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    vocab.update({f"<unused{i}>": i for i in range(len(vocab), BASE_TOKENS)})
    bpe = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    fast = Qwen2TokenizerFast(tokenizer_object=bpe, eos_token=QWEN_SPECIALS[0], pad_token=QWEN_SPECIALS[0],
                              unk_token=None, bos_token=None)
    fast.add_special_tokens({"additional_special_tokens": list(QWEN_SPECIALS[1:])})
    if fast.convert_tokens_to_ids(QWEN_SPECIALS[2]) != BASE_TOKENS + 2:
        raise AssertionError("the stand-in tokenizer's specials are not at Qwen2's ids")
    fast.save_pretrained(str(directory))


def write_blank_en(directory: Path) -> None:
    """CosyVoice-BlankEN as the hub lays it out: Qwen2.5-0.5B's config, a tokenizer, bf16 weights."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    directory.mkdir(parents=True, exist_ok=True)
    stand_in_tokenizer(directory)
    config = Qwen2Config(**json.loads(BLANK_EN_CONFIG.read_text(encoding="utf-8")))
    # CosyVoice builds its LM with from_pretrained(CosyVoice-BlankEN), so the folder must hold weights;
    # llm.pt then overwrites every one of them
    Qwen2ForCausalLM(config).to(torch.bfloat16).save_pretrained(str(directory), safe_serialization=True)


def write_full_size(root: Path) -> tuple[int, int]:
    """Write the model directory; returns the parameters of LM + flow, and of the HiFT vocoder."""
    import torch
    from hyperpyyaml import load_hyperpyyaml

    src = source_root()
    root.mkdir(parents=True, exist_ok=True)
    blank = root / "CosyVoice-BlankEN"
    write_blank_en(blank)
    shutil.copyfile(src / RECIPE, root / "cosyvoice3.yaml")
    with open(root / "cosyvoice3.yaml", encoding="utf-8") as f:
        configs = load_hyperpyyaml(f, overrides={"qwen_pretrain_path": str(blank)})
    modules = {name: configs[name] for name in ("llm", "flow", "hift")}
    del configs                                    # the recipe's GAN discriminator goes with it
    for name, module in modules.items():
        torch.save(module.state_dict(), root / f"{name}.pt")
    write_onnx_stand_ins(root)
    count = lambda m: sum(p.numel() for p in m.parameters())      # noqa: E731
    return count(modules["llm"]) + count(modules["flow"]), count(modules["hift"])


def write_onnx_stand_ins(root: Path) -> None:
    """campplus.onnx ((1, T, 80) fbank -> (1, 192)) and speech_tokenizer_v3.onnx ((1, 128, T) whisper mel
    at 100 frames/s + int32 length -> token ids < 6561 at 25/s), as CosyVoice's frontend calls them."""
    import torch

    class CamPlus(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(80, 192)

        def forward(self, feats):
            return self.proj(feats.mean(dim=1))

    class SpeechTokenizer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Conv1d(128, 1, kernel_size=4, stride=4)

        def forward(self, feats, feats_length):
            x = self.proj(feats)[:, 0] + 0 * feats_length.float().sum()
            return (torch.abs(x) * 10007).long() % 6561

    for module, args, name, names, dynamic in (
            (CamPlus(), (torch.randn(1, 200, 80),), "campplus.onnx", (["input"], ["output"]), {"input": {1: "T"}}),
            (SpeechTokenizer(), (torch.randn(1, 128, 400), torch.tensor([400], dtype=torch.int32)),
             "speech_tokenizer_v3.onnx", (["feats", "feats_length"], ["indices"]),
             {"feats": {2: "T"}, "indices": {1: "N"}})):
        torch.onnx.export(module.eval(), args, str(root / name), input_names=names[0], output_names=names[1],
                          dynamic_axes=dynamic, opset_version=17)
