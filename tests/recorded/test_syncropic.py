"""syncropic/ on recorded HTTP: the gateway's cost, tier and request id, its error table, and its
anonymous tier (no key)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping
from typing import Any

import litellm
import pytest
from litellm.integrations.custom_logger import CustomLogger

from litellm_providers.compat import HTTP_LIBRARIES

MODEL = "syncropic/claude-haiku-4-5"
QUESTION = [{"role": "user", "content": "Say hello in one sentence."}]


def _call(recorded_base: Any, content: str | None = None, **kwargs: Any) -> Any:
    messages = [{"role": "user", "content": content}] if content else QUESTION
    return litellm.completion(model=MODEL, messages=messages, api_base=recorded_base("syncropic"), **kwargs)


class CostSpy(CustomLogger):  # type: ignore[misc]
    """What LiteLLM logs as the call's cost: what callbacks, spend logs and the proxy report."""

    def __init__(self) -> None:
        super().__init__()
        self.costs: list[float] = []

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self.costs.append(kwargs["response_cost"])

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.costs.append(kwargs["response_cost"])

    def wait_for_one(self) -> float:
        deadline = time.monotonic() + 5
        while not self.costs and time.monotonic() < deadline:
            time.sleep(0.05)  # LiteLLM logs from a worker thread
        assert len(self.costs) == 1
        return self.costs[0]


# One instance for the module: LiteLLM keeps one callback per class, so a fresh instance per test
# would be ignored after the first.
_SPY = CostSpy()


@pytest.fixture
def logged_cost() -> Iterator[CostSpy]:
    _SPY.costs.clear()
    litellm.callbacks = [_SPY]
    yield _SPY
    litellm.callbacks = []


@pytest.mark.vcr
def test_cost_tier_and_request_id_come_from_the_gateway(recorded_base: Any, logged_cost: CostSpy) -> None:
    response = _call(recorded_base, max_tokens=1500)
    headers = response._hidden_params["additional_headers"]
    cents = float(headers["llm_provider-x-syncropic-cost-cents"])
    assert cents > 0
    assert response._hidden_params["response_cost"] == pytest.approx(cents / 100)
    assert logged_cost.wait_for_one() == pytest.approx(cents / 100)
    assert litellm.completion_cost(response) == pytest.approx(cents / 100)
    assert litellm.completion_cost(completion_response=response) == pytest.approx(cents / 100)
    catalog_cost = sum(litellm.cost_per_token(model=MODEL, usage_object=response.usage))
    assert catalog_cost != pytest.approx(cents / 100)  # the figure really is the header's
    assert headers["llm_provider-x-syncropic-tier"] == "paid"
    assert headers["llm_provider-x-syncropic-request-id"].startswith("req_")
    assert response.choices[0].message.content == "You asked: Say hello in one sentence."


