"""Every message a user can see has English and Chinese text under one key, and voxnb raises its errors by key."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from voxnb import messages
from voxnb.errors import MarkupError, SettingsError, TextError, VoxnbError

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)")
ERRORS = {"BadReferenceError", "TextError", "MarkupError", "SettingsError", "VoiceNotFoundError", "EngineError",
          "EngineBusyError", "EngineStoppedError", "ConsentRequiredError", "CancelledError", "BadVoiceFileError",
          "VoxnbError", "WatermarkError"}


def test_every_key_has_both_languages_with_the_same_placeholders():
    cat = messages.catalogue()
    assert len(cat) > 300
    for key, (en, zh) in cat.items():
        assert en.strip() or key.endswith(".fix"), key
        assert zh.strip() or not en.strip(), key
        assert set(PLACEHOLDER.findall(en)) == set(PLACEHOLDER.findall(zh)), key
        assert re.search(r"[\u4e00-\u9fff]", zh) or not re.search(r"[a-z]{3,} [a-z]{3,} [a-z]{3,}", zh), (key, zh)


def _error_calls():
    for path in sorted((ROOT / "voxnb").rglob("*.py")):
        if path.name == "errors.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                if name in ERRORS:
                    yield path.relative_to(ROOT), node


def test_voxnb_raises_its_errors_by_key():
    """A VoxnbError built from an English sentence has no Chinese: every one names a catalogue key."""
    literal = [f"{p}:{n.lineno}" for p, n in _error_calls() if n.args]
    assert literal == []
    unknown = [f"{p}:{n.lineno}: {kw.value.value}" for p, n in _error_calls() for kw in n.keywords
               if kw.arg == "key" and isinstance(kw.value, ast.Constant) and not messages.has(kw.value.value)]
    assert unknown == []


def test_dashboard_labels_go_through_the_catalogue():
    """A widget's description or placeholder is t(...), never an English literal."""
    found = []
    for path in sorted((ROOT / "voxnb" / "dashboard").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg in ("description", "placeholder", "tooltip") \
                    and isinstance(node.value, ast.Constant) and re.search(r"[A-Za-z]{3,}", str(node.value.value)):
                found.append(f"{path.name}:{node.value.lineno}: {node.value.value!r}")
    assert found == []


# strings in the dashboard's modules that are not messages: records a voice file keeps, an internal name
NOT_MESSAGES = {"bundled sample: a published recording licensed for redistribution (assets/reference/SOURCES.md)",
                "dashboard viewer (ticked the consent box)", "an uploaded clip",
                "sized from {} MB available"}     # part of a log line
LOGS = {"debug", "info", "warning", "error", "exception", "log"}


def _dashboard_strings(tree):
    """Every string the dashboard's code holds but docstrings, log lines and command-line help (operators
    read those in English), and pages that carry both languages; an f-string counts as one string."""
    skip = set()
    for node in ast.walk(tree):     # first what to leave out, wherever it sits
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            skip.add(id(body[0].value))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in LOGS:
            skip.update(id(n) for a in node.args for n in ast.walk(a))
        if isinstance(node, ast.keyword) and node.arg == "help":
            skip.update(id(n) for n in ast.walk(node.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and id(node) not in skip:
            parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
            skip.update(id(v) for v in node.values)
            if not re.search(r"[\u4e00-\u9fff]", "".join(parts)):
                yield node.lineno, "{}".join(parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def test_the_dashboard_builds_no_english_sentence_of_its_own():
    """HTML snippets, button labels, options and notes come from the catalogue (i18n.t or voxnb.messages):
    no string in the dashboard's code, tags and placeholders aside, reads as English words."""
    words = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’]+[A-Za-z]{2,}){2,}")
    found = []
    for path in sorted((ROOT / "voxnb" / "dashboard").glob("*.py")):
        if path.name == "i18n.py":
            continue
        for line, value in _dashboard_strings(ast.parse(path.read_text())):
            shown = re.sub(r"\{[^{}]*\}", " ", re.sub(r"<[^>]*>", " ", value))
            if value not in NOT_MESSAGES and words.search(shown):
                found.append(f"{path.name}:{line}: {value!r}")
    assert found == []


def test_errors_keep_their_english_and_render_in_chinese():
    err = SettingsError(key="settings.speed_out_range", speed=9, lo=0.5, hi=2.0)
    assert str(err) == "Speed 9 is out of range. Use a value from 0.5 to 2.0 (1.0 is normal)."
    assert err.problem == "Speed 9 is out of range." and err.key == "settings.speed_out_range"
    assert err.render("en") == str(err)
    assert err.render("zh") == "语速 9 超出范围。请使用 0.5 到 2.0 之间的值 (1.0 为正常)。"
    mark = MarkupError(key="text.never_closed", position=4, hint="x")
    assert "(at character 5)" in str(mark) and "第 5 个字符处" in mark.render("zh")
    assert "Something" in VoxnbError("Something odd.", "Fix it.").render("en")
    assert not re.search(r"[A-Za-z]{4,}", VoxnbError("Something odd.", "Fix it.").render("zh"))
    assert messages.render(ValueError("a bug"), "zh").startswith("内部错误")


def test_an_error_pickles_and_crosses_the_wire_with_its_key():
    import pickle

    from voxnb.engines.remote import wire

    err = TextError(key="text.text_characters_limit", n=12000, max_text_chars=10000)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.render("zh") == err.render("zh")
    back = wire.error_from(wire.error_record(err))
    assert type(back) is TextError and back.key == err.key and back.render("zh") == err.render("zh")
    assert "12,000" in back.render("zh")


@pytest.mark.parametrize("env,lang", [({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "en_US.UTF-8"}, "en"), ({}, "en"),
                                      ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),
                                      ({"LANG": "C", "VOXNB_LANG": "zh"}, "zh"), ({"LC_MESSAGES": "zh_TW"}, "zh")])
def test_lang_from_env(env, lang):
    assert messages.lang_from_env(env) == lang


def test_cli_prints_its_error_in_the_users_language(tmp_path):
    def run(lang, *extra):
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "VOXNB_HOME": str(tmp_path / "home"), "LANG": lang,
               "HF_HUB_OFFLINE": "1"}
        return subprocess.run([sys.executable, "-m", "voxnb", "synth", "--text", "", "--voice", "jf_alpha",
                               "--out", str(tmp_path / "x.wav"), *extra], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=300)

    zh = run("zh_CN.UTF-8")
    assert zh.returncode != 0 and "文本为空" in zh.stderr, zh.stderr
    en = run("en_US.UTF-8")
    assert "The text is empty." in en.stderr and "文本" not in en.stderr


