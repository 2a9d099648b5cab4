"""The emulator's server, on a background thread (tests, the demo) or in the foreground (the CLI)."""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from litellm_providers.emulator.handler import Handler
from litellm_providers.providers import PROVIDERS


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # hundreds of concurrent test streams connect at once

    def __init__(self, address: tuple[str, int], chunk_delay: float = 0.0) -> None:
        super().__init__(address, Handler)
        self.chunk_delay = chunk_delay
        self.requests: list[dict[str, Any]] = []
        # Keys whose subscription a quota refusal with ``emulate:renews_in`` used up: until when (epoch
        # seconds), by the request's Authorization header, so the window really gives requests back.
        self.spent_until: dict[str, float] = {}
        self._counter = 0
        self._counter_lock = threading.Lock()

    def next_id(self, prefix: str) -> str:
        with self._counter_lock:
            self._counter += 1
            return f"{prefix}_emu{self._counter:06d}"


class Emulator:
    """The emulator on a background thread: ``with Emulator() as emu: emu.base_url("synthetic")``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, chunk_delay: float = 0.0) -> None:
        self.server = EmulatorServer((host, port), chunk_delay)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def base_url(self, route: str) -> str:
        """The emulated provider's API base: the same path as the real one, on loopback."""
        return self.url + urlparse(PROVIDERS[route].default_api_base).path

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.server.requests

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self.server.serve_forever, name="litellm-providers-emulator")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the emulator in the foreground until interrupted (``litellm-providers emulate``)."""
    server = EmulatorServer((host, port))
    print(f"litellm-providers emulator on http://{host}:{server.server_address[1]}")
    for route, spec in PROVIDERS.items():
        print(f"  {route:<10} {urlparse(spec.default_api_base).path}  (set {spec.api_base_env})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
