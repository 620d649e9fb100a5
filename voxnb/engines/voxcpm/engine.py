"""VoxCPM as a voxnb engine, on the voxcpm package's own models and prompt cache.

The package loads VoxCPM 1.5 (``VoxCPMModel``) or VoxCPM2 (``VoxCPM2Model``) by the ``architecture``
of the directory's config.json; both take a prompt cache and return (audio, text tokens, latents),
and both carry ``base_lm`` and ``stop_head``, so one adapter drives either. The model is loaded
from a local directory with its denoiser off (it would fetch a ModelScope model by itself) and
without torch.compile (so attention can be captured, and no compile failures), in the dtype the GPU
supports (voxnb.engines.precision), not the bf16 its config names. The prompt cache (AudioVAE
latents of the reference) is made once and kept in the Voice: VoxCPM 1.5 continues the reference
(its latents and transcript lead the text); VoxCPM2 also sees the reference apart, between its own
markers ("ultimate cloning", the mode its README gives the best similarity). Each chunk is generated
with ``generate_with_prompt_cache`` after seeding torch (2.0.3 takes no seed itself); the Result
keeps the generated latents, the stop probability of every decoding step and, opt-in, the language
model's attention of every step over the text and the prompt.
"""
from __future__ import annotations

import importlib.metadata as md
import json
import os
import tempfile
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

from ...errors import EngineError, VoiceNotFoundError
from ...messages import Msg
from ...output.chunk import ChunkOutput
from ..base import Capabilities, declared
from ..capture import AttentionRecorder
from ..precision import choose_dtype, cuda_capability
from ..zeroshot import ZeroShotEngine, require_package, join_words, seed_everything
from . import ARCHITECTURES, MODELS, choose_model
from .spec import SPEC

F0_HOP_S = 0.01
_LOADING = threading.Lock()     # the dtype override below swaps a module attribute while a model loads


def _vram_gb(device: str) -> float | None:
    import torch

    if not str(device).startswith("cuda"):
        return None
    return torch.cuda.get_device_properties(torch.device(device)).total_memory / 2**30


@contextmanager
def _runtime_dtype(dtype: str):
    """Make the package build and cast its model in ``dtype``.

    Both model classes ask ``pick_runtime_dtype(device, config.dtype)`` (their own hook, which only
    changes it on Apple's MPS) for the dtype they set up the KV caches in and cast the weights to
    before loading them; answering it here is the one place that governs all of that.
    """
    import voxcpm.model.voxcpm as v1
    import voxcpm.model.voxcpm2 as v2

    modules = [m for m in (v1, v2) if hasattr(m, "pick_runtime_dtype")]
    with _LOADING:
        saved = [m.pick_runtime_dtype for m in modules]
        for m in modules:
            m.pick_runtime_dtype = lambda device, configured: dtype
        try:
            yield
        finally:
            for m, original in zip(modules, saved):
                m.pick_runtime_dtype = original


def _architecture(directory: Path) -> str:
    try:
        arch = json.loads((directory / "config.json").read_text(encoding="utf-8")).get("architecture", "voxcpm")
    except (OSError, ValueError) as err:
        raise EngineError(key="cpm.cannot_read", err=err, config=directory / 'config.json', engine="voxcpm") from err
    if str(arch).lower() not in ARCHITECTURES:
        raise EngineError(key="cpm.holds_model_which_voxcpm", directory=directory, arch=arch,
                          architectures=ARCHITECTURES, engine="voxcpm")
    return ARCHITECTURES[str(arch).lower()]


