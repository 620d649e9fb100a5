"""The dashboard server holds a bounded number of viewers, gives back unwatched kernels, answers only
its own Host names, and a reference that would decode to gigabytes is refused from its header."""
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from audio_fixtures import write_huge_flac
from net import free_port

from voxnb.dashboard.hosts import HostPolicy
from voxnb.dashboard.viewers import MAX_VIEWERS, MIN_VIEWERS, default_max_viewers

ROOT = Path(__file__).resolve().parents[1]
GRACE_S = 4          # --viewer-grace for the test server: kernels nobody connects to go after this
DEADLINE_S = 180     # generous: kernels start slowly on a loaded 2-core box


def fetch(url: str, host: str | None = None, timeout: float = 120) -> tuple[int, dict, str]:
    """(status, headers, body), an HTTP error being a status; ``host`` overrides the Host header."""
    req = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode(errors="replace")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    lab, dash = free_port(), free_port()
    start = subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "start", "--root", str(ROOT), "--run-dir",
                            str(run), "--lab-port", str(lab), "--dash-port", str(dash), "--max-viewers", "2",
                            "--viewer-grace", str(GRACE_S)],
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    try:
        assert start.returncode == 0, start.stdout + start.stderr
        yield dash, run
    finally:
        subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "stop", "--run-dir", str(run)], timeout=60, cwd=ROOT)


# ---------------------------------------------------------------- a cap on viewers


def test_over_the_cap_a_viewer_gets_the_full_page_until_unwatched_kernels_are_released(dashboard):
    port, run = dashboard
    url = f"http://127.0.0.1:{port}/"
    with ThreadPoolExecutor(3) as pool:   # at once: both GETs let in must hold their place while kernels start
        answers = list(pool.map(fetch, [url] * 3))
    codes = sorted(a[0] for a in answers)
    assert codes == [200, 200, 503], (codes, (run / "dashboard.log").read_text()[-3000:])
    _, headers, page = next(a for a in answers if a[0] == 503)
    assert int(headers["Retry-After"]) > 0
    assert "The dashboard is full (2 viewers). Try again in a few minutes." in page
    assert "控制台已满（2 位用户）。请过几分钟再试。" in page
    assert "<html" in page and "</html>" in page

    # nobody opened a websocket to those two kernels: they go after the grace period, and a viewer gets in
    deadline = time.time() + DEADLINE_S
    while (code := fetch(url)[0]) != 200 and time.time() < deadline:
        time.sleep(1)
    assert code == 200, (run / "dashboard.log").read_text()[-3000:]
    assert "no page connected to it" in (run / "dashboard.log").read_text()


def test_default_cap_is_half_the_available_memory_within_bounds(tmp_path):
    meminfo = tmp_path / "meminfo"
    for available_kb, cap in ((24 * 2**20, 40), (2**20, MIN_VIEWERS), (2**30, MAX_VIEWERS)):   # 12 GB / 300 MB
        meminfo.write_text(f"MemTotal: {2**31} kB\nMemAvailable: {available_kb} kB\n")
        assert default_max_viewers(meminfo) == cap
    assert MIN_VIEWERS <= default_max_viewers(tmp_path / "missing") <= MAX_VIEWERS


