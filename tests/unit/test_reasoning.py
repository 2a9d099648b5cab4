"""Tests for litellm_providers.reasoning.

Besides examples, the properties compare the incremental splitters with deliberately naive,
whole-text, character-by-character reference parsers written from the rules, so a chunking bug and a
rule bug are caught by different tests. The rules: only reasoning before the answer counts (leading
segments or blocks, whitespace between them allowed); a bracket segment ends at the "]" that balances
its "[", or at a "]" directly followed by the next marker.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from litellm_providers.bracket_reasoning import BracketReasoningSplitter, _one_unbalanced_step
from litellm_providers.providers import PROVIDERS
from litellm_providers.reasoning import (
    PassthroughSplitter,
    Split,
    ThinkTagSplitter,
    split_text,
    splitter_for,
)
from litellm_providers.streaming import StreamTranslator

AnySplitter = BracketReasoningSplitter | ThinkTagSplitter | PassthroughSplitter

# Inside a segment a "]" is held with a proper prefix of the marker that may follow it.
BRACKET_BOUND = len("][Reasoning:") - 1
THINK_BOUND = len("</think>") - 1


# --- naive references -------------------------------------------------------------------------------


def reference_brackets(text: str) -> Split:
    reasoning: list[str] = []
    content: list[str] = []
    i = 0
    skip_ws = False
    any_reasoning = False
    answer = False
    while i < len(text):
        if answer or (text[i].isspace() and not skip_ws):
            content.append(text[i])
            i += 1
            continue
        if text[i].isspace():
            i += 1
            continue
        skip_ws = False
        marker = next((m for m in ("[Thinking:", "[Reasoning:") if text.startswith(m, i)), None)
        if marker is None:
            answer = True
            continue
        i += len(marker)
        if i < len(text) and text[i] == " ":
            i += 1
        depth = 1
        segment: list[str] = []
        while i < len(text):
            ch = text[i]
            i += 1
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth == 0 or text.startswith(("[Thinking:", "[Reasoning:"), i):
                    break
            segment.append(ch)
        if segment:
            if any_reasoning:
                reasoning.append("\n")
            reasoning.extend(segment)
            any_reasoning = True
        skip_ws = True
    return Split("".join(reasoning), "".join(content))


def reference_think(text: str) -> Split:
    reasoning: list[str] = []
    content: list[str] = []
    i = 0
    inside = False
    skip_ws = False
    answer = False
    while i < len(text):
        if skip_ws and text[i].isspace():
            i += 1
            continue
        skip_ws = False
        tag = "</think>" if inside else "<think>"
        if not answer and text.startswith(tag, i):
            i += len(tag)
            inside = not inside
            skip_ws = True
            continue
        if not inside and not text[i].isspace():
            answer = True
        (reasoning if inside else content).append(text[i])
        i += 1
    return Split("".join(reasoning), "".join(content))


def reference_think_opened(text: str) -> Split:
    # The prompt ended with "<think>": the output is read as if it followed that tag, after dropping a
    # repeated "<think>" (and the whitespace before it) at its start.
    rest = text.lstrip()
    if rest.startswith("<think>"):
        rest = rest[len("<think>") :]
    return reference_think("<think>" + rest)


# --- helpers ----------------------------------------------------------------------------------------


def feed_all(splitter: AnySplitter, chunks: Sequence[str]) -> Split:
    total = Split()
    for chunk in chunks:
        total += splitter.feed(chunk)
    return total + splitter.close()


def feed_events(splitter: AnySplitter, events: Sequence[str]) -> Split:
    total = Split()
    for event in events:
        total += splitter.feed_event(event)
    return total + splitter.close()


def opened_think() -> ThinkTagSplitter:
    return ThinkTagSplitter(opened=True)


def cut(text: str, points: Sequence[int]) -> list[str]:
    bounds = [0, *sorted(points), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


TOKENS = [
    "[Thinking:",
    "[Reasoning:",
    "[Thinking: ",
    "[Thin",
    "[Reas",
    "king:",
    "[",
    "]",
    "<think>",
    "</think>",
    "<thi",
    "nk>",
    "</",
    "<",
    ">",
    "/",
    " ",
    "  ",
    "\n",
    "\t",
    "\u2003",
    ":",
    "a",
    "b",
    "T",
    "R",
    "é",
    "🧠",
    "中",
    "x[0]",
]

texts = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)

FORMATS: list[tuple[Callable[[], AnySplitter], Callable[[str], Split], int]] = [
    (BracketReasoningSplitter, reference_brackets, BRACKET_BOUND),
    (ThinkTagSplitter, reference_think, THINK_BOUND),
    (opened_think, reference_think_opened, THINK_BOUND),
]
format_ids = ["brackets", "think_tags", "think_tags_opened"]


@st.composite
def chunked_texts(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = draw(texts)
    points = draw(st.lists(st.integers(min_value=0, max_value=len(text)), max_size=12))
    return text, cut(text, points)


# --- Split ------------------------------------------------------------------------------------------


def test_split_bool_and_add() -> None:
    assert not Split()
    assert Split(reasoning="r")
    assert Split(content="c")
    assert Split("a", "b") + Split("c", "d") == Split("ac", "bd")


def test_split_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Split().content = "x"  # type: ignore[misc]


# --- factory ----------------------------------------------------------------------------------------


def test_splitter_for_known_formats() -> None:
    assert isinstance(splitter_for("brackets"), BracketReasoningSplitter)
    assert isinstance(splitter_for("think_tags"), ThinkTagSplitter)
    assert isinstance(splitter_for("none"), PassthroughSplitter)


def test_splitter_for_think_tags_opened_starts_inside_the_block() -> None:
    splitter = splitter_for("think_tags_opened")
    assert isinstance(splitter, ThinkTagSplitter)
    assert split_text(splitter, "hmm</think>Hi") == Split("hmm", "Hi")
    assert split_text(splitter_for("think_tags"), "hmm</think>Hi") == Split(content="hmm</think>Hi")


def test_splitter_for_returns_fresh_instances() -> None:
    assert splitter_for("brackets") is not splitter_for("brackets")


def test_splitter_for_unknown_format_names_it() -> None:
    with pytest.raises(ValueError, match="xml_tags"):
        splitter_for("xml_tags")


# --- properties -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "reference", "bound"), FORMATS, ids=format_ids)
@settings(max_examples=300, deadline=None)
@given(sample=chunked_texts())
def test_chunking_does_not_change_the_result(
    make: Callable[[], AnySplitter],
    reference: Callable[[str], Split],
    bound: int,
    sample: tuple[str, list[str]],
) -> None:
    text, chunks = sample
    assert feed_all(make(), chunks) == split_text(make(), text)


@pytest.mark.parametrize(("make", "reference", "bound"), FORMATS, ids=format_ids)
@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_whole_text_matches_reference(
    make: Callable[[], AnySplitter], reference: Callable[[str], Split], bound: int, text: str
) -> None:
    assert split_text(make(), text) == reference(text)


@pytest.mark.parametrize(("make", "reference", "bound"), FORMATS, ids=format_ids)
@settings(max_examples=300, deadline=None)
@given(sample=chunked_texts())
def test_emits_everything_decided_and_holds_back_little(
    make: Callable[[], AnySplitter],
    reference: Callable[[str], Split],
    bound: int,
    sample: tuple[str, list[str]],
) -> None:
    # After each feed, the output so far is the reference result for the text received so far, except
    # for exactly `pending` characters held back at its end.
    text, chunks = sample
    splitter = make()
    emitted = Split()
    received = ""
    for chunk in chunks:
        emitted += splitter.feed(chunk)
        received += chunk
        assert splitter.pending <= bound
        expected = reference(received)
        assert expected.reasoning.startswith(emitted.reasoning)
        assert expected.content.startswith(emitted.content)
        held = len(expected.reasoning) - len(emitted.reasoning) + len(expected.content) - len(emitted.content)
        assert held == splitter.pending
    assert emitted + splitter.close() == reference(text)
    assert splitter.pending == 0


@pytest.mark.parametrize("make", [BracketReasoningSplitter, ThinkTagSplitter, PassthroughSplitter])
@settings(max_examples=300, deadline=None)
@given(
    sample=st.text(alphabet=st.characters(blacklist_characters="[<"), max_size=60).flatmap(
        lambda t: st.tuples(st.just(t), st.lists(st.integers(0, len(t)), max_size=8))
    )
)
def test_text_without_markers_is_content_unchanged(
    make: Callable[[], AnySplitter], sample: tuple[str, list[int]]
) -> None:
    text, points = sample
    assert feed_all(make(), cut(text, points)) == Split(content=text)


@pytest.mark.parametrize("make", [BracketReasoningSplitter, ThinkTagSplitter])
def test_text_with_other_brackets_and_angles_is_content_unchanged(make: Callable[[], AnySplitter]) -> None:
    text = "  a < b, <div>[x](y) [1] [Think: no] <thinking> [thinking: lower] ]] ["
    assert split_text(make(), text) == Split(content=text)
    assert feed_all(make(), list(text)) == Split(content=text)


@settings(max_examples=300, deadline=None)
@given(sample=chunked_texts())
def test_passthrough_emits_everything_at_once(sample: tuple[str, list[str]]) -> None:
    text, chunks = sample
    splitter = PassthroughSplitter()
    emitted = Split()
    for chunk in chunks:
        piece = splitter.feed(chunk)
        assert piece == Split(content=chunk)
        assert splitter.pending == 0
        emitted += piece
    assert not splitter.close()
    assert emitted == Split(content=text)


# --- brackets: examples -----------------------------------------------------------------------------


def test_documented_synternet_example() -> None:
    chunks = [
        "[Thinking: Let me break down blockchain consensus...]",
        "[Reasoning: Byzantine Fault Tolerance is key...]",
        "Blockchain consensus is a mechanism...",
    ]
    assert feed_all(BracketReasoningSplitter(), chunks) == Split(
        reasoning="Let me break down blockchain consensus...\nByzantine Fault Tolerance is key...",
        content="Blockchain consensus is a mechanism...",
    )


def test_documented_example_emits_each_segment_as_it_arrives() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thinking: Let me") == Split(reasoning="Let me")
    assert splitter.feed(" think]") == Split(reasoning=" think")
    assert splitter.feed("[Reasoning: more]") == Split(reasoning="\nmore")
    assert splitter.feed("Answer") == Split(content="Answer")
    assert not splitter.close()


def test_marker_split_across_chunks() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thin") == Split()
    assert splitter.pending == len("[Thin")
    assert splitter.feed("king: abc]") == Split(reasoning="abc")
    assert splitter.feed("Answer") == Split(content="Answer")
    assert not splitter.close()


def test_space_after_colon_split_off_is_still_dropped() -> None:
    assert feed_all(BracketReasoningSplitter(), ["[Reasoning:", " ", "x]y"]) == Split("x", "y")


def test_only_one_space_after_colon_is_dropped() -> None:
    assert split_text(BracketReasoningSplitter(), "[Thinking:  x]y") == Split(" x", "y")
    assert split_text(BracketReasoningSplitter(), "[Thinking:x]y") == Split("x", "y")


def test_nested_brackets_stay_in_reasoning() -> None:
    text = "[Reasoning: compare a[0] with b[1]]The answer"
    assert split_text(BracketReasoningSplitter(), text) == Split("compare a[0] with b[1]", "The answer")
    assert feed_all(BracketReasoningSplitter(), list(text)) == Split("compare a[0] with b[1]", "The answer")


def test_marker_text_inside_a_segment_is_just_nested_brackets() -> None:
    text = "[Thinking: a [Reasoning: b] c]d"
    assert split_text(BracketReasoningSplitter(), text) == Split("a [Reasoning: b] c", "d")


def test_markdown_link_and_citation_in_answer_stay_content() -> None:
    text = "[Thinking: look it up]See [the docs](https://example.com) and [1]."
    assert split_text(BracketReasoningSplitter(), text) == Split(
        "look it up", "See [the docs](https://example.com) and [1]."
    )


def test_marker_after_answer_text_is_answer_text() -> None:
    text = "Intro. [Thinking: hmm] Outro."
    assert split_text(BracketReasoningSplitter(), text) == Split(content=text)
    assert feed_all(BracketReasoningSplitter(), list(text)) == Split(content=text)


def test_a_segment_after_the_answer_started_stays_in_the_answer() -> None:
    # The reviewer's case: the answer quotes the marker; before, "[Thinking: ...]" left the answer.
    events = [
        "[Thinking: user asks about the format]",
        "Synternet's model writes ",
        "[Thinking: ...]",
        " before its answer.",
    ]
    expected = Split(
        "user asks about the format", "Synternet's model writes [Thinking: ...] before its answer."
    )
    assert feed_all(BracketReasoningSplitter(), events) == expected
    assert split_text(BracketReasoningSplitter(), "".join(events)) == expected


def test_several_leading_segments_with_whitespace_between_are_all_reasoning() -> None:
    text = "\n[Thinking: a]\n\n[Reasoning: b] [Thinking: c]\nAnswer [Reasoning: d]"
    assert split_text(BracketReasoningSplitter(), text) == Split("a\nb\nc", "\nAnswer [Reasoning: d]")


def test_marker_is_case_sensitive() -> None:
    text = "[thinking: no][REASONING: no]"
    assert split_text(BracketReasoningSplitter(), text) == Split(content=text)


def test_whitespace_after_segment_is_dropped_elsewhere_kept() -> None:
    assert split_text(BracketReasoningSplitter(), "[Thinking: A]\n\nAnswer  here\n") == Split(
        "A", "Answer  here\n"
    )
    assert split_text(BracketReasoningSplitter(), "[Thinking: A]\n[Reasoning: B]") == Split("A\nB", "")
    assert split_text(BracketReasoningSplitter(), "  [Thinking: A]") == Split("A", "  ")


def test_whitespace_after_segment_dropped_across_chunks() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thinking: A]\n") == Split(reasoning="A")
    assert splitter.feed("  \n") == Split()
    assert splitter.pending == 0
    assert splitter.feed(" B ") == Split(content="B ")


def test_no_separator_before_first_segment_or_after_empty_one() -> None:
    assert split_text(BracketReasoningSplitter(), " [Thinking: A]") == Split("A", " ")
    assert split_text(BracketReasoningSplitter(), "[Thinking: ][Reasoning: B]c") == Split("B", "c")
    assert split_text(BracketReasoningSplitter(), "[Thinking: A][Reasoning: ]c") == Split("A", "c")
    assert split_text(BracketReasoningSplitter(), "[Thinking: A] [Reasoning: B]") == Split("A\nB", "")


def test_multibyte_characters_in_reasoning_and_answer() -> None:
    text = "[Thinking: 中文 🧠 café]Réponse: 答案 🧠"
    expected = Split("中文 🧠 café", "Réponse: 答案 🧠")
    assert split_text(BracketReasoningSplitter(), text) == expected
    assert feed_all(BracketReasoningSplitter(), list(text)) == expected


def test_unterminated_segment_is_reasoning() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("\n [Reasoning: still [thinking") == Split("still [thinking", "\n ")
    assert splitter.pending == 0
    assert not splitter.close()


def test_partial_marker_at_end_becomes_content() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("\n[Reason") == Split(content="\n")
    assert splitter.close() == Split(content="[Reason")


def test_lone_bracket_is_emitted_once_it_cannot_be_a_marker() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed(" [") == Split(content=" ")
    assert splitter.pending == 1
    assert splitter.feed("T") == Split()
    assert splitter.feed("o") == Split(content="[To")
    assert splitter.pending == 0
    assert splitter.feed(" be continued" * 1000) == Split(content=" be continued" * 1000)
    assert splitter.pending == 0


def test_close_resets_for_reuse() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thinking: A") == Split(reasoning="A")
    splitter.close()
    # A fresh stream: outside a segment, and no separator owed to the previous stream's reasoning.
    assert split_text(splitter, "[Reasoning: C]b]") == Split("C", "b]")
    # ... and before the answer again.
    assert split_text(splitter, "Answer") == Split(content="Answer")
    assert split_text(splitter, "[Thinking: D]e") == Split("D", "e")


# --- brackets: one segment per event, as Synternet documents -------------------------------------------

MARKERS = ("[Thinking:", "[Reasoning:")

INNER_TOKENS = ["a", "b", " ", "\n", "\u2003", ":", "[", "(", ")", ")?", "x[0]", "中", "🧠"]
# Reasoning whose brackets may not balance, but that holds no "]" of its own.
open_inner_texts = st.lists(st.sampled_from(INNER_TOKENS), max_size=20).map("".join)


def stream_by_events(reasoning_format: str, events: Sequence[str]) -> Split:
    """What a caller gets when each text is one SSE event of a stream (the streaming path)."""
    translator = StreamTranslator(PROVIDERS["synternet"], "m", reasoning_format, merge_reasoning=False)
    chunks = [c for event in events for c in translator.translate(content_event(event))]
    chunks += translator.close()
    return Split(
        "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks),
        "".join(c.choices[0].delta.content or "" for c in chunks),
    )


def content_event(text: str) -> dict[str, object]:
    return {
        "id": "c1",
        "created": 1,
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


def test_unbalanced_step_ends_where_the_next_step_begins() -> None:
    events = [
        "[Thinking: ranges like [0, 1) are half-open.]",
        "[Reasoning: so 1 is excluded.]",
        "The answer is no.",
    ]
    expected = Split("ranges like [0, 1) are half-open.\nso 1 is excluded.", "The answer is no.")
    assert stream_by_events("brackets", events) == expected
    assert split_text(BracketReasoningSplitter(), "".join(events)) == expected


def test_a_segment_and_its_answer_in_one_event_split_like_the_whole_text() -> None:
    # Before, an event starting with a marker and ending in "]" was all reasoning.
    events = ["[Thinking: check the refs] See ref [1]"]
    assert stream_by_events("brackets", events) == Split("check the refs", "See ref [1]")


def test_a_segment_cut_across_events_ends_at_its_balancing_bracket() -> None:
    events = ["[Thinking: read a[0", "] then a[1]]", "The answer."]
    assert stream_by_events("brackets", events) == Split("read a[0] then a[1]", "The answer.")
    # An event shaped like a whole step whose brackets do not balance is one step, as Synternet sends
    # them (one object per step): a step cut there would not be the provider's framing.
    events = ["[Thinking: read a[0]", " then a[1]]", "The answer."]
    assert stream_by_events("brackets", events) == Split("read a[0", "then a[1]]The answer.")


def test_a_closing_bracket_held_for_the_next_marker_is_released() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thinking: a [b]") == Split(reasoning="a [b")
    assert splitter.pending == 1
    assert splitter.feed("[Reas") == Split()
    assert splitter.pending == len("][Reas")
    assert splitter.feed("oning: c]") == Split(reasoning="\nc")
    assert splitter.feed("Answer") == Split(content="Answer")
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thinking: a [b]") == Split(reasoning="a [b")
    assert splitter.feed(" c]d") == Split("] c", "d")


def test_a_held_closing_bracket_of_an_unclosed_segment_is_reasoning_and_counted() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed("[Thinking: a [b][Thi") == Split(reasoning="a [b")
    assert splitter.open_segment_chars == len("a [b][Thi")
    assert splitter.close() == Split(reasoning="][Thi")


def test_two_segments_in_one_event_are_two_segments() -> None:
    assert stream_by_events("brackets", ["[Thinking: a][Reasoning: b]", "Answer"]) == Split("a\nb", "Answer")


def test_a_segment_continued_across_events_keeps_its_brackets() -> None:
    events = ["[Thinking: a [", "b] c]", "Answer [1]"]
    assert stream_by_events("brackets", events) == Split("a [b] c", "Answer [1]")
    # Marker text not right after a "]" inside a segment is just nested brackets.
    events = ["[Thinking: a", "[Reasoning: b]", "]c"]
    assert stream_by_events("brackets", events) == Split("a[Reasoning: b]", "c")


@settings(max_examples=300, deadline=None)
@given(
    inner=open_inner_texts, marker=st.sampled_from(MARKERS), points=st.lists(st.integers(0, 80), max_size=8)
)
def test_a_step_with_open_brackets_ends_where_the_next_begins(
    inner: str, marker: str, points: list[int]
) -> None:
    text = f"{marker} {inner}][Reasoning: done]\nAnswer"
    expected = Split(f"{inner}\ndone" if inner else "done", "Answer")
    assert feed_all(BracketReasoningSplitter(), cut(text, [p % (len(text) + 1) for p in points])) == expected


@st.composite
def event_splits(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A text cut into events anywhere, often right after a "]" (where a segment may end)."""
    text = draw(texts)
    after_brackets = [i + 1 for i, ch in enumerate(text) if ch in "]>"]
    anywhere = st.integers(min_value=0, max_value=len(text))
    points = draw(
        st.lists(
            st.one_of(anywhere, st.sampled_from(after_brackets)) if after_brackets else anywhere, max_size=12
        )
    )
    return text, cut(text, points)