class VoxCPMEngine(ZeroShotEngine):
    NAME = SPEC.name
    TITLE = SPEC.title
    MAX_REFERENCE_S = 15.0
    METHOD = "voxcpm-prompt-cache/1"
    SPEC = SPEC

    def __init__(self, model_dir: str | Path | None = None, device: str | None = None, model: str = "auto",
                 inference_timesteps: int = 10, cfg_value: float = 2.0, retry_badcase: bool = True):
        """``model``: 'voxcpm2', 'voxcpm1.5' or 'auto' (VoxCPM2 on a GPU of 12 GB or more whose weights
        are fetched); ``model_dir`` (a directory of either) overrides it, its config.json says which."""
        from ...weights import hub

        require_package("voxcpm", "voxcpm", "voxcpm")
        import torch
        from voxcpm import VoxCPM

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if model_dir:
            directory = Path(model_dir)
            self.model_name = _architecture(directory) if model == "auto" else choose_model(model, None)
        else:
            self.model_name = choose_model(model, _vram_gb(self.device), capability=cuda_capability(self.device))
            directory = hub.model_dir(MODELS[self.model_name].name)
        spec = MODELS[self.model_name]
        directory = hub.check(spec, directory)
        if _architecture(directory) != self.model_name:
            raise EngineError(key="cpm.holds", directory=directory, title=MODELS[_architecture(directory)].title,
                              title2=spec.title, model_name=self.model_name, engine="voxcpm")
        self.dtype = choose_dtype("voxcpm", cuda_capability(self.device))
        with _runtime_dtype(self.dtype):
            pipeline = VoxCPM(str(directory), zipenhancer_model_path=None, enable_denoiser=False, optimize=False,
                              device=self.device)
        self.model = pipeline.tts_model
        loaded = str(next(self.model.base_lm.parameters()).dtype).replace("torch.", "")
        if loaded != self.dtype:   # a voxcpm release that sets its dtype some other way
            raise EngineError(key="cpm.voxcpm_loaded_gpu_needs", loaded=loaded, dtype=self.dtype,
                              version=md.version('voxcpm'), engine="voxcpm")
        self.v2 = self.model_name == "voxcpm2"
        self.METHOD = "voxcpm2-prompt-cache/1" if self.v2 else VoxCPMEngine.METHOD
        self.SAMPLE_RATE = int(self.model.sample_rate)        # the output: 48 kHz (VoxCPM2), 44.1 kHz (1.5)
        # VoxCPM2 encodes the prompt at 16 kHz and decodes at 48 kHz; 1.5 does both at 44.1 kHz
        self.encode_rate = int(getattr(self.model, "_encode_sample_rate", self.SAMPLE_RATE))
        decode_chunk = int(getattr(self.model, "_decode_chunk_size", self.model.chunk_size))
        self.patch_samples = int(self.model.patch_size * decode_chunk)     # output samples per decoding step
        self.timesteps, self.cfg, self.retry = inference_timesteps, cfg_value, retry_badcase
        manifest = hub.read_manifest(directory) or {}
        digest = manifest.get("files", {}).get("model.safetensors", {}).get("sha256", "")[:8]
        clone = Msg("cpm.clone_v2" if self.v2 else "cpm.clone_v15")
        self.capabilities = Capabilities(
            **declared(SPEC),
            version=f"voxcpm {md.version('voxcpm')} / {spec.title} {directory.name} {digest} {self.dtype}",
            sample_rate=self.SAMPLE_RATE, styles=("neutral",), approximate_styles=(),
            streams=True, attention=True, seeded=True, device=self.device,
            notes=Msg("cpm.notes", title=spec.title, dtype=self.dtype, steps=inference_timesteps,
                      khz=self.SAMPLE_RATE / 1000, clone=clone))

    def _prompt_features(self, audio: np.ndarray, transcript: str) -> dict[str, np.ndarray]:
        import soundfile as sf

        from ...reference.decode import resample

        fd, path = tempfile.mkstemp(suffix=".wav")
        os.close(fd)
        try:   # the package's prompt cache reads a file; at its encoder's rate nothing is resampled there
            sf.write(path, resample(audio, self.SAMPLE_RATE, self.encode_rate), self.encode_rate, subtype="FLOAT")
            if self.v2:
                cache = self.model.build_prompt_cache(prompt_text=transcript, prompt_wav_path=path,
                                                      reference_wav_path=path)
            else:
                cache = self.model.build_prompt_cache(prompt_text=transcript, prompt_wav_path=path)
        finally:
            os.unlink(path)
        out = {"prompt_feat": cache["audio_feat"].float().cpu().numpy()}
        if self.v2:   # padded on the other side than the continuation's, so not the same latents
            out["ref_feat"] = cache["ref_audio_feat"].float().cpu().numpy()
        return out

    def _resolve(self, voice):
        voice = super()._resolve(voice)
        if voice.method != self.METHOD:   # 1.5 and 2 have different AudioVAEs: their latents do not mix
            made = "VoxCPM2" if voice.method.startswith("voxcpm2") else "VoxCPM 1.5"
            raise VoiceNotFoundError(key="cpm.voice_made_engine_runs", name=voice.name, made=made,
                                     title=MODELS[self.model_name].title, engine="voxcpm")
        return voice

    def _render(self, chunk):
        self._refuse_markup(chunk)
        words = join_words([p for kind, p in chunk.pieces if kind == "text"])
        skipped = tuple(Msg("engines.tag_skipped", tag=p, engine="VoxCPM") for kind, p in chunk.pieces if kind == "tag")
        return _Text(words, skipped)

    def _cache(self, voice) -> dict:
        import torch

        def feat(key):
            return torch.from_numpy(np.array(voice.conditioning[key], np.float32))

        cache = {"prompt_text": voice.transcript, "audio_feat": feat("prompt_feat")}
        if self.v2:
            cache.update(ref_audio_feat=feat("ref_feat"), mode="ref_continuation")
        return cache

    def _generate(self, text_in, voice, settings, seed: int) -> VoxCPMOutput:
        import torch

        seed_everything(seed)
        cache = self._cache(voice)
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
        positions = ("reference patches (isolated), text + reference transcript, reference patches, generated patches"
                     if self.v2 else "text + reference transcript, reference patches, generated patches")
        return VoxCPMOutput(
            audio=wav[0].float().cpu().numpy(), sample_rate=self.SAMPLE_RATE, samples_per_frame=hop2,
            shown=text_in.text, tokens=text_tokens.cpu().numpy(), attention=attention,
            attention_axes=("decoding step (one latent patch), pooled", f"position: {positions}"),
            # 1.5 prepends the reference's last patches as decoding context (2 does not): keep the generated ones
            extras={"latents": latents.float().numpy().astype(np.float16)[-len(stops):],
                    "stop_prob": np.array(stops, np.float32),
                    "patch_samples": np.array([self.patch_samples], np.int64),
                    "prompt_frames": np.array([voice.conditioning["prompt_feat"].shape[0]], np.int64)},
            warnings=text_in.warnings)


class VoxCPMOutput(ChunkOutput):
    """VoxCPM's chunk: the latents its VAE decodes and its stop head's probability per decoding step."""

    EXTRAS = ("latents", "stop_prob", "patch_samples", "prompt_frames")


class _Text:
    def __init__(self, text: str, warnings: tuple[str, ...]):
        self.text, self.warnings = text, warnings

    def __str__(self) -> str:
        return self.text
