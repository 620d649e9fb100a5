"""The default engine end to end: real Kokoro weights, real reference speech, tiny.en as the ear."""
import numpy as np
import pytest

from voxnb.errors import SettingsError, TextError, VoiceNotFoundError
from voxnb.reference.transcript import transcribe, wer
from voxnb.voice import Voice

SENTENCE = "Every morning the old fisherman walks down to the harbor and checks his small wooden boat."


@pytest.fixture(scope="module")
def spoken(engine, cloned):
    return engine.synthesize(SENTENCE, cloned, seed=11)


def test_capabilities(engine):
    c = engine.capabilities
    assert c.sample_rate == 24000 and {"en", "zh"} <= set(c.languages)
    assert c.clones and c.streams and c.attention and not c.seeded
    assert "happy" in c.approximate_styles and "neutral" not in c.approximate_styles


HELD_OUT = ["Please remember to water the tomato plants in the garden before you leave for work tomorrow.",
            "If the train is delayed again, we will take a taxi to the airport instead of waiting.",
            "He opened the window, listened to the rain, and decided to stay home with a good book."]


def test_cloned_voice_speaks_the_words(engine, cloned, spoken):
    # tiny.en is a weak ear: it hears a reduced "wooden" as "wood and" now and then (see issue notes),
    # so the bar is the mean word error over four 15-17 word sentences.
    # The engine's own words, unmarked: tiny.en hears "small wooden boat" as "smile. Wouldn't belt?" once
    # the watermark is on (its effect on WER is measured by `voxnb bench --watermark`, not hidden here).
    plain = engine.synthesize(SENTENCE, cloned, seed=11, watermark=False)
    errors = [wer(SENTENCE, transcribe(plain.audio, plain.sample_rate, language="en").text)]
    for text in HELD_OUT:
        r = engine.synthesize(text, cloned, watermark=False)
        errors.append(wer(text, transcribe(r.audio, r.sample_rate, language="en").text))
    assert np.mean(errors) <= 0.05, errors


def test_result_carries_consistent_intermediates(spoken, cloned):
    assert spoken.audio.dtype == np.float32 and spoken.sample_rate == 24000
    assert spoken.voice_id == cloned.id and spoken.seed == 11
    c = spoken.chunks[0]
    n_tokens = len(c.tokens)
    assert len(c.frames) == len(c.durations) == n_tokens
    assert int(c.frames.sum()) * c.samples_per_frame == len(c.audio)
    assert len(c.f0) == len(c.energy) == 2 * int(c.frames.sum())
    assert c.attention.shape == (12, 12, n_tokens, n_tokens)
    assert np.allclose(c.attention.astype(np.float32).sum(-1), 1, atol=1e-2)
    assert c.alignment.shape == (n_tokens, int(c.frames.sum()))
    assert abs(spoken.mel.shape[1] - len(spoken.audio) / 300) <= 2
    assert {"frontend", "acoustic", "total"} <= set(spoken.timings)
    assert 120 < np.nanmedian(spoken.f0_track()[1]) < 400


def test_same_inputs_give_bit_identical_audio(engine, cloned, spoken):
    again = engine.synthesize(SENTENCE, cloned, seed=11)
    assert np.array_equal(again.audio, spoken.audio)


def test_saved_and_reloaded_voice_gives_identical_audio(engine, cloned, spoken, tmp_path):
    reloaded = Voice.load(cloned.save(tmp_path / "v"))
    assert np.array_equal(engine.synthesize(SENTENCE, reloaded, seed=11).audio, spoken.audio)


def test_styles_move_the_controls_they_claim(engine, cloned):
    text = "Styles should change pitch and pace."
    base = engine.synthesize(text, cloned)
    happy = engine.synthesize(text, cloned, style="happy")
    slow = engine.synthesize(text, cloned, style="slow")
    fast = engine.synthesize(text, cloned, speed=1.5)
    assert np.nanmedian(happy.f0_track()[1]) > np.nanmedian(base.f0_track()[1]) * 1.03
    assert slow.duration_s > base.duration_s > fast.duration_s