@pytest.mark.parametrize("reasoning_format", ["brackets", "think_tags", "think_tags_opened"])
@settings(max_examples=300, deadline=None)
@given(sample=event_splits())
@example(sample=("[Thinking: check the refs] See ref [1]", ["[Thinking: check the refs] See ref [1]"]))
@example(
    sample=("[Thinking: read a[0] then a[1]]The answer.", ["[Thinking: read a[0", "] then a[1]]The answer."])
)
def test_a_stream_split_into_events_anywhere_reads_as_the_whole_text(
    reasoning_format: str, sample: tuple[str, list[str]]
) -> None:
    text, events = sample
    # Except an event that is one whole step whose brackets do not balance: that is a step, as Synternet
    # sends them (the tests below), where the whole text has only counting to go by.
    assume(reasoning_format != "brackets" or not any(_one_unbalanced_step(e.strip()) for e in events))
    whole = split_text(splitter_for(reasoning_format), text)
    assert stream_by_events(reasoning_format, [e for e in events if e]) == whole


def test_a_whole_step_with_an_unbalanced_open_bracket_ends_with_its_event() -> None:
    events = ["[Thinking: ranges like [0, 1) are half-open.]", "The answer is no."]
    expected = Split("ranges like [0, 1) are half-open.", "The answer is no.")
    assert feed_events(BracketReasoningSplitter(), events) == expected
    assert stream_by_events("brackets", events) == expected
    events = [events[0], "[Reasoning: so 1 is excluded.]", "The answer is no."]
    expected = Split("ranges like [0, 1) are half-open.\nso 1 is excluded.", "The answer is no.")
    assert stream_by_events("brackets", events) == expected