def test_closing_a_tab_gives_its_place_back_at_once(tmp_path):
    """Voila's page posts voila/api/shutdown/<kernel> on beforeunload; it needs the _xsrf cookie we set."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(chromium).exists(), "Chromium is missing: tests/run.sh installs it (apt-get install chromium)"
    lab, dash = free_port(), free_port()
    start = subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "start", "--root", str(ROOT), "--run-dir",
                            str(tmp_path), "--lab-port", str(lab), "--dash-port", str(dash), "--max-viewers", "1",
                            "--viewer-grace", "3600"],   # so only the tab's own shutdown request can free the place
                           capture_output=True, text=True, timeout=300, cwd=ROOT)
    url = f"http://127.0.0.1:{dash}/"
    try:
        assert start.returncode == 0, start.stdout + start.stderr
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True)
            page = browser.new_page()
            page.set_default_timeout(180_000)
            page.goto(url)
            page.wait_for_selector(".voxnb-generate")
            assert fetch(url)[0] == 503
            page.goto("about:blank")   # leaves the dashboard: beforeunload fires
            deadline = time.time() + 60
            while (code := fetch(url)[0]) != 200 and time.time() < deadline:
                time.sleep(1)
            browser.close()
        assert code == 200, (tmp_path / "dashboard.log").read_text()[-3000:]
    finally:
        subprocess.run([sys.executable, "-m", "voxnb.launch.jupyter", "stop", "--run-dir", str(tmp_path)], timeout=60,
                       cwd=ROOT)


# ---------------------------------------------------------------- Host names


def test_a_foreign_host_is_refused_and_local_names_are_served(dashboard):
    port, _ = dashboard
    asset = f"http://127.0.0.1:{port}/voila/static/voila.js"
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert fetch(asset, host=host)[0] == 200, host
    for path in ("voila/static/voila.js", ""):
        code, _, body = fetch(f"http://127.0.0.1:{port}/{path}", host=f"evil.example:{port}")
        assert code == 403 and "--allow-host evil.example" in body, (path, code, body)


def test_host_policy(monkeypatch):
    local = HostPolicy("127.0.0.1", [".example.org", "box.lan"])
    assert all(map(local.allows, ["localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "[::1]", "10.0.0.7",
                                  "example.org", "a.b.example.org", "box.lan"]))
    assert not any(map(local.allows, ["evil.example", "badexample.org", "box.lan.evil", "localhost.evil", ""]))
    assert HostPolicy("127.0.0.1", ["*"]).allows("anything.example")
    monkeypatch.setattr("voxnb.dashboard.hosts.socket.gethostname", lambda: "GPU-7.corp.example")
    for listen in ("0.0.0.0", "", "::", "192.168.1.5"):   # served beyond loopback: under this machine's name too
        assert all(map(HostPolicy(listen).allows, ["gpu-7.corp.example", "gpu-7", "gpu-7.local"])), listen
    assert not HostPolicy("127.0.0.1").allows("gpu-7")


# ---------------------------------------------------------------- a reference that decodes to gigabytes


@pytest.fixture(scope="module")
def huge_flac(tmp_path_factory) -> Path:
    return write_huge_flac(tmp_path_factory.mktemp("flac") / "huge.flac")


def test_a_flac_that_decodes_to_gigabytes_is_refused_from_its_header(huge_flac, tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from voxnb.dashboard.session import Session
        from voxnb.decode import load_audio
        from voxnb.errors import BadReferenceError

        path = Path({str(huge_flac)!r})
        for what, call in (("load_audio", lambda: load_audio(path)),
                           ("session", lambda: Session(engine_factory=lambda: None, workdir=Path({str(tmp_path)!r}))
                                               .load_upload(path.name, path.read_bytes()))):
            try:
                call()
                print(what, "ACCEPTED")
            except BadReferenceError as err:
                print(what, "REFUSED", err)
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child of a big pytest
        # process would report the parent's peak; VmHWM belongs to this process's own memory
        hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
        print("maxrss_mb", int(hwm.split()[1]) // 1024)
    """)
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    for what in ("load_audio", "session"):
        line = next(x for x in lines if x.startswith(what + " "))
        assert "REFUSED" in line, line
        assert f"{huge_flac.name} decodes to 600 s × 192000 Hz × 8 channels = 921.6 M samples" in line, line
        assert "limit of 57.6 M samples" in line and "3-30 s of mono speech" in line, line
    peak_mb = int(next(x for x in lines if x.startswith("maxrss_mb")).split()[1])
    assert peak_mb < 600, f"refusing it took {peak_mb} MB"
