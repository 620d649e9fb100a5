"""F5-TTS as a voxnb engine, on the f5-tts package's own model classes and loaders.

voxnb calls ``CFM.sample`` per chunk itself (not ``infer_process``, whose multi-chunk path runs in a
thread pool and is not reproducible), with the prompt mel cached in the Voice, the chunk's seed, and
F5's own duration rule (reference frames per byte of transcript). The Result keeps the mel before
the vocoder, the whole ODE trajectory and, opt-in, the DiT's self-attention at the last step.
"""
from __future__ import annotations

import importlib.metadata as md
import json
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from ...errors import EngineError, TextError
from ...messages import Msg
from ...output.chunk import ChunkOutput
from ..base import Capabilities, declared
from ..capture import AttentionRecorder
from ..precision import choose_dtype, cuda_capability
from ..zeroshot import ZeroShotEngine, require_package, seed_everything
from .spec import SPEC, WEIGHTS

HOP = 256
TARGET_RMS = 0.1        # F5 was trained on prompts at this RMS; quieter prompts are raised to it
SHORT_TEXT_BYTES = 10   # F5 slows very short texts down (its own rule), or they come out clipped


class F5Engine(ZeroShotEngine):
    NAME = SPEC.name
    TITLE = SPEC.title
    SAMPLE_RATE = 24000
    MAX_REFERENCE_S = 12.0     # F5 cuts longer prompts itself, but keeps the whole transcript
    METHOD = "f5-prompt-mel/1"
    SPEC = SPEC

    def __init__(self, model_dir: str | Path | None = None, device: str | None = None, nfe_step: int = 32,
                 cfg_strength: float = 2.0, sway_sampling_coef: float = -1.0, dtype: str | None = None):
        from ...weights import hub

        require_package("f5_tts", "f5", "f5-tts")
        directory = hub.check(WEIGHTS, Path(model_dir) if model_dir else None)
        import torch
        from f5_tts.infer.utils_infer import load_model, load_vocoder
        from f5_tts.model import DiT

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        ckpt, vocab = (directory / f for f in WEIGHTS.parts[0].files)
        arch_file = directory / "voxnb-arch.json"     # a test's tiny model says its own size
        arch = json.loads(arch_file.read_text()) if arch_file.is_file() else _v1_base_arch()
        self.model = load_model(DiT, arch, str(ckpt), vocab_file=str(vocab), device=self.device)
        # the start script's plan and this load read one table (precision.py), so the plan tells what runs
        self.dtype = dtype or choose_dtype("f5", cuda_capability(self.device))
        if self.dtype not in ("float32", "float16"):
            # found on a tiny model: in bfloat16, F5's 33-point ODE time grid is no longer strictly increasing
            raise EngineError(key="f5tts.f_tts_cannot_run", dtype=self.dtype)
        self.model = self.model.to(getattr(torch, self.dtype))
        self.vocoder = load_vocoder(is_local=True, local_path=str(directory / "vocos"), device=self.device)
        self.steps, self.cfg, self.sway = nfe_step, cfg_strength, sway_sampling_coef
        manifest = hub.read_manifest(directory) or {}
        digest = manifest.get("files", {}).get(WEIGHTS.files()[0], {}).get("sha256", "")[:8]
        self.capabilities = Capabilities(
            **declared(SPEC), version=f"f5-tts {md.version('f5-tts')} / {ckpt.name} {digest} / {self.dtype}",
            sample_rate=self.SAMPLE_RATE, styles=("neutral",), approximate_styles=(), streams=True,
            attention=True, seeded=True, device=self.device,
            notes=Msg("f5tts.notes", steps=nfe_step))

    def _prompt_features(self, audio: np.ndarray, transcript: str) -> dict[str, np.ndarray]:
        import torch

        rms = float(np.sqrt(np.mean(audio ** 2)))
        scaled = audio * (TARGET_RMS / rms) if rms < TARGET_RMS else audio
        with torch.inference_mode():
            mel = self.model.mel_spec(torch.from_numpy(scaled).float()[None].to(self.device))[0]
        return {"prompt_mel": mel.float().cpu().numpy(), "prompt_rms": np.array(rms, np.float32)}

    def _render(self, chunk):
        """F5's own tokens: characters, Chinese as toned pinyin; markup syllables go in as written."""
        from f5_tts.model.utils import convert_char_to_pinyin

        self._refuse_markup(chunk, kinds=("arpabet",))
        tokens, shown_bytes, warnings = [], 0, []
        for kind, value in chunk.pieces:
            if kind == "text":
                if tokens and tokens[-1] != " " and value[:1].isascii() and value[:1].isalnum():
                    tokens.append(" ")
                tokens += convert_char_to_pinyin([value])[0]
                shown_bytes += len(value.encode("utf-8"))
            elif kind == "pinyin":
                for syllable in value:
                    syllable = syllable[:-1] if syllable.endswith("5") else syllable  # F5 writes neutral tone bare
                    if syllable not in self.model.vocab_char_map:
                        raise TextError(key="f5tts.f_tts_token_pinyin", syllable=syllable, text=chunk.text)
                    tokens += [" ", syllable, " "] if not tokens or tokens[-1] != " " else [syllable, " "]
                    shown_bytes += 3      # one Han character's worth, for the duration rule
            elif kind == "tag":
                warnings.append(Msg("engines.tag_skipped", tag=value, engine="F5-TTS"))
        return _Tokens(tuple(tokens), shown_bytes, tuple(warnings))

    def _generate(self, text_in, voice, settings, seed: int) -> F5Output:
        import torch
        from f5_tts.model.utils import convert_char_to_pinyin

        seed_everything(seed)
        ref_text = voice.transcript
        if len(ref_text[-1].encode("utf-8")) == 1:
            ref_text += " "          # F5's rule: an ASCII-final prompt text is followed by a space
        ref_tokens = convert_char_to_pinyin([ref_text])[0]
        prompt_mel = torch.from_numpy(np.array(voice.conditioning["prompt_mel"], np.float32))
        ref_frames = prompt_mel.shape[1]
        speed = settings.speed if text_in.bytes >= SHORT_TEXT_BYTES else 0.3
        duration = ref_frames + int(ref_frames / len(ref_text.encode("utf-8")) * text_in.bytes / speed)
        recorder = (AttentionRecorder([b.attn for b in self.model.transformer.transformer_blocks], keep="last")
                    if settings.inspect else nullcontext())
        dtype = next(self.model.parameters()).dtype
        with torch.inference_mode(), recorder:
            out, trajectory = self.model.sample(
                cond=prompt_mel.T[None].to(self.device, dtype), text=[list(ref_tokens) + list(text_in.tokens)],
                duration=duration, steps=self.steps, cfg_strength=self.cfg, sway_sampling_coef=self.sway, seed=seed)
            mel = out[:, ref_frames:, :].float().permute(0, 2, 1)
            wave = self.vocoder.decode(mel)[0].float().cpu().numpy()
        rms = float(voice.conditioning["prompt_rms"])
        if rms < TARGET_RMS:
            wave = wave * rms / TARGET_RMS
        vocab = self.model.vocab_char_map
        return F5Output(
            audio=wave, sample_rate=self.SAMPLE_RATE, samples_per_frame=HOP, shown="".join(text_in.tokens).strip(),
            tokens=np.array([vocab.get(t, 0) for t in text_in.tokens], np.int64),
            attention=recorder.last_maps() if settings.inspect else None,
            attention_axes=("frame (reference | generated), pooled", "frame, pooled"),
            mel=mel[0].cpu().numpy().astype(np.float32),
            extras={"trajectory": trajectory[:, 0, ref_frames:, :].permute(0, 2, 1).float().cpu().numpy()
                    .astype(np.float16),
                    "prompt_frames": np.array([ref_frames], np.int64)},
            warnings=text_in.warnings)


class F5Output(ChunkOutput):
    """F5-TTS's chunk: the mel at every ODE step, and how many frames of it were the reference's."""

    EXTRAS = ("trajectory", "prompt_frames")


class _Tokens:
    """A chunk in F5's form: its tokens, the UTF-8 bytes the duration rule counts, and notes."""

    def __init__(self, tokens: tuple[str, ...], nbytes: int, warnings: tuple[str, ...]):
        self.tokens, self.bytes, self.warnings = tokens, max(nbytes, 1), warnings

    def __str__(self) -> str:
        return "".join(self.tokens)


def _v1_base_arch() -> dict:
    """The DiT size of F5TTS_v1_Base, from the config the f5-tts package ships."""
    from importlib.resources import files

    import yaml

    config = yaml.safe_load(files("f5_tts").joinpath("configs/F5TTS_v1_Base.yaml").read_text())
    return dict(config["model"]["arch"])