def test_a_whole_step_with_an_extra_close_bracket_keeps_its_reasoning_out_of_the_answer() -> None:
    events = ["[Thinking: the interval (0, 1] contains 1.]", "[Reasoning: and not 0.]", "Yes, 1 is in it."]
    expected = Split("the interval (0, 1] contains 1.\nand not 0.", "Yes, 1 is in it.")
    assert feed_events(BracketReasoningSplitter(), events) == expected
    assert stream_by_events("brackets", events) == expected


def test_a_whole_step_is_emitted_at_once_and_whitespace_handled_like_feed() -> None:
    splitter = BracketReasoningSplitter()
    assert splitter.feed_event("\n[Thinking: a [b]\n") == Split("a [b", "\n")
    assert splitter.feed_event("  [Reasoning:  c)]") == Split(reasoning="\n c)")
    assert splitter.feed_event("\n\nAnswer [Thinking: (0, 1]]") == Split(content="Answer [Thinking: (0, 1]]")
    assert not splitter.close()


# --- think tags: examples ---------------------------------------------------------------------------


def test_think_tags_basic() -> None:
    assert split_text(ThinkTagSplitter(), "<think>I should add.</think>The answer is 4.") == Split(
        "I should add.", "The answer is 4."
    )


def test_think_tags_split_across_chunks() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<thi") == Split()
    assert splitter.pending == 4
    assert splitter.feed("nk>\nadd 2 and 2</thi") == Split(reasoning="add 2 and 2")
    assert splitter.pending == len("</thi")
    assert splitter.feed("nk>\n\n4") == Split(content="4")
    assert not splitter.close()


