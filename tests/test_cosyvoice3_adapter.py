"""The CosyVoice 3 adapter's own logic, in CI (CosyVoice itself is not on PyPI).

Prompt building, instruction and markup mapping, the requirement filter, and, against a stand-in
for CosyVoice's frontend and model that keeps their call shapes (``_extract_text_token``,
``frontend_zero_shot``, ``tts`` running ``llm.inference`` in a thread then ``token2wav``, HiFT's
``f0_predictor``, SDPA attention in the LM's and the DiT's layers): chunking and seeds,
intermediates extraction, state reset and errors. The real classes run in
tests/cosyvoice3/test_tiny_end_to_end.py when a checkout is given.
"""
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from voxnb.engines.cosyvoice3 import install
from voxnb.engines.cosyvoice3.engine import CosyVoice3Engine
from voxnb.engines.cosyvoice3.prompt import (END_OF_PROMPT, INSTRUCTIONS, instruct_prompt, pinyin_tokens, render,
                                             resolve_instruction, zero_shot_prompt)
from voxnb.errors import SettingsError, TextError
from voxnb.text.chunks import text_chunks

EOP = 151646


# -- the pure parts --------------------------------------------------------------------------------------------
def test_zero_shot_prompt_is_cosyvoices_exact_format():
    assert zero_shot_prompt(" 希望你以后能够做的比我还好呦。 ") == \
        "You are a helpful assistant.<|endofprompt|>希望你以后能够做的比我还好呦。"
    with pytest.raises(TextError, match="transcript"):
        zero_shot_prompt("  ")
    with pytest.raises(TextError, match="control markers"):
        zero_shot_prompt("hello <|endofprompt|> there")


def test_instructions_presets_free_text_and_styles():
    assert instruct_prompt("cantonese") == "You are a helpful assistant. 请用广东话表达。<|endofprompt|>"
    assert instruct_prompt("Speak slowly.") == "You are a helpful assistant. Speak slowly.<|endofprompt|>"
    assert len([i for i in INSTRUCTIONS.values() if i.group == "dialect"]) == 17
    assert {"loud", "soft", "slow", "fast", "happy", "sad", "angry"} <= set(INSTRUCTIONS)
    assert resolve_instruction("happy", "") == "happy" and resolve_instruction("neutral", "") == ""
    with pytest.raises(SettingsError, match="Both a style"):
        resolve_instruction("sad", "sichuan")
    with pytest.raises(SettingsError, match="no trained instruction"):
        resolve_instruction("calm", "")
    with pytest.raises(SettingsError, match="control markers"):
        instruct_prompt("be loud<|endofprompt|>")
    with pytest.raises(SettingsError, match="characters long"):
        instruct_prompt("x" * 500)


@pytest.mark.parametrize("syllable,tokens", [
    ("hao4", "[h][ào]"), ("ji3", "[j][ǐ]"), ("jiu3", "[j][iǔ]"), ("gui4", "[g][uì]"), ("lv4", "[l][ǜ]"),
    ("lve4", "[l][vè]"), ("jue2", "[j][ué]"), ("yuan2", "[y][uán]"), ("er2", "[ér]"), ("zhi1", "[zh][ī]"),
    ("de5", "[d][e]"), ("xiong2", "[x][ióng]")])
def test_pinyin_becomes_initial_and_toned_final_tokens(syllable, tokens):
    assert pinyin_tokens(syllable) == tokens


def test_markup_and_tags_render_in_cosyvoices_form():
    chunk = text_chunks("报道[j][ǐ]予好评，[breath]<strong>真的</strong>。")[0]
    text, _ = render(chunk.pieces)
    assert text.startswith("报道[j][ǐ]予好评") and "[breath]<strong>真的</strong>" in text
    chunk = text_chunks("I said [M][AY0][N][UW1][T] twice, [laughter] really.")[0]
    text, _ = render(chunk.pieces)
    assert "[M][AY0][N][UW1][T]" in text and "[laughter]" in text
    with pytest.raises(TextError, match="no token for the pinyin"):
        render(text_chunks("好[h][ào]")[0].pieces, vocabulary=frozenset({"[h]"}))


