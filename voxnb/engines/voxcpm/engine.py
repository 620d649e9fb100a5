"""VoxCPM as a voxnb engine, on the voxcpm package's own model and prompt cache.

The model is loaded from a local directory with its denoiser off (it would fetch a ModelScope model
by itself) and without torch.compile (so attention can be captured, and no compile failures). The
prompt cache (AudioVAE latents of the reference) is made once and kept in the Voice. Each chunk is
generated with ``generate_with_prompt_cache`` after seeding torch (VoxCPM takes no seed itself);
the Result keeps the generated latents, the stop probability of every decoding step and, opt-in,
the language model's attention of every step over the text and the prompt.
"""
from __future__ import annotations

import importlib.metadata as md
import os
import tempfile
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from ...settings import PAUSE_SETTINGS
from ..base import Capabilities
from ..capture import AttentionRecorder
from ..zeroshot import ZeroShotEngine, require_package, join_words, seed_everything
from . import WEIGHTS

F0_HOP_S = 0.01


class VoxCPMEngine(ZeroShotEngine):
    NAME = "voxcpm"
    TITLE = "VoxCPM"
    MAX_REFERENCE_S = 15.0
    METHOD = "voxcpm-prompt-cache/1"
    UNSUPPORTED = {"speed": "its pace follows the reference.",
                   "style": "it copies the reference's delivery; record a reference in the style you want.",
                   "match_channel": "it copies the reference's channel already.",
                   "instruct": "it does not follow instructions in words (cosyvoice3 does)."}

    def __init__(self, model_dir: str | Path | None = None, device: str | None = None, inference_timesteps: int = 10,
                 cfg_value: float = 2.0, retry_badcase: bool = True):
        from .. import hub

        require_package("voxcpm", "voxcpm", "voxcpm")
        directory = hub.check(WEIGHTS, Path(model_dir) if model_dir else None)
        import torch
        from voxcpm import VoxCPM

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        pipeline = VoxCPM(str(directory), zipenhancer_model_path=None, enable_denoiser=False, optimize=False,
                          device=self.device)
        self.model = pipeline.tts_model
        self.SAMPLE_RATE = int(self.model.sample_rate)
        self.patch_samples = int(self.model.patch_size * self.model.chunk_size)
        self.timesteps, self.cfg, self.retry = inference_timesteps, cfg_value, retry_badcase
        manifest = hub.read_manifest(directory) or {}
        digest = manifest.get("files", {}).get("model.safetensors", {}).get("sha256", "")[:8]
        self.capabilities = Capabilities(
            name=self.NAME, version=f"voxcpm {md.version('voxcpm')} / {directory.name} {digest}",
            languages=("en", "zh"), sample_rate=self.SAMPLE_RATE, styles=("neutral",), approximate_styles=(),
            clones=True, streams=True, attention=True, seeded=True, device=self.device,
            notes=f"Autoregressive over audio latents, {inference_timesteps} diffusion steps per patch. Speaks in the "
                  "reference's voice and delivery; no speed control and no pronunciation markup.",
            views=("mel", "latents", "stop", "attention", "f0", "timings"),
            lacks={"alignment": "VoxCPM has no duration model: its attention over the text (Attention tab) is "
                                "the closest thing to an alignment.",
                   "trajectory": "VoxCPM's diffusion runs per patch inside the decoder; only its output latents are kept."},
            settings=("seed", "lang", *PAUSE_SETTINGS, "inspect"))

    def _prompt_features(self, audio: np.ndarray, transcript: str) -> dict[str, np.ndarray]:
        import soundfile as sf

        fd, path = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:   # the package's prompt cache reads a file; at the model's own rate nothing is resampled
            sf.write(path, audio, self.SAMPLE_RATE, subtype="FLOAT")
            cache = self.model.build_prompt_cache(prompt_text=transcript, prompt_wav_path=path)
        finally:
            os.unlink(path)
        return {"prompt_feat": cache["audio_feat"].float().cpu().numpy()}

    def _render(self, chunk):
        self._refuse_markup(chunk)
        words = join_words([p for kind, p in chunk.pieces if kind == "text"])
        skipped = tuple(f"[{p}]: VoxCPM cannot produce it; skipped." for kind, p in chunk.pieces if kind == "tag")
        return _Text(words, skipped)

    def _generate(self, text_in, voice, settings, seed: int) -> dict:
        import torch

        seed_everything(seed)
        cache = {"prompt_text": voice.transcript,
                 "audio_feat": torch.from_numpy(np.array(voice.conditioning["prompt_feat"], np.float32))}
        stops: list[float] = []
        hooks = [self.model.base_lm.register_forward_pre_hook(lambda *_: stops.clear()),   # a retry starts over
                 self.model.stop_head.register_forward_hook(
                     lambda m, i, out: stops.append(float(torch.softmax(out.float(), -1)[0, 1])))]
        layers = [layer.self_attn for layer in self.model.base_lm.layers]
        recorder = (AttentionRecorder(layers, keep="all", methods=("forward", "forward_step"))
                    if settings.inspect else nullcontext())
        try:
            with recorder:
                wav, text_tokens, latents = self.model.generate_with_prompt_cache(
                    target_text=text_in.text, prompt_cache=cache, inference_timesteps=self.timesteps,
                    cfg_value=self.cfg, retry_badcase=self.retry)
        finally:
            for h in hooks:
                h.remove()
        attention = recorder.step_maps(limit=len(stops)) if settings.inspect else None
        hop2 = 2 * max(1, int(F0_HOP_S * self.SAMPLE_RATE))
        return {
            "audio": wav[0].float().cpu().numpy(), "samples_per_frame": hop2, "shown": text_in.text,
            "tokens": text_tokens.cpu().numpy(), "attention": attention,
            "attention_axes": ("decoding step (one latent patch), pooled",
                               "position: text + reference transcript, reference patches, generated patches"),
            # the package prepends the reference's last patches as decoding context: keep the generated ones
            "extras": {"latents": latents.float().numpy().astype(np.float16)[-len(stops):],
                       "stop_prob": np.array(stops, np.float32),
                       "patch_samples": np.array([self.patch_samples], np.int64),
                       "prompt_frames": np.array([voice.conditioning["prompt_feat"].shape[0]], np.int64)},
            "warnings": text_in.warnings,
        }


class _Text:
    def __init__(self, text: str, warnings: tuple[str, ...]):
        self.text, self.warnings = text, warnings

    def __str__(self) -> str:
        return self.text
