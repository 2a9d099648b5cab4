"""The one OpenAI-compatible transport that all three providers configure.

A ``ProviderHandler`` is LiteLLM's ``CustomLLM`` for one ``ProviderSpec``. HTTP and SSE go through
the ``openai`` SDK (connection pooling, SSE decoding, timeouts); the translation is in
``translate.py``; errors become LiteLLM exceptions in ``errors.py``. Sync and async differ only in
the loops that move bytes.

Operations. A call is one ``Operation`` (chat completions, embeddings, text completions, the quotas
read): its path, its request builder and its answer reader. The transport below is the same for all of
them: the client pool, timeouts, retries, the error mapping and the redaction of the key.

Retries. ``litellm.completion(..., num_retries=N)`` (or ``max_retries=N``) reaches the handler as
``optional_params["max_retries"]``; the handler then retries what ``errors.is_transient`` calls
transient (429, 408, 5xx, lost connections, unusable 200s) and nothing else (400, 401, 402, 403, 404,
context window): exponential backoff with jitter (0.5 s, 1 s, 2 s, ... at most 8 s), or exactly the
wait the provider asked for (``Retry-After``, ``retry-after-ms``, the gateway's
``retry_after_seconds``), and never past the call's ``timeout``, which bounds the whole call: a wait
that would end after it is not taken, and each attempt gets only the time that is left. A stream is
retried only until it opens; once text has been yielded it is never replayed. LiteLLM's Router passes
``max_retries=0`` and retries by itself, so the two never stack.

LiteLLM's own ``completion()`` wrapper, when given ``num_retries``, retries *every* ``openai.APIError``
again on top (401 and 402 included), by calling the handler again with the same ``litellm_call_id``
and ``max_retries=0``. Those repeat calls get the failure the handler already settled on, without a
new request (``_Settled``): the provider sees one request for a 401, and N+1 for a 429. On
``acompletion`` LiteLLM would sleep 1 s, 2 s, ... before those repeats of a 429; ``register()`` wraps
``litellm.acompletion_with_retries`` so a settled call is not repeated at all (``settled_failure``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import threading
import time
import urllib.parse
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit, urlunsplit

import litellm
import openai
import pydantic
from litellm.llms.custom_llm import CustomLLM
from litellm.types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream

from litellm_providers.catalog import model_entry
from litellm_providers.compat import (
    CONNECT_ERRORS,
    HTTP_ERRORS,
    RAW_RESPONSE_HEADER,
    RESPONSE_NOT_READ,
    SDK_HTTP,
    TIMEOUT_ERRORS,
    TIMEOUT_TYPES,
    caused_by,
)
from litellm_providers.errors import (
    bad_caller_input,
    is_transient,
    provider_error,
    refuse_keyless_call,
    refused_before_sending,
    retry_after,
    stream_error_event,
    transport_error,
    unusable_answer,
)
from litellm_providers.limits import MAX_SSE_LINE_BYTES, DeadlineExceeded, LineTooLong, guard_body
from litellm_providers.provider import ProviderSpec
from litellm_providers.quota import QuotaSnapshot
from litellm_providers.translate import (
    StreamTranslator,
    UnreadableAnswer,
    aggregate_stream,
    build_embedding_request,
    build_request,
    build_text_completion_request,
    embedding_response_from_json,
    hidden_params_from_headers,
    model_response_from_json,
    reasoning_format,
    request_headers,
    text_completion_as_chat,
    text_completion_chunk_as_chat,
)

if TYPE_CHECKING:
    import tenacity  # imported when a call asks for retries: most calls never pay for it

logger = logging.getLogger("litellm_providers")

_CLIENT_CACHE_SIZE = 16
_LOOP_CACHE_SIZE = 16
_T = TypeVar("_T")


class _Keys(dict[str, None]):
    """An insertion-ordered set of API keys whose repr shows none of them."""

    def __repr__(self) -> str:
        return f"<{len(self)} API keys>"


class _RedactKeysInHttpLogs(logging.Filter):
    """Replaces the API keys in use with ``***`` in the HTTP stack's log records.

    httpcore, httpx and the openai SDK (and openai 3's httpx2 / httpcore2) log response headers at
    DEBUG; a provider that echoes the key in a header (some 401s do) would otherwise put it in the
    application's logs. A logger's filter only sees records made on that very logger, so the filter
    goes on each of their loggers: the ones known to log headers are created up front, and any other
    logger of the stack is picked up before each request (``attach``), however late its library
    created it.
    """

    _PREFIXES = ("httpcore", "httpx", "openai")
    # Created eagerly so the filter is on them before their library's first record: their modules are
    # imported lazily (``httpcore.http11`` appeared while the first openai client was being built, after
    # its key had been added).
    _HEADER_LOGGERS = (
        *(
            f"{library}.{part}"
            for library in ("httpcore", "httpcore2")
            for part in ("http11", "http2", "connection", "proxy", "socks")
        ),
        "httpx",
        "httpx2",
        "openai",
        "openai._base_client",
    )
    _KEYS_KEPT = 64

    def __init__(self) -> None:
        super().__init__()
        self._keys = _Keys()  # oldest first
        self._lock = threading.Lock()
        self._loggers_seen = -1

    def add(self, api_key: str | None, base_url: str) -> None:
        """Redact this key, and the password an API base may carry (httpx logs the URL it calls)."""
        with self._lock:
            for secret in (api_key, urllib.parse.urlsplit(base_url).password):
                if secret and secret not in self._keys and len(secret) >= 4:
                    self._keys[secret] = None
            while len(self._keys) > self._KEYS_KEPT:
                self._keys.pop(next(iter(self._keys)))
        self.attach()

    def attach(self) -> None:
        """Put the filter on every logger of the HTTP stack (cheap when no logger was created since)."""
        if not self._keys or len(logging.root.manager.loggerDict) == self._loggers_seen:
            return
        for name in self._HEADER_LOGGERS:
            logging.getLogger(name)
        with self._lock:
            self._loggers_seen = len(logging.root.manager.loggerDict)  # before the walk: none is missed
            for name, candidate in list(logging.root.manager.loggerDict.items()):
                if not isinstance(candidate, logging.Logger) or not name.startswith(self._PREFIXES):
                    continue
                if self not in candidate.filters:
                    candidate.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        keys = list(self._keys)
        if not keys:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is the logging call's own problem
            return True
        if any(key in message for key in keys):
            for key in keys:
                message = message.replace(key, "***")
            record.msg, record.args = message, None
        return True


_redact_http_logs = _RedactKeysInHttpLogs()


def _key_digest(api_key: str | None) -> str:
    # The pool is keyed by a digest, so no dump of the pool's state shows a key.
    return "" if api_key is None else hashlib.sha256(api_key.encode()).hexdigest()


# What a keyless client is built with. The SDK needs some key (given none, it reads OPENAI_API_KEY and
# would send the user's OpenAI key to another provider; given "", it refuses to build), but this one
# never reaches the wire: every keyless request omits the Authorization header (``_Call.request_kwargs``).
_NO_KEY = "no-key-sent"

# The SDK sends OPENAI_ORG_ID and OPENAI_PROJECT_ID as headers on every request: the user's OpenAI
# account, which is none of these providers' business.
_NOT_OPENAI: Mapping[str, Any] = {"OpenAI-Organization": openai.Omit(), "OpenAI-Project": openai.Omit()}


class _ClientPool:
    """openai clients by (base URL, key): one connection pool per endpoint, as LiteLLM keeps its own.

    Async clients are kept per event loop: an httpx connection belongs to the loop that opened it, and
    each ``asyncio.run()`` is a new loop (a client reused across loops fails with "Event loop is
    closed").
    """

    def __init__(self) -> None:
        self._sync: OrderedDict[tuple[str, str], openai.OpenAI] = OrderedDict()
        self._async: OrderedDict[
            int, tuple[weakref.ref[asyncio.AbstractEventLoop], dict[tuple[str, str], openai.AsyncOpenAI]]
        ] = OrderedDict()
        self._lock = threading.Lock()

    def sync(self, base_url: str, api_key: str | None) -> openai.OpenAI:
        key = (base_url, _key_digest(api_key))
        _redact_http_logs.attach()
        with self._lock:
            client = self._sync.get(key)
            if client is None:
                if len(self._sync) >= _CLIENT_CACHE_SIZE:
                    self._sync.popitem(last=False)[1].close()
                # Retries are the handler's (see the module docstring), never the SDK's.
                _redact_http_logs.add(api_key, base_url)
                client = openai.OpenAI(
                    base_url=base_url, api_key=api_key or _NO_KEY, max_retries=0, default_headers=_NOT_OPENAI
                )
                self._sync[key] = client
            return client

    def async_(self, base_url: str, api_key: str | None) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        key = (base_url, _key_digest(api_key))
        _redact_http_logs.attach()
        with self._lock:
            for loop_id, (ref, _) in list(self._async.items()):
                old = ref()
                if old is None or old.is_closed():
                    del self._async[loop_id]
            entry = self._async.get(id(loop))
            if entry is None or entry[0]() is not loop:
                if len(self._async) >= _LOOP_CACHE_SIZE:
                    self._async.popitem(last=False)
                entry = (weakref.ref(loop), {})
                self._async[id(loop)] = entry
            clients = entry[1]
            client = clients.get(key)
            if client is None:
                if len(clients) >= _CLIENT_CACHE_SIZE:
                    clients.pop(next(iter(clients)))
                # The SDK's default http client closes itself from __del__ on whatever loop is running
                # then, which fails for connections of a loop that has closed; this one does not.
                _redact_http_logs.add(api_key, base_url)
                http_client = openai.DefaultAsyncHttpxClient()
                client = openai.AsyncOpenAI(
                    base_url=base_url,
                    api_key=api_key or _NO_KEY,
                    max_retries=0,
                    http_client=http_client,
                    default_headers=_NOT_OPENAI,
                )
                clients[key] = client
            return client


_clients = _ClientPool()


def _has_image(messages: list[Any]) -> bool:
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
            isinstance(part, dict) and part.get("type") == "image_url" for part in content
        ):
            return True
    return False


def _total_seconds(timeout: Any) -> float | None:
    """The whole call's time budget: LiteLLM's ``timeout=`` (for an httpx.Timeout, its longest part)."""
    if isinstance(timeout, bool):
        return None
    if isinstance(timeout, int | float):
        return float(timeout) if timeout > 0 else None
    if isinstance(timeout, TIMEOUT_TYPES):
        parts = [p for p in (timeout.connect, timeout.read, timeout.write, timeout.pool) if p is not None]
        return max(parts) if parts else None
    return None


def _retries(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


ReadAnswer = Callable[["_Call", Any], Any]
BuildRequest = Callable[["_Call", Any, Mapping[str, Any]], tuple[dict[str, Any], dict[str, str]]]


def _same_event(event: Any) -> Any:
    return event


@dataclass(frozen=True)
class Operation:
    """One kind of call: where it goes, what it sends, how its answer is read.

    Everything else (the client pool, timeouts, retries, typed errors, key redaction) is the core's and
    the same for every operation: chat, embeddings, text completions and the quotas read differ only in
    these fields, as LiteLLM's own providers differ per operation only in their transformation class.
    """

    path: str
    """Relative to the API base (or to its origin, with ``from_origin``)."""
    expected: str
    """What a usable answer is, for the error when a 200 carries something else."""
    build: BuildRequest
    """The JSON body and extra headers, from the call, what the caller sent and the optional params."""
    read: ReadAnswer
    """The LiteLLM object from the JSON answer (``ValueError``/``KeyError``/... when it is not one)."""
    method: Literal["GET", "POST"] = "POST"
    stream_event: Callable[[Any], Any] = _same_event
    """A streamed event as a chat.completion.chunk, the shape ``StreamTranslator`` reads."""
    uses_catalog: bool = True
    """Whether the call names a model (the quotas read names none)."""
    from_origin: bool = False
    """The path is under the API base's origin, not the base (``/v2/quotas`` beside ``/openai/v1``)."""


def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


class _Call:
    """Everything one call needs, resolved once from what LiteLLM hands the handler."""

    def __init__(
        self,
        provider: ProviderSpec,
        model: str,
        messages: Any,
        api_base: str | None,
        api_key: str | None,
        optional_params: Mapping[str, Any],
        litellm_params: Mapping[str, Any] | None,
        timeout: Any,
        stream: bool,
        headers: Mapping[str, Any] | None = None,
        logging_obj: Any = None,
        operation: Operation | None = None,
    ) -> None:
        self.started = time.monotonic()
        self.provider = provider
        self.operation = operation or CHAT
        self.model = provider.catalog_model(model)
        # What the caller sent: chat messages, embedding input; the prompt estimate and the stream
        # builder read it as messages.
        self.messages = messages
        self.stream = stream
        refusal = bad_caller_input(provider, self.model, api_key, timeout)
        if refusal is not None:
            raise refusal
        key = provider.api_key(api_key)
        if not key and not provider.anonymous_access:
            raise refused_before_sending(
                provider,
                self.model,
                f"no API key. Pass api_key=... or set the {provider.api_key_env} environment variable.",
                missing_key=True,
            )
        if not self.operation.from_origin and self.operation.path not in provider.endpoints:
            raise refused_before_sending(
                provider,
                self.model,
                f"{provider.display_name} serves no {self.operation.path} endpoint "
                f"(it serves {', '.join(provider.endpoints)}).",
            )
        # None for a keyless call to a provider with anonymous_access: sent with no Authorization.
        self.api_key = key or None
        self.base_url = provider.api_base(api_base)
        self.entry = model_entry(provider.route, self.model) if self.operation.uses_catalog else None
        refuse_keyless_call(provider, self.model, self.api_key, self.entry)  # before a certain 402
        params = litellm_params or {}
        self.call_id = params.get("litellm_call_id")
        self.merge_reasoning = bool(params.get("merge_reasoning_content_in_choices"))
        self.reasoning = reasoning_format(provider, self.entry)
        self.stream_upstream = stream or provider.upstream_always_streams
        # LiteLLM's drop_params (per call or global) also drops a reasoning_effort the model refuses.
        self.drop_params = bool(params.get("drop_params") or litellm.drop_params)
        self.body, self.headers = self.operation.build(self, messages, optional_params)
        # LiteLLM hands extra_headers (and litellm.headers) to a custom handler apart from the params.
        self.headers.update({str(k): str(v) for k, v in (headers or {}).items()})
        self.logging_obj = logging_obj
        asked = optional_params.get("max_retries")
        # litellm.num_retries set globally reaches LiteLLM's wrapper but not the handler's params.
        self.max_retries = _retries(litellm.num_retries if asked is None else asked)
        # A number, or an httpx / httpx2 Timeout (the SDK converts one to the other).
        self.timeout: Any = timeout if isinstance(timeout, (int, float, *TIMEOUT_TYPES)) else None
        budget = _total_seconds(timeout)
        self.deadline = self.started + budget if budget is not None else None

    def __repr__(self) -> str:
        return f"_Call({self.provider.route}/{self.model}, {self.operation.path}, stream={self.stream})"

    @property
    def url(self) -> str:
        """Where the request goes: the operation's path under the API base, or under its origin."""
        root = _origin(self.base_url) if self.operation.from_origin else self.base_url
        return root + self.operation.path

    def translator(self) -> StreamTranslator:
        return StreamTranslator(
            self.provider, self.model, self.reasoning, self.merge_reasoning, prompt=self.messages
        )

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def attempt_timeout(self) -> Any:
        """The timeout of one attempt: the call's own, but never beyond what is left of it."""
        left = self.remaining()
        if left is None or isinstance(self.timeout, TIMEOUT_TYPES):
            return self.timeout
        return max(min(self.timeout or left, left), 0.001)

    def request_kwargs(self, stream: bool = False) -> dict[str, Any]:
        """What the SDK's ``post`` (or ``get``) is called with: the body exactly as built."""
        headers: dict[str, Any] = dict(self.headers)
        if self.api_key is None and not any(name.lower() == "authorization" for name in headers):
            # No key: no Authorization header at all (the SDK would otherwise send its placeholder,
            # or refuse a request with none unless told it is omitted on purpose).
            headers["Authorization"] = openai.Omit()
        kwargs: dict[str, Any] = {
            "path": self.url,
            # The raw response: its headers carry the request id, quotas and the provider's cost.
            "cast_to": SDK_HTTP.Response,
            "options": {"headers": headers, "timeout": self.attempt_timeout()},
        }
        if self.operation.method == "POST":
            kwargs["body"] = self.body
        if stream:
            kwargs.update(cast_to=object, stream=True, stream_cls=openai.Stream[Any])
        else:
            # The SDK hands back the response unread (what its with_streaming_response does), so the
            # handler reads the body under the call's deadline (limits.py), not the SDK inside send().
            headers[RAW_RESPONSE_HEADER] = "stream"
        return kwargs

    def send(self, client: openai.OpenAI, stream: bool = False) -> Any:
        kwargs = self.request_kwargs(stream)
        return client.get(**kwargs) if self.operation.method == "GET" else client.post(**kwargs)

    async def asend(self, client: openai.AsyncOpenAI, stream: bool = False) -> Any:
        if stream:
            kwargs = self.request_kwargs(stream)
            kwargs["stream_cls"] = openai.AsyncStream[Any]
        else:
            kwargs = self.request_kwargs()
        if self.operation.method == "GET":
            return await client.get(**kwargs)
        return await client.post(**kwargs)

    def request_id(self, headers: Mapping[str, str] | None) -> str | None:
        if not headers:
            return None
        lowered = {k.lower(): v for k, v in headers.items()}
        for name in (self.provider.request_id_header, "x-request-id"):
            if name and name.lower() in lowered:
                return lowered[name.lower()]
        return None

    def http_error(self, error: openai.APIStatusError) -> Exception:
        response = error.response
        body: bytes | str
        try:
            body = response.content
        except RESPONSE_NOT_READ:
            body = json.dumps(error.body) if error.body is not None else b""
        return provider_error(
            self.provider,
            self.model,
            response.status_code,
            body,
            response.headers,
            secret=self.api_key,
            no_key_sent=self.api_key is None,
        )

    def failure(self, error: BaseException, headers: Mapping[str, str] | None = None) -> Exception:
        """Any failure of the transport, as the LiteLLM exception a caller can act on.

        ``headers`` are those of the stream being read, when it failed mid-stream: they carry the
        request id the caller needs to quote. What happened decides the message (never connected,
        failed before the answer's headers, cut mid-response), not which library or SDK version
        raised it: openai 2 raises httpx's errors mid-stream, openai 3 wraps httpx2's in its own.
        """
        mid_stream = headers is not None
        if isinstance(error, DeadlineExceeded):
            return transport_error(
                self.provider,
                self.model,
                f"the answer was still arriving when timeout={_total_seconds(self.timeout):g} s ran out",
                timeout=True,
                secret=self.api_key,
                request_id=self.request_id(headers),
            )
        if isinstance(error, LineTooLong):
            return self.transport(f"the stream carried {error}; refused", headers)
        if isinstance(error, UnreadableAnswer):
            return self.transport(f"the stream carried {error}", headers, transient=True)
        if isinstance(error, openai.APIStatusError):
            return self.http_error(error)
        if isinstance(error, openai.APITimeoutError) or caused_by(error, TIMEOUT_ERRORS) is not None:
            return transport_error(
                self.provider,
                self.model,
                "request timed out",
                timeout=True,
                secret=self.api_key,
                request_id=self.request_id(headers),
            )
        if isinstance(error, openai.APIError) and error.body is not None and mid_stream:
            # An SSE `error` event in an otherwise successful stream.
            return stream_error_event(
                self.provider, self.model, error.body, headers or {}, secret=self.api_key
            )
        cause = caused_by(error, HTTP_ERRORS) or error
        if isinstance(error, json.JSONDecodeError):
            problem = f"the stream carried a line that is not JSON ({error.msg})"
        elif isinstance(error, UnicodeDecodeError):
            problem = f"the stream carried bytes that are not UTF-8 ({error.reason})"
        elif mid_stream:
            problem = f"the connection failed mid-response ({_describe(cause)})"
        elif caused_by(error, CONNECT_ERRORS) is not None:
            problem = f"could not connect to {self.base_url} ({_describe(cause)})"
        elif isinstance(error, openai.APIConnectionError):
            problem = f"the connection to {self.base_url} failed ({_describe(cause)})"
        else:
            problem = f"the connection failed mid-response ({_describe(cause)})"
        return self.transport(problem, headers)

    def transport(self, problem: str, headers: Mapping[str, str] | None, transient: bool = True) -> Exception:
        return transport_error(
            self.provider,
            self.model,
            problem,
            secret=self.api_key,
            request_id=self.request_id(headers),
            transient=transient,
        )

    def unfinished(self, headers: Mapping[str, str] | None) -> Exception:
        problem = "the stream ended before the provider finished the answer (no finish_reason)"
        if self.stream:
            problem += "; everything received was delivered"
        return self.transport(problem, headers)

    def not_a_stream(self, response: Any, body: bytes) -> Exception:
        """The failure when a stream was asked for and a 200 came back that is not an event stream."""
        return unusable_answer(
            self.provider,
            self.model,
            response.status_code,
            body,
            response.headers,
            "an event stream (text/event-stream)",
            secret=self.api_key,
        )

    def response_from_json(self, http_response: Any) -> Any:
        """The operation's answer, read from a 200's JSON body, with what the headers tell LiteLLM."""
        try:
            answer = self.operation.read(self, json.loads(http_response.content))
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            # Not JSON, not the operation's answer, or one LiteLLM's response classes refuse. Only the
            # error's type is logged: its text may quote the body, which may echo the key.
            logger.debug("%s: unusable JSON answer (%s)", self, type(error).__name__)
            failure = unusable_answer(
                self.provider,
                self.model,
                http_response.status_code,
                http_response.content,
                http_response.headers,
                self.operation.expected,
                secret=self.api_key,
            )
        else:
            hidden = getattr(answer, "_hidden_params", None)
            if isinstance(hidden, dict):
                hidden.update(hidden_params_from_headers(self.provider, http_response.headers))
                stated = hidden.get("response_cost")
                usage = getattr(answer, "usage", None)
                if stated is not None and usage is not None:
                    # Also on the usage, which LiteLLM's cache keeps (it drops hidden params): a cache
                    # hit then reports the cost the provider stated for the answer it replays.
                    usage.cost = stated
            return answer
        # Raised outside the except block: the decoding error (its ``doc`` is the body, which may echo
        # the key) must not ride along as the failure's __context__.
        raise failure


def _guard_stream(call: _Call, response: Any) -> None:
    # A caller waiting for a whole answer gets it within timeout=; a stream's reader sees each chunk.
    guard_body(response, deadline=None if call.stream else call.deadline, max_line=MAX_SSE_LINE_BYTES)


def _chat_request(
    call: _Call, messages: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    if call.entry is not None and not call.entry.vision and _has_image(messages):
        raise refused_before_sending(
            call.provider,
            call.model,
            f"{call.provider.route}/{call.model} does not accept images "
            "(the catalog lists it as text-only); send text, or pick a model with vision "
            "(`litellm-providers models` shows them).",
        )
    return build_request(
        call.provider,
        call.model,
        messages,
        optional_params,
        call.stream_upstream,
        entry=call.entry,
        drop_params=call.drop_params,
    )


def _chat_answer(call: _Call, data: Any) -> ModelResponse:
    return model_response_from_json(call.provider, call.model, data, call.reasoning, call.merge_reasoning)


CHAT = Operation(
    path="/chat/completions",
    expected="a chat completion (JSON with a 'choices' list)",
    build=_chat_request,
    read=_chat_answer,
)


def _text_completion_request(
    call: _Call, messages: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    return build_text_completion_request(
        call.provider, call.model, messages, optional_params, call.stream_upstream
    )


def _text_completion_answer(call: _Call, data: Any) -> ModelResponse:
    # LiteLLM turns the chat-shaped response back into a TextCompletionResponse, keeping the text and
    # dropping reasoning_content; the reasoning stays reachable in _hidden_params (streams keep it on
    # each choice).
    response = _chat_answer(call, text_completion_as_chat(data))
    messages = [getattr(choice, "message", None) for choice in response.choices]
    reasoning = [getattr(message, "reasoning_content", None) for message in messages]
    if any(reasoning):
        response._hidden_params["reasoning_content"] = reasoning
    return response


TEXT_COMPLETION = Operation(
    path="/completions",
    expected="a text completion (JSON with a 'choices' list)",
    build=_text_completion_request,
    read=_text_completion_answer,
    stream_event=text_completion_chunk_as_chat,
)


def _embedding_request(
    call: _Call, texts: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    return build_embedding_request(call.provider, call.model, texts, optional_params)


def _embedding_answer(call: _Call, data: Any) -> EmbeddingResponse:
    return embedding_response_from_json(call.model, data, sent=call.messages)  # one vector per input


EMBEDDINGS = Operation(
    path="/embeddings",
    expected="embeddings (JSON with a 'data' list)",
    build=_embedding_request,
    read=_embedding_answer,
)


def _quotas_request(
    call: _Call, _: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    return {}, request_headers(optional_params)


def _quotas_answer(call: _Call, data: Any) -> QuotaSnapshot:
    if not isinstance(data, dict):
        raise ValueError("the quotas answer is not a JSON object")
    return QuotaSnapshot.model_validate(data)


def quotas_operation(provider: ProviderSpec) -> Operation:
    if provider.quotas_path is None:
        raise ValueError(f"{provider.display_name} publishes no quotas")
    return Operation(
        path=provider.quotas_path,
        expected="quotas (a JSON object of windows)",
        build=_quotas_request,
        read=_quotas_answer,
        method="GET",
        uses_catalog=False,
        from_origin=True,
    )


def _is_event_stream(headers: Mapping[str, str]) -> bool:
    content_type = headers.get("content-type")
    return content_type is None or content_type.split(";")[0].strip().lower() == "text/event-stream"


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


# Everything reading a provider's answer can raise; each becomes a LiteLLM exception in _Call.failure.
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    openai.APIError,
    *HTTP_ERRORS,
    json.JSONDecodeError,
    UnicodeDecodeError,
)
# ... and reading a body, also a bound it broke (limits.py).
_BODY_ERRORS: tuple[type[Exception], ...] = (*_TRANSPORT_ERRORS, DeadlineExceeded, LineTooLong)
# ... and reading a stream, also an event the translator cannot read.
_STREAM_ERRORS: tuple[type[Exception], ...] = (*_BODY_ERRORS, UnreadableAnswer)


def _event(chunk: Any) -> Any:
    # The SDK builds chunks without validation: dump exactly what arrived, whatever its shape.
    if isinstance(chunk, pydantic.BaseModel):
        return chunk.model_dump(exclude_none=True, warnings=False)
    return chunk


# -- retries ------------------------------------------------------------------------------------------

_INITIAL_WAIT = 0.5
_MAX_WAIT = 8.0


def _planned_wait(state: tenacity.RetryCallState) -> float:
    """The longest the next wait can be: the provider's Retry-After, else the backoff step."""
    error = state.outcome.exception() if state.outcome is not None else None
    asked = retry_after(error) if error is not None else None
    if asked is not None:
        return asked
    return min(_INITIAL_WAIT * 2.0 ** (state.attempt_number - 1), _MAX_WAIT)


def _wait(state: tenacity.RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    planned = _planned_wait(state)
    if error is not None and retry_after(error) is not None:
        return planned
    return planned * (1 - 0.25 * random.random())  # jitter, never longer than planned


class _Settled:
    """The final failure of each call the handler retried itself (bounded in number and time).

    Keyed by LiteLLM's call id *and* the exact request (endpoint, model, body), so only a true repeat
    of the same call finds it, never a different call that happens to carry the same id.
    """

    _SIZE = 256
    _TTL = 300.0  # LiteLLM's wrapper repeats within seconds of the failure

    def __init__(self) -> None:
        self._failures: OrderedDict[tuple[str, str], tuple[float, BaseException]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(call: _Call) -> tuple[str, str] | None:
        if not call.call_id:
            return None
        request = json.dumps([call.url, call.model, call.body], sort_keys=True, default=str)
        return str(call.call_id), hashlib.sha256(request.encode()).hexdigest()

    def remember(self, call: _Call, error: BaseException) -> None:
        key = self._key(call)
        if key is None or call.max_retries == 0:
            return
        with self._lock:
            self._failures[key] = (time.monotonic() + self._TTL, error)
            self._failures.move_to_end(key)
            while len(self._failures) > self._SIZE:
                self._failures.popitem(last=False)

    def recall(self, call: _Call) -> BaseException | None:
        # LiteLLM's wrapper repeats a failed call with max_retries=0 and the same call id.
        key = self._key(call) if call.max_retries == 0 else None
        if key is None:
            return None
        with self._lock:
            now = time.monotonic()
            for stale in [k for k, (expiry, _) in self._failures.items() if expiry < now]:
                del self._failures[stale]
            found = self._failures.get(key)
        if found is None:
            return None
        logger.debug("%s: LiteLLM repeated a call the handler already retried; same failure", call)
        return found[1]

    def failure_of(self, call_id: object) -> BaseException | None:
        """The failure the handler last settled on for a LiteLLM call id, whatever the request."""
        if not call_id:
            return None
        with self._lock:
            now = time.monotonic()
            for (settled_id, _), (expiry, error) in reversed(self._failures.items()):
                if settled_id == str(call_id) and expiry >= now:
                    return error
        return None


_settled = _Settled()
settled_failure = _settled.failure_of


def _retry_policy(call: _Call) -> dict[str, Any]:
    import tenacity

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number > call.max_retries:
            return True
        left = call.remaining()
        wait = _planned_wait(state)
        if left is None or wait < left:
            return False
        logger.info(
            "%s: not retrying: waiting %.2f s would end after the call's timeout (%.2f s left)",
            call.provider.display_name,
            wait,
            max(left, 0.0),
        )
        return True

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        logger.info(
            "%s: %s; retry %d of %d in %.2f s",
            call.provider.display_name,
            error,
            state.attempt_number,
            call.max_retries,
            state.upcoming_sleep,
        )

    return {
        "retry": tenacity.retry_if_exception(is_transient),
        "stop": stop,
        "wait": _wait,
        "before_sleep": before_sleep,
        "reraise": True,
    }


def _retried(call: _Call, attempt: Callable[[], _T]) -> _T:
    settled = _settled.recall(call)
    if settled is not None:
        raise settled
    if call.max_retries == 0:
        return attempt()
    import tenacity

    try:
        return tenacity.Retrying(**_retry_policy(call))(attempt)
    except Exception as error:
        _settled.remember(call, error)
        raise


async def _aretried(call: _Call, attempt: Callable[[], Awaitable[_T]]) -> _T:
    settled = _settled.recall(call)
    if settled is not None:
        raise settled

    if call.max_retries == 0:
        return await attempt()
    import tenacity

    async def attempt_once() -> _T:
        # A coroutine function, so tenacity awaits it (a lambda returning a coroutine it would not).
        return await attempt()

    try:
        return await tenacity.AsyncRetrying(**_retry_policy(call))(attempt_once)
    except Exception as error:
        _settled.remember(call, error)
        raise


# -- the handler --------------------------------------------------------------------------------------


class ProviderHandler(CustomLLM):
    """LiteLLM's entry point for one provider route."""

    def __init__(self, provider: ProviderSpec) -> None:
        super().__init__()
        self.provider = provider

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider.route!r})"

    def _call(self, stream: bool, operation: Operation | None = None, **kwargs: Any) -> _Call:
        if operation is None:
            # litellm.text_completion reaches a custom provider through completion(), flagged.
            text = bool((kwargs.get("litellm_params") or {}).get("text_completion"))
            operation = TEXT_COMPLETION if text else CHAT
        return _Call(
            self.provider,
            kwargs["model"],
            kwargs["messages"] if "messages" in kwargs else kwargs.get("input"),
            kwargs.get("api_base"),
            kwargs.get("api_key"),
            kwargs.get("optional_params") or {},
            kwargs.get("litellm_params"),
            kwargs.get("timeout"),
            stream,
            kwargs.get("headers"),
            kwargs.get("logging_obj"),
            operation,
        )

    # -- embeddings and quotas: one request, one JSON answer ----------------------------------------

    def embedding(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        call = self._call(False, EMBEDDINGS, **kwargs)
        response: EmbeddingResponse = _retried(call, lambda: self._post(call))
        return response

    async def aembedding(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        call = self._call(False, EMBEDDINGS, **kwargs)
        response: EmbeddingResponse = await _aretried(call, lambda: self._apost(call))
        return response

    def quotas(
        self, api_key: str | None = None, api_base: str | None = None, timeout: float | None = 30.0
    ) -> QuotaSnapshot:
        call = self._call(
            False,
            quotas_operation(self.provider),
            model="",
            messages=None,
            api_key=api_key,
            api_base=api_base,
            timeout=timeout,
        )
        snapshot: QuotaSnapshot = _retried(call, lambda: self._post(call))
        return snapshot

    # -- sync ---------------------------------------------------------------------------------------

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            return _retried(call, lambda: self._aggregate(call))
        response: ModelResponse = _retried(call, lambda: self._post(call))
        return response

    def _post(self, call: _Call) -> Any:
        client = _clients.sync(call.base_url, call.api_key)
        try:
            http_response = call.send(client)
            try:
                # Read here, under the call's deadline (limits.py), not inside the SDK.
                guard_body(http_response, deadline=call.deadline, max_line=None)
                http_response.read()
            finally:
                http_response.close()
        except _BODY_ERRORS as error:
            failure = call.failure(error)
        else:
            return call.response_from_json(http_response)
        raise failure  # outside the except block: the SDK's error (which holds the key) is no context

    def _aggregate(self, call: _Call) -> ModelResponse:
        translator = call.translator()
        chunks = list(self._read(call, translator, self._open(call, translator)))
        response = aggregate_stream(
            chunks, call.messages, translator.provider_usage, call.logging_obj, translator.unclosed_reasoning
        )
        response._hidden_params.update(translator.hidden_params)
        return response

    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[ModelResponseStream]:  # type: ignore[override]
        call = self._call(True, **kwargs)
        translator = call.translator()
        # Opened here, not on the first next(): a refused stream raises from litellm.completion() itself,
        # with its own class, as LiteLLM's built-in providers do; and it can be retried.
        opened = _retried(call, lambda: self._open(call, translator))
        return self._read(call, translator, opened)

    def _open(self, call: _Call, translator: StreamTranslator) -> openai.Stream[Any]:
        client = _clients.sync(call.base_url, call.api_key)
        try:
            stream: openai.Stream[Any] = call.send(client, stream=True)
            response = stream.response
            if _is_event_stream(response.headers):
                translator.hidden_params.update(hidden_params_from_headers(call.provider, response.headers))
                _guard_stream(call, response)
                return stream
            try:
                failure = call.not_a_stream(response, response.read())
            finally:
                response.close()
        except _TRANSPORT_ERRORS as error:
            failure = call.failure(error)
        raise failure

    def _read(
        self, call: _Call, translator: StreamTranslator, stream: openai.Stream[Any]
    ) -> Iterator[ModelResponseStream]:
        headers = stream.response.headers
        as_chunk = call.operation.stream_event
        failure: Exception | None = None
        try:
            for event in stream:
                yield from translator.translate(as_chunk(_event(event)))
        except _STREAM_ERRORS as error:
            failure = call.failure(error, headers)
        finally:
            stream.close()
        # Whatever arrived before a failure is yielded first, including text a splitter still holds.
        yield from translator.close()
        if failure is None and not translator.finished:
            failure = call.unfinished(headers)
        if failure is not None:
            raise failure

    # -- async --------------------------------------------------------------------------------------

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            return await _aretried(call, lambda: self._aaggregate(call))
        response: ModelResponse = await _aretried(call, lambda: self._apost(call))
        return response

    async def _apost(self, call: _Call) -> Any:
        client = _clients.async_(call.base_url, call.api_key)
        try:
            http_response = await call.asend(client)
            try:
                guard_body(http_response, deadline=call.deadline, max_line=None)
                await http_response.aread()
            finally:
                await http_response.aclose()
        except _BODY_ERRORS as error:
            failure = call.failure(error)
        else:
            return call.response_from_json(http_response)
        raise failure

    async def _aaggregate(self, call: _Call) -> ModelResponse:
        translator = call.translator()
        stream = await self._aopen(call, translator)
        chunks = [chunk async for chunk in self._aread(call, translator, stream)]
        response = aggregate_stream(
            chunks, call.messages, translator.provider_usage, call.logging_obj, translator.unclosed_reasoning
        )
        response._hidden_params.update(translator.hidden_params)
        return response

    def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[ModelResponseStream]:  # type: ignore[override]
        # Not itself a generator: input refused before sending (no key, api_key=123, timeout=-1) is
        # raised by acompletion() now, before LiteLLM's stream wrapper chokes on it. LiteLLM wraps what
        # this returns before iterating it, so the stream opens on the first __anext__; a stream the
        # provider refuses raises there (see tests/faults for what the caller receives).
        return self._astream(self._call(True, **kwargs))

    async def _astream(self, call: _Call) -> AsyncIterator[ModelResponseStream]:
        translator = call.translator()
        stream = await _aretried(call, lambda: self._aopen(call, translator))
        async for chunk in self._aread(call, translator, stream):
            yield chunk

    async def _aopen(self, call: _Call, translator: StreamTranslator) -> openai.AsyncStream[Any]:
        client = _clients.async_(call.base_url, call.api_key)
        try:
            stream: openai.AsyncStream[Any] = await call.asend(client, stream=True)
            response = stream.response
            if _is_event_stream(response.headers):
                translator.hidden_params.update(hidden_params_from_headers(call.provider, response.headers))
                _guard_stream(call, response)
                return stream
            try:
                failure = call.not_a_stream(response, await response.aread())
            finally:
                await response.aclose()
        except _TRANSPORT_ERRORS as error:
            failure = call.failure(error)
        raise failure

    async def _aread(
        self, call: _Call, translator: StreamTranslator, stream: openai.AsyncStream[Any]
    ) -> AsyncIterator[ModelResponseStream]:
        headers = stream.response.headers
        as_chunk = call.operation.stream_event
        failure: Exception | None = None
        try:
            async for event in stream:
                for chunk in translator.translate(as_chunk(_event(event))):
                    yield chunk
        except _STREAM_ERRORS as error:
            failure = call.failure(error, headers)
        finally:
            await stream.close()
        for chunk in translator.close():
            yield chunk
        if failure is None and not translator.finished:
            failure = call.unfinished(headers)
        if failure is not None:
            raise failure
