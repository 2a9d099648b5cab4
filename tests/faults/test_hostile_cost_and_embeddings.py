"""A hostile gateway cost header, bad embeddings answers, keyless calls to paid models, unknown costs
(issue 22, items 8, 11, 16 and 17).

A tiny loopback server imitates the providers: each test gives it the status, headers and body of its
next answer, and counts the requests that reach it. Every call goes through ``litellm`` exactly as a user
makes it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import litellm
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from litellm.caching.caching import Cache
from litellm.exceptions import AuthenticationError, ServiceUnavailableError
from litellm.integrations.custom_logger import CustomLogger
from litellm.types.utils import EmbeddingResponse

from litellm_providers import cost
from litellm_providers.providers import PROVIDERS
from litellm_providers.translate import (
    MAX_STATED_COST_USD,
    UnreadableAnswer,
    embedding_response_from_json,
    response_cost_from_headers,
)
from tests.conftest import SENTINEL_KEYS

GATEWAY = PROVIDERS["syncropic"]
PAID_MODEL = "syncropic/claude-haiku-4-5"  # "Paid" in the gateway's table: $1.30 in, $6.50 out per 1M
EMBEDDING_MODEL = "synthetic/hf:nomic-ai/nomic-embed-text-v1.5"
USAGE = {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
CATALOG_PRICE = 12 * 1.30e-6 + 7 * 6.50e-6
MODES = [(False, False), (True, False), (False, True), (True, True)]  # (stream, aio)
MODE_IDS = ["sync", "sync-stream", "async", "async-stream"]


# -- the imitation provider ---------------------------------------------------------------------------


@dataclass
class Answer:
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    stream_body: bytes | None = None
    """What a request with ``"stream": true`` gets instead, as an event stream."""


class _Provider(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Serve)
        self.answers: dict[str, Answer] = {}
        self.requests: dict[str, int] = {}

    def base(self, answer: Answer) -> str:
        """An API base whose every request gets ``answer``; ``requests[token]`` counts them."""
        token = uuid.uuid4().hex
        self.answers[token], self.requests[token] = answer, 0
        return f"http://127.0.0.1:{self.server_address[1]}/{token}/v1"

    def seen(self, base: str) -> int:
        return self.requests[base.rstrip("/").split("/")[-2]]


class _Serve(BaseHTTPRequestHandler):
    server: _Provider
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        token = self.path.strip("/").split("/", 1)[0]
        self.server.requests[token] += 1
        answer = self.server.answers[token]
        streamed = answer.stream_body is not None and request.get("stream") is True
        body = answer.stream_body if streamed and answer.stream_body is not None else answer.body
        body = body.replace(b"{served-by}", str(request.get("model")).encode())  # what was asked for
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if streamed else "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def provider() -> Iterator[_Provider]:
    server = _Provider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def chat_answer(headers: dict[str, str]) -> Answer:
    """A chat completion of "Hello" with USAGE, whole or streamed as the request asks."""
    answer_id = f"chatcmpl-{uuid.uuid4().hex}"
    whole = {
        "id": answer_id,
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "{served-by}",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}
        ],
        "usage": USAGE,
    }
    chunk = {"id": answer_id, "object": "chat.completion.chunk", "created": 1_700_000_000}
    events = [
        {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hello"}}]},
        {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {**chunk, "choices": [], "usage": USAGE},
    ]
    sse = "".join(f"data: {json.dumps(event)}\n\n" for event in events) + "data: [DONE]\n\n"
    return Answer(json.dumps(whole).encode(), headers, sse.encode())


def call(model: str, base: str, *, stream: bool, aio: bool, **kwargs: Any) -> Any:
    """What the caller gets: a response, or a stream's chunks."""
    request = {"model": model, "messages": [{"role": "user", "content": "Hi"}], "api_base": base, **kwargs}

    async def arun() -> Any:
        response = await litellm.acompletion(stream=stream, **request)
        received = [chunk async for chunk in response] if stream else response
        if _LOGGED in litellm.callbacks:
            await _LOGGED.logged()  # LiteLLM logs an async call from a task on this loop
        return received

    if aio:
        return asyncio.run(arun())
    response = litellm.completion(stream=stream, **request)
    return list(response) if stream else response


