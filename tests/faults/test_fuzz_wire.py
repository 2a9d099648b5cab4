"""Fuzzing the SSE and reasoning layers: whatever a provider sends, the caller gets an answer or a
LiteLLM exception naming the provider, never a bare KeyError, JSONDecodeError, TypeError, ...

The wire tests serve hypothesis-made bytes from a tiny loopback server, written to the socket in
hypothesis-chosen pieces (so SSE lines and UTF-8 sequences are cut anywhere), and read them through
``litellm.completion`` exactly as a user would. ``test_the_translator_reads_or_refuses_any_chunk``
drives the chunk reader and ``StreamTranslator`` directly with arbitrary JSON-ish chunks.
"""

from __future__ import annotations

import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import litellm
import openai
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litellm.exceptions import MidStreamFallbackError

from litellm_providers.providers import PROVIDERS
from litellm_providers.readable import UnreadableAnswer, readable_chunk
from litellm_providers.reasoning import split_text, splitter_for
from litellm_providers.streaming import StreamTranslator, aggregate_stream

MODELS = {
    "synthetic": ("synthetic/hf:deepseek-ai/DeepSeek-R1-0528", "think_tags"),
    "synternet": ("synternet/syntoshi-apex-thinking", "brackets"),
    "syncropic": ("syncropic/claude-haiku-4-5", "none"),
}
# No `target` phase: these tests set no targets, and the phase imports Hypothesis's optimiser lazily,
# mid-run, where pytest's assertion rewriting of it can hit CPython 3.11's "AST constructor recursion
# depth mismatch" SystemError (seen once in a full-suite run).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
WIRE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class _Bodies(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Serve)
        self.bodies: dict[str, tuple[str, list[bytes]]] = {}

    def base(self, content_type: str, pieces: list[bytes]) -> str:
        """An API base whose next chat completion answers 200 with these bytes, piece by piece."""
        token = uuid.uuid4().hex
        self.bodies[token] = (content_type, pieces)
        return f"http://127.0.0.1:{self.server_address[1]}/{token}/v1"


class _Serve(BaseHTTPRequestHandler):
    server: _Bodies
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # each piece leaves as its own segment

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type, pieces = self.server.bodies.pop(self.path.strip("/").split("/", 1)[0])
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Connection", "close")  # no length: the body ends when the connection does
        self.end_headers()
        self.close_connection = True
        try:
            for piece in pieces:
                self.wfile.write(piece)
                self.wfile.flush()
        except OSError:
            pass  # the client gave up on a body it could not read


@pytest.fixture(scope="module")
def bodies() -> Iterator[_Bodies]:
    server = _Bodies()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _complete(route: str, base: str, stream: bool) -> tuple[list[Any], Exception | None]:
    model, _ = MODELS[route]
    received: list[Any] = []
    try:
        response = litellm.completion(
            model=model,
            messages=[{"role": "user", "content": "fuzz"}],
            api_base=base,
            api_key="fuzz-key-0123456789",
            stream=stream,
            timeout=10,
        )
        if stream:
            received.extend(response)
        else:
            received.append(response)
    except Exception as error:
        return received, error
    return received, None


def assert_a_litellm_error_naming(route: str, error: Exception) -> None:
    """LiteLLM's own exception class, with the route as provider, made by the package's errors.py.

    The last part matters: LiteLLM itself turns any exception escaping a handler into a LiteLLM class
    (an ``APIConnectionError`` whose message is the Python error and its traceback), so the class
    alone would prove nothing. errors.py marks what it builds (``transient``, ``provider_error_code``)
    and starts the message with the provider's name and what went wrong.
    """
    errors = [error]
    if isinstance(error, MidStreamFallbackError):
        assert isinstance(error.original_exception, Exception)
        errors.append(error.original_exception)
    for each in errors:
        assert type(each).__module__ == "litellm.exceptions", repr(each)
        assert isinstance(each, openai.APIError), repr(each)
        assert each.llm_provider == route, repr(each)  # type: ignore[attr-defined]
    made_here = errors[-1]
    assert hasattr(made_here, "transient"), f"not built by errors.py: {made_here!r}"
    assert PROVIDERS[route].display_name in str(made_here)
    assert "Traceback" not in str(made_here)


def _cut(body: bytes, points: list[int]) -> list[bytes]:
    cuts = sorted({p % (len(body) + 1) for p in points} | {0, len(body)})
    return [body[a:b] for a, b in itertools.pairwise(cuts)]


_SSE_TOKENS = st.sampled_from(
    [
        b"data: ",
        b"data:",
        b"\n",
        b"\n\n",
        b"\r\n",
        b"\r",
        b": keep-alive\n",
        b"event: error\n",
        b"event: message\n",
        b"id: 7\n",
        b"retry: 10\n",
        b"[DONE]",
        b"{",
        b"}",
        b'{"choices":[{"index":0,"delta":{"content":"<think>why</think>so"}}]}',
        b'{"choices":[{"delta":{"content":"[Thinking: x] y"},"finish_reason":"stop"}]}',
        b'{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}',
        b'{"error":{"message":"boom","code":"provider_error"}}',
        b'{"error":"boom"}',
        "\u00e9\u4e16".encode(),
        b"\xff\xfe",
        b"\x00",
    ]
)
_ROUTES = st.sampled_from(list(MODELS))


