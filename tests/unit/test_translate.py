"""StreamTranslator: the pure half of the streaming path."""

from __future__ import annotations

from typing import Any

import litellm

from litellm_providers.providers import PROVIDERS
from litellm_providers.streaming import StreamTranslator
from litellm_providers.translate import build_request, model_response_from_json


def _chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "created": 1,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def _run(translator: StreamTranslator, chunks: list[dict[str, Any]]) -> list[Any]:
    out = [c for chunk in chunks for c in translator.translate(chunk)]
    return out + translator.close()


def test_upstream_reasoning_fields_pass_through_untouched() -> None:
    translator = StreamTranslator(PROVIDERS["synthetic"], "m", "think_tags", merge_reasoning=False)
    chunks = _run(
        translator,
        [
            _chunk({"role": "assistant", "reasoning_content": "from the provider <think>not a tag</think>"}),
            _chunk({"reasoning": " and more"}),
            _chunk({"content": "answer"}, "stop"),
        ],
    )
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks)
    assert reasoning == "from the provider <think>not a tag</think> and more"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "answer"


def test_a_provider_that_separates_reasoning_keeps_its_answer_with_an_opened_block_format() -> None:
    """think_tags_opened reads untagged text as reasoning; not when the provider split it already."""
    translator = StreamTranslator(PROVIDERS["synthetic"], "m", "think_tags_opened", merge_reasoning=False)
    chunks = _run(
        translator,
        [
            _chunk({"role": "assistant", "reasoning_content": "thought"}),
            _chunk({"content": "answer"}, "stop"),
        ],
    )
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks)
    assert (reasoning, "".join(c.choices[0].delta.content or "" for c in chunks)) == ("thought", "answer")


def test_a_whole_answer_that_never_closes_an_opened_block_is_all_answer() -> None:
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}}]}
    response = model_response_from_json(PROVIDERS["synthetic"], "m", body, "think_tags_opened", False)
    message = response.choices[0].message
    assert (message.content, getattr(message, "reasoning_content", None)) == ("Paris.", None)
    body["choices"][0]["message"]["content"] = "It is Paris.\n</think>\n\nParis."
    response = model_response_from_json(PROVIDERS["synthetic"], "m", body, "think_tags_opened", False)
    assert response.choices[0].message.content == "Paris."
    assert response.choices[0].message.reasoning_content.strip() == "It is Paris."


def test_finish_and_usage_come_last_after_held_back_text() -> None:
    translator = StreamTranslator(PROVIDERS["synternet"], "m", "brackets", merge_reasoning=False)
    usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    chunks = _run(
        translator, [_chunk({"content": "\n[Thin"}, "stop"), {"id": "c1", "choices": [], "usage": usage}]
    )
    assert [c.choices[0].delta.content for c in chunks] == ["\n", "[Thin", None, None]
    assert chunks[-2].usage.total_tokens == 7 and chunks[-2].choices[0].finish_reason is None
    assert chunks[-1].choices[0].finish_reason == "stop"
    built = litellm.stream_chunk_builder(chunks)
    assert built.choices[0].message.content == "\n[Thin"
    assert built.usage.total_tokens == 7


def test_tool_call_deltas_are_neither_eaten_nor_delayed() -> None:
    translator = StreamTranslator(PROVIDERS["synternet"], "m", "brackets", merge_reasoning=False)
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a"'}}
    out = translator.translate(_chunk({"content": "[Thinking: use f]", "tool_calls": [call]}))
    assert len(out) == 1
    assert out[0].choices[0].delta.reasoning_content == "use f"
    assert out[0].choices[0].delta.tool_calls[0].function.arguments == '{"a"'


def test_build_request_renames_and_keeps_extra_body() -> None:
    body, headers = build_request(
        PROVIDERS["synternet"],
        "syntoshi-apex-thinking",
        [{"role": "user", "content": "x"}],
        {"max_completion_tokens": 5, "extra_body": {"custom": 1}, "extra_headers": {"X-Trace": "t"}},
        stream=True,
    )
    assert body == {
        "model": "synternet/syntoshi-apex-thinking",
        "messages": [{"role": "user", "content": "x"}],
        "max_tokens": 5,
        "custom": 1,
        "stream": True,
    }
    assert headers["X-Trace"] == "t" and headers["User-Agent"].startswith("litellm-providers/")


def test_a_think_segment_before_a_tool_call_is_reasoning_and_the_call_is_intact() -> None:
    translator = StreamTranslator(PROVIDERS["synthetic"], "m", "think_tags", merge_reasoning=False)
    head = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f", "arguments": ""}}
    tail = {"index": 0, "function": {"arguments": '{"q": 1}'}}
    chunks = _run(
        translator,
        [
            _chunk({"role": "assistant", "content": "<thi"}),
            _chunk({"content": "nk>call f</thi"}),
            _chunk({"content": "nk>", "tool_calls": [head]}),
            _chunk({"tool_calls": [tail]}, "tool_calls"),
        ],
    )
    # The tool-call deltas come out in the same chunks, in order, not held behind the partial tag.
    calls = [c.choices[0].delta.tool_calls for c in chunks if c.choices[0].delta.tool_calls]
    assert [tc[0].function.arguments for tc in calls] == ["", '{"q": 1}']
    built = litellm.stream_chunk_builder(chunks)
    assert built.choices[0].message.reasoning_content == "call f"
    assert not built.choices[0].message.content
    assert built.choices[0].message.tool_calls[0].function.arguments == '{"q": 1}'
    assert built.choices[0].finish_reason == "tool_calls"


def test_an_sse_error_event_takes_the_status_its_code_stands_for() -> None:
    from litellm_providers.errors import stream_error_event

    gateway = PROVIDERS["syncropic"]
    limited = stream_error_event(gateway, "m", {"code": "rate_limited", "message": "slow down"}, {})
    assert isinstance(limited, litellm.RateLimitError) and limited.status_code == 429
    quota = stream_error_event(gateway, "m", {"code": "quota_exceeded", "message": "cap"}, {})
    assert isinstance(quota, litellm.exceptions.PaymentRequiredError) and quota.status_code == 402
    unknown = stream_error_event(gateway, "m", {"code": "weird", "message": "?"}, {})
    assert unknown.status_code == 500