class _LoggedCosts(CustomLogger):  # type: ignore[misc]
    """The response_cost LiteLLM's logging hands callbacks (what spend logs and the proxy record), for the
    calls to one API base: LiteLLM may still be logging earlier tests' calls."""

    def __init__(self) -> None:
        super().__init__()
        self.base: str | None = None
        self.costs: list[Any] = []

    def _record(self, kwargs: Any) -> None:
        params = kwargs.get("litellm_params") or {}
        if self.base is not None and self.base in (kwargs.get("api_base"), params.get("api_base")):
            self.costs.append(kwargs.get("response_cost"))

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record(kwargs)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._record(kwargs)

    def watch(self, base: str) -> str:
        self.base, self.costs = base, []
        return base

    async def logged(self) -> None:
        deadline = time.monotonic() + 10  # a guard against a hang, not a measure
        while not self.costs and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    def wait_for_one(self) -> Any:
        deadline = time.monotonic() + 10  # LiteLLM logs from a worker thread; a guard, not a measure
        while not self.costs and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.costs) == 1, self.costs
        return self.costs[0]


_LOGGED = _LoggedCosts()  # LiteLLM keeps one callback per class: one instance for the module


@pytest.fixture
def logged_costs() -> Iterator[_LoggedCosts]:
    _LOGGED.watch("")
    litellm.callbacks = [_LOGGED]
    yield _LOGGED
    litellm.callbacks = []


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "litellm_providers" and r.levelno == logging.WARNING
    ]


# -- item 8: the gateway's cost header is believed only when it states a plausible cost ---------------

# The last: a gateway that echoes the caller's key where the cost belongs.
BOGUS_COSTS = ["-5", "nan", "inf", "1e308", "abc", "", "100000", "0x10", "1_0", SENTINEL_KEYS["syncropic"]]


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("header", BOGUS_COSTS)
def test_a_bogus_cost_header_leaves_the_catalog_price_with_a_warning(
    provider: _Provider,
    logged_costs: _LoggedCosts,
    caplog: pytest.LogCaptureFixture,
    header: str,
    stream: bool,
    aio: bool,
) -> None:
    base = logged_costs.watch(provider.base(chat_answer({"X-Syncropic-Cost-Cents": header})))
    with caplog.at_level(logging.WARNING, logger="litellm_providers"):
        received = call(PAID_MODEL, base, stream=stream, aio=aio)
        response = litellm.stream_chunk_builder(received) if stream else received
        logged = logged_costs.wait_for_one()
    assert response.usage.prompt_tokens == 12 and response.usage.completion_tokens == 7
    assert litellm.completion_cost(response) == pytest.approx(CATALOG_PRICE)
    assert logged == pytest.approx(CATALOG_PRICE)
    for part in received if stream else [received]:
        hidden = part._hidden_params
        assert hidden.get("response_cost") in (None, pytest.approx(CATALOG_PRICE))
        assert "llm_provider-x-litellm-response-cost" not in hidden["additional_headers"]
    # Said, naming the model and the header, once for the answer however often LiteLLM priced it.
    said = [text for text in warnings_of(caplog) if "X-Syncropic-Cost-Cents" in text]
    assert len(said) == 1, said
    assert said[0].startswith("syncropic/claude-haiku-4-5: the X-Syncropic-Cost-Cents header")
    assert "priced from the catalog" in said[0]
    assert SENTINEL_KEYS["syncropic"] not in caplog.text


@pytest.mark.parametrize("header", ["-5", "1e308", "nan"])
def test_a_cache_hit_agrees_with_the_answer_it_replays(provider: _Provider, header: str) -> None:
    base = provider.base(chat_answer({"X-Syncropic-Cost-Cents": header}))
    request = {
        "messages": [{"role": "user", "content": f"cache {header} {uuid.uuid4().hex}"}],
        "caching": True,
    }
    litellm.cache = Cache()
    try:
        first = litellm.completion(model=PAID_MODEL, api_base=base, **request)
        hit = litellm.completion(model=PAID_MODEL, api_base=base, **request)
    finally:
        litellm.cache = None
    assert provider.seen(base) == 1
    assert hit._hidden_params.get("cache_hit") is True
    assert litellm.completion_cost(first) == pytest.approx(CATALOG_PRICE)
    assert litellm.completion_cost(hit) == pytest.approx(CATALOG_PRICE)


