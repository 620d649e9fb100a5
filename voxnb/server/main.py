"""Run an engine server: load the engine in the worker thread, answer health at once, serve until stopped."""
from __future__ import annotations

import os
import secrets
import sys

from ..errors import EngineError
from ..launch.engines import TOKEN_ENV   # how the launcher hands a token over without showing it in `ps`
from .app import LOOPBACK, create_app
from .worker import EngineWorker



def serve(engine: str | None, host: str = "127.0.0.1", port: int = 8870, max_queue: int = 8, token: str = "",
          **engine_options) -> None:
    import uvicorn

    from ..engines import DEFAULT, load_engine
    from ..launch.jupyter import LaunchError, check_port

    name = engine or DEFAULT
    token = token or os.environ.get(TOKEN_ENV, "")
    loopback = host in LOOPBACK
    if not loopback and not token:   # reachable from other machines: never without a token
        token = secrets.token_urlsafe(24)
        print(f"voxnb serve: listening on {host}, so clients need this token: {token}", file=sys.stderr, flush=True)
    if max_queue < 0:
        raise EngineError(key="server.max_queue_negative", max_queue=max_queue)
    try:
        check_port(port, host, "--port")
    except LaunchError:
        from ..launch.jupyter import port_owner
        from ..messages import Msg

        owner = port_owner(port) or Msg("server.another_process")
        raise EngineError(key="server.port_in_use", port=port, owner=owner) from None
    worker = EngineWorker(lambda: load_engine(name, **engine_options), name, max_queue)
    worker.start()   # loads the engine while the server already answers /health with "loading"
    print(f"voxnb serve: {name} engine on http://{host}:{port} (queue limit {max_queue})", file=sys.stderr,
          flush=True)
    uvicorn.run(create_app(worker, token, loopback_only=loopback), host=host, port=port, log_level="warning",
                access_log=False)
    worker.stop()