def test_requirements_keep_inference_pins_and_drop_training_and_serving(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("--extra-index-url https://download.pytorch.org/whl/cu121\n"
                   "conformer==0.3.2\ndeepspeed==0.15.1; sys_platform == 'linux'\ngradio==5.4.0\n"
                   "onnxruntime-gpu==1.18.0; sys_platform == 'linux'\n"
                   "onnxruntime==1.18.0; sys_platform == 'darwin' or sys_platform == 'win32'\n"
                   "openai-whisper==20231117\nmatplotlib==3.7.5\ntensorrt-cu12==10.13.3.9; sys_platform == 'linux'\n"
                   "torch==2.3.1\ntransformers==4.51.3\nwetext==0.0.4\n")
    cpu = install.requirements(req)
    assert "torch==2.3.1" in cpu and "transformers==4.51.3" in cpu and "wetext>=0.1" in cpu
    assert "onnxruntime==1.18.0; sys_platform == 'linux'" in cpu and "matplotlib" in cpu
    assert not any(r.startswith(("deepspeed", "gradio", "tensorrt", "--", "onnxruntime-gpu")) for r in cpu)
    assert "onnxruntime-gpu==1.18.0; sys_platform == 'linux'" in install.requirements(req, gpu=True)
    assert install.requirements(req, legacy=True) == ["openai-whisper==20231117"]
    assert "openai-whisper==20231117" not in install.requirements(req, legacy=False)


def test_missing_source_says_how_to_get_it(monkeypatch, tmp_path):
    from voxnb.engines.cosyvoice3.engine import load_source
    from voxnb.errors import EngineError

    monkeypatch.setenv("COSYVOICE_SRC", str(tmp_path))
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None)
    with pytest.raises(EngineError) as err:
        load_source()
    assert "--engine cosyvoice3" in err.value.fix and install.COMMIT[:7] in err.value.fix


# -- a stand-in for CosyVoice at the adapter's boundary ---------------------------------------------------------
class _Attn(torch.nn.Module):
    def forward(self, x):
        q = x.reshape(1, 2, x.shape[1], -1)
        return F.scaled_dot_product_attention(q, q, q, is_causal=q.shape[2] > 1)


class _Layer(torch.nn.Module):
    def __init__(self, name):
        super().__init__()
        setattr(self, name, _Attn())


class _LM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.llm = torch.nn.Module()
        self.llm.model = torch.nn.Module()
        self.llm.model.model = torch.nn.Module()
        self.llm.model.model.layers = torch.nn.ModuleList([_Layer("self_attn") for _ in range(2)])

    def inference(self, text, text_len, prompt_text, prompt_text_len, prompt_speech_token, prompt_speech_token_len,
                  embedding, uuid=""):
        assert EOP in torch.cat([prompt_text, text], 1), "<|endofprompt|> must reach the LM"
        seq = torch.randn(1, prompt_text.shape[1] + text.shape[1] + prompt_speech_token.shape[1] + 2, 8)
        for step in range(0 if getattr(self, "mute", False) else 2 * text.shape[1]):
            for layer in self.llm.model.model.layers:
                layer.self_attn(seq if step == 0 else seq[:, -1:])
            seq = torch.cat([seq, torch.randn(1, 1, 8)], 1)
            yield int(torch.randint(0, 6561, (1,)))


class _F0(torch.nn.Module):      # (B, 80, T) mel -> (B, T) Hz, like HiFT's predictor
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(80, 1)

    def forward(self, mel):
        return 100 + 50 * torch.sigmoid(self.proj(mel.transpose(1, 2))[..., 0])


class _Model:
    def __init__(self):
        self.llm = _LM()
        self.flow = torch.nn.Module()
        self.flow.input_frame_rate, self.flow.token_mel_ratio = 25, 2
        self.flow.decoder = torch.nn.Module()
        self.flow.decoder.estimator = torch.nn.Module()
        self.flow.decoder.estimator.transformer_blocks = torch.nn.ModuleList([_Layer("attn") for _ in range(2)])
        self.hift = torch.nn.Module()
        self.hift.f0_predictor = _F0()
        self.token_hop_len = 25
        self.calls = []

    def token2wav(self, token, prompt_token, prompt_feat, embedding, token_offset, uuid, stream=False,
                  finalize=False, speed=1.0):
        mel = torch.sin(token.float().repeat_interleave(2, 1)[:, None, :] * torch.arange(1, 81)[None, :, None] / 100)
        for block in self.flow.decoder.estimator.transformer_blocks:
            block.attn(torch.cat([prompt_feat, mel.transpose(1, 2)], 1)[:, :, :16].repeat(2, 1, 1)[:1])
        if speed != 1.0:
            mel = F.interpolate(mel, size=int(mel.shape[2] / speed), mode="linear")
        f0 = self.hift.f0_predictor(mel)
        phase = torch.cumsum(f0.repeat_interleave(480, 1) / 24000, 1)
        return 0.3 * torch.sin(2 * torch.pi * phase)

    def tts(self, text, flow_embedding, llm_embedding, prompt_text, flow_prompt_speech_token, prompt_speech_feat,
            llm_prompt_speech_token=torch.zeros(1, 0, dtype=torch.int32), stream=False, speed=1.0):
        self.calls.append({"prompt_text": prompt_text, "llm_tokens": llm_prompt_speech_token.shape[1],
                           "hop": self.token_hop_len})
        tokens = []

        def job():
            tokens.extend(self.llm.inference(text, None, prompt_text, None, llm_prompt_speech_token, None,
                                             llm_embedding))
        worker = threading.Thread(target=job)
        worker.start()
        worker.join()
        yield {"tts_speech": self.token2wav(token=torch.tensor([tokens]), prompt_token=flow_prompt_speech_token,
                                            prompt_feat=prompt_speech_feat, embedding=flow_embedding, token_offset=0,
                                            uuid="u", finalize=True, speed=speed)}


