"""How many people the dashboard serves at once, and giving back the kernels nobody watches.

Voila starts one kernel per page load (233 MB measured for the dashboard's) and by default keeps
it until it has been idle for 30 minutes, so every anonymous GET holds memory. ViewerKernelManager
caps the kernels alive at once: over the cap, ``admit_viewer`` (Voila's prelaunch hook) answers a
"dashboard is full" page, HTTP 503, before any kernel starts. A kernel that no page has had a
websocket open to for ``unconnected_grace_s`` (a curl GET, a tab killed without ``beforeunload``)
is shut down; a connected viewer keeps the server's normal idle culling.

Server-side only: this imports tornado and jupyter_server, which dashboard kernels never load.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import tornado.web
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from traitlets import Float, Integer

# The default cap: half of MemAvailable at start, divided by a kernel's budget. 300 MB = what a
# dashboard kernel that talks to an engine server holds after an upload, a preview and a take, with
# room: 225-232 MB measured for four viewers in Chromium (tests/test_shared_dashboard.py). The server
# phonemizes for it and mels are numpy, so it loads no lexicon, librosa or torch. The other half
# stays for the engine servers, JupyterLab and kernels that grow with long texts.
KERNEL_BUDGET_MB = 300
MEMORY_SHARE = 0.5
# At least 2, so one forgotten tab cannot lock everyone out; at most 64, because past that one
# Voila process (a single event loop) and the engine's queue are the limit, not memory.
MIN_VIEWERS, MAX_VIEWERS = 2, 64
FALLBACK_VIEWERS = 8          # no /proc/meminfo (not Linux): a cap a laptop can hold
RESERVATION_S = 60.0          # a GET let in holds its place this long at most before its kernel starts
RETRY_AFTER_S = 120           # about when an unwatched kernel has been released
MEMINFO = Path("/proc/meminfo")


def available_mb(meminfo: Path = MEMINFO) -> float | None:
    """MemAvailable in MB, or None where /proc/meminfo is missing."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024   # the value is in kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_max_viewers(meminfo: Path = MEMINFO) -> int:
    mb = available_mb(meminfo)
    if mb is None:
        return FALLBACK_VIEWERS
    return max(MIN_VIEWERS, min(MAX_VIEWERS, int(mb * MEMORY_SHARE // KERNEL_BUDGET_MB)))


class ViewerKernelManager(AsyncMappingKernelManager):
    """Voila's kernel manager with a cap on live kernels and prompt release of unwatched ones."""

    max_viewers = Integer(0, min=0, config=True, help=(
        "Most dashboard viewers (kernels) alive at once; a page load over it gets a 'dashboard is full' "
        f"page (HTTP 503). 0: half of MemAvailable at start / {KERNEL_BUDGET_MB} MB, "
        f"within {MIN_VIEWERS}..{MAX_VIEWERS}."))
    unconnected_grace_s = Float(120.0, min=0.0, config=True, help=(
        "Shut down a kernel that no page has had a websocket open to for this many seconds (a GET from "
        "curl, a tab killed without beforeunload). Connected viewers keep cull_idle_timeout. 0: never."))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.viewer_cap = self.max_viewers or default_max_viewers()
        self._reserved: list[float] = []        # monotonic times of GETs let in whose kernel has not started
        self._starting: set[str] = set()        # ids of kernels being started
        self._alone_since: dict[str, datetime] = {}   # kernel id -> when its last websocket closed
        self._release_callback = None
        how = "--max-viewers" if self.max_viewers else f"sized from {available_mb() or 0:.0f} MB available"
        self.log.info("Serving at most %d dashboard viewers at once (%s); kernels without a page for "
                      "%.0f s are released.", self.viewer_cap, how, self.unconnected_grace_s)

    # ------------------------------------------------------------ the cap

    def viewers(self) -> int:
        """Kernels alive or starting, plus GETs let in whose kernel is about to start."""
        now = time.monotonic()
        self._reserved = [t for t in self._reserved if now - t < RESERVATION_S]
        return len(set(self._kernels) | self._starting) + len(self._reserved)

    def reserve_viewer(self) -> bool:
        """Hold a place for a kernel about to start; False when the dashboard is full.

        Counting the place from now, not from when the kernel exists, keeps two simultaneous GETs
        from both passing the check while their kernels start."""
        if self.viewers() >= self.viewer_cap:
            return False
        self._reserved.append(time.monotonic())
        return True

    async def start_kernel(self, *, kernel_id=None, **kwargs):
        # Voila calls this right after the prelaunch hook let the GET in: the reservation becomes a starting kernel
        kernel_id = kernel_id or str(uuid.uuid4())
        self._starting.add(kernel_id)
        if self._reserved:
            self._reserved.pop(0)
        try:
            kernel_id = await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting.discard(kernel_id)
        self._alone_since.setdefault(kernel_id, _utcnow())
        return kernel_id

    # ------------------------------------------------------------ unwatched kernels

    def notify_connect(self, kernel_id):
        super().notify_connect(kernel_id)
        self._alone_since.pop(kernel_id, None)

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if kernel_id in self._kernels and self._kernel_connections.get(kernel_id, 0) <= 0:
            self._alone_since[kernel_id] = _utcnow()

    def initialize_culler(self):
        """Beside the idle culler (minutes), check for unwatched kernels every few seconds."""
        super().initialize_culler()
        if self._release_callback is None and self.unconnected_grace_s > 0:
            every_s = min(30.0, max(1.0, self.unconnected_grace_s / 4))
            self._release_callback = PeriodicCallback(self.release_unwatched, 1000 * every_s)
            self._release_callback.start()

    async def release_unwatched(self):
        """Shut down kernels with no websocket since the later of their last disconnect and last activity."""
        now = _utcnow()
        for kernel_id, since in list(self._alone_since.items()):
            kernel = self._kernels.get(kernel_id)
            if kernel is None:
                self._alone_since.pop(kernel_id, None)
                continue
            if self._kernel_connections.get(kernel_id, 0) > 0 or getattr(kernel, "execution_state", "") == "busy":
                continue   # still rendering its page for a GET that is being answered
            last = max(since, getattr(kernel, "last_activity", since))
            alone_s = (now - last).total_seconds()
            if alone_s > self.unconnected_grace_s:
                self.log.info("Releasing kernel %s: no page connected to it for %.0f s.", kernel_id, alone_s)
                try:
                    await self.shutdown_kernel(kernel_id)
                except Exception as err:   # gone meanwhile (its tab's beforeunload): nothing to release
                    self.log.debug("Releasing %s: %s", kernel_id, err)
                self._alone_since.pop(kernel_id, None)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)   # kernel.last_activity is an aware UTC datetime


def admit_viewer(handler, notebook=None, cwd=None):
    """VoilaConfiguration.prelaunch_hook: over the cap, answer the 'dashboard is full' page, start no kernel."""
    manager = handler.kernel_manager
    if manager.reserve_viewer():
        # Reading xsrf_token sets the _xsrf cookie. Voila's page never gets one otherwise, and its
        # beforeunload beacon (POST voila/api/shutdown/<kernel>) then fails with 403 and leaves the
        # kernel running (voila-dashboards/voila#1458).
        handler.xsrf_token
        return None
    handler.log.warning("Dashboard full (%d viewers): refused a page load from %s.", manager.viewer_cap,
                        handler.request.remote_ip)
    handler.set_status(503)
    handler.set_header("Retry-After", str(RETRY_AFTER_S))
    handler.set_header("Content-Type", "text/html; charset=UTF-8")
    handler.write(full_page(manager.viewer_cap))
    raise tornado.web.Finish()


def full_page(cap: int) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>voxnb: the dashboard is full</title>
<style>body{{font-family:system-ui,sans-serif;max-width:38em;margin:4em auto;padding:0 1em;line-height:1.6;color:#222}}
h1{{font-size:1.4em}} p{{color:#555}}</style></head>
<body>
<h1>The dashboard is full ({cap} viewers). Try again in a few minutes.</h1>
<h1 lang="zh-CN">控制台已满（{cap} 位用户）。请过几分钟再试。</h1>
<p>Each open dashboard tab holds memory on this server. A closed tab gives its place back within about
two minutes, an idle one after 30 minutes.</p>
<p lang="zh-CN">每个打开的控制台标签页都会占用服务器内存。
关闭的标签页约两分钟内释放名额，闲置的标签页 30 分钟后释放。</p>
</body></html>
"""