@pytest.mark.parametrize("stated", ["-5", "1e308", "0.5"])
def test_an_upstream_cannot_state_a_cost_through_litellms_own_header(
    provider: _Provider, stated: str
) -> None:
    # LiteLLM files every upstream header under llm_provider-<name>, and reads a stated cost from
    # llm_provider-x-litellm-response-cost: a provider's own x-litellm-response-cost would land there.
    base = provider.base(chat_answer({"x-litellm-response-cost": stated}))
    response = call(PAID_MODEL, base, stream=False, aio=False)
    assert "llm_provider-x-litellm-response-cost" not in response._hidden_params["additional_headers"]
    assert response._hidden_params["response_cost"] == pytest.approx(CATALOG_PRICE)
    assert litellm.completion_cost(response) == pytest.approx(CATALOG_PRICE)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.one_of(
        st.text(),
        st.floats().map(repr),
        st.floats().map(str),
        st.from_regex(r"\A\s*-?[0-9]{0,400}(\.[0-9]*)?([eE][+-]?[0-9]{1,4})?\s*\Z"),
    )
)
def test_the_cost_header_parser_gives_a_plausible_cost_or_none(header: str) -> None:
    stated = response_cost_from_headers(GATEWAY, {"X-Syncropic-Cost-Cents": header})
    assert stated is None or (
        type(stated) is float and math.isfinite(stated) and 0 <= stated < MAX_STATED_COST_USD
    )
    if stated is not None:
        assert stated == pytest.approx(float(header.strip(" \t")) / 100)


def test_the_bound_is_a_thousand_dollars_a_request() -> None:
    assert response_cost_from_headers(GATEWAY, {"X-Syncropic-Cost-Cents": "99999.99"}) == pytest.approx(
        999.9999
    )
    assert response_cost_from_headers(GATEWAY, {"X-Syncropic-Cost-Cents": "100000"}) is None
    assert response_cost_from_headers(GATEWAY, {"x-syncropic-cost-cents": " 0 "}) == 0.0


