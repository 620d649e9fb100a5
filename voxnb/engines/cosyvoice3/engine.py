"""CosyVoice 3 as a voxnb engine, on CosyVoice's own classes from a checkout of its source.

The model is loaded from a local directory with ``CosyVoice3`` (never ``AutoModel``, whose fallback
downloads from ModelScope). Cloning runs its frontend once and keeps the prompt's speech tokens, mel
and CAM++ speaker embedding in the Voice. Each chunk is tokenised by CosyVoice's own tokenizer after
voxnb's splitter and normaliser, prefixed with the zero-shot prompt (``<|endofprompt|>`` and the
reference transcript) or an instruction, seeded, and run through ``CosyVoice3Model.tts``. The Result
keeps the speech tokens, the mel before the vocoder and the F0 its predictor made (hooks), and,
opt-in, the language model's attention at every decoding step and the flow decoder's at its last
solver step (SDPA is wrapped while they run; it returns no weights itself).
"""
from __future__ import annotations

import importlib.util
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from ...errors import EngineError
from ...messages import Msg
from ...output.chunk import ChunkOutput
from ..base import Capabilities, declared
from ..capture import AttentionRecorder
from ..zeroshot import ZeroShotEngine, seed_everything
from . import install
from .spec import SPEC, WEIGHTS
from .prompt import (END_OF_PROMPT_ID, INSTRUCTIONS, STYLE_INSTRUCTIONS, instruct_prompt, render,
                     resolve_instruction, zero_shot_prompt)

TOKEN_HOP = 25          # CosyVoice3Model's streaming hop; it grows during a streamed call and is not reset


def load_source(source_dir: str | Path | None = None) -> Path | None:
    """Make ``import cosyvoice`` work: a checkout given or found, else an installed one; clear error if none."""
    src = install.source_dir(source_dir)
    if src is not None:
        install.add_to_path(src)
    elif importlib.util.find_spec("cosyvoice") is None or importlib.util.find_spec("matcha") is None:
        raise EngineError(key="cosyvoice.cosyvoice_s_source_environment", repo_url=install.REPO_URL,
                          commit=install.COMMIT[:7], source_env=install.SOURCE_ENV, engine="cosyvoice3")
    for module in ("torchaudio", "hyperpyyaml", "whisper", "x_transformers"):
        if importlib.util.find_spec(module) is None:
            raise EngineError(key="cosyvoice.cosyvoice_s_requirements_installed", module=module, engine="cosyvoice3")
    return src


