"""A receiving system on loopback for the webhook tests: a tiny threaded HTTP server that checks each delivery's
signature with the subscription's secret, as a receiver would (docs/webhooks.md), with nothing of AP Hub's own
code, and keeps what it accepted by event id. It can refuse the first deliveries of each event (a receiver that
fails, then recovers)."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def check_signature(secret: str, header: str, body: bytes) -> bool:
    """t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">: a receiver's check, written out independently."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@dataclass
class Received:
    event_id: str
    event_type: str
    signature: str
    body: bytes
    verified: bool
    answered: int

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0  # answer 503 to the first N deliveries of each event
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/aphub-events"

    def accepted(self) -> list[Received]:
        return [r for r in self.requests if r.answered == 200]

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                event_id = self.headers.get("X-APHub-Event-Id", "")
                signature = self.headers.get("X-APHub-Signature", "")
                verified = bool(signature) and check_signature(receiver.secret, signature, body)
                tries = sum(1 for r in receiver.requests if r.event_id == event_id)
                code = 401 if not verified else 503 if tries < receiver.fail_first else 200
                receiver.requests.append(Received(event_id, self.headers.get("X-APHub-Event", ""), signature, body,
                                                  verified, code))
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
