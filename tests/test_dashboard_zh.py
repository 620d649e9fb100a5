"""The dashboard in Chinese says everything in Chinese; stale clips and errors do not linger; labels fit."""
import io
import re

import numpy as np
import pytest
import soundfile as sf
from audio_fixtures import tone_sequence
from dashboard_helpers import upload, wait

from voxnb.dashboard import App
from voxnb.dashboard.fit import BUTTONS, button_px, walk
from voxnb.messages import Msg, message, progress, refine_reason, warning
from voxnb.dashboard.session import MAX_UPLOAD_MB
from voxnb.dashboard.uploads import display_name
from voxnb.text import MAX_TEXT_CHARS
from voxnb.errors import (BadReferenceError, CancelledError, ConsentRequiredError, EngineError, MarkupError,
                          SettingsError, TextError, VoiceNotFoundError, VoxnbError)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 2000

# What may stay ASCII in a Chinese message: file names, markup snippets, units and format names.
WHITELIST = [r"(?:/[\w.\-]+)+", r"[\w.\-… ]+\.(?:wav|flac|png|ogg|mp3|m4a|npz)\b", r"\[[^\]\[]*\]?", r"</?strong>",
             r"\b(?:WAV|FLAC|OGG|MP3|PCM|ARPAbet|voxnb|Kokoro|ffmpeg|SNR|RTF|NaN|MB|MiB|kHz|Hz|dB|s)\b"]
ENGLISH = re.compile(r"[A-Za-z]+(?:[\s,;:'’\-]+[A-Za-z]+){2,}")   # a run of 3+ ASCII words


def english_in(html: str) -> str | None:
    text = re.sub(r"<[^>]+>", " ", html)
    import html as h

    text = h.unescape(text)
    for pattern in WHITELIST:
        text = re.sub(pattern, " ", text)
    m = ENGLISH.search(text)
    return m.group(0) if m else None


def wav(audio, sr=24000) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def short_clip(ref_clip) -> bytes:
    audio, sr = sf.read(str(ref_clip), dtype="float32")
    return wav(audio[: int(1.2 * sr)], sr)


