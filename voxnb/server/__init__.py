"""``voxnb serve``: one engine loaded once, served over HTTP to every kernel and dashboard viewer.

The server imports engines; engines (the ``RemoteEngine`` client among them) never import it.
"""
from __future__ import annotations


def serve(engine: str | None = None, host: str = "127.0.0.1", port: int = 8870, max_queue: int = 8,
          token: str = "", **options) -> None:
    """``options``: token_file, allow_origins, read_timeout_s, send_timeout_s, then the engine's own."""
    from .main import serve as _serve

    _serve(engine, host=host, port=port, max_queue=max_queue, token=token, **options)


__all__ = ["serve"]