class _Frontend:
    class tokenizer:
        special_tokens = {"additional_special_tokens": ["[breath]", "<strong>", "</strong>", "[j]", "[ǐ]", "[h]",
                                                        "[ào]", "[M]", "[AY0]"]}

    @staticmethod
    def _extract_text_token(text):
        ids = []
        for i, part in enumerate(text.split(END_OF_PROMPT)):
            ids += ([EOP] if i else []) + list(part.encode("utf-8"))
        return torch.tensor([ids], dtype=torch.int32), torch.tensor([len(ids)], dtype=torch.int32)

    @staticmethod
    def frontend_zero_shot(tts_text, prompt_text, prompt_wav, resample_rate, spk_id):
        import soundfile as sf

        audio, sr = sf.read(prompt_wav, dtype="float32")
        assert sr == resample_rate == 24000 and prompt_text.startswith("You are a helpful assistant.<|endofprompt|>")
        n = len(audio) // 960
        frames = torch.from_numpy(audio[: n * 960].reshape(2 * n, 480))
        feat = frames.abs().mean(1, keepdim=True).repeat(1, 80)[None]
        return {"prompt_speech_feat": feat, "flow_prompt_speech_token": torch.arange(n, dtype=torch.int32)[None] % 6561,
                "flow_embedding": torch.ones(1, 192) * float(np.abs(audio).mean())}


class _Pipeline:
    sample_rate = 24000

    def __init__(self):
        self.frontend, self.model = _Frontend(), _Model()


@pytest.fixture(scope="module")
def engine():
    torch.manual_seed(0)
    e = CosyVoice3Engine.__new__(CosyVoice3Engine)
    e._attach(_Pipeline(), "CosyVoice stand-in", "cpu")
    return e


@pytest.fixture(scope="module")
def voice(engine, ref_clip):
    return engine.clone(ref_clip, name="cv3", transcript="The birch canoe slid on the smooth planks.", consent=True)


TEXT = "The quick brown fox jumps over the lazy dog. 我们今天去公园散步，好吗？ It is a fine day."


def test_capabilities_offer_instructions_markup_and_its_views(engine):
    caps = engine.capabilities
    assert "instruct" in caps.settings and "speed" in caps.settings and "match_channel" not in caps.settings
    assert caps.instructions["sichuan"]["group"] == "dialect" and caps.instructions["sichuan"]["zh"] == "四川话"
    assert "tokens" in caps.views and "alignment" in caps.lacks and caps.sample_rate == 24000


def test_clone_keeps_prompt_features_from_the_frontend(voice):
    c = voice.conditioning
    assert c["prompt_feat"].shape[0] == 2 * len(c["prompt_tokens"]) and c["embedding"].shape == (192,)
    assert voice.engine == "cosyvoice3" and voice.transcript.startswith("The birch")


def test_zero_shot_chunks_carry_tokens_mel_f0_and_attention(engine, voice):
    engine.model.calls.clear()
    r = engine.synthesize(TEXT, voice, seed=7)
    assert len(r.chunks) >= 2
    prompt = engine.frontend._extract_text_token(zero_shot_prompt(voice.transcript))[0]
    for call in engine.model.calls:
        assert torch.equal(call["prompt_text"], prompt), "the exact zero-shot prompt, every chunk"
        assert call["llm_tokens"] == len(voice.conditioning["prompt_tokens"])
    for c in r.chunks:
        tokens, mel = c.extras["speech_tokens"], c.extras["mel"]
        assert mel.shape == (80, 2 * len(tokens)) and c.extras["token_frames"][0] == 2.0
        assert len(c.audio) == mel.shape[1] * 480 and c.samples_per_frame == 480
        assert c.f0.shape == c.energy.shape and 100 <= c.f0.max() <= 150, "F0 is the predictor's, not YIN's"
        assert c.attention.shape[:3] == (2, 2, min(128, len(tokens))), "one LM attention row per decoding step"
        assert c.extras["flow_attention"].shape[:2] == (2, 2)
        assert np.array_equal(c.extras["prompt_tokens"], voice.conditioning["prompt_tokens"])


