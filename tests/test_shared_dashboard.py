"""A shared dashboard in real browsers: four viewers generate at once against one served engine.

Each viewer's kernel talks to the Kokoro server the launcher started, so the model is in memory
once: the kernels must not load onnxruntime, and the total stays within one engine plus four
kernels without weights.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from audio_fixtures import write_huge_flac
from net import free_port
from voxnb.launch import engines as launch_engines
from test_browser import ARTIFACTS, BROWSER_ARGS, CHROMIUM, audio_duration

ROOT = Path(__file__).resolve().parents[1]
VIEWERS = 4
# A dashboard kernel that talks to a server holds ipywidgets, numpy, soundfile and matplotlib; the
# server phonemizes its previews and its mels are numpy (no lexicon, librosa or torch): measured here
# 225-232 MB after an upload, a preview and a take (465-468 MB before the server phonemized). One that
# loads Kokoro itself measured 249 / 573 / 1137 MB, so this bound tells the two apart with room for noise.
KERNEL_WITHOUT_WEIGHTS_MB = 520
TEXTS = ["One short line.",
         "Two lines this time. The second one is a little longer than the first.",
         "Three lines now. Each viewer asks for a different amount of speech. So each take has its own length.",
         "Four lines for the last viewer. It asks for the most speech of all. If the takes crossed between "
         "viewers, the lengths would not rise in order. They must rise."]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def maps_onnxruntime(pid: int) -> bool:
    return "onnxruntime" in Path(f"/proc/{pid}/maps").read_text()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    lab, dash, engine = free_port(), free_port(), free_port()
    start = subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "start", "--root", str(ROOT), "--run-dir",
                            str(run), "--lab-port", str(lab), "--dash-port", str(dash), "--engines", "kokoro",
                            "--engine-port", str(engine), "--max-viewers", str(VIEWERS)],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert start.returncode == 0, start.stdout + start.stderr
    yield f"http://127.0.0.1:{dash}/", json.loads((run / "state.json").read_text())
    subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "stop", "--run-dir", str(run)], timeout=60, cwd=ROOT)


def test_four_viewers_generate_at_once_with_one_model_in_memory(shared, ref_clip, tmp_path):
    from playwright.sync_api import sync_playwright

    url, state = shared
    server_pid = state["engines"]["kokoro"]["pid"]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        pages = []
        for i in range(VIEWERS):   # separate contexts: four people, not four tabs of one
            page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
            page.set_default_timeout(300_000)
            page.goto(url)
            pages.append(page)
        for page in pages:
            page.wait_for_selector(".voxnb-generate")
            with page.expect_file_chooser() as chooser:
                page.click(".voxnb-ref-upload")
            chooser.value.set_files(str(ref_clip))
            page.wait_for_selector(".voxnb-report")
            page.check(".voxnb-consent input[type=checkbox]")
        for page, text in zip(pages, TEXTS):
            page.fill(".voxnb-text textarea", text)
            page.wait_for_selector(".voxnb-phonemes code")
        for page in pages:               # all four at once: the server queues them
            page.click("button.voxnb-generate")
        for page in pages:
            page.wait_for_function("() => document.querySelector('.voxnb-status').innerText.includes('Done')")
            page.wait_for_function("() => { const a = document.querySelector('audio.voxnb-audio');"
                                   " return a && isFinite(a.duration) && a.duration > 0; }")
        durations = [audio_duration(page) for page in pages]
        for page, text in zip(pages, TEXTS):   # each viewer's history holds its own text, and only that
            history = page.inner_text(".voxnb-history")
            assert text[:30] in history and all(t[:30] not in history for t in TEXTS if t != text)
        pages[-1].screenshot(path=str(ARTIFACTS / "dashboard-shared-viewer4.png"), full_page=True)

        # a fifth viewer is over the cap: a clear "full" page, while the four keep working
        extra = browser.new_context().new_page()
        response = extra.goto(url)
        assert response.status == 503 and "The dashboard is full (4 viewers)" in extra.inner_text("body")
        assert "控制台已满" in extra.inner_text("body")
        pages[0].fill(".voxnb-text textarea", "Still here after the fifth viewer was turned away.")
        pages[0].click("button.voxnb-generate")
        pages[0].wait_for_function("() => document.querySelector('.voxnb-history').innerText.includes('Still here')")
        # a FLAC that decodes to gigabytes is refused from its header, naming its size; the kernel stays small
        with pages[1].expect_file_chooser() as chooser:
            pages[1].click(".voxnb-ref-upload")
        chooser.value.set_files(str(write_huge_flac(tmp_path / "huge.flac")))
        pages[1].wait_for_function("() => document.querySelector('.voxnb-status').innerText.includes('M samples')")
        refusal = pages[1].inner_text(".voxnb-status")
        assert "huge.flac decodes to 600 s × 192000 Hz × 8 channels = 921.6 M samples" in refusal, refusal

        kernels = [k for k in children(state["dash"]["pid"]) if "ipykernel" in Path(f"/proc/{k}/cmdline").read_text()]
        kernel_mb = {k: rss_mb(k) for k in kernels}
        server_mb = rss_mb(server_pid)
        print(f"\nserver RSS {server_mb:.0f} MB; viewer kernels: {', '.join(f'{v:.0f}' for v in kernel_mb.values())} MB")
        browser.close()
    assert durations == sorted(durations) and len(set(durations)) == VIEWERS, durations   # no cross-talk
    assert len(kernels) == VIEWERS
    assert not any(maps_onnxruntime(k) for k in kernels), "a viewer's kernel loaded the model"
    assert maps_onnxruntime(server_pid)
    assert all(mb < KERNEL_WITHOUT_WEIGHTS_MB for mb in kernel_mb.values()), kernel_mb
    health = launch_engines.health(state["engines"]["kokoro"])
    assert health["served"] >= 2 * VIEWERS        # a clone and a synthesis per viewer, all in one process
    assert re.match(r"kokoro-", health["version"])