@WIRE
@given(pieces=st.lists(st.binary(max_size=24) | _SSE_TOKENS, max_size=16), route=_ROUTES)
def test_any_bytes_as_an_event_stream(bodies: _Bodies, pieces: list[bytes], route: str) -> None:
    _, error = _complete(route, bodies.base("text/event-stream", pieces), stream=True)
    if error is not None:
        assert_a_litellm_error_naming(route, error)


@WIRE
@given(pieces=st.lists(st.binary(max_size=24) | _SSE_TOKENS, max_size=16), route=_ROUTES)
def test_any_bytes_as_a_json_answer(bodies: _Bodies, pieces: list[bytes], route: str) -> None:
    """synternet/ streams upstream even for a call: there the bytes are read as an event stream."""
    content_type = "text/event-stream" if PROVIDERS[route].upstream_always_streams else "application/json"
    received, error = _complete(route, bodies.base(content_type, pieces), stream=False)
    if error is not None:
        assert_a_litellm_error_naming(route, error)
    else:
        assert isinstance(received[0], litellm.ModelResponse)


_KEYS = st.sampled_from(
    [
        "id",
        "created",
        "model",
        "choices",
        "index",
        "delta",
        "content",
        "reasoning",
        "reasoning_content",
        "role",
        "tool_calls",
        "function",
        "name",
        "arguments",
        "type",
        "finish_reason",
        "usage",
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "error",
        "message",
        "code",
    ]
)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
_JSONISH = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
_DELTA = st.fixed_dictionaries(
    {},
    optional={
        "content": st.text(max_size=12) | _JSONISH,
        "reasoning_content": _JSONISH,
        "reasoning": _JSONISH,
        "role": _JSONISH,
        "tool_calls": _JSONISH,
    },
)
_CHOICE = st.fixed_dictionaries(
    {}, optional={"index": _JSONISH, "delta": _DELTA | _JSONISH, "finish_reason": _JSONISH}
)
# Shaped like chat.completion.chunk objects, with any value anywhere.
CHUNKS = (
    st.fixed_dictionaries(
        {},
        optional={
            "id": _JSONISH,
            "created": _JSONISH,
            "usage": _JSONISH,
            "choices": st.lists(_CHOICE | _JSONISH, max_size=3) | _JSONISH,
            "error": _JSONISH,
        },
    )
    | _JSONISH
)


@WIRE
@given(
    chunks=st.lists(CHUNKS, max_size=5),
    done=st.booleans(),
    points=st.lists(st.integers(min_value=0), max_size=8),
    route=_ROUTES,
)
def test_any_json_in_the_events(
    bodies: _Bodies, chunks: list[Any], done: bool, points: list[int], route: str
) -> None:
    body = b"".join(b"data: " + json.dumps(chunk).encode() + b"\n\n" for chunk in chunks)
    body += b"data: [DONE]\n\n" if done else b""
    _, error = _complete(route, bodies.base("text/event-stream", _cut(body, points)), stream=True)
    if error is not None:
        assert_a_litellm_error_naming(route, error)


_TEXT = st.lists(
    st.sampled_from(
        ["<think>", "</think>", "[Thinking:", "[Reasoning:", "[", "]", " ", "\n", ": ", "<", ">", "/", "a"]
    )
    | st.text(max_size=4),
    max_size=24,
).map("".join)


@WIRE
@given(text=_TEXT, points=st.lists(st.integers(min_value=0), max_size=10), route=_ROUTES)
def test_reasoning_and_answer_do_not_depend_on_how_the_text_is_cut(
    bodies: _Bodies, text: str, points: list[int], route: str
) -> None:
    """The same text, cut into events anywhere, reaches the caller as the same reasoning and answer."""
    _, reasoning_format = MODELS[route]
    events = [{"choices": [{"index": 0, "delta": {"content": piece}}]} for piece in _cut_text(text, points)]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    body = (
        b"".join(b"data: " + json.dumps(event).encode() + b"\n\n" for event in events) + b"data: [DONE]\n\n"
    )
    received, error = _complete(route, bodies.base("text/event-stream", [body]), stream=True)
    assert error is None
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in received)
    content = "".join(c.choices[0].delta.content or "" for c in received)
    whole = split_text(splitter_for(reasoning_format), text)
    assert (reasoning, content) == (whole.reasoning, whole.content)


def _cut_text(text: str, points: list[int]) -> list[str]:
    cuts = sorted({p % (len(text) + 1) for p in points} | {0, len(text)})
    return [text[a:b] for a, b in itertools.pairwise(cuts) if text[a:b]]


@settings(max_examples=200, deadline=None, database=None, phases=PHASES)
@given(
    chunks=st.lists(CHUNKS, max_size=5),
    reasoning_format=st.sampled_from(["none", "think_tags", "think_tags_opened", "brackets"]),
    merge=st.booleans(),
)
def test_the_translator_reads_or_refuses_any_chunk(
    chunks: list[Any], reasoning_format: Any, merge: bool
) -> None:
    """What the handler does with each event: read it (``readable_chunk``), then translate it.

    A chunk whose answer-carrying parts cannot be read is refused with ``UnreadableAnswer`` (the
    handler raises it as an ``APIConnectionError`` after yielding everything before it); anything else
    translates, closes and aggregates without an exception.
    """
    translator = StreamTranslator(PROVIDERS["synthetic"], "m", reasoning_format, merge)
    out = []
    for chunk in chunks:
        try:
            readable = readable_chunk(chunk)
        except UnreadableAnswer as refused:
            assert str(refused)
            break
        out += translator.translate(readable)
    out += translator.close()
    if out:
        aggregate_stream(out, [{"role": "user", "content": "fuzz"}], translator.provider_usage)