# -- item 17: a model with no price costs "unknown", not a silent 0.0 ---------------------------------


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which models were already said to have no price (once per model per process)."""
    monkeypatch.setattr(cost, "_unpriced_warned", set())


@pytest.mark.usefixtures("fresh_warnings")
@pytest.mark.parametrize(
    "model",
    ["synternet/syntoshi-apex-thinking", "synthetic/hf:zai-org/GLM-4.6"],  # no price; retired, no price
)
@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
def test_an_unpriced_model_is_said_to_cost_an_unknown_amount(
    provider: _Provider,
    logged_costs: _LoggedCosts,
    caplog: pytest.LogCaptureFixture,
    model: str,
    stream: bool,
    aio: bool,
) -> None:
    with caplog.at_level(logging.WARNING, logger="litellm_providers"):
        for _ in range(2):
            base = logged_costs.watch(provider.base(chat_answer({})))
            received = call(model, base, stream=stream, aio=aio)
            response = litellm.stream_chunk_builder(received) if stream else received
            # LiteLLM's logging, callbacks and the proxy keep working on the float they expect.
            assert logged_costs.wait_for_one() == 0.0
            assert litellm.completion_cost(response) == 0.0
    said = [text for text in warnings_of(caplog) if "unknown" in text]
    assert len(said) == 1, said  # once per model per process
    assert said[0].startswith(f"{model}: the cost of calls to this model is unknown, not zero")
    assert "register_model" in said[0]


@pytest.mark.usefixtures("fresh_warnings")
def test_only_a_model_with_no_price_is_called_unknown(
    provider: _Provider, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    unpriced, user_priced = "synthetic/hf:zai-org/GLM-4.6", "synternet/syntoshi-apex-thinking"
    monkeypatch.setattr(
        litellm, "model_cost", {**litellm.model_cost, user_priced: dict(litellm.model_cost[user_priced])}
    )
    price = {"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06}
    litellm.register_model({user_priced: {**price, "litellm_provider": "synternet", "mode": "chat"}})
    with caplog.at_level(logging.WARNING, logger="litellm_providers"):
        for model in (PAID_MODEL, user_priced, unpriced):  # catalog-priced, priced by the user, no price
            response = call(model, provider.base(chat_answer({})), stream=False, aio=False)
            litellm.completion_cost(response)
    said = [text for text in warnings_of(caplog) if "unknown" in text]
    assert [text.split(": the cost")[0] for text in said] == [unpriced]


# -- item 11: embeddings answers are checked --------------------------------------------------------


def _vector(*values: float) -> list[float]:
    return list(values)


def _b64(*values: float) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def embeddings_body(*vectors: Any, indexes: list[Any] | None = None) -> bytes:
    data = [
        {"object": "embedding", "index": i if indexes is None else indexes[i], "embedding": vector}
        for i, vector in enumerate(vectors)
    ]
    body = {"object": "list", "data": data, "model": "hf:nomic-ai/nomic-embed-text-v1.5", "usage": USAGE}
    return json.dumps(body).encode()  # NaN and Infinity as Python writes them; a JSON reader takes them


BAD_EMBEDDINGS = {
    "one vector for two inputs": embeddings_body(_vector(0.1, 0.2)),
    "three vectors for two inputs": embeddings_body(_vector(0.1), _vector(0.2), _vector(0.3)),
    "a duplicate index": embeddings_body(_vector(0.1, 0.2), _vector(0.3, 0.4), indexes=[0, 0]),
    "an index past the inputs": embeddings_body(_vector(0.1, 0.2), _vector(0.3, 0.4), indexes=[0, 2]),
    "a boolean index": embeddings_body(_vector(0.1, 0.2), _vector(0.3, 0.4), indexes=[0, True]),
    "NaN in a vector": embeddings_body(_vector(0.1, math.nan), _vector(0.3, 0.4)),
    "Infinity in a vector": embeddings_body(_vector(0.1, 0.2), _vector(math.inf, 0.4)),
    "a string in a vector": embeddings_body(_vector(0.1, 0.2), [0.3, "0.4"]),
    "a null in a vector": embeddings_body(_vector(0.1, 0.2), [0.3, None]),
    "an empty vector": embeddings_body([], []),
    "vectors of mixed lengths": embeddings_body(_vector(0.1, 0.2), _vector(0.3, 0.4, 0.5)),
    "base64 of mixed lengths": embeddings_body(_b64(0.1, 0.2), _b64(0.3)),
    "base64 and a list mixed": embeddings_body(_b64(0.1, 0.2), _vector(0.3, 0.4)),
    "base64 that is not base64": embeddings_body(_b64(0.1, 0.2), "not base64!"),
    "base64 of a NaN float32": embeddings_body(_b64(0.1, 0.2), _b64(math.nan, 0.4)),
    "base64 of a partial float32": embeddings_body(_b64(0.1, 0.2), base64.b64encode(b"\x00" * 6).decode()),
}


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("answer", list(BAD_EMBEDDINGS))
def test_a_bad_embeddings_answer_is_an_unusable_answer(provider: _Provider, answer: str, aio: bool) -> None:
    base = provider.base(Answer(BAD_EMBEDDINGS[answer]))
    request = {"model": EMBEDDING_MODEL, "input": ["first text", "second text"], "api_base": base}
    with pytest.raises(ServiceUnavailableError) as caught:
        if aio:
            asyncio.run(litellm.aembedding(**request))
        else:
            litellm.embedding(**request)
    error = caught.value
    assert error.status_code == 502
    assert error.llm_provider == "synthetic"
    assert "Synthetic answered HTTP 200" in str(error)
    assert "expected embeddings" in str(error)
    assert_no_key_reachable_from(error, SENTINEL_KEYS["synthetic"])


def assert_no_key_reachable_from(error: BaseException | None, key: str) -> None:
    """Not in the message, the repr, the attached response, nor anywhere down the exception chain."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        response = getattr(error, "response", None)
        texts = [str(error), repr(error), repr(getattr(response, "headers", None))]
        texts.append(str(getattr(response, "text", "")))
        assert not any(key in text for text in texts), type(error)
        error = error.__cause__ or error.__context__


