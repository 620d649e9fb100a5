"""F5-TTS v1 Base and its Vocos vocoder at their published size, with random weights.

``full_size_model`` builds the CFM exactly as ``f5_tts.infer.utils_infer.load_model`` does for the
checkpoint (the DiT size of the package's own ``F5TTS_v1_Base.yaml``, the package's vocab, the mel
settings of ``utils_infer``), without reading any weights; ``vocoder`` builds Vocos from the
``charactr/vocos-mel-24khz`` config that voxnb ships (configs/SOURCES.md). On the meta device they
cost no memory and count parameters; on "cpu" or "cuda" they are what a speed and memory benchmark
runs. The weights are random: what they say is noise.
"""
from __future__ import annotations

from pathlib import Path

CONFIGS = Path(__file__).with_name("configs")
VOCOS_CONFIG = CONFIGS / "vocos-mel-24khz.yaml"
PUBLISHED_PARAMS_M = 336      # F5-TTS v1 Base, its model card and paper
VOCOS_PARAMS_M = 13.5         # vocos-mel-24khz, its model card


def v1_base_arch() -> dict:
    """The DiT's keyword arguments for F5TTS_v1_Base, from the config the f5-tts package ships."""
    from importlib.resources import files

    import yaml

    config = yaml.safe_load(files("f5_tts").joinpath("configs/F5TTS_v1_Base.yaml").read_text())
    return dict(config["model"]["arch"])


def package_vocab() -> Path:
    """The vocab file the f5-tts wheel ships: the one ``load_model`` falls back to, 2545 tokens."""
    from importlib.resources import files

    return Path(str(files("f5_tts").joinpath("infer/examples/vocab.txt")))


def full_size_model(device: str = "meta", arch: dict | None = None, vocab_file: str | Path | None = None):
    """F5's CFM(DiT) built as its loader builds it, random weights in float32, on ``device``."""
    import torch
    from f5_tts.infer import utils_infer as u
    from f5_tts.model import CFM, DiT
    from f5_tts.model.utils import get_tokenizer

    vocab_char_map, vocab_size = get_tokenizer(str(vocab_file or package_vocab()), "custom")
    with torch.device(device):
        return CFM(transformer=DiT(**(arch or v1_base_arch()), text_num_embeds=vocab_size, mel_dim=u.n_mel_channels),
                   mel_spec_kwargs=dict(n_fft=u.n_fft, hop_length=u.hop_length, win_length=u.win_length,
                                        n_mel_channels=u.n_mel_channels, target_sample_rate=u.target_sample_rate,
                                        mel_spec_type=u.mel_spec_type),
                   odeint_kwargs=dict(method=u.ode_method), vocab_char_map=vocab_char_map)


def vocoder(device: str = "meta", config: str | Path = VOCOS_CONFIG):
    """Vocos as ``load_vocoder(is_local=True)`` builds it from ``config.yaml``, random weights, on ``device``."""
    import torch
    from vocos import Vocos

    # torchaudio's mel filterbank needs real numbers: on meta, build the 54 MB model on the CPU and move it
    with torch.device("cpu" if device == "meta" else device):
        model = Vocos.from_hparams(str(config)).eval()
    return model.to(device)


def count_params_m(module) -> float:
    """Parameters in millions (buffers such as the mel filterbank are not parameters)."""
    return sum(p.numel() for p in module.parameters()) / 1e6
