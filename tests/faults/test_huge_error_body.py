"""A refusal whose body never ends: the status gets through, the body is read only up to a bound.

An upstream in trouble (or a hostile one) may answer 429 or 500 with a body of hundreds of megabytes,
or with no end. The openai SDK reads an error's whole body before it raises; the package's transport
stops reading it at ``MAX_ERROR_BODY_BYTES``, so the caller gets the provider's status at once and a
proxy worker's memory is not spent on it. Likewise a 200 that should have been an event stream.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from litellm.exceptions import RateLimitError

from litellm_providers.limits import MAX_ERROR_BODY_BYTES
from tests.faults.test_one_transport import SURFACES, assert_no_key, call_surface, failure_of, path_of

ANNOUNCED = 300 * 1024 * 1024
PIECE = b'{"error": {"message": "slow down", "code": "rate_limited"}} ' * 1000  # ~60 KB


def _endless(status: int, content_type: str) -> Any:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(ANNOUNCED))
        handler.end_headers()
        try:
            for _ in range(ANNOUNCED // len(PIECE)):
                handler.wfile.write(PIECE)
                handler.server.sent_bytes += len(PIECE)  # type: ignore[attr-defined]
        except OSError:
            pass  # the client stopped reading and closed: what the test wants

    return answer


@pytest.mark.parametrize("surface", SURFACES)
def test_a_refusal_with_an_endless_body_keeps_its_status_and_is_read_only_to_a_bound(
    serve: Any, surface: str
) -> None:
    server = serve({path_of(surface): _endless(429, "application/json")})
    error = failure_of(lambda: call_surface(surface, server.url + "/openai/v1"))
    assert isinstance(error, RateLimitError), repr(error)
    assert error.status_code == 429
    assert "Synthetic" in str(error) or "synthetic" in str(error)
    assert_no_key(error)
    # What the server got out is the bound plus socket buffers, not 300 MB.
    assert server.sent_bytes < MAX_ERROR_BODY_BYTES + 64 * 1024 * 1024


@pytest.mark.parametrize("surface", ["chat-stream", "achat-stream"])
def test_a_stream_answered_by_an_endless_page_is_read_only_to_a_bound(serve: Any, surface: str) -> None:
    server = serve({path_of(surface): _endless(200, "text/html")})
    error = failure_of(lambda: call_surface(surface, server.url + "/openai/v1"))
    assert "Synthetic" in str(error) or "synthetic" in str(error), repr(error)
    assert_no_key(error)
    assert server.sent_bytes < MAX_ERROR_BODY_BYTES + 64 * 1024 * 1024