def test_think_tags_whitespace_after_tags_dropped_elsewhere_kept() -> None:
    text = "<think>\n  step one\n</think>\n\nThe answer  is 4.\n"
    assert split_text(ThinkTagSplitter(), text) == Split("step one\n", "The answer  is 4.\n")


def test_think_tags_other_angles_stay_content() -> None:
    text = "if a < b and <div> or <thinking> then </think> stays"
    assert split_text(ThinkTagSplitter(), text) == Split(content=text)


def test_think_tags_are_case_sensitive_and_do_not_nest() -> None:
    assert split_text(ThinkTagSplitter(), "<THINK>x</THINK>") == Split(content="<THINK>x</THINK>")
    assert split_text(ThinkTagSplitter(), "<think>a<think>b</think>c</think>") == Split(
        "a<think>b", "c</think>"
    )


DEEPSEEK_ANSWER = "DeepSeek-R1 wraps its reasoning in <think> tags, then answers. That is all."


def test_think_tag_in_the_answer_stays_in_the_answer() -> None:
    # The reviewer's case; before, everything after the answer's "<think>" became reasoning.
    text = f"<think>The user asks about tags.</think>{DEEPSEEK_ANSWER}"
    expected = Split("The user asks about tags.", DEEPSEEK_ANSWER)
    assert split_text(ThinkTagSplitter(), text) == expected
    assert feed_all(ThinkTagSplitter(), [text[i : i + 7] for i in range(0, len(text), 7)]) == expected
    assert stream_by_events("think_tags", [text[i : i + 7] for i in range(0, len(text), 7)]) == expected
    opened = text.removeprefix("<think>")
    assert split_text(ThinkTagSplitter(opened=True), opened) == expected


