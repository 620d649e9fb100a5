"""Refuse requests whose Host header is not a name the dashboard is served under (DNS rebinding).

A page on evil.example can point its own DNS name at 127.0.0.1 and then talk to a dashboard on
this machine as if it were same-origin; its requests still say ``Host: evil.example``. Every
request whose Host is not allowed gets 403 before any handler (page, websocket, static) runs.

Allowed: localhost and *.localhost (browsers resolve those to loopback themselves), any IP literal
(a rebinding attack needs a DNS name: an IP in Host means the browser was pointed at that address,
e.g. a NATed public IP that is on no interface of this machine), this machine's host name when it
listens on a non-loopback address, and the names given with --allow-host (".example.org" allows
example.org and every subdomain, "*" turns the check off).
"""
from __future__ import annotations

import ipaddress
import socket

import tornado.web
from tornado.routing import Matcher, Rule


class HostPolicy:
    def __init__(self, listen_ip: str, allowed=()):
        allowed = [h.strip().lower().rstrip(".") for h in allowed if h.strip()]
        self.any_host = "*" in allowed
        self.names = {"localhost"} | {h for h in allowed if not h.startswith(".")}
        self.suffixes = tuple(h for h in allowed if h.startswith("."))
        if not _is_loopback(listen_ip):   # reachable from other machines by this machine's own name
            self.names |= _own_names()

    def allows(self, host_name: str) -> bool:
        """host_name: the Host header without its port, as tornado's ``request.host_name``."""
        name = host_name.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")
        if self.any_host or name in self.names or name.endswith(".localhost"):
            return True
        if any(name.endswith(s) or name == s[1:] for s in self.suffixes):
            return True
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False

    def describe(self) -> str:
        if self.any_host:
            return "any Host (--allow-host '*')"
        return ", ".join(sorted(self.names) + [f"*{s}" for s in self.suffixes] + ["*.localhost", "IP addresses"])


def _is_loopback(ip: str) -> bool:
    if ip.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(ip.strip("[]")).is_loopback
    except ValueError:
        return False   # '' and '0.0.0.0' listen everywhere; a host name may resolve anywhere


def _own_names() -> set[str]:
    """This machine's host name, its first label and its mDNS name; no DNS lookup (it may hang at start)."""
    full = socket.gethostname().lower().rstrip(".")
    if not full:
        return set()
    short = full.split(".")[0]
    return {full, short, f"{short}.local"}


class _ForeignHost(Matcher):
    def __init__(self, policy: HostPolicy):
        self.policy = policy

    def match(self, request):
        return None if self.policy.allows(request.host_name) else {}


class ForeignHostHandler(tornado.web.RequestHandler):
    """403 with a message that says why and how to allow the name; answers every method."""

    def prepare(self):
        host = self.request.host_name
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(f"403: this dashboard is not served under the name {host!r} (DNS-rebinding protection).\n"
                    f"If that name is yours, start it with --allow-host {host}\n"
                    f"403：此控制台不以 {host!r} 这个名称提供服务（防 DNS 重绑定）。"
                    f"如果这是你的域名，请加上 --allow-host {host} 重新启动。\n")


def guard(app: tornado.web.Application, policy: HostPolicy) -> None:
    """Route every request with a foreign Host to ForeignHostHandler, ahead of all other rules."""
    if not policy.any_host:
        app.default_router.rules.insert(0, Rule(_ForeignHost(policy), ForeignHostHandler))
