"""The emulator's tool calls: one tool per turn, with arguments its schema accepts, so a coding agent
(Claude Code, Codex, opencode) runs the call and the next turn reports the output."""

from __future__ import annotations

import json
from typing import Any

import litellm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litellm_providers.emulator import Emulator
from litellm_providers.emulator.replies import compose_reply
from litellm_providers.emulator.tool_calls import arguments_for

# Claude Code's Bash tool, as it offers it: only ``command`` is required.
BASH = {
    "type": "function",
    "function": {
        "name": "Bash",
        "parameters": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The command to execute"},
                "timeout": {"type": "number"},
                "description": {"type": "string"},
                "run_in_background": {"type": "boolean"},
            },
            "required": ["command"],
            "additionalProperties": False,
        },
    },
}
# A Codex-style shell tool: the command is an argv array.
SHELL = {
    "type": "function",
    "function": {
        "name": "shell",
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "array", "items": {"type": "string"}},
                "workdir": {"type": "string"},
                "timeout_ms": {"type": "number"},
            },
            "required": ["command"],
        },
    },
}
READ = {
    "type": "function",
    "function": {
        "name": "Read",
        "parameters": {
            "type": "object",
            "properties": {"file_path": {"type": "string"}},
            "required": ["file_path"],
        },
    },
}


def _calls(messages: list[dict[str, Any]], tools: list[Any], **body: Any) -> list[tuple[str, Any]]:
    reply = compose_reply({"messages": messages, "tools": tools, **body})
    return [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in reply.tool_calls]


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_a_bash_tool_gets_the_backticked_command_through_the_emulator(emulator: Emulator) -> None:
    response = litellm.completion(
        model="synthetic/hf:moonshotai/Kimi-K2-Instruct-0905",
        api_base=emulator.base_url("synthetic"),
        messages=_user("Use the Bash tool to run `echo hi` and tell me what it printed."),
        tools=[READ, BASH],
    )
    (call,) = response.choices[0].message.tool_calls
    assert call.function.name == "Bash"
    assert json.loads(call.function.arguments) == {"command": "echo hi"}


def test_a_shell_tool_taking_argv_gets_the_command_split_into_words() -> None:
    assert _calls(_user('run `echo "hello world"`'), [SHELL]) == [
        ("shell", {"command": ["echo", "hello world"]})
    ]


def test_a_fenced_block_counts_as_the_quoted_command() -> None:
    assert _calls(_user("Run this:\n```bash\nls -la\n```"), [BASH]) == [("Bash", {"command": "ls -la"})]


def test_without_backticks_a_string_gets_the_question() -> None:
    assert _calls(_user("What is in the readme?"), [READ]) == [
        ("Read", {"file_path": "What is in the readme?"})
    ]


def test_the_quote_comes_from_the_users_words_after_a_clients_reminder() -> None:
    # Claude Code sends its reminders as text parts before the prompt; the user's tool and quote win.
    content = [
        {"type": "text", "text": "<system-reminder>Use Read, not `cat`.</system-reminder>"},
        {"type": "text", "text": "Use Bash to run `echo hi`"},
    ]
    calls = _calls([{"role": "user", "content": content}], [READ, BASH])
    assert calls == [("Bash", {"command": "echo hi"})]


@pytest.mark.parametrize(
    ("schema", "arguments"),
    [
        ({"type": "integer"}, 1),
        ({"type": "number"}, 1),
        ({"type": "boolean"}, False),
        ({"enum": ["fast", "slow"]}, "fast"),
        ({"type": ["null", "string"]}, "ask"),
        ({"type": "array", "items": {"type": "object"}}, []),
        ({"type": "array", "items": {"type": "string"}}, ["ask"]),
        (
            {
                "type": "object",
                "properties": {"x": {"type": "integer"}, "y": {"type": "string"}},
                "required": ["x"],
            },
            {"x": 1},
        ),
        ({"anyOf": [{"type": "boolean"}, {"type": "string"}]}, False),
        ({"$ref": "#/$defs/count"}, 1),
    ],
)
def test_each_required_property_gets_a_value_of_its_type(schema: dict[str, Any], arguments: Any) -> None:
    parameters = {
        "type": "object",
        "properties": {"wanted": schema, "optional": {"type": "string"}},
        "required": ["wanted"],
        "$defs": {"count": {"type": "integer"}},
    }
    assert arguments_for(parameters, "ask") == {"wanted": arguments}


@pytest.mark.parametrize(
    "schema",
    [
        None,
        "garbage",
        7,
        [],
        {},
        {"type": "object"},
        {"required": "command"},
        {"type": "string"},
        {"$ref": 3},
    ],
)
def test_a_missing_or_malformed_schema_gives_no_arguments(schema: Any) -> None:
    assert arguments_for(schema, "ask") == {}