def test_think_tags_only_before_the_answer() -> None:
    assert split_text(ThinkTagSplitter(), "Use <think>x</think> tags.") == Split(
        content="Use <think>x</think> tags."
    )
    assert split_text(ThinkTagSplitter(), " \n<think>a</think>\n<think>b</think>c <think>d</think>") == Split(
        "ab", " \nc <think>d</think>"
    )


def test_think_tags_multibyte() -> None:
    text = "<think>中文 🧠 é</think>答案 🧠"
    assert feed_all(ThinkTagSplitter(), list(text)) == Split("中文 🧠 é", "答案 🧠")


def test_think_unterminated_block_flushes_held_text_as_reasoning() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<think>almost done </thi") == Split(reasoning="almost done ")
    assert splitter.close() == Split(reasoning="</thi")


def test_think_partial_open_tag_at_end_becomes_content() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("\n <thi") == Split(content="\n ")
    assert splitter.close() == Split(content="<thi")


def test_think_lone_angle_is_emitted_once_it_cannot_be_a_tag() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed(" <") == Split(content=" ")
    assert splitter.feed(" b") == Split(content="< b")
    assert splitter.pending == 0


# --- think tags opened in the prompt -----------------------------------------------------------------


def test_think_tags_opened_without_opening_tag() -> None:
    # Qwen3-*-Thinking-2507: the chat template put "<think>" in the prompt.
    text = "The user wants 2+2.\nThat is 4.\n</think>\n\nThe answer is 4."
    assert split_text(ThinkTagSplitter(opened=True), text) == Split(
        "The user wants 2+2.\nThat is 4.\n", "The answer is 4."
    )


