"""Figures of what a synthesis did, drawn only from what a Result carries.

Each function returns a matplotlib Figure (Agg; no pyplot state), so the same code serves the
dashboard (as PNG), the notebooks (after ``%matplotlib inline``, a cell ending in a figure shows
it) and tests. ``to_png`` turns a figure into bytes.
"""
from __future__ import annotations

import functools
import io

import numpy as np

from .result import MEL_HOP, ChunkResult, Result
from .views import View

DB_RANGE = 80.0    # dB shown below the loudest bin: the same scale for reference and output
CMAP = "magma"


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Register a CJK font with matplotlib if one is installed (labels in Chinese need it)."""
    from matplotlib import font_manager

    candidates = []
    try:
        import importlib.resources as res

        base = res.files("cvttf_NotoSansCJK_Regular")
        candidates += [base / n for n in ("NotoSansCJKtc-Regular.otf",)]
    except ModuleNotFoundError:
        pass
    candidates += ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]
    for path in candidates:
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError):
            continue
    return None


def with_cjk_font(draw):
    """Text gets its font when it is created, so the figure is built inside an rc_context
    (local to the call: no global matplotlib state changes)."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        import matplotlib

        font = cjk_font()
        if not font:
            return draw(*args, **kwargs)
        with matplotlib.rc_context({"font.family": ["DejaVu Sans", font]}):
            return draw(*args, **kwargs)

    return wrapper


def _t(key: str, lang: str, **params) -> str:
    """An axis label or title in the viewer's language (voxnb.messages.plots)."""
    from ..messages import text

    return text(key, lang, **params)


def _figure(rows: int = 1, height: float = 2.6, width: float = 10.0, ratios: tuple[float, ...] | None = None):
    """``rows`` axes stacked; ``ratios`` gives each its share of the height (``height`` per unit)."""
    from matplotlib.figure import Figure

    ratios = tuple(ratios or (1.0,) * rows)
    fig = Figure(figsize=(width, height * sum(ratios)), dpi=100, layout="constrained")
    grid = fig.add_gridspec(rows, 1, height_ratios=ratios)
    return fig, [fig.add_subplot(grid[i]) for i in range(rows)]


def _mel_image(ax, mel: np.ndarray, sample_rate: int, top: float):
    seconds = mel.shape[1] * MEL_HOP / sample_rate
    return ax.imshow(mel, origin="lower", aspect="auto", cmap=CMAP, vmin=top - DB_RANGE, vmax=top,
                     extent=(0, seconds, 0, mel.shape[0]), interpolation="nearest")


@with_cjk_font
def mel_figure(result: Result, reference_mel: np.ndarray | None = None, labels=("Reference", "Output"),
               lang: str = "en"):
    """Reference and output log-mel spectrograms on one dB scale (so loudness is comparable)."""
    mels = [m for m in (reference_mel, result.mel) if m is not None]
    names = labels if reference_mel is not None else labels[1:]
    top = max(float(np.max(m)) for m in mels)
    fig, axes = _figure(len(mels))
    for ax, mel, name in zip(axes, mels, names):
        im = _mel_image(ax, mel, result.sample_rate, top)
        ax.set_title(name, loc="left", fontsize=10)
        ax.set_ylabel(_t("plots.mel_bin", lang))
    axes[-1].set_xlabel(_t("plots.seconds", lang))
    fig.colorbar(im, ax=axes, label="dB", shrink=0.9)
    return fig


