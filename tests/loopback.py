"""Scripted loopback servers for the fault suites: each path answered by a function a test gives, and
every request counted, so a test can play any hostile upstream and see what reached it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[BaseHTTPRequestHandler], None]


class ScriptedServer(ThreadingHTTPServer):
    """Answers each path with the function a test gave it, and counts what it was sent."""

    daemon_threads = True

    def __init__(self, answers: dict[str, Answer]) -> None:
        super().__init__(("127.0.0.1", 0), _Scripted)
        self.answers = answers
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.sent_bytes = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Scripted(BaseHTTPRequestHandler):
    server: ScriptedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        answer = self.server.answers.get(self.path.split("?")[0]) or _not_found
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client hung up: fine
            answer(self)

    do_GET = do_POST = _answer


def _not_found(handler: BaseHTTPRequestHandler) -> None:
    send(handler, 404, b'{"error": {"message": "no such path", "code": "not_found"}}')


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def scripted_servers() -> Iterator[Callable[[dict[str, Answer]], ScriptedServer]]:
    """Start scripted servers on demand; all are stopped when the block ends."""
    servers: list[ScriptedServer] = []

    def start(answers: dict[str, Answer]) -> ScriptedServer:
        server = ScriptedServer(answers)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
