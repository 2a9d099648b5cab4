"""The operations a provider serves, each a path, a request builder and an answer reader.

Everything else (the client pool, timeouts, retries, typed errors, key redaction, the redirect policy)
is the same for every operation: chat, embeddings, text completions, the quotas read and the live model
list differ only in these fields, as LiteLLM's own providers differ per operation only in their
transformation class.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from litellm.types.utils import EmbeddingResponse, ModelResponse

from litellm_providers.errors import refused_before_sending, unusable_answer
from litellm_providers.limits import load_json
from litellm_providers.provider import ProviderSpec
from litellm_providers.quota import QuotaSnapshot
from litellm_providers.translate import (
    UnreadableAnswer,
    build_embedding_request,
    build_request,
    build_text_completion_request,
    embedding_response_from_json,
    hidden_params_from_headers,
    model_response_from_json,
    request_headers,
    text_completion_as_chat,
    text_completion_chunk_as_chat,
)

if TYPE_CHECKING:
    from litellm_providers.call import Call

logger = logging.getLogger("litellm_providers")
MIB = 1024 * 1024


def _has_image(messages: list[Any]) -> bool:
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
            isinstance(part, dict) and part.get("type") == "image_url" for part in content
        ):
            return True
    return False


ReadAnswer = Callable[["Call", Any], Any]
BuildRequest = Callable[["Call", Any, Mapping[str, Any]], tuple[dict[str, Any], dict[str, str]]]


def _same_event(event: Any) -> Any:
    return event


@dataclass(frozen=True)
class Operation:
    """One kind of call: where it goes, what it sends, how its answer is read.

    Everything else is the transport's (``core.py``, ``call.py``, ``transport.py``) and the same for
    every operation.
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
    listed_endpoint: bool = True
    """One of the OpenAI endpoints a provider lists (``ProviderSpec.endpoints``); a call to one it does
    not list is refused before sending. The quotas read and the model list are not such endpoints."""
    max_body: int = 64 * MIB
    """The largest answer read (decoded bytes): far above any real answer of the operation, far below
    what would hurt a proxy worker. Streams are bounded per line instead (limits.py)."""


def _chat_request(
    call: Call, messages: Any, optional_params: Mapping[str, Any]
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


def _chat_answer(call: Call, data: Any) -> ModelResponse:
    return model_response_from_json(call.provider, call.model, data, call.reasoning, call.merge_reasoning)


CHAT = Operation(
    path="/chat/completions",
    expected="a chat completion (JSON with a 'choices' list)",
    build=_chat_request,
    read=_chat_answer,
)


def _text_completion_request(
    call: Call, messages: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    return build_text_completion_request(
        call.provider, call.model, messages, optional_params, call.stream_upstream
    )


def _text_completion_answer(call: Call, data: Any) -> ModelResponse:
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
    call: Call, texts: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    return build_embedding_request(call.provider, call.model, texts, optional_params)


def _embedding_answer(call: Call, data: Any) -> EmbeddingResponse:
    return embedding_response_from_json(call.model, data, sent=call.messages)  # one vector per input


EMBEDDINGS = Operation(
    path="/embeddings",
    expected="embeddings (JSON with a 'data' list)",
    build=_embedding_request,
    read=_embedding_answer,
    # 2,048 inputs of 4,096 dimensions written as JSON floats come to ~170 MB.
    max_body=256 * MIB,
)


def _quotas_request(
    call: Call, _: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    return {}, request_headers(optional_params)


def _quotas_answer(call: Call, data: Any) -> QuotaSnapshot:
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
        listed_endpoint=False,
        max_body=MIB,  # a handful of windows: a few hundred bytes
    )


def _models_answer(call: Call, data: Any) -> Any:
    # The JSON as it came: refresh.parse_live_list validates it entry by entry.
    return data


def models_operation(provider: ProviderSpec) -> Operation:
    """The live model list (``GET {base}/models``, the gateway's ``/capabilities``)."""
    if provider.models_path is None:
        raise ValueError(f"{provider.display_name} publishes no model list")
    return Operation(
        path=provider.models_path,
        expected="a model list (JSON with a 'data' list)",
        build=_quotas_request,
        read=_models_answer,
        method="GET",
        uses_catalog=False,
        listed_endpoint=False,
        # Synthetic's list of ~50 models is ~60 KB; 16 MiB holds thousands more than any provider serves.
        max_body=16 * MIB,
    )


def read_answer(call: Call, http_response: Any) -> Any:
    """The operation's answer, read from a 200's JSON body, with what the headers tell LiteLLM."""
    try:
        answer = call.operation.read(call, load_json(http_response.content))
    except (ValueError, TypeError, AttributeError, KeyError, UnreadableAnswer) as error:
        # Not JSON, not the operation's answer, or one LiteLLM's response classes refuse. Only the
        # error's type is logged: its text may quote the body, which may echo the key.
        logger.debug("%s: unusable JSON answer (%s)", call, type(error).__name__)
        failure = unusable_answer(
            call.provider,
            call.model,
            http_response.status_code,
            http_response.content,
            http_response.headers,
            call.operation.expected,
            secret=call.api_key,
        )
    else:
        hidden = getattr(answer, "_hidden_params", None)
        if isinstance(hidden, dict):
            hidden.update(hidden_params_from_headers(call.provider, http_response.headers))
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
