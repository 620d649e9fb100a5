"""Run an engine server: load the engine in the worker thread, answer health at once, serve until stopped."""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from ..errors import EngineError
from ..launch.engines import TOKEN_ENV   # how the launcher hands a token over without showing it in `ps`
from .app import READ_TIMEOUT_S, SEND_TIMEOUT_S, create_app
from .guard import LOOPBACK, check_token, protocol
from .worker import EngineWorker


def read_token(token: str = "", token_file: str | None = None) -> str:
    """The token from --token, --token-file or $VOXNB_SERVER_TOKEN (in that order); refused when short."""
    if token:
        print("voxnb serve: a token given as --token shows in `ps` to every user of this machine; "
              f"pass it as ${TOKEN_ENV} or --token-file instead", file=sys.stderr, flush=True)
    elif token_file:
        try:
            token = Path(token_file).expanduser().read_text().strip()
        except OSError as err:
            raise EngineError(key="server.token_file_unreadable", path=token_file,
                              reason=err.strerror or str(err)) from None
    else:
        token = os.environ.get(TOKEN_ENV, "")
    check_token(token)
    return token


def serve(engine: str | None, host: str = "127.0.0.1", port: int = 8870, max_queue: int = 8, token: str = "",
          token_file: str | None = None, allow_origins: tuple[str, ...] = (), read_timeout_s: float = READ_TIMEOUT_S,
          send_timeout_s: float = SEND_TIMEOUT_S, replicas: int | str | None = None, ray: str | None = None,
          max_ongoing: int | None = None, max_replicas: int | None = None, **engine_options) -> None:
    """Serve one engine: in this process, or (``replicas``) from replicas on a Ray cluster (``ray``: its
    address; none starts a local one)."""
    import uvicorn

    from ..engines import DEFAULT, load_engine
    from ..launch.jupyter import LaunchError, check_port
    from .app import _log

    name = engine or DEFAULT
    token = read_token(token, token_file)
    loopback = host in LOOPBACK
    if not loopback and not token:   # reachable from other machines: never without a token
        token = secrets.token_urlsafe(24)
        print(f"voxnb serve: listening on {host}, so clients need this token: {token}", file=sys.stderr, flush=True)
    if max_queue < 0:
        raise EngineError(key="server.max_queue_negative", max_queue=max_queue)
    if read_timeout_s <= 0 or send_timeout_s <= 0:
        raise EngineError(key="server.timeout_positive", read=read_timeout_s, send=send_timeout_s)
    try:
        check_port(port, host, "--port")
    except LaunchError:
        from ..launch.jupyter import port_owner
        from ..messages import Msg

        owner = port_owner(port) or Msg("server.another_process")
        raise EngineError(key="server.port_in_use", port=port, owner=owner) from None
    if replicas is None:
        worker = EngineWorker(lambda: load_engine(name, **engine_options), name, max_queue)
        where = ""
    else:
        from .cluster import replica_set

        worker = replica_set(name, engine_options, replicas=replicas, ray_address=ray, max_ongoing=max_ongoing,
                             max_replicas=max_replicas, max_queue=max_queue, port=port, log=_log)
        where = f", {worker.plan} on {'Ray at ' + ray if ray else 'a local Ray'}"
    worker.start()   # loads the engine while the server already answers /health with "loading"
    print(f"voxnb serve: {name} engine on http://{host}:{port} (queue limit {max_queue}{where})", file=sys.stderr,
          flush=True)
    app = create_app(worker, token, loopback_only=loopback, allow_origins=allow_origins,
                     read_timeout_s=read_timeout_s, send_timeout_s=send_timeout_s)
    # stopped as the server shuts down, before uvicorn re-raises SIGTERM and the process ends: a
    # replicated server removes its replicas from the cluster there
    app.router.on_shutdown.append(worker.stop)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                http=protocol(read_timeout_s, _log))