@pytest.mark.vcr
def test_stream_carries_content_usage_and_the_gateway_cost(recorded_base: Any) -> None:
    chunks = list(_call(recorded_base, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        "You asked: Say hello in one sentence."
    )
    assert chunks[-1].usage.total_tokens > 0
    first = chunks[0]._hidden_params
    assert first["response_cost"] == pytest.approx(
        float(first["additional_headers"]["llm_provider-x-syncropic-cost-cents"]) / 100
    )


@pytest.mark.vcr
def test_async_and_async_stream(recorded_base: Any) -> None:
    async def run() -> tuple[Any, list[Any]]:
        kwargs: dict[str, Any] = {
            "model": MODEL,
            "messages": QUESTION,
            "api_base": recorded_base("syncropic"),
        }
        response = await litellm.acompletion(**kwargs)
        stream = await litellm.acompletion(stream=True, **kwargs)
        return response, [chunk async for chunk in stream]

    response, chunks = asyncio.run(run())
    assert response._hidden_params["response_cost"] > 0
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == response.choices[0].message.content


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("fault", "error_class", "status", "code"),
    [
        ("401", litellm.AuthenticationError, 401, "invalid_bearer"),
        ("401-jwt", litellm.AuthenticationError, 401, "invalid_jwt_signature"),
        ("402", litellm.exceptions.PaymentRequiredError, 402, "quota_exceeded"),
        ("402-subscription", litellm.exceptions.PaymentRequiredError, 402, "subscription_required"),
        ("429", litellm.RateLimitError, 429, "rate_limited"),
        ("503", litellm.ServiceUnavailableError, 503, "provider_error"),
        ("503-internal", litellm.ServiceUnavailableError, 503, "internal_error"),
    ],
)
def test_documented_error_table(
    recorded_base: Any, fault: str, error_class: type[Exception], status: int, code: str
) -> None:
    with pytest.raises(error_class) as caught:
        _call(recorded_base, f"emulate:fault={fault}")
    error = caught.value
    assert error.status_code == status  # type: ignore[attr-defined]
    assert error.llm_provider == "syncropic"  # type: ignore[attr-defined]
    assert error.provider_error_code == code  # type: ignore[attr-defined]
    # The docs ask users to quote the request id: it is in the message itself.
    assert error.request_id.startswith("req_")  # type: ignore[attr-defined]
    assert f"[request_id={error.request_id}]" in str(error)  # type: ignore[attr-defined]
    assert f"HTTP {status} ({code})" in str(error)


@pytest.mark.vcr
def test_rate_limit_keeps_retry_after_for_litellm_retries(recorded_base: Any) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        _call(recorded_base, "emulate:fault=429")
    assert caught.value.response.headers["retry-after"] == "30"


@pytest.mark.vcr
def test_html_502_is_a_clear_service_unavailable_error(recorded_base: Any) -> None:
    with pytest.raises(litellm.ServiceUnavailableError) as caught:
        _call(recorded_base, "emulate:fault=502-html")
    message = str(caught.value)
    assert "Syncropel gateway returned HTTP 502" in message
    assert "non-JSON body (text/html): 502 Bad Gateway" in message


@pytest.mark.vcr
def test_stream_cost_logged_by_litellm_is_the_gateway_figure(
    recorded_base: Any, logged_cost: CostSpy
) -> None:
    chunks = list(_call(recorded_base, stream=True))  # the caller did not ask for usage
    header = chunks[0]._hidden_params["additional_headers"]["llm_provider-x-syncropic-cost-cents"]
    header_cost = float(header) / 100
    built = litellm.stream_chunk_builder(chunks)
    assert built._hidden_params["response_cost"] == pytest.approx(header_cost)
    assert litellm.completion_cost(built) == pytest.approx(header_cost)
    assert logged_cost.wait_for_one() == pytest.approx(header_cost)


# -- the anonymous tier: "you don't need a Syncropel subscription to try the gateway" -------------------

ANONYMOUS_MODEL = "syncropic/gemini-flash-1.5"  # "Anonymous + Paid" in the gateway's model table


@pytest.fixture
def sent_headers(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, str]]:
    """The headers of every request the client sends, as it sends them (recording or replaying),
    whichever HTTP library the openai SDK sends with (httpx on openai 2, httpx2 on openai 3)."""
    seen: list[Mapping[str, str]] = []
    for library in HTTP_LIBRARIES:
        sync_send, async_send = library.Client.send, library.AsyncClient.send

        def send(self: Any, request: Any, *args: Any, _send: Any = sync_send, **kwargs: Any) -> Any:
            seen.append(request.headers)
            return _send(self, request, *args, **kwargs)

        async def asend(self: Any, request: Any, *args: Any, _send: Any = async_send, **kwargs: Any) -> Any:
            seen.append(request.headers)
            return await _send(self, request, *args, **kwargs)

        monkeypatch.setattr(library.Client, "send", send)
        monkeypatch.setattr(library.AsyncClient, "send", asend)
    return seen


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNCROPEL_API_KEY", raising=False)