def _token_ticks(ax, chunk: ChunkResult, axis: str = "y", max_labels: int = 80):
    labels = chunk.token_labels
    step = max(1, len(labels) // max_labels)
    ticks = np.arange(0, len(labels), step)
    setter = ax.set_yticks if axis == "y" else ax.set_xticks
    setter(ticks, [labels[i] if labels[i] != " " else "␣" for i in ticks], fontsize=7)


@with_cjk_font
def alignment_figure(chunk: ChunkResult, lang: str = "en"):
    """Which phoneme each output frame belongs to: a staircase; a flat step is a held sound."""
    a = chunk.alignment
    fig, (ax,) = _figure(1, height=max(2.6, min(8.0, 0.09 * a.shape[0])))
    seconds = a.shape[1] * chunk.samples_per_frame / chunk.sample_rate
    ax.imshow(a, origin="lower", aspect="auto", cmap="Greys", extent=(0, seconds, -0.5, a.shape[0] - 0.5),
              interpolation="nearest")
    _token_ticks(ax, chunk)
    ax.set_xlabel(_t("plots.seconds", lang))
    ax.set_ylabel(_t("plots.phoneme", lang))
    ax.set_title(_t("plots.alignment", lang, chunk=chunk.index + 1, tokens=len(chunk.tokens), frames=a.shape[1]),
                 loc="left", fontsize=10)
    return fig


# CosyVoice 3's flow decoder attends over the reference's mel frames and the generated ones alike
FLOW_AXES = ("mel frame (reference | generated), pooled", "mel frame (reference | generated), pooled")


@with_cjk_font
def attention_figure(chunk: ChunkResult, layer: int = -1, head: int | None = None, which: str = "lm",
                     lang: str = "en"):
    """Attention of one layer (head=None averages the heads). Kokoro's is over phonemes; F5's over
    pooled mel frames; VoxCPM's and CosyVoice 3's (which="lm") are their language model's decoding
    steps over its positions; which="flow": CosyVoice 3's flow decoder at its last solver step."""
    flow = which == "flow"
    maps = chunk.extras.get("flow_attention") if flow else chunk.attention
    if maps is None:
        raise ValueError("This result kept no attention maps (inspect=False).")
    axes = FLOW_AXES if flow else tuple(chunk.attention_axes)
    att = maps[layer].astype(np.float32)
    att = att.mean(axis=0) if head is None else att[head]
    layer_no = layer % maps.shape[0] + 1
    heads = _t("plots.mean_of_heads", lang) if head is None else _t("plots.head", lang, n=head + 1)
    tokens = axes == ("token", "token")
    rows, cols = att.shape
    if tokens:
        fig, (ax,) = _figure(1, height=max(3.5, min(9.0, 0.08 * rows)), width=max(4.5, min(10.0, 0.08 * rows + 1.5)))
    else:
        fig, (ax,) = _figure(1, height=4.5)
    im = ax.imshow(att, origin="upper", cmap="viridis", vmin=0, vmax=float(att.max()) or 1.0,
                   interpolation="nearest", aspect="equal" if tokens else "auto")
    if tokens:
        _token_ticks(ax, chunk, "y")
        _token_ticks(ax, chunk, "x")
        ax.tick_params(axis="x", labelrotation=90)
        ax.set_xlabel(_t("plots.attended_phoneme", lang))
        ax.set_ylabel(_t("plots.phoneme", lang))
    else:
        ax.set_ylabel(axes[0])
        ax.set_xlabel(axes[1])
        x, reference, total = chunk.extras, 0, 0
        if flow and "prompt_tokens" in x and "speech_tokens" in x:
            # every token is the same number of frames in the flow (speed stretches the mel after it)
            reference = len(x["prompt_tokens"])
            total = reference + len(x["speech_tokens"])
        elif "prompt_frames" in x and axes[0].startswith("frame") and "mel" in x:
            reference = int(x["prompt_frames"][0])
            total = reference + x["mel"].shape[1]
        if total:   # where the reference ends and the generated frames begin, in pooled units
            ax.axvline(reference * cols / total - 0.5, color="w", lw=0.8, ls="--")
            ax.axhline(reference * rows / total - 0.5, color="w", lw=0.8, ls="--")
    title = _t("plots.flow_attention" if flow else "plots.attention", lang)
    ax.set_title(_t("plots.attention_title", lang, title=title, layer=layer_no, heads=heads), loc="left", fontsize=10)
    fig.colorbar(im, ax=ax, shrink=0.8)
    return fig


def _token_strip(ax, tokens: np.ndarray, seconds_per_token: float, label_max: int = 60) -> None:
    """Token ids as one row of colours (tab20 of id % 20), each over its time; ids written when few."""
    end = len(tokens) * seconds_per_token
    ax.imshow((tokens % 20)[None, :], aspect="auto", cmap="tab20", vmin=0, vmax=19, interpolation="nearest",
              extent=(0, max(end, 1e-3), 0, 1))
    if len(tokens) <= label_max:
        for i, token in enumerate(tokens):
            ax.text((i + 0.5) * seconds_per_token, 0.5, str(int(token)), ha="center", va="center", fontsize=6,
                    rotation=90)
    ax.set_yticks([])


@with_cjk_font
def speech_tokens_figure(chunk: ChunkResult, lang: str = "en"):
    """CosyVoice 3's speech tokens over the mel the flow made from them (before the vocoder), the
    reference's tokens the language model continued from, and the speaker embedding the flow gets."""
    x = chunk.extras
    mel = x["mel"].astype(np.float32)
    tokens = np.asarray(x["speech_tokens"])
    per_token = float(x["token_frames"][0]) if "token_frames" in x else 2.0     # mel frames; 2 at speed 1
    frame_s = chunk.samples_per_frame / chunk.sample_rate
    extra = [k for k in ("prompt_tokens", "speaker_embedding") if k in x]
    fig, axes = _figure(2 + len(extra), height=1.0, ratios=(2.6, 0.6) + tuple(
        {"prompt_tokens": 0.6, "speaker_embedding": 1.0}[k] for k in extra))
    seconds = mel.shape[1] * frame_s
    axes[0].imshow(mel, origin="lower", aspect="auto", cmap=CMAP, extent=(0, seconds, 0, mel.shape[0]),
                   interpolation="nearest")
    axes[0].set_ylabel(_t("plots.mel_bin", lang))
    rate = 1 / (per_token * frame_s)
    axes[0].set_title(_t("plots.speech_tokens", lang, chunk=chunk.index + 1, n=len(tokens), rate=rate, per=per_token),
                      loc="left", fontsize=10)
    _token_strip(axes[1], tokens, per_token * frame_s)
    axes[1].set_xlim(axes[0].get_xlim())
    axes[1].set_ylabel(_t("plots.tokens", lang), rotation=0, ha="right", va="center")
    axes[1].set_xlabel(_t("plots.seconds", lang))
    for ax, key in zip(axes[2:], extra):
        if key == "prompt_tokens":   # the reference at its own pace: 2 mel frames a token
            prompt = np.asarray(x[key])
            _token_strip(ax, prompt, 2 * frame_s)
            ax.set_title(_t("plots.prompt_tokens", lang, n=len(prompt)), loc="left", fontsize=9)
            ax.set_xlabel(_t("plots.reference_seconds", lang))
        else:
            emb = np.asarray(x[key], np.float32)
            ax.bar(np.arange(len(emb)), emb, width=1.0, color="#6b8cff")
            ax.set_xlim(-0.5, len(emb) - 0.5)
            ax.set_title(_t("plots.speaker_embedding", lang, n=len(emb)), loc="left", fontsize=9)
            ax.set_xlabel(_t("plots.dimension", lang))
    return fig


@with_cjk_font
def trajectory_figure(chunk: ChunkResult, step: int = -1, lang: str = "en"):
    """F5's flow-matching ODE: the mel at one solver step, from noise (step 0) to the final mel."""
    traj = chunk.extras["trajectory"]
    step = step % traj.shape[0]
    mel = traj[step].astype(np.float32)
    fig, (ax,) = _figure(1, height=3.0)
    seconds = mel.shape[1] * chunk.samples_per_frame / chunk.sample_rate
    final = traj[-1].astype(np.float32)
    ax.imshow(mel, origin="lower", aspect="auto", cmap=CMAP, vmin=float(final.min()), vmax=float(final.max()),
              extent=(0, seconds, 0, mel.shape[0]), interpolation="nearest")
    key = ("plots.ode_step_noise" if step == 0 else "plots.ode_step_final" if step == traj.shape[0] - 1
           else "plots.ode_step")
    ax.set_title(_t(key, lang, step=step, steps=traj.shape[0] - 1), loc="left", fontsize=10)
    ax.set_xlabel(_t("plots.seconds", lang))
    ax.set_ylabel(_t("plots.mel_bin", lang))
    return fig


@with_cjk_font
def latents_figure(chunk: ChunkResult, lang: str = "en"):
    """VoxCPM's generated latents (what its VAE decodes) and its stop probability per decoding step."""
    lat = chunk.extras["latents"].astype(np.float32)
    flat = lat.reshape(-1, lat.shape[-1]).T      # dims x (patches * patch)
    fig, axes = _figure(2, height=2.4)
    axes[0].imshow(flat, origin="lower", aspect="auto", cmap="coolwarm", interpolation="nearest",
                   extent=(0, lat.shape[0], 0, flat.shape[0]))
    axes[0].set_title(_t("plots.latents", lang), loc="left", fontsize=10)
    axes[0].set_ylabel(_t("plots.latent_dim", lang))
    stop = chunk.extras.get("stop_prob", np.zeros(0))
    axes[1].plot(np.arange(len(stop)) + 0.5, stop, color="#d1495b", marker=".")
    axes[1].axhline(0.5, color="grey", lw=0.8, ls="--")
    axes[1].set_xlim(0, max(lat.shape[0], len(stop)))
    axes[1].set_ylim(-0.02, 1.02)
    axes[1].set_title(_t("plots.stop", lang), loc="left", fontsize=10)
    axes[1].set_xlabel(_t("plots.decoding_step", lang))
    return fig


@with_cjk_font
def f0_figure(result: Result, lang: str = "en"):
    """Pitch (Hz) and energy over the output spectrogram."""
    fig, (ax,) = _figure(1, height=3.2)
    _mel_image(ax, result.mel, result.sample_rate, float(np.max(result.mel)))
    ax.set_ylabel(_t("plots.mel_bin", lang))
    ax.set_xlabel(_t("plots.seconds", lang))
    t, f0 = result.f0_track()
    hz = ax.twinx()
    hz.plot(t, f0, color="#35d0ff", lw=1.6, label=_t("plots.f0", lang))
    hz.set_ylabel(_t("plots.f0", lang))
    voiced = f0[np.isfinite(f0)]
    hz.set_ylim(0, max(400.0, float(np.max(voiced)) * 1.15) if len(voiced) else 400.0)
    te, energy = result.energy_track()
    if len(energy):
        e = (energy - energy.min()) / max(float(np.ptp(energy)), 1e-6) * hz.get_ylim()[1] * 0.35
        hz.plot(te, e, color="#b8ff6b", lw=1.0, alpha=0.8, label=_t("plots.energy", lang))
    hz.legend(loc="upper right", fontsize=8)
    ax.set_title(_t("plots.pitch_energy", lang), loc="left", fontsize=10)
    return fig


@with_cjk_font
def timings_figure(result: Result, lang: str = "en"):
    stages = [k for k in result.timings if k != "total"]
    fig, (ax,) = _figure(1, height=1.8)
    ax.barh(stages, [result.timings[k] for k in stages], color="#6b8cff")
    ax.set_xlabel(_t("plots.seconds", lang))
    ax.set_title(_t("plots.timings", lang, total=result.timings.get("total", 0), duration=result.duration_s,
                    rtf=result.rtf), loc="left", fontsize=10)
    return fig


# the figure that draws each inspector view: of a whole Result (PER_RESULT) or of one ChunkResult (the others)
FIGURES = {View.MEL: mel_figure, View.TOKENS: speech_tokens_figure, View.ALIGNMENT: alignment_figure,
           View.ATTENTION: attention_figure, View.TRAJECTORY: trajectory_figure, View.LATENTS: latents_figure,
           View.F0: f0_figure, View.TIMINGS: timings_figure}
PER_RESULT = (View.MEL, View.F0, View.TIMINGS)


def to_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
