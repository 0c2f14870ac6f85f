"""`sohoa serve --db DB [--host 127.0.0.1] [--port 8765]`: the analysts' web UI and JSON API."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
from types import FrameType

from pipeline.errors import BadArgumentsError, MissingDependencyError
from pipeline.storage import open_store

log = logging.getLogger(__name__)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1-65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range (1-65535)")
    return port


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "serve",
        help="web UI and read-only JSON API for analysts",
        description="Serve the search UI and a read-only JSON API (OpenAPI at /openapi.json). "
        "Listens on 127.0.0.1 unless --host says otherwise.",
    )
    parser.add_argument(
        "--db",
        default="archive.sqlite",
        help="SQLite file or postgresql:// URL (default: %(default)s)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port", type=port_number, default=8765, help="port, 1-65535 (default: %(default)s)"
    )
    parser.set_defaults(run=run)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port or a bad address is a one-line
    reason (exit 2), not the server's start-up failure."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise BadArgumentsError(f"--host {host}: {error.strerror}") from error
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise BadArgumentsError(
            f"cannot listen on {host}:{port}: {error.strerror} "
            "(another server on that port? choose one with --port)"
        ) from error
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError as error:
        raise MissingDependencyError("uvicorn is needed: pip install uvicorn") from error
    # imported here, not at the top: every command builds the parser, only this one serves
    from pipeline.web import LOOPBACK_HOSTS, create_app

    store = open_store(args.db, readonly=True)
    try:
        sock = bind(args.host, args.port)
    except BadArgumentsError:
        store.close()
        raise
    if args.host not in LOOPBACK_HOSTS:
        log.warning("serving on %s: anyone who can reach it can read the archive", args.host)
    app = create_app(store, bind_host=args.host)
    ready = f"sohoa: serving {args.db} on http://{args.host}:{args.port}/"

    class Server(uvicorn.Server):
        """Says it serves only once it does, its signal handlers in place: a SIGINT or
        SIGTERM sent on that line (a test, a supervisor) must find them."""

        interrupted = False

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            print(ready, flush=True)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            self.interrupted = self.interrupted or sig == signal.SIGINT
            super().handle_exit(sig, frame)

    server = Server(uvicorn.Config(app, log_level="warning"))
    try:
        # a SIGINT or SIGTERM stops the server gracefully; uvicorn then raises it again, so
        # it ends here as KeyboardInterrupt (exit 130) or as the default SIGTERM death
        server.run(sockets=[sock])
    finally:
        sock.close()
        store.close()
    if server.interrupted:  # started with SIGINT ignored (nohup, a background job): uvicorn
        raise KeyboardInterrupt  # stopped on it all the same, and raising it again did nothing
    return 0