class CosyVoice3Engine(ZeroShotEngine):
    NAME = SPEC.name
    TITLE = SPEC.title
    SAMPLE_RATE = 24000
    MAX_REFERENCE_S = 30.0     # its speech tokenizer refuses longer prompts
    METHOD = "cosyvoice3-prompt/1"
    SPEC = SPEC

    def __init__(self, model_dir: str | Path | None = None, source_dir: str | Path | None = None,
                 fp16: bool = False):
        from ...weights import hub

        directory = hub.check(WEIGHTS, Path(model_dir) if model_dir else None)
        src = load_source(source_dir)
        import torch
        from cosyvoice.cli.cosyvoice import CosyVoice3

        pipeline = CosyVoice3(str(directory), fp16=fp16)
        manifest = hub.read_manifest(directory) or {}
        digest = manifest.get("files", {}).get("llm.pt", {}).get("sha256", "")[:8]
        commit = install.COMMIT[:7] if src is None else _head(src)
        self._attach(pipeline, f"CosyVoice {commit} / {directory.name} {digest}",
                     "cuda" if torch.cuda.is_available() else "cpu")

    def _attach(self, pipeline, version: str, device: str) -> None:
        """Take a loaded ``CosyVoice3`` pipeline: its frontend and model are all the adapter uses."""
        self.frontend, self.model = pipeline.frontend, pipeline.model
        self.SAMPLE_RATE = int(pipeline.sample_rate)
        self.hop = int(round(self.SAMPLE_RATE / (self.model.flow.input_frame_rate * self.model.flow.token_mel_ratio)))
        self.special = frozenset(self.frontend.tokenizer.special_tokens["additional_special_tokens"])
        self.device = device
        self.capabilities = Capabilities(
            **declared(SPEC), version=version,
            sample_rate=self.SAMPLE_RATE, styles=("neutral",) + tuple(STYLE_INSTRUCTIONS), approximate_styles=(),
            streams=True, attention=True, seeded=True, device=device,
            notes=Msg("cosyvoice.notes"),
            instructions={k: {"group": i.group, "text": i.text, "en": i.label_en, "zh": i.label_zh}
                          for k, i in INSTRUCTIONS.items()})

    # -- settings ----------------------------------------------------------------------------------
    def _settings(self, kwargs):
        settings = super()._settings(kwargs)
        instruction = resolve_instruction(settings.style, settings.instruct)
        if instruction:
            instruct_prompt(instruction)          # a bad instruction fails before any audio
        return settings

    # -- voices ------------------------------------------------------------------------------------
    def _prompt_features(self, audio: np.ndarray, transcript: str) -> dict[str, np.ndarray]:
        import soundfile as sf

        fd, path = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:    # CosyVoice's frontend reads a file; at its own rate nothing is resampled
            sf.write(path, audio, self.SAMPLE_RATE, subtype="FLOAT")
            got = self.frontend.frontend_zero_shot("", zero_shot_prompt(transcript), path, self.SAMPLE_RATE, "")
        finally:
            os.unlink(path)
        return {"prompt_feat": got["prompt_speech_feat"][0].float().cpu().numpy(),
                "prompt_tokens": got["flow_prompt_speech_token"][0].cpu().numpy().astype(np.int32),
                "embedding": got["flow_embedding"][0].float().cpu().numpy()}

    # -- synthesis ---------------------------------------------------------------------------------
    def _render(self, chunk):
        text, warnings = render(chunk.pieces, self.special)
        return _Text(text, warnings)

    def model_input(self, text: str, voice, instruction: str = "") -> dict:
        """What ``CosyVoice3Model.tts`` takes for one chunk: the frontend's zero-shot or instruct2 input,
        built from the prompt features cached in the Voice."""
        import torch

        c = voice.conditioning
        prompt = instruct_prompt(instruction) if instruction else zero_shot_prompt(voice.transcript)
        text_ids, _ = self.frontend._extract_text_token(text)
        prompt_ids, _ = self.frontend._extract_text_token(prompt)
        if END_OF_PROMPT_ID not in prompt_ids[0].tolist():
            raise EngineError(key="cosyvoice.cosyvoice_s_tokenizer_did")
        tokens = torch.from_numpy(np.array(c["prompt_tokens"], np.int32))[None]
        embedding = torch.from_numpy(np.array(c["embedding"], np.float32))[None]
        out = {"text": text_ids, "prompt_text": prompt_ids, "flow_prompt_speech_token": tokens,
               "prompt_speech_feat": torch.from_numpy(np.array(c["prompt_feat"], np.float32))[None],
               "llm_embedding": embedding, "flow_embedding": embedding}
        if not instruction:          # instruct mode: the LM hears the instruction, not the reference's tokens
            out["llm_prompt_speech_token"] = tokens
        return out

    def _generate(self, text_in, voice, settings, seed: int) -> CosyVoice3Output:
        import torch

        instruction = resolve_instruction(settings.style, settings.instruct)
        model_input = self.model_input(text_in.text, voice, instruction)
        seed_everything(seed)    # only the LM samples (the flow's noise and HiFT's phases are fixed buffers)
        taps = _Taps(self.model)
        with ExitStack() as stack:
            stack.enter_context(taps)
            if settings.inspect:
                lm = stack.enter_context(AttentionRecorder(
                    [layer.self_attn for layer in self.model.llm.llm.model.model.layers], keep="all"))
                flow = stack.enter_context(AttentionRecorder(
                    [block.attn for block in self.model.flow.decoder.estimator.transformer_blocks], keep="last"))
            stack.enter_context(torch.inference_mode())
            self.model.token_hop_len = TOKEN_HOP
            pieces = [out["tts_speech"] for out in self.model.tts(**model_input, stream=False, speed=settings.speed)]
        wave = torch.cat(pieces, dim=1)[0].float().numpy()
        mel, f0 = taps.mel, taps.f0
        extras = {"speech_tokens": taps.tokens.astype(np.int64),
                  "prompt_tokens": np.asarray(voice.conditioning["prompt_tokens"], np.int64),
                  "speaker_embedding": np.asarray(voice.conditioning["embedding"], np.float32),
                  "token_frames": np.array([mel.shape[1] / max(1, len(taps.tokens))], np.float32)}
        if settings.inspect:
            maps = flow.last_maps()
            if maps is not None:
                extras["flow_attention"] = maps
        return CosyVoice3Output(
            audio=wave, sample_rate=self.SAMPLE_RATE, samples_per_frame=self.hop, shown=text_in.text,
            tokens=model_input["text"][0].cpu().numpy().astype(np.int64),
            f0=np.repeat(f0, 2),      # two curve points per mel frame
            attention=lm.step_maps(limit=taps.steps) if settings.inspect else None,
            attention_axes=("decoding step (one speech token, 40 ms), pooled",
                            "position: prompt + text, reference speech tokens, generated tokens"),
            mel=mel.astype(np.float32), extras=extras,
            warnings=text_in.warnings + ((f"instruction: {INSTRUCTIONS[instruction].text}",)
                                         if instruction in INSTRUCTIONS else ()))


