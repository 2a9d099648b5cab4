"""The one SSE server of a benchmark run: loopback only, a bounded number of requests, stops by itself.

Run as a child process (``python -m benchmarks.server --max-requests N``) so that serving never
competes with the measured client for the GIL. It prints ``PORT <n>`` once listening and stops at the
first of: stdin closed (the parent ended or died), ``--max-requests`` answered, ``--idle`` seconds
without a request, ``--deadline`` seconds after start.

``POST /v1/chat/completions`` answers with the stream of ``benchmarks.stream``; the last user message
says which: ``bench n=<chunks>`` (the whole stream at once, as fast as the socket takes it) or
``drip shape=<doc|cut> delay=<seconds>`` (one event at a time with a pause between them). Every event
is its own HTTP/1.1 chunk, as an SSE server flushing per token sends it; connections are kept alive.
Any other path is a 404, so a route that posts somewhere else fails loudly instead of being timed.
``GET /stats`` answers the request counts per (path, model, User-Agent), for the run's sanity check.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections import Counter
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.stream import build, drip_stream, events

PATH = "/v1/chat/completions"
_BENCH = re.compile(r"bench n=(\d+)")
_DRIP = re.compile(r"drip shape=(\w+) delay=([\d.]+)")


def _http_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


@lru_cache(maxsize=16)
def _bulk_body(n_chunks: int, model: str) -> bytes:
    return b"".join(_http_chunk(e) for e in events(build(n_chunks), model)) + b"0\r\n\r\n"


class _Handler(BaseHTTPRequestHandler):
    server: BenchServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/stats":
            return self._plain(404, b"not found")
        stats = [
            {"path": p, "model": m, "user_agent": a, "count": c}
            for (p, m, a), c in self.server.counts.items()
        ]
        self._plain(200, json.dumps({"requests": stats, "served": self.server.served}).encode())

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.server.take_budget():
            self._plain(503, b"request budget exhausted")
            self.server.stop_soon()
            return
        try:
            request = json.loads(body)
            model = str(request.get("model"))
            prompt = str(request["messages"][-1]["content"])
        except (ValueError, KeyError, IndexError, TypeError):
            return self._plain(400, b"not a chat completion request")
        agent = self.headers.get("User-Agent", "").split("/", 1)[0]
        self.server.count(self.path, model, agent)
        if self.path != PATH:
            return self._plain(404, f"no such path {self.path}".encode())
        if match := _BENCH.search(prompt):
            self._start_stream()
            self.wfile.write(_bulk_body(int(match.group(1)), model))
        elif match := _DRIP.search(prompt):
            self._start_stream()
            delay = min(float(match.group(2)), 1.0)
            for index, data in enumerate(events(drip_stream(match.group(1)), model)):
                if index:
                    time.sleep(delay)
                self.wfile.write(_http_chunk(data))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            return self._plain(400, b"unknown benchmark prompt")
        self.wfile.flush()

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class BenchServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, max_requests: int, idle: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.max_requests = max_requests
        self.idle = idle
        self.served = 0
        self.counts: Counter[tuple[str, str, str]] = Counter()
        self.last_request = time.monotonic()
        self._lock = threading.Lock()

    def take_budget(self) -> bool:
        with self._lock:
            self.last_request = time.monotonic()
            if self.served >= self.max_requests:
                return False
            self.served += 1
            return True

    def count(self, path: str, model: str, agent: str) -> None:
        with self._lock:
            self.counts[(path, model, agent)] += 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client closing a kept-alive connection (an event loop ending, a pool trimmed) is normal here.
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)

    def stop_soon(self) -> None:
        threading.Thread(target=self.shutdown, daemon=True).start()


def _watch(server: BenchServer, deadline: float) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end and time.monotonic() - server.last_request < server.idle:
        time.sleep(0.5)
    server.shutdown()


def _watch_stdin(server: BenchServer) -> None:
    sys.stdin.read()  # returns at EOF: the parent closed the pipe or is gone
    server.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-requests", type=int, required=True)
    parser.add_argument("--idle", type=float, default=120.0, help="stop after this long without a request")
    parser.add_argument("--deadline", type=float, default=900.0, help="stop this long after start")
    args = parser.parse_args(argv)
    server = BenchServer(args.max_requests, args.idle)
    threading.Thread(target=_watch, args=(server, args.deadline), daemon=True).start()
    threading.Thread(target=_watch_stdin, args=(server,), daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        print(f"STOPPED served={server.served}", flush=True)


if __name__ == "__main__":
    main()
