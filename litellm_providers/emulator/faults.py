"""The faults the emulator can answer with (``emulate:fault=<name>``), and the ones that are not a clean
error answer: a reset, a cut, a drip, a line with no end."""

from __future__ import annotations

import io
import math
import socket
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

# HTTP faults: status, error code, message. Providers without their own codes answer in OpenAI's shape.
STATUS_FAULTS: dict[str, tuple[int, str, str]] = {
    "400": (400, "invalid_request_error", "Invalid parameter: messages"),
    "401": (401, "invalid_api_key", "Invalid API key provided"),
    "401-jwt": (401, "invalid_jwt_signature", "Bearer was a JWT but signature doesn't verify"),
    "402": (402, "quota_exceeded", "Subscription monthly cap exceeded"),
    "402-subscription": (
        402,
        "subscription_required",
        "No active subscription; upgrade or use anonymous tier",
    ),
    "403": (403, "permission_denied", "This key may not use this model"),
    "404": (404, "model_not_found", "The model does not exist"),
    "408": (408, "request_timeout", "The request timed out upstream"),
    "413": (413, "context_length_exceeded", "This model's maximum context length was exceeded"),
    "429": (429, "rate_limited", "60 requests per minute on paid tier; retry in 30s"),
    "429-no-retry-after": (429, "rate_limited", "Too many requests"),
    "500": (500, "server_error", "The server had an error while processing your request"),
    "503": (503, "provider_error", "Backing model degraded; retry or try a different model"),
    "503-internal": (503, "internal_error", "Gateway error; report request_id to support"),
}
# Faults that are not a clean error answer.
WIRE_FAULTS = frozenset(
    {
        "502-html",
        "timeout",
        "reset",
        "cut",
        "bad-sse-line",
        "sse-error",
        "empty-200",
        "wrong-content-type",
        # A careless provider: a 401 whose message and headers repeat the key it was sent.
        "401-echo-key",
        # ... and a 200 whose body is not JSON and repeats the key.
        "200-echo-key",
        # The answer arrives in pieces, emulate:delay=<seconds> apart (0.5 unless told): each piece
        # within any read timeout, the whole longer than the call's.
        "slow-drip",
        # A stream (a call is answered) whose first line never ends: 50 MB with no line break.
        "long-line",
        # Synternet: a [Thinking: segment that is never closed, the answer after it, finish "stop".
        "unclosed-thinking",
    }
)
LONG_LINE_BYTES = 50 * 1024 * 1024
FAULTS = frozenset(STATUS_FAULTS) | WIRE_FAULTS
SYNCROPIC_AUTH_CODE = "invalid_bearer"
# The example stream of Synternet's documentation (shared/seeds/001_*), verbatim.
DOCUMENTED_SYNTERNET_STREAM = (
    b'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1234567890,'
    b'"model":"synternet/syntoshi-apex-thinking","choices":[{"index":0,"delta":{"role":"assistant",'
    b'"content":"[Thinking: Let me break down blockchain consensus...]"},"finish_reason":null}]}\n\n'
    b'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1234567890,'
    b'"model":"synternet/syntoshi-apex-thinking","choices":[{"index":0,"delta":{"content":'
    b'"[Reasoning: Byzantine Fault Tolerance is key...]"},"finish_reason":null}]}\n\n'
    b'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1234567890,'
    b'"model":"synternet/syntoshi-apex-thinking","choices":[{"index":0,"delta":{"content":'
    b'"Blockchain consensus is a mechanism..."},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)
TIMEOUT_SECONDS = 5.0


class WireFaults(BaseHTTPRequestHandler):
    """Answers that break the wire rather than say an error: the handler's fault half."""

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees a reset mid-body, not a clean end.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()

    def _captured(self, answer: Callable[[], None]) -> tuple[bytes, bytes]:
        """What ``answer`` would have sent, unsent: its status line and headers, and its body."""
        buffer = io.BytesIO()
        real, self.wfile = self.wfile, buffer
        try:
            answer()
        finally:
            self.wfile = real
        head, _, body = buffer.getvalue().partition(b"\r\n\r\n")
        return head, body

    def _cut_answer(self, fault: str, answer: Callable[[], None]) -> None:
        """Send an answer's status, headers and half its body, then end the connection: with a reset
        (``reset``) or a clean close (``cut``). The client sees a body shorter than its Content-Length."""
        head, body = self._captured(answer)
        self.wfile.write(head + b"\r\n\r\n" + body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        if fault == "reset":
            self._reset()

    def _drip(self, delay: float, answer: Callable[[], None]) -> None:
        """Send an answer's status and headers, then its body in ten pieces, ``delay`` seconds apart."""
        head, body = self._captured(answer)
        step = max(1, math.ceil(len(body) / 10))
        try:
            self.wfile.write(head + b"\r\n\r\n")
            for start in range(0, len(body), step):
                self.wfile.flush()
                time.sleep(delay)
                self.wfile.write(body[start : start + step])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up, as it was meant to

    def _long_line(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        block = b"a" * 65536
        try:
            self.wfile.write(b'data: {"choices": [{"index": 0, "delta": {"content": "')
            for _ in range(LONG_LINE_BYTES // len(block)):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client refused the line and closed, as it should

    def _client_gone(self) -> bool:
        """Whether the client has closed its end (a peek at the socket reads end-of-file)."""
        previous = self.connection.gettimeout()
        self.connection.setblocking(False)
        try:
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.connection.settimeout(previous)