def test_stream_yields_each_sentence(engine, cloned):
    text = ("The first sentence is short. The second sentence goes on a little longer than the first one did, "
            "and the third keeps going so that the text is long enough to be split into several chunks!")
    chunks = list(engine.stream(text, cloned))
    whole = engine.synthesize(text, cloned)
    assert len(chunks) == len(whole.chunks) >= 2
    for a, b in zip(chunks, whole.chunks):
        assert np.array_equal(a.audio, b.audio)
    first = whole.chunks[0]
    assert whole.chunks[1].offset == len(first.audio) + round(first.pause_after * 24000)


COMMA_SPLIT = "Please remember to bring your umbrella, because the forecast says it will rain this afternoon."


def test_pauses_follow_the_punctuation_not_the_chunking(engine, cloned):
    """The first sentence is cut at its comma for early streaming; that cut must sound like a comma."""
    from voxnb.bench.pauses import silences

    r = engine.synthesize(COMMA_SPLIT + " It will be dry again tomorrow.\n\nSee you then.", cloned, watermark=False)
    assert [c.text[-1] for c in r.chunks][:2] == [",", "."] and len(r.chunks) == 3
    runs, lead, tail = silences(r.audio, r.sample_rate)
    assert lead <= 0.15 and tail <= 0.15, (lead, tail)
    joins = [(c.offset + len(c.audio)) / 24000 for c in r.chunks[:-1]]   # where each chunk's audio ends

    def pause_at(t):
        return max((e - s for s, e in runs if s - 0.15 <= t <= e + 0.15), default=0.0)
    assert 0.1 <= pause_at(joins[0]) <= 0.45          # the comma
    assert 0.25 <= pause_at(joins[1]) <= 0.95         # a sentence and a paragraph (0.8 s by default)
    assert max(e - s for s, e in runs) <= 0.95
    for c in r.chunks:   # trimming kept the alignment and curves in step with the audio
        assert int(c.frames.sum()) * c.samples_per_frame == len(c.audio) and len(c.f0) == 2 * int(c.frames.sum())


def test_pause_settings_change_the_gap(engine, cloned):
    short = engine.synthesize(COMMA_SPLIT, cloned, comma_pause=0.15, watermark=False)   # above the kept margins
    long = engine.synthesize(COMMA_SPLIT, cloned, comma_pause=0.45, watermark=False)
    gap = len(long.audio) - len(short.audio)
    assert abs(gap - 0.3 * 24000) <= 1 and long.chunks[0].pause_after - short.chunks[0].pause_after == pytest.approx(0.3)
    with pytest.raises(SettingsError, match="Comma pause"):
        engine.synthesize(COMMA_SPLIT, cloned, comma_pause=5)


def test_mandarin_and_mixed_text(engine, cloned):
    r = engine.synthesize("今天天气很好，我们去公园散步吧。", cloned)
    assert 1.5 < r.duration_s < 8
    assert any(ch in r.phonemes[0] for ch in "→↗↓↘")
    mixed = engine.synthesize("我喜欢 Python 编程。", cloned)
    assert mixed.duration_s > 1


def test_html_is_spoken_as_text_never_run(engine, cloned):
    r = engine.synthesize("<script>alert('x')</script><b>Hello</b> world", cloned)
    heard = transcribe(r.audio, r.sample_rate, language="en").text.lower()
    assert "hello" in heard and "alert" not in heard and "script" not in heard


def test_stock_voice_by_name(engine):
    r = engine.synthesize("A stock voice.", "jf_alpha")
    assert r.voice_name == "jf_alpha" and r.duration_s > 0.5


@pytest.mark.parametrize("kwargs, error, phrase", [
    ({"speed": 3.0}, SettingsError, "Speed"),
    ({"style": "furious"}, SettingsError, "neutral"),
    ({"volume": 2}, SettingsError, "Unknown setting"),
])
def test_bad_settings(engine, cloned, kwargs, error, phrase):
    with pytest.raises(error, match=phrase):
        engine.synthesize("hello", cloned, **kwargs)


@pytest.mark.parametrize("text", ["", "   \n ", "😀🎉", "\x00\x07"])
def test_empty_text(engine, cloned, text):
    with pytest.raises(TextError, match="empty|nothing speakable"):
        engine.synthesize(text, cloned)


def test_unknown_voice(engine):
    with pytest.raises(VoiceNotFoundError, match="jf_alpha"):
        engine.synthesize("hello", "no-such-voice")