def shown(app) -> str:
    return app.status.value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_refusal_is_in_the_viewers_language(session, ref_clip, lang):
    app = App(session=session, lang=lang, warm=False)
    messages = []

    def check(what):
        value = shown(app)
        assert value, what
        messages.append((what, value))

    app.run(app.reference._enroll)                       # no clip, then clone
    check("clone without a clip")
    app.text.text.value = "你好。"
    app.generate(); wait(app)                             # no clip, then generate
    check("generate without a clip")
    app.refine(); wait(app)                               # refine without a cloned voice
    check("refine without a clone")
    upload(app, "picture.png", PNG)                       # a PNG uploaded as audio
    check("png")
    assert "picture.png" in shown(app)
    upload(app, "quiet.wav", wav(np.zeros(24000 * 4, np.float32)))   # a silent clip
    check("silent")
    upload(app, "short.wav", short_clip(ref_clip))        # too short
    check("short")
    assert "short.wav" in shown(app)
    upload(app, "beeps.wav", wav(tone_sequence("random", sr=16000), 16000))   # tones, not a voice
    check("tones")
    assert "beeps.wav" in shown(app)
    upload(app, "huge.wav", b"\0" * (MAX_UPLOAD_MB * 2**20 + 1))      # over the size limit
    check("too big")
    upload(app, "me.flac", ref_clip.read_bytes())         # a good clip: the error goes
    assert shown(app) == ""
    app.run(app.reference._enroll)                        # clone without consent
    check("no consent")
    app.reference.consent.value = True
    app.run(app.reference._enroll)
    app.text.text.value = ""                              # empty text
    app.generate(); wait(app)
    check("empty text")
    app.text.text.value = "你好。" * (MAX_TEXT_CHARS // 3 + 1)   # over the text limit
    app.generate(); wait(app)
    check("text too long")
    app.text.text.value = "你好[h][ao"                    # broken markup
    app.generate(); wait(app)
    check("markup")
    app.text.update_preview()
    messages.append(("markup preview", app.text.phonemes.value))
    app.run(lambda: app.session.save_voice(" "))          # a name that is no name
    check("save without a name")
    app.run(lambda: app.session.save_voice("a/b"))        # a name the library refuses
    check("save with a bad name")
    app.text.text.value = "你好 مرحبا 😀。"               # letters voxnb cannot read, and an emoji
    app.text.update_preview()
    messages.append(("not spoken: preview", app.text.phonemes.value))
    assert "voxnb-text-note" in app.text.phonemes.value and "مرحبا" in app.text.phonemes.value
    app.generate(); wait(app)
    check("not spoken: result")
    assert "voxnb-result-note" in shown(app) and "😀" in shown(app)
    session.library.directory.mkdir(parents=True, exist_ok=True)
    (session.library.directory / "broken.voice.npz").write_bytes(b"not a voice")   # a damaged saved voice
    app.run(lambda: app.session.use_saved("broken"))
    check("damaged voice file")
    assert "broken.voice.npz" in shown(app)
    for what, value in messages:
        if lang == "zh":
            assert english_in(value) is None, f"{what}: English in {value!r}"
            assert re.search(r"[\u4e00-\u9fff]", value), what
        else:
            assert english_in(value), f"{what}: no English in {value!r}"
            assert not re.search(r"[\u4e00-\u9fff]{2}", value.replace("你好", "")), what


def test_an_error_is_redrawn_in_the_new_language(session):
    app = App(session=session, lang="en", warm=False)
    app.run(app.reference._enroll)
    assert "no reference clip" in shown(app)
    app.lang_button.value = "zh"
    assert "参考音频" in shown(app) and english_in(shown(app)) is None


ZH_CASES = [
    BadReferenceError(key="reference.audio", name="notes.wav", not_audio=Msg("notes.file.text")),
    BadReferenceError(key="reference.speech_found_clip_pure", name="a.wav"),
    BadReferenceError(key="reference.only_s_speech_clip2", speech_s=1.2, name="a.wav", min_speech_s=3),
    BadReferenceError(key="reference.clip_does_sound_like", name="a.wav", reason=Msg("notes.pure_tones")),
    BadReferenceError("Some brand new wording nobody has seen yet.", "And a new fix too."),
    TextError(key="text.text_empty"),
    TextError(key="text.text_characters_limit", n=12000, max_text_chars=10000),
    MarkupError(key="text.never_closed", position=5, hint=Msg("text.markup_hint", tags=["[breath]"])),
    MarkupError("A wholly reworded markup complaint.", "Something else entirely.", 7),
    SettingsError(key="settings.speed_out_range", speed=9, lo=0.5, hi=2),
    SettingsError("A reworded settings problem here.", "Fix it somehow."),
    EngineError("The engine weights are missing from disk.", "Download them again."),
    ConsentRequiredError(key="consent.cloning_voice_needs_your", what=Msg("consent.uploaded_clip")),
    ConsentRequiredError("Reworded consent wording here.", "Tick the box."),
    VoiceNotFoundError(key="voice.saved_voice_called", name_or_id="bob", known=[], damaged=""),
    VoiceNotFoundError("Reworded: that voice is gone.", "Pick another one."),
    CancelledError("Refining was cancelled by the caller.", "Nothing was kept."),
    VoxnbError("Something unexpected and in English.", "Do something about it."),
    ValueError("a bug in plain English words"),
]


@pytest.mark.parametrize("err", ZH_CASES, ids=lambda e: type(e).__name__)
def test_core_errors_and_unknown_wordings_translate(err):
    zh = message(err, "zh")
    assert english_in(zh) is None, zh
    assert re.search(r"[\u4e00-\u9fff]", zh)
    assert message(err, "en") and english_in(message(err, "en"))


def test_translation_keeps_names_numbers_and_positions():
    assert "notes.wav" in message(ZH_CASES[0], "zh")
    assert "1.2" in message(ZH_CASES[2], "zh") and "a.wav" in message(ZH_CASES[2], "zh")
    assert "第 6 个字符" in message(ZH_CASES[7], "zh") and "第 8 个字符" in message(ZH_CASES[8], "zh")   # counted from 1
    assert "12,000" in message(ZH_CASES[6], "zh")
    assert english_in(warning("noisy: estimated SNR 9 dB; the clone will copy the noise", "zh")) is None
    assert english_in(warning("a warning worded some new way", "zh")) is None


def test_progress_and_refine_reasons_translate():
    from voxnb.messages import either

    # as refine and compare send them: messages by key, whose English is the line as it was
    lines = [Msg("refine.progress", stage=Msg("refine.stage.timbre"), n=12, best=0.812), Msg("refine.checking"),
             Msg("notes.cmp_cloning", name="kokoro"),
             Msg("refine.kept_fast_clone", reason=either([Msg("refine.dvector_dropped"),
                                                          Msg("refine.f0_moved", before=120, after=180)], "semi"))]
    assert lines == ["timbre: 12 syntheses, best 0.812", "checking on a held-out sentence",
                     "kokoro: cloning and speaking",
                     "kept the fast clone: held-out d-vector similarity dropped; median F0 moved from 120 to 180 Hz"]
    for line in lines:
        assert progress(line, "en") == line
        zh = progress(line, "zh")
        assert zh and english_in(zh) is None, zh
    assert "12" in progress(lines[0], "zh") and "180 Hz" in progress(lines[3], "zh")
    assert progress("a progress line worded some new way", "zh") == ""
    assert english_in(refine_reason("a reason worded some new way", "zh")) is None
    assert refine_reason("no gain", "en") == "no gain"


def test_a_refused_upload_clears_the_previous_clip_and_voice(session, ref_clip):
    session.workdir.mkdir(parents=True, exist_ok=True)
    session.load_upload("me.flac", ref_clip.read_bytes())
    session.enroll(consent=True)
    assert session.reference is not None and session.voice is not None
    with pytest.raises(BadReferenceError):
        session.load_upload("picture.png", PNG)
    assert session.reference is None and session.voice is None and session.reference_name == ""
    with pytest.raises(BadReferenceError):        # and an over-size one, refused before it is read
        session.load_upload("huge.wav", b"\0" * (MAX_UPLOAD_MB * 2**20 + 1))
    assert session.reference is None and session.voice is None


def test_a_refused_upload_clears_the_views(session, ref_clip):
    app = App(session=session, lang="zh", warm=False)
    upload(app, "me.flac", ref_clip.read_bytes())
    app.reference.consent.value = True
    app.run(app.reference._enroll)
    assert app.reference.preview.layout.display == "" and "me.flac" in app.reference.report.value
    upload(app, "picture.png", PNG)
    assert app.reference.preview.layout.display == "none" and app.reference.preview.value == b""
    assert "me.flac" not in app.reference.report.value and "picture.png" in app.reference.report.value
    assert "还没有声音" in app.reference.status.value
    assert english_in(app.reference.report.value) is None


def test_uploads_are_shown_by_their_own_sanitised_name(session, ref_clip):
    app = App(session=session, lang="en", warm=False)
    upload(app, "C:\\fakepath\\my\x07 voice\u202e.flac", ref_clip.read_bytes())
    assert "my voice.flac" in app.reference.report.value and "upload-" not in app.reference.report.value
    assert display_name("../../etc/passwd") == "passwd" and display_name("..") == "upload"
    long = display_name("x" * 300 + ".wav")
    assert len(long) <= 80 and long.endswith(".wav")
    files = [p for p in session.workdir.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(session.workdir.resolve()) for p in files)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_label_is_cut_off(session, lang):
    from voxnb.dashboard.session import HistoryEntry

    app = App(session=session, lang=lang, warm=False)
    session.history.append(HistoryEntry(1, "hi", "v", "id", {"seed": 0, "style": "neutral", "speed": 1.0},
                                        1.0, 0.1, b"RIFF", "{}"))
    app.output.render_history()
    labelled = [w for w in walk(app) if getattr(w, "description", "")]
    assert len(labelled) > 10
    for w in labelled:
        if isinstance(w, BUTTONS):
            width = w.layout.width
            assert width == "auto" or int(width[:-2]) >= button_px(w), (w.description, width)
            assert int(w.layout.min_width[:-2]) >= button_px(w)
        elif hasattr(getattr(w, "style", None), "description_width"):
            assert w.style.description_width == "initial", w.description
    assert app.controls.channel.layout.width == "auto"


def test_style_and_type_errors_name_the_presets_in_chinese():
    from voxnb.settings import SynthesisSettings

    with pytest.raises(SettingsError) as err:
        SynthesisSettings(style="loud").validated()
    zh = message(err.value, "zh")
    assert "未知的风格 'loud'" in zh and "开心 (happy)" in zh and english_in(zh) is None
    with pytest.raises(SettingsError) as err:
        SynthesisSettings(speed="fast").validated()
    assert message(err.value, "zh").startswith("语速 'fast' 不是数字")