def test_figures_speak_the_viewers_language():
    """The inspector's axes and titles come from the catalogue: Chinese in the Chinese view, English as before."""
    import dataclasses

    import numpy as np
    from test_cosyvoice3_dashboard import make_result

    from voxnb.output import plots

    result = make_result()
    chunk = dataclasses.replace(result.chunks[0], extras={
        **result.chunks[0].extras, "latents": np.zeros((6, 4, 8), np.float32), "stop_prob": np.zeros(6, np.float32),
        "trajectory": np.zeros((3, 80, 80), np.float32)})

    def figures(lang):
        return [plots.mel_figure(result, result.mel, labels=("a", "b"), lang=lang), plots.f0_figure(result, lang=lang),
                plots.timings_figure(result, lang=lang), plots.speech_tokens_figure(chunk, lang=lang),
                plots.latents_figure(chunk, lang=lang), plots.trajectory_figure(chunk, 0, lang=lang),
                plots.attention_figure(chunk, 0, None, lang=lang)]

    def words(fig):
        for ax in fig.axes:
            yield from (ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel())
            if ax.get_legend():
                yield from (t.get_text() for t in ax.get_legend().get_texts())

    allowed = {"token", "ODE", "CAM", "RTF"}     # names, not words to translate
    engine_axes = set(chunk.attention_axes)     # the engine names its attention axes (not yet in Chinese)
    for fig in figures("zh"):
        shown = [w for w in words(fig) if w and w not in engine_axes]
        assert shown and not {x for w in shown for x in re.findall(r"[A-Za-z]{3,}", w)} - allowed, shown
    en = [w for fig in figures("en") for w in words(fig)]
    assert "seconds" in en and "Pitch and energy" in en and "ODE step 0 of 2 (noise)" in en
    assert any(w.startswith("Per-stage time: total 0.20 s") and w.endswith("(RTF 0.12)") for w in en)


def test_json_commands_print_their_error_as_one_object(tmp_path, monkeypatch, capsys):
    import json

    from voxnb.cli.commands import main

    monkeypatch.setenv("VOXNB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("VOXNB_LANG", raising=False)
    assert main(["synth", "--text", "", "--voice", "jf_alpha", "--out", str(tmp_path / "x.wav"), "--json"]) == 2
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert record == {"error": "The text is empty. Type something to say, e.g. 'Hello there.'", "type": "TextError",
                      "key": "text.text_empty", "params": {}}
    assert "文本为空" in err and not (tmp_path / "x.wav").exists()
    assert main(["synth", "--text", "", "--voice", "jf_alpha", "--out", str(tmp_path / "x.wav")]) == 2
    assert capsys.readouterr().out == ""