class CosyVoice3Output(ChunkOutput):
    """CosyVoice 3's chunk: its speech tokens, the reference's, the speaker embedding and the flow's attention."""

    EXTRAS = ("speech_tokens", "prompt_tokens", "speaker_embedding", "token_frames", "flow_attention")


class _Taps:
    """While active: the speech tokens the flow gets, the number of LM steps, the mel HiFT gets and the
    F0 its predictor makes (each the last, complete, call)."""

    def __init__(self, model):
        self.model = model
        self.tokens = np.zeros(0, np.int64)
        self.steps = 0
        self.mel = np.zeros((80, 0), np.float32)
        self.f0 = np.zeros(0, np.float32)

    def __enter__(self):
        model, taps = self.model, self
        token2wav, inference = model.token2wav, model.llm.inference

        def recording_token2wav(*args, **kwargs):
            token = kwargs.get("token", args[0] if args else None)
            taps.tokens = token[0].detach().cpu().numpy().copy() if token.numel() else np.zeros(0, np.int64)
            if not token.numel():    # its flow and vocoder fail on nothing with a conv-size error
                raise EngineError(key="cosyvoice.cosyvoice_s_language_model")
            return token2wav(*args, **kwargs)

        def counting_inference(*args, **kwargs):
            for token in inference(*args, **kwargs):
                taps.steps += 1
                yield token

        def on_f0(module, inputs, output):
            taps.mel = inputs[0][0].detach().float().cpu().numpy()
            taps.f0 = output[0].detach().float().cpu().numpy()

        model.token2wav, model.llm.inference = recording_token2wav, counting_inference
        self.hook = model.hift.f0_predictor.register_forward_hook(on_f0)
        return self

    def __exit__(self, *exc):
        del self.model.token2wav, self.model.llm.inference    # the classes' methods show through again
        self.hook.remove()
        return False


class _Text:
    def __init__(self, text: str, warnings: tuple[str, ...]):
        self.text, self.warnings = text, warnings

    def __str__(self) -> str:
        return self.text


def _head(src: Path) -> str:
    """The checkout's commit, short (recorded in every sidecar), without running git."""
    head = src / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref = (src / ".git" / ref[5:]).read_text().strip()
        return ref[:7]
    except OSError:
        return "unknown"
