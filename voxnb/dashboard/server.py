"""The dashboard's web server: Voila, plus a cap on viewers and a Host check.

    python -m voxnb.dashboard.server notebooks/dashboard.ipynb --Voila.port=8866 [any Voila option] \\
        [--max-viewers N] [--viewer-grace SECONDS] [--allow-host NAME ...]

--max-viewers N      most viewers (kernels) alive at once; over it a page load gets "the dashboard
                     is full", HTTP 503. 0 (default): sized from the memory available at start.
--viewer-grace S     release a kernel no page has been connected to for S seconds (default 120).
--allow-host NAME    also answer requests for Host NAME (repeatable; ".example.org" allows its
                     subdomains, "*" turns the check off). See voxnb.dashboard.hosts for the defaults.

voxnb.launch.jupyter runs this instead of ``python -m voila``; viewers.py and hosts.py say why.
"""
from __future__ import annotations

import sys

from traitlets import List, Unicode
from voila.app import Voila

from .hosts import HostPolicy, guard
from .viewers import ViewerKernelManager, admit_viewer


class DashboardServer(Voila):
    allow_hosts = List(Unicode(), config=True, help=(
        "Host names served besides localhost, IP addresses and (when listening beyond loopback) this "
        "machine's name. '.example.org' allows example.org and its subdomains; '*' turns the check off."))

    aliases = {**Voila.aliases,
               "max-viewers": "ViewerKernelManager.max_viewers",
               "viewer-grace": "ViewerKernelManager.unconnected_grace_s",
               "allow-host": "DashboardServer.allow_hosts"}
    classes = [*Voila.classes, ViewerKernelManager]

    def initialize(self, argv=None):
        super().initialize(argv)
        # set after Voila built its configuration, so no config file or flag can drop the cap
        self.voila_configuration.multi_kernel_manager_class = ViewerKernelManager
        self.voila_configuration.prelaunch_hook = admit_viewer

    def listen(self):
        # Voila's start() builds self.app, adds its handlers, then calls listen() to serve: guard it first
        policy = HostPolicy(self.ip, self.allow_hosts)
        guard(self.app, policy)
        self.log.info("Answering requests for %s.", policy.describe())
        super().listen()


def main(argv=None) -> None:
    DashboardServer.launch_instance(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
