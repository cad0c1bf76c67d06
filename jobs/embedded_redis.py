"""An in-memory Redis stand-in for development on a machine without `redis-server`.

`python -m jobs.embedded_redis --port 6390` serves fakeredis over TCP, so the web process, `flask jobs worker`
(with its scheduler: needs fakeredis[lua] for EVALSHA) and `flask jobs cron` share one Redis as they would a
real one. It keeps nothing on disk and has no authentication: an embedded development default, never production.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from fakeredis import TcpFakeServer

LOOPBACK = "127.0.0.1"


def make_server(port: int, host: str = LOOPBACK):
    """A fakeredis TCP server bound to (host, port); call `serve_forever()` on it, `shutdown()` to stop."""
    server = TcpFakeServer((host, port), server_type="redis")
    # Each connection has its own thread, which may sit in a blocking command (a worker's BLPOP) for minutes:
    # stopping must not wait for them. Set after construction, which resets these on the instance.
    server.daemon_threads = True
    server.block_on_close = False
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.embedded_redis", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=6379)
    parser.add_argument("--host", default=LOOPBACK, help="loopback only, unless you know why not")
    args = parser.parse_args(argv)

    server = make_server(args.port, args.host)

    def _stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"embedded Redis stand-in (fakeredis) listening on redis://{args.host}:{args.port}/0", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
