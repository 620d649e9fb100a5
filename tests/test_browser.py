"""End to end in a real browser: Voila serves the dashboard, headless Chromium drives it.

Upload a reference, tick consent, type, Generate; then the player must hold audio of a
plausible length and all four inspect views must render. Screenshots land in tests/artifacts/.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from net import free_port, get
from test_finetune_prepare import recording  # noqa: F401 -- the long recording fixture

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TYPED = "Hello from the browser. This voice was cloned from an uploaded clip."
BROWSER_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-gpu", "--no-first-run"]


@pytest.fixture(scope="module", autouse=True)
def chromium_present():
    assert Path(CHROMIUM).exists(), "Chromium is missing: tests/run.sh installs it (apt-get install chromium)"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    lab, dash = free_port(), free_port()
    start = subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "start", "--root", str(ROOT), "--run-dir",
                            str(run), "--lab-port", str(lab), "--dash-port", str(dash)],
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert start.returncode == 0, start.stdout + start.stderr
    yield f"http://127.0.0.1:{dash}/", run
    subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "stop", "--run-dir", str(run)], timeout=60, cwd=ROOT)


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        pg = browser.new_page(viewport={"width": 1280, "height": 1600})
        pg.set_default_timeout(180_000)
        pg.goto(server[0])
        pg.wait_for_selector(".voxnb-generate")
        yield pg
        browser.close()


def audio_duration(page):
    return page.evaluate("""() => { const a = document.querySelector('audio.voxnb-audio');
                                    return a && isFinite(a.duration) ? a.duration : 0; }""")


def test_upload_consent_generate_listen_and_inspect(page, server, ref_clip):
    ARTIFACTS.mkdir(exist_ok=True)
    with page.expect_file_chooser() as chooser:   # FileUpload opens a chooser from its button
        page.click(".voxnb-ref-upload")
    chooser.value.set_files(str(ref_clip))
    page.wait_for_selector(".voxnb-report")
    page.check(".voxnb-consent input[type=checkbox]")
    page.fill(".voxnb-text textarea", TYPED)
    page.wait_for_selector(".voxnb-phonemes code")                     # phoneme preview, no synthesis
    page.click("button.voxnb-generate")
    page.wait_for_function("() => document.querySelector('.voxnb-status').innerText.includes('Done')")
    page.wait_for_function("() => { const a = document.querySelector('audio.voxnb-audio');"
                           " return a && isFinite(a.duration) && a.duration > 0; }")
    assert 2.0 < audio_duration(page) < 12.0
    for tab, css in ((0, "voxnb-mel"), (1, "voxnb-alignment"), (2, "voxnb-attention"), (3, "voxnb-f0")):
        page.locator(".voxnb-app .lm-TabBar-tab, .voxnb-app .p-TabBar-tab").nth(tab).click()
        page.wait_for_function(f"() => {{ const i = document.querySelector('img.{css}');"
                               " return i && i.naturalWidth > 100; }")
    page.locator(".voxnb-app .lm-TabBar-tab, .voxnb-app .p-TabBar-tab").nth(0).click()
    assert page.locator(".voxnb-history button").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)


def test_language_switch_changes_labels(page):
    page.locator(".voxnb-lang button", has_text="中文").click()
    page.wait_for_function("() => document.querySelector('button.voxnb-generate').innerText.includes('生成')")
    assert "我有权克隆这个声音" in page.inner_text(".voxnb-consent")
    page.screenshot(path=str(ARTIFACTS / "dashboard-zh.png"), full_page=True)
    # after a take: status, notes, report, history, settings and tabs, none of it an English phrase
    # (what the viewer typed aside, and the phonemes, which are IPA)
    shown = page.inner_text(".voxnb-app").replace(TYPED[:60], "")
    for phonemes in page.locator(".voxnb-app code").all_inner_texts():
        shown = shown.replace(phonemes, "")
    assert "#1 ·" in shown and "种子" in shown            # the take's history row, in Chinese
    english = re.findall(r"[A-Za-z]{2,}(?:[ ,;:'’]+[A-Za-z]{2,}){2,}", shown)
    assert english == [], shown
    page.locator(".voxnb-lang button", has_text="English").click()


def test_check_panel_finds_the_watermark_in_a_take(page, engine, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    take = tmp_path / "take.wav"
    voice = engine.stock_voice(engine.capabilities.stock_voices[0])
    take.write_bytes(engine.synthesize("A take to check in the browser.", voice, seed=1).wav_bytes())
    with page.expect_file_chooser() as chooser:
        page.click(".voxnb-check-upload")
    chooser.value.set_files(str(take))
    page.wait_for_function("() => /take\\.wav: voxnb watermark found/.test("
                           "document.querySelector('.voxnb-check-result').innerText)")
    assert voice.id in page.inner_text(".voxnb-check-meta")
    page.locator(".voxnb-check-result").screenshot(path=str(ARTIFACTS / "check-en.png"))


def test_no_file_is_reachable_by_url(server, isolated_home):
    base, _run = server
    targets = ["notebooks/dashboard.ipynb", "assets/reference/harvard_f/harvard_01.flac", "README.md",
               f"{isolated_home}/home/voices", "tmp"]
    for t in targets:
        for prefix in ("voila/files/", "files/", "voila/tree/", "tree/"):
            assert get(base + prefix + t.lstrip("/"), timeout=30)[0] in (403, 404, 405), prefix + t


def test_a_script_is_cast_and_rendered_in_the_browser(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.fill(".voxnb-script-text textarea", "Alice: Hello there, and welcome.\nBob: Thank you, glad to be here.")
    page.click("button.voxnb-script-read")
    page.wait_for_function("() => document.querySelectorAll('.voxnb-script-voice select').length === 2")
    page.click("button.voxnb-script-render")
    page.wait_for_function("() => document.querySelectorAll('.voxnb-script-timeline .voxnb-script-play').length === 2")
    rows = page.inner_text(".voxnb-script-timeline")
    assert "#1 · Alice" in rows and "#2 · Bob" in rows
    links = page.locator(".voxnb-script-downloads a")
    assert links.count() == 3 and all((links.nth(i).get_attribute("href") or "").startswith("data:")
                                      for i in range(3))
    page.locator(".voxnb-script-play").nth(1).click()
    page.wait_for_function("() => [...document.querySelectorAll('.voxnb-app audio')].some("
                           "a => a !== document.querySelector('audio.voxnb-audio') && isFinite(a.duration) && a.duration > 0.5)")
    page.locator(".voxnb-script").screenshot(path=str(ARTIFACTS / "script-en.png"))


def test_a_fine_tune_dataset_is_prepared_and_shown_in_the_browser(page, recording):
    ARTIFACTS.mkdir(exist_ok=True)
    path, _truth = recording
    with page.expect_file_chooser() as chooser:
        page.click(".voxnb-ft-upload")
    chooser.value.set_files(str(path))
    page.wait_for_function("() => !document.querySelector('button.voxnb-ft-prepare').disabled")
    page.check(".voxnb-ft-consent input[type=checkbox]")
    page.click("button.voxnb-ft-prepare")
    page.wait_for_selector(".voxnb-ft-table .voxnb-ft-play", timeout=300_000)
    summary = page.inner_text(".voxnb-ft-summary")
    assert "segments kept" in summary and "another speaker" in summary
    assert page.locator(".voxnb-ft-table .voxnb-ft-text input").count() >= 10
    page.locator(".voxnb-finetune").screenshot(path=str(ARTIFACTS / "finetune-en.png"))