def test_seed_reproduces_and_chunks_are_independent(engine, voice):
    a = engine.synthesize(TEXT, voice, seed=7)
    assert np.array_equal(engine.synthesize(TEXT, voice, seed=7).audio, a.audio)
    assert not np.array_equal(engine.synthesize(TEXT, voice, seed=8).audio, a.audio)
    second = list(engine.stream(TEXT, voice, seed=7))[1]
    assert np.array_equal(second.audio, a.chunks[1].audio)


def test_instruct_mode_drops_the_reference_tokens_from_the_lm(engine, voice):
    engine.model.calls.clear()
    r = engine.synthesize("今天天气很好。", voice, instruct="sichuan", seed=1)
    call = engine.model.calls[-1]
    assert call["llm_tokens"] == 0, "instruct2: the LM hears the instruction, not the reference's tokens"
    assert torch.equal(call["prompt_text"], engine.frontend._extract_text_token(instruct_prompt("sichuan"))[0])
    assert any("四川话" in w for w in r.chunks[0].warnings)
    engine.synthesize("今天天气很好。", voice, style="happy", seed=1)
    assert torch.equal(engine.model.calls[-1]["prompt_text"],
                       engine.frontend._extract_text_token(instruct_prompt("happy"))[0])


def test_speed_stretches_the_mel_and_state_is_reset(engine, voice):
    engine.model.token_hop_len = 100            # what CosyVoice's own streamed call leaves behind
    slow = engine.synthesize("Hello there, friend.", voice, seed=1, speed=0.5)
    assert engine.model.calls[-1]["hop"] == 25
    normal = engine.synthesize("Hello there, friend.", voice, seed=1)
    assert np.array_equal(slow.chunks[0].extras["speech_tokens"], normal.chunks[0].extras["speech_tokens"])
    assert len(slow.audio) == 2 * len(normal.audio)
    assert slow.chunks[0].extras["token_frames"][0] == 4.0


def test_markup_passes_through_and_errors_are_clear(engine, voice):
    r = engine.synthesize("报道[j][ǐ]予好评，[breath]<strong>真的</strong>。", voice, seed=1)
    assert "[j][ǐ]" in r.chunks[0].phonemes and "[breath]<strong>" in r.chunks[0].phonemes
    with pytest.raises(TextError, match="no token for the pinyin"):
        engine.synthesize("好[x][ué]", voice)
    with pytest.raises(SettingsError, match="match channel"):
        engine.synthesize("Hello.", voice, match_channel=True)
    with pytest.raises(SettingsError, match="Both a style"):
        engine.synthesize("Hello.", voice, style="sad", instruct="loud")


def test_inspect_off_keeps_no_attention(engine, voice):
    r = engine.synthesize("Hello there.", voice, inspect=False, seed=1)
    assert r.chunks[0].attention is None and "flow_attention" not in r.chunks[0].extras
    assert "speech_tokens" in r.chunks[0].extras


def test_other_engines_refuse_instructions(engine):
    import voxnb

    kokoro = voxnb.load_engine()
    with pytest.raises(SettingsError, match="instructions"):
        kokoro.synthesize("Hello.", "af_heart", instruct="sichuan")


def test_batch_lines_carry_their_instruction(engine, voice, tmp_path):
    from voxnb.runs.batch import read_script, run_batch

    script = tmp_path / "lines.csv"
    script.write_text("text,instruct\n今天天气很好。,sichuan\nHello there.,\n", encoding="utf-8")
    lines = read_script(script)
    assert [line.instruct for line in lines] == ["sichuan", ""]
    engine.model.calls.clear()
    run_batch(engine, voice, lines, tmp_path / "out")
    prompts = [c["prompt_text"] for c in engine.model.calls]
    assert torch.equal(prompts[0], engine.frontend._extract_text_token(instruct_prompt("sichuan"))[0])
    assert torch.equal(prompts[1], engine.frontend._extract_text_token(zero_shot_prompt(voice.transcript))[0])


def test_cli_synth_takes_an_instruction():
    from voxnb.cli.commands import _parser

    args = _parser().parse_args(["synth", "--voice", "v", "--text", "t", "--out", "o.wav", "--instruct", "sichuan"])
    assert args.instruct == "sichuan"


def test_a_chunk_without_speech_tokens_is_a_clear_error(engine, voice):
    from voxnb.errors import EngineError

    engine.model.llm.mute = True        # the LM picks a stop token first
    try:
        with pytest.raises(EngineError, match="before writing any speech"):
            engine.synthesize("Hello there.", voice, seed=1)
    finally:
        engine.model.llm.mute = False