def test_think_tags_opened_accepts_a_leading_opening_tag() -> None:
    with_tag = "\n<think>\nThe user wants 2+2.\n</think>\n\nThe answer is 4."
    without_tag = "The user wants 2+2.\n</think>\n\nThe answer is 4."
    expected = Split("The user wants 2+2.\n", "The answer is 4.")
    assert split_text(ThinkTagSplitter(opened=True), with_tag) == expected
    assert split_text(ThinkTagSplitter(opened=True), without_tag) == expected
    assert feed_all(ThinkTagSplitter(opened=True), list(with_tag)) == expected


def test_think_tags_opened_only_a_leading_opening_tag_is_skipped() -> None:
    assert split_text(ThinkTagSplitter(opened=True), "a <think> b</think>c") == Split("a <think> b", "c")


def test_think_tags_opened_holds_a_possible_opening_tag_then_releases_it() -> None:
    splitter = ThinkTagSplitter(opened=True)
    assert splitter.feed("  <thi") == Split()
    assert splitter.pending == len("<thi")
    assert splitter.feed("s is it</think>") == Split(reasoning="<this is it")
    assert splitter.feed("Done") == Split(content="Done")
    assert not splitter.close()


def test_think_tags_opened_unterminated_is_all_reasoning_and_close_resets() -> None:
    splitter = ThinkTagSplitter(opened=True)
    assert splitter.feed("still thinking </thi") == Split(reasoning="still thinking ")
    assert splitter.close() == Split(reasoning="</thi")
    assert split_text(splitter, "again</think>x") == Split("again", "x")