def _tier(response: Any) -> str:
    return str(response._hidden_params["additional_headers"]["llm_provider-x-syncropic-tier"])


@pytest.mark.vcr
@pytest.mark.usefixtures("no_key")
def test_keyless_call_to_the_included_model_is_served_on_the_anonymous_tier(
    recorded_base: Any, sent_headers: list[Mapping[str, str]]
) -> None:
    response = litellm.completion(
        model=ANONYMOUS_MODEL, messages=QUESTION, api_base=recorded_base("syncropic")
    )
    assert response.choices[0].message.content == "You asked: Say hello in one sentence."
    assert _tier(response) == "anonymous"
    assert response._hidden_params["response_cost"] > 0
    assert len(sent_headers) == 1
    assert "authorization" not in sent_headers[0]  # no header at all, not an empty "Bearer "


@pytest.mark.vcr
@pytest.mark.usefixtures("no_key")
def test_keyless_stream_and_async_on_the_anonymous_tier(
    recorded_base: Any, sent_headers: list[Mapping[str, str]]
) -> None:
    # "Anonymous tier supports streaming on the included model."
    kwargs: dict[str, Any] = {
        "model": ANONYMOUS_MODEL,
        "messages": QUESTION,
        "api_base": recorded_base("syncropic"),
    }
    chunks = list(litellm.completion(stream=True, **kwargs))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        "You asked: Say hello in one sentence."
    )
    assert _tier(chunks[0]) == "anonymous"

    async def run() -> Any:
        return await litellm.acompletion(**kwargs)

    assert _tier(asyncio.run(run())) == "anonymous"
    assert len(sent_headers) == 2
    assert all("authorization" not in headers for headers in sent_headers)


@pytest.mark.usefixtures("no_key")
def test_keyless_call_to_a_paid_model_is_refused_before_sending(
    recorded_base: Any, sent_headers: list[Mapping[str, str]]
) -> None:
    # claude-haiku-4-5 is "Paid": the anonymous tier would answer 402 subscription_required.
    with pytest.raises(litellm.exceptions.AuthenticationError, match="SYNCROPEL_API_KEY") as caught:
        _call(recorded_base)
    assert "no API key" in str(caught.value)
    assert sent_headers == []


@pytest.mark.vcr
@pytest.mark.usefixtures("no_key")
def test_keyless_call_to_an_uncatalogued_model_gets_the_gateways_subscription_required(
    recorded_base: Any, sent_headers: list[Mapping[str, str]]
) -> None:
    # A model the catalog does not know is sent keyless: the gateway decides, and refuses it.
    with pytest.raises(litellm.exceptions.PaymentRequiredError) as caught:
        litellm.completion(
            model="syncropic/some-future-model", messages=QUESTION, api_base=recorded_base("syncropic")
        )
    error = caught.value
    assert error.status_code == 402
    assert error.provider_error_code == "subscription_required"  # type: ignore[attr-defined]
    assert error.request_id.startswith("req_")  # type: ignore[attr-defined]
    assert "upgrade or use anonymous tier" in str(error)
    assert len(sent_headers) == 1  # refused by the gateway, not locally
    assert "authorization" not in sent_headers[0]


@pytest.mark.vcr
def test_keyed_call_to_the_anonymous_model_is_served_on_the_paid_tier(
    recorded_base: Any, sent_headers: list[Mapping[str, str]]
) -> None:
    # The tier is the caller's bearer's, not the model's: a key calling gemini-flash-1.5 is paid.
    response = litellm.completion(
        model=ANONYMOUS_MODEL, messages=QUESTION, api_base=recorded_base("syncropic")
    )
    assert _tier(response) == "paid"
    assert sent_headers[0]["authorization"].startswith("Bearer ")
    assert len(sent_headers[0]["authorization"]) > len("Bearer ")
