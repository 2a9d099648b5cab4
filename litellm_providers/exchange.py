"""The loops that move bytes for one ``Call``: a whole answer read under its deadline, a stream opened
(its status read before it is handed back) and translated event by event, a stream aggregated into one
answer. Sync and async differ only here; ``core.ProviderHandler`` decides which a LiteLLM entry point uses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pydantic
from litellm.types.utils import ModelResponse, ModelResponseStream

from litellm_providers.call import Call
from litellm_providers.failures import (
    BODY_ERRORS,
    STREAM_ERRORS,
    TRANSPORT_ERRORS,
    failure,
    not_a_stream,
    unfinished,
)
from litellm_providers.limits import MAX_ERROR_BODY_BYTES, MAX_SSE_LINE_BYTES, cut_body, guard_body
from litellm_providers.operations import (
    read_answer,
)
from litellm_providers.response_headers import hidden_params_from_headers
from litellm_providers.retries import aretried
from litellm_providers.streaming import StreamTranslator, aggregate_stream
from litellm_providers.transport import clients


def _is_event_stream(headers: Any) -> bool:
    content_type = headers.get("content-type")
    return content_type is None or content_type.split(";")[0].strip().lower() == "text/event-stream"


def _guard_stream(call: Call, response: Any) -> None:
    # A caller waiting for a whole answer gets it within timeout=; a stream's reader sees each chunk.
    guard_body(response, deadline=None if call.stream else call.deadline, max_line=MAX_SSE_LINE_BYTES)


def _event(chunk: Any) -> Any:
    # The SDK builds chunks without validation: dump exactly what arrived, whatever its shape.
    if isinstance(chunk, pydantic.BaseModel):
        return chunk.model_dump(exclude_none=True, warnings=False)
    return chunk


def post(call: Call) -> Any:
    client = clients.sync(call.base_url, call.api_key)
    try:
        http_response = call.send(client)
        try:
            # Read here, under the call's deadline (limits.py), not inside the SDK.
            guard_body(http_response, deadline=call.deadline, max_line=None, max_body=call.operation.max_body)
            http_response.read()
        finally:
            http_response.close()
    except BODY_ERRORS as error:
        problem = failure(call, error)
    else:
        return read_answer(call, http_response)
    raise problem  # outside the except block: the SDK's error (which holds the key) is no context


def aggregate(call: Call) -> ModelResponse:
    translator = call.translator()
    chunks = list(read_stream(call, translator, open_stream(call, translator)))
    response = aggregate_stream(
        chunks, call.messages, translator.provider_usage, call.logging_obj, translator.unclosed_reasoning
    )
    response._hidden_params.update(translator.hidden_params)
    return response


def open_stream(call: Call, translator: StreamTranslator) -> openai.Stream[Any]:
    client = clients.sync(call.base_url, call.api_key)
    try:
        stream: openai.Stream[Any] = call.send(client, stream=True)
        response = stream.response
        if _is_event_stream(response.headers):
            translator.hidden_params.update(hidden_params_from_headers(call.provider, response.headers))
            _guard_stream(call, response)
            return stream
        try:
            cut_body(response, MAX_ERROR_BODY_BYTES)  # a page, perhaps endless: its start says enough
            problem = not_a_stream(call, response, response.read())
        finally:
            response.close()
    except TRANSPORT_ERRORS as error:
        problem = failure(call, error)
    raise problem


def read_stream(
    call: Call, translator: StreamTranslator, stream: openai.Stream[Any]
) -> Iterator[ModelResponseStream]:
    headers = stream.response.headers
    as_chunk = call.operation.stream_event
    problem: Exception | None = None
    try:
        for event in stream:
            yield from translator.translate(as_chunk(_event(event)))
    except STREAM_ERRORS as error:
        problem = failure(call, error, headers)
    finally:
        stream.close()
    # Whatever arrived before a failure is yielded first, including text a splitter still holds.
    yield from translator.close()
    if problem is None and not translator.finished:
        problem = unfinished(call, headers)
    if problem is not None:
        raise problem


async def apost(call: Call) -> Any:
    client = clients.async_(call.base_url, call.api_key)
    try:
        http_response = await call.asend(client)
        try:
            guard_body(http_response, deadline=call.deadline, max_line=None, max_body=call.operation.max_body)
            await http_response.aread()
        finally:
            await http_response.aclose()
    except BODY_ERRORS as error:
        problem = failure(call, error)
    else:
        return read_answer(call, http_response)
    raise problem


async def aaggregate(call: Call) -> ModelResponse:
    translator = call.translator()
    stream = await aopen_stream(call, translator)
    chunks = [chunk async for chunk in aread_stream(call, translator, stream)]
    response = aggregate_stream(
        chunks, call.messages, translator.provider_usage, call.logging_obj, translator.unclosed_reasoning
    )
    response._hidden_params.update(translator.hidden_params)
    return response


async def astream(call: Call) -> AsyncIterator[ModelResponseStream]:
    translator = call.translator()
    stream = await aretried(call, lambda: aopen_stream(call, translator))
    async for chunk in aread_stream(call, translator, stream):
        yield chunk


async def aopen_stream(call: Call, translator: StreamTranslator) -> openai.AsyncStream[Any]:
    client = clients.async_(call.base_url, call.api_key)
    try:
        stream: openai.AsyncStream[Any] = await call.asend(client, stream=True)
        response = stream.response
        if _is_event_stream(response.headers):
            translator.hidden_params.update(hidden_params_from_headers(call.provider, response.headers))
            _guard_stream(call, response)
            return stream
        try:
            cut_body(response, MAX_ERROR_BODY_BYTES)  # a page, perhaps endless: its start says enough
            problem = not_a_stream(call, response, await response.aread())
        finally:
            await response.aclose()
    except TRANSPORT_ERRORS as error:
        problem = failure(call, error)
    raise problem


async def aread_stream(
    call: Call, translator: StreamTranslator, stream: openai.AsyncStream[Any]
) -> AsyncIterator[ModelResponseStream]:
    headers = stream.response.headers
    as_chunk = call.operation.stream_event
    problem: Exception | None = None
    try:
        async for event in stream:
            for chunk in translator.translate(as_chunk(_event(event))):
                yield chunk
    except STREAM_ERRORS as error:
        problem = failure(call, error, headers)
    finally:
        await stream.close()
    for chunk in translator.close():
        yield chunk
    if problem is None and not translator.finished:
        problem = unfinished(call, headers)
    if problem is not None:
        raise problem