# --- properties: only leading reasoning counts --------------------------------------------------------

leading_reasoning = st.text(alphabet=st.characters(blacklist_characters="[]<"), max_size=20)
answers = st.tuples(st.sampled_from(["a", "中", "[", "<", ":", "]"]), texts).map("".join)


@pytest.mark.parametrize(
    ("make", "block"),
    [
        (BracketReasoningSplitter, "[Thinking: {}]"),
        (ThinkTagSplitter, "<think>{}</think>"),
        (opened_think, "{}</think>"),
    ],
    ids=format_ids,
)
@settings(max_examples=300, deadline=None)
@given(reasoning=leading_reasoning, answer=answers, points=st.lists(st.integers(0, 200), max_size=10))
def test_after_a_closed_leading_block_every_marker_is_answer(
    make: Callable[[], AnySplitter], block: str, reasoning: str, answer: str, points: list[int]
) -> None:
    # `answer` starts with a non-whitespace character, so it is all answer, markers and all.
    text = block.format(reasoning) + answer
    chunks = cut(text, [p % (len(text) + 1) for p in points])
    result = feed_all(make(), chunks)
    assert result.content == answer
    assert result == split_text(make(), text)


# --- volume -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "head", "reasoning_unit", "answer_unit", "tail", "bound"),
    [
        (
            BracketReasoningSplitter,
            "[Thinking: ",
            "weigh a[0] vs b[[1]] ",
            "Answer with [link](u) and x < y. [Reasoning: more]\n\n",
            "]",
            BRACKET_BOUND,
        ),
        (
            ThinkTagSplitter,
            "<think>\n",
            "weigh a < b [c] ",
            " Answer with <b> tags. <think>x</think> ",
            "</think>",
            THINK_BOUND,
        ),
    ],
    ids=format_ids[:2],
)
def test_one_megabyte_in_seven_character_chunks(
    make: Callable[[], AnySplitter], head: str, reasoning_unit: str, answer_unit: str, tail: str, bound: int
) -> None:
    repeats = 500_000 // len(answer_unit) + 1
    reasoning_text = reasoning_unit * repeats
    text = head + reasoning_text + tail + answer_unit.lstrip() + answer_unit * (repeats - 1)
    splitter = make()
    reasoning: list[str] = []
    content: list[str] = []
    for start in range(0, len(text), 7):
        piece = splitter.feed(text[start : start + 7])
        reasoning.append(piece.reasoning)
        content.append(piece.content)
        assert splitter.pending <= bound
    tail_split = splitter.close()
    total = Split("".join(reasoning) + tail_split.reasoning, "".join(content) + tail_split.content)
    assert total == split_text(make(), text)
    assert total.content == answer_unit.lstrip() + answer_unit * (repeats - 1)
    assert total.reasoning.count("weigh") == repeats