GOOD_EMBEDDINGS = [  # (what was sent, the vectors answered, their indexes, what the caller gets)
    ("one text", [[0.5, 0.25]], None, [[0.5, 0.25]]),
    ([1, 2, 3], [[0.5, 0.25]], None, [[0.5, 0.25]]),  # token ids: one input
    (["a", "b"], [[0.3, 0.4], [0.1, 0.2]], [1, 0], [[0.1, 0.2], [0.3, 0.4]]),  # put in input order
    (["a", "b"], [_b64(0.5, 0.25), _b64(1.0, 2.0)], None, [_b64(0.5, 0.25), _b64(1.0, 2.0)]),
]


def test_a_good_embeddings_answer_comes_back_one_vector_per_input_in_input_order(provider: _Provider) -> None:
    for sent, vectors, indexes, expected in GOOD_EMBEDDINGS:
        base = provider.base(Answer(embeddings_body(*vectors, indexes=indexes)))
        response = litellm.embedding(model=EMBEDDING_MODEL, input=sent, api_base=base)
        assert [item["embedding"] for item in response.data] == expected, sent
        assert [item["index"] for item in response.data] == list(range(len(expected)))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
_NEAR_VALID_ITEM = st.fixed_dictionaries(
    {},
    optional={
        "index": st.one_of(st.integers(-1, 4), st.booleans(), st.none(), st.text(max_size=2)),
        "embedding": st.one_of(
            st.lists(
                st.one_of(st.floats(), st.integers(), st.booleans(), st.none(), st.text(max_size=2)),
                max_size=4,
            ),
            st.binary(max_size=12).map(lambda raw: base64.b64encode(raw).decode()),
            st.text(max_size=12),
            _JSON,
        ),
        "object": _JSON,
    },
)
_NEAR_VALID_BODY = st.fixed_dictionaries(
    {"data": st.one_of(st.lists(_NEAR_VALID_ITEM, max_size=4), _JSON)},
    optional={"model": _JSON, "usage": _JSON, "object": _JSON},
)
_SENT = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.lists(st.text(max_size=4), max_size=4),
    st.lists(st.integers(), max_size=3),
    _JSON,
)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(_JSON, _NEAR_VALID_BODY), sent=_SENT)
@example(body={"data": [{"embedding": [10**400]}]}, sent="a")  # JSON numbers have no size limit
def test_the_embeddings_reader_gives_a_response_or_an_unreadable_answer(body: Any, sent: Any) -> None:
    try:
        response = embedding_response_from_json("hf:nomic-ai/nomic-embed-text-v1.5", body, sent=sent)
    except UnreadableAnswer:
        return
    assert isinstance(response, EmbeddingResponse)
    vectors = [item["embedding"] for item in response.data]
    if isinstance(sent, list) and sent and all(isinstance(text, str) for text in sent):
        assert len(vectors) == len(sent)  # one vector per input
    assert len({type(vector) for vector in vectors}) <= 1  # all lists, or all base64 strings
    lists = [vector for vector in vectors if isinstance(vector, list)]
    assert len({len(vector) for vector in lists}) <= 1
    assert all(vector and all(math.isfinite(x) for x in vector) for vector in lists)


# -- item 16: a keyless call to a paid gateway model is refused before sending -----------------------


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("model", ["claude-haiku-4-5", "gpt-4o", "gemini-pro"])
def test_a_keyless_call_to_a_paid_gateway_model_is_refused_before_sending(
    provider: _Provider, monkeypatch: pytest.MonkeyPatch, model: str, stream: bool, aio: bool
) -> None:
    monkeypatch.delenv("SYNCROPEL_API_KEY")
    base = provider.base(chat_answer({}))
    with pytest.raises(AuthenticationError) as caught:
        call(f"syncropic/{model}", base, stream=stream, aio=aio)
    assert provider.seen(base) == 0
    message = str(caught.value)
    assert "no API key" in message and "SYNCROPEL_API_KEY" in message
    assert f"syncropic/{model}" in message
    assert "gemini-flash-1.5" in message  # what a keyless call can reach
    assert caught.value.transient is False  # type: ignore[attr-defined]
    # The anonymous tier's own model, and one the catalog does not know (the gateway decides), are sent.
    for served in ("gemini-flash-1.5", "some-future-model"):
        sent = provider.base(chat_answer({}))
        call(f"syncropic/{served}", sent, stream=stream, aio=aio)
        assert provider.seen(sent) == 1
