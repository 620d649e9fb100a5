"""CosyVoice 3 in the dashboard without its weights: instruction controls, the speech-token view and
the flow decoder's attention, drawn from a Result shaped like the engine's."""
from types import SimpleNamespace

import numpy as np
import pytest

from voxnb.output import plots
from voxnb.dashboard import App, Session
from voxnb.dashboard.inspect_panel import result_views
from voxnb.engines.base import Capabilities
from voxnb.engines.cosyvoice3.prompt import INSTRUCTIONS, STYLE_INSTRUCTIONS
from voxnb.output.result import ChunkResult, Result
from voxnb.settings import PAUSE_SETTINGS, STYLES
from voxnb.voice import VoiceLibrary

SR, HOP = 24000, 480          # 50 mel frames a second; 2 a speech token
CAPS = Capabilities(
    name="cosyvoice3", version="test", languages=("zh", "en"), sample_rate=SR,
    styles=("neutral",) + tuple(STYLE_INSTRUCTIONS), approximate_styles=(), clones=True, streams=True,
    attention=True, seeded=True, device="cpu", notes="test", views=("mel", "tokens", "attention", "f0", "timings"),
    settings=("style", "instruct", "speed", "seed", "lang", *PAUSE_SETTINGS, "inspect"),
    instructions={k: {"group": i.group, "text": i.text, "en": i.label_en, "zh": i.label_zh}
                  for k, i in INSTRUCTIONS.items()})


def maps(layers, heads, rows, cols, seed=0):
    a = np.random.default_rng(seed).random((layers, heads, rows, cols)).astype(np.float32)
    return (a / a.sum(-1, keepdims=True)).astype(np.float16)


def make_result(tokens=40, flow=True):
    frames = 2 * tokens
    audio = (np.sin(np.linspace(0, 900, frames * HOP)) * 0.3).astype(np.float32)
    rng = np.random.default_rng(1)
    extras = {"mel": rng.normal(-5, 2, (80, frames)).astype(np.float32),
              "speech_tokens": rng.integers(0, 6561, tokens).astype(np.int64),
              "prompt_tokens": rng.integers(0, 6561, 30).astype(np.int64),
              "speaker_embedding": rng.normal(0, 1, 192).astype(np.float32),
              "token_frames": np.array([2.0], np.float32)}
    if flow:
        extras["flow_attention"] = maps(2, 4, 35, 35)
    chunk = ChunkResult(index=0, of=1, text="你好", phonemes="你好", tokens=np.arange(5), durations=np.zeros(0),
                        frames=np.zeros(0, np.int64), f0=np.full(2 * frames, 180.0, np.float32),
                        energy=np.zeros(2 * frames, np.float32), attention=maps(3, 2, tokens, 90, seed=2),
                        audio=audio, sample_rate=SR, samples_per_frame=HOP, offset=0, seconds=0.1,
                        attention_axes=("decoding step", "position"), extras=extras)
    return Result(audio=audio, sample_rate=SR, text="你好", chunks=(chunk,), voice_id="v", voice_name="v",
                  engine="cosyvoice3", engine_version="test", settings={}, seed=0, timings={"total": 0.2})


@pytest.fixture
def app(tmp_path):
    engine = SimpleNamespace(capabilities=CAPS)
    session = Session(engine_factory=lambda: engine, library=VoiceLibrary(tmp_path / "voices"), workdir=tmp_path)
    app = App(session=session, warm=False)
    app._warm()
    return app


def test_tokens_figure_draws_mel_tokens_prompt_and_embedding():
    chunk = make_result().chunks[0]
    fig = plots.speech_tokens_figure(chunk)
    assert len(fig.axes) >= 3
    title = fig.axes[0].get_title(loc="left")
    assert "40 tokens (25/s)" in title and "2 mel frames" in title
    assert len(fig.axes[1].texts) == 40            # few tokens: each id written on it
    assert plots.to_png(fig)[:4] == b"\x89PNG"
    many = plots.speech_tokens_figure(make_result(tokens=200).chunks[0])
    assert not many.axes[1].texts