def test_a_self_referencing_schema_ends() -> None:
    looping = {"type": "object", "properties": {f"p{i}": {"$ref": "#"} for i in range(6)}}
    looping["required"] = list(looping["properties"])
    assert isinstance(arguments_for(looping, "ask"), dict)


def test_one_call_per_turn_to_the_tool_the_user_names() -> None:
    assert _calls(_user("Please use bash to run `echo hi`"), [READ, BASH, SHELL]) == [
        ("Bash", {"command": "echo hi"})
    ]


def test_a_name_only_counts_as_a_whole_word() -> None:
    # "Reading" is not "Read": the first tool offered is called.
    assert [name for name, _ in _calls(_user("Reading is fun"), [BASH, READ])] == ["Bash"]


def test_with_no_tool_named_the_first_offered_is_called_once() -> None:
    assert _calls(_user("hello"), [READ, BASH], parallel_tool_calls=True) == [
        ("Read", {"file_path": "hello"})
    ]


@pytest.mark.parametrize(
    "tool_choice",
    [{"type": "function", "function": {"name": "shell"}}, {"type": "function", "name": "shell"}],
)
def test_tool_choice_naming_a_function_forces_it(tool_choice: Any) -> None:
    calls = _calls(_user("Use Bash to run `echo hi`"), [BASH, SHELL], tool_choice=tool_choice)
    assert calls == [("shell", {"command": ["echo", "hi"]})]


def test_tool_choice_none_calls_nothing_and_required_calls_one() -> None:
    assert _calls(_user("run `ls`"), [BASH], tool_choice="none") == []
    assert _calls(_user("run `ls`"), [BASH], tool_choice="required") == [("Bash", {"command": "ls"})]


def test_the_tool_directive_picks_a_tool_or_none() -> None:
    assert _calls(_user("run `ls` emulate:tool=shell"), [BASH, SHELL]) == [("shell", {"command": ["ls"]})]
    assert _calls(_user("just talk emulate:tool=none"), [BASH]) == []


def test_flat_responses_and_anthropic_tool_shapes_are_read() -> None:
    responses = {"type": "function", "name": "Bash", "parameters": BASH["function"]["parameters"]}  # type: ignore[index]
    anthropic = {"name": "Bash", "input_schema": BASH["function"]["parameters"]}  # type: ignore[index]
    for tool in (responses, anthropic):
        assert _calls(_user("run `pwd`"), [{"type": "mcp", "server_label": "x"}, tool]) == [
            ("Bash", {"command": "pwd"})
        ]


def test_the_turn_after_a_tool_result_reports_it_even_with_client_text_after_it() -> None:
    first = compose_reply({"messages": _user("run `echo hi`"), "tools": [BASH]})
    history = [
        *_user("run `echo hi`"),
        {"role": "assistant", "content": None, "tool_calls": first.tool_calls},
        {"role": "tool", "tool_call_id": first.tool_calls[0]["id"], "content": "hi\n"},
        {
            "role": "user",
            "content": [{"type": "text", "text": "<system-reminder>todo list empty</system-reminder>"}],
        },
    ]
    final = compose_reply({"messages": history, "tools": [BASH]})
    assert final.tool_calls == [] and final.answer == "The tool says: hi\n"
    # A later turn's call gets a fresh id: clients reject an id they have seen.
    later = compose_reply(
        {"messages": [*history, {"role": "assistant", "content": "ok"}, *_user("again")], "tools": [BASH]}
    )
    assert later.tool_calls[0]["id"] != first.tool_calls[0]["id"]


_KEYWORDS = [
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "$defs",
]
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from(
        ["object", "array", "string", "integer", "boolean", "null", "#", "#/$defs/a", "#/properties"]
    ),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYWORDS) | st.text(max_size=4), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(schema=_JSON, text=st.text(max_size=20))
def test_any_schema_ish_json_gives_a_dict_of_arguments(schema: Any, text: str) -> None:
    arguments = arguments_for(schema, text)
    assert isinstance(arguments, dict)
    json.dumps(arguments)  # what the emulator sends as the call's arguments


_TOOL = st.fixed_dictionaries(
    {
        "type": st.just("function"),
        "function": st.fixed_dictionaries({"name": st.text(max_size=5), "parameters": _JSON}),
    }
)


@settings(max_examples=200, deadline=None)
@given(tools=st.lists(_TOOL | _JSON, max_size=3) | _JSON, tool_choice=_JSON, content=_JSON)
def test_any_tools_and_messages_give_a_reply(tools: Any, tool_choice: Any, content: Any) -> None:
    reply = compose_reply(
        {"messages": [{"role": "user", "content": content}], "tools": tools, "tool_choice": tool_choice}
    )
    assert len(reply.tool_calls) <= 1
