"""CosyVoice 3 at full size with random weights, for ``voxnb bench --random-weights`` (voxnb.bench.random_models).

Its language model is steered: it may pick a stop token only once the chunk has had as many speech
tokens as its text would take, and must then.
"""
from __future__ import annotations

from pathlib import Path

from .spec import WEIGHTS


def weights(model: str | None = None):
    return WEIGHTS


def prepare() -> None:
    """Not on PyPI: a missing source is named before anything is written."""
    from .engine import load_source

    load_source()


def write(root: Path, model: str | None = None) -> tuple[int, int]:
    from . import arch

    return arch.write_full_size(root)


def load_options(steps: int | None) -> dict:
    return {}


def steer(engine, steps: int | None, chars_per_second: float) -> None:
    """A stop token (any of 200) only once the chunk has had as many speech tokens (25 a second) as its
    text would take, and then one must come; ``steps`` replaces the flow's fixed 10 Euler steps."""
    lm, state = engine.model.llm, {"step": 0, "target": 1}
    generate, rate = engine._generate, engine.model.flow.input_frame_rate

    def generate_steered(text_in, voice, settings, seed):
        seconds = max(1.0, len(text_in.text) / chars_per_second)
        state.update(step=0, target=max(2, round(seconds * rate)))     # one LM run per chunk
        return generate(text_in, voice, settings, seed)

    def stop_when_due(module, inputs, out):
        state["step"] += 1
        decided = out.clone()
        if state["step"] > state["target"]:
            decided.fill_(-1e4)              # finite: its repetition fallback samples from these scores
            decided[..., lm.eos_token] = 0.0
        else:
            decided[..., lm.speech_token_size:] = -1e4
        return decided

    def solver_steps(module, args, kwargs):
        return args, {**kwargs, "n_timesteps": steps}

    engine._generate = generate_steered
    lm.llm_decoder.register_forward_hook(stop_when_due)
    if steps:
        engine.model.flow.decoder.register_forward_pre_hook(solver_steps, with_kwargs=True)


def params_m(engine) -> float:
    """Language model and flow; HiFT is the vocoder's share."""
    count = sum(p.numel() for part in (engine.model.llm, engine.model.flow) for p in part.parameters())
    return count / 1e6


def default_steps(engine) -> int:
    from .arch import FLOW_STEPS

    return FLOW_STEPS