def test_result_views_has_tokens_and_the_inspector_draws_them(app):
    result = make_result()
    assert result_views(result) == ["mel", "tokens", "attention", "f0", "timings"]
    app.session.result = result
    app.inspector.show(result)
    titles = [app.inspector.tabs.get_title(i) for i in range(len(app.inspector.tabs.children))]
    assert "Speech tokens" in titles
    assert app.inspector.images["tokens"].value[:4] == b"\x89PNG"


def test_attention_switches_between_language_model_and_flow_decoder(app):
    result = make_result()
    chunk = result.chunks[0]
    lm = plots.attention_figure(chunk, 0, None)
    flow = plots.attention_figure(chunk, 0, None, which="flow")
    assert lm.axes[0].images[0].get_array().shape == (40, 90)
    assert flow.axes[0].images[0].get_array().shape == (35, 35)
    assert "Flow decoder" in flow.axes[0].get_title(loc="left") and "reference | generated" in flow.axes[0].get_xlabel()

    ins = app.inspector
    app.session.result = result
    ins.show(result)
    assert ins.source.layout.display == "" and ins.source.value == "lm"
    assert ins.layer.max == 3 and len(ins.head.options) == 3          # the LM's 3 layers, 2 heads
    before = ins.images["attention"].value
    ins.source.value = "flow"
    assert ins.layer.max == 2 and len(ins.head.options) == 5          # the flow's 2 layers, 4 heads
    assert ins.images["attention"].value != before
    app.set_lang("zh")
    assert ins.source.value == "flow" and ins.source.options[1][0] == "流匹配解码器"

    plain = make_result(flow=False)
    app.session.result = plain
    ins.show(plain)                                 # no flow maps: no choice, the LM's maps
    assert ins.source.layout.display == "none" and ins.layer.max == 3


def test_instruction_controls_follow_the_engine(app, engine):
    c = app.controls
    assert c.instruct_box.layout.display == "" and c.instruction.layout.display == ""
    labels = dict((v, k) for k, v in c.instruction.options)
    assert c.instruction.options[0][1] == "" and labels["sichuan"] == "Dialect: Sichuanese"
    assert labels["happy"] == "Emotion: Happy"
    assert set(c.style.options) == {(STYLES[s].label_en, s) for s in CAPS.styles}   # only the styles it has
    assert "[laughter]" in app.text.help.value and "&lt;strong&gt;" in app.text.help.value

    c.instruction.value = "sichuan"
    assert c.settings().instruct == "sichuan"
    c.instruct_text.value = "请用温柔的语气说"          # typed words win over the preset
    assert c.settings().instruct == "请用温柔的语气说"
    c.instruct_text.value = ""
    c.style.value = "happy"                         # a style is an instruction: the two do not mix
    assert c.instruction.value == "" and c.settings().instruct == ""
    c.instruction.value = "soft"
    assert c.style.value == "neutral"

    app.set_lang("zh")
    assert c.instruction.value == "soft"
    assert dict((v, k) for k, v in c.instruction.options)["sichuan"] == "方言：四川话"
    app.set_lang("en")

    c.load({"style": "neutral", "instruct": "请用平静的语气说"})
    assert c.instruct_text.value == "请用平静的语气说" and c.instruction.value == ""
    c.load({"style": "neutral", "instruct": "cantonese"})
    assert c.instruction.value == "cantonese" and c.settings().instruct == "cantonese"

    c.offer_engines(engine.capabilities)             # Kokoro: no instructions, every style
    app.text.offer_engine(engine.capabilities)
    assert c.instruct_box.layout.display == "none" and c.settings().instruct == ""
    assert len(c.style.options) == len(STYLES) and "[laughter]" not in app.text.help.value
