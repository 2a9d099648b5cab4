"""200 async streams at once over loopback, across the three routes: each caller gets its own answer.

Every prompt is unique and the emulator echoes it into both the reasoning and the answer, so a chunk
delivered to the wrong caller, lost, duplicated or reordered shows up as a mismatch for that caller.
The emulator's events are cut into 7-character pieces so the streams interleave finely.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import litellm
import pytest

from litellm_providers.emulator import Emulator

CALLERS = 200
# route -> (model, the reasoning the caller must get for question q)
ROUTES: dict[str, tuple[str, Any]] = {
    "synthetic": (
        "synthetic/hf:deepseek-ai/DeepSeek-R1-0528",
        lambda q: f"The user asked: '{q}'. Let me answer briefly.",
    ),
    "synternet": (
        "synternet/syntoshi-apex-thinking",
        lambda q: f"The user asked: '{q}'.\nLet me answer briefly.",
    ),
    "syncropic": ("syncropic/claude-haiku-4-5", lambda q: ""),
}
DEADLINE = 120  # seconds for all of them; a bound on a hang, not a speed requirement


@pytest.fixture(scope="module")
def roomy_emulator() -> Iterator[Emulator]:
    """An emulator whose listening socket queues 200 connections.

    ``EmulatorServer`` keeps socketserver's default backlog of 5: with 200 callers connecting at once,
    Linux resets the connections the queue cannot hold, and the callers see ``APIConnectionError``
    (``ReadError``). A provider's real endpoint queues far more, so the test gives the emulator room.
    """
    with Emulator() as emulator:
        emulator.server.socket.listen(CALLERS)
        yield emulator


async def _one(emulator: Emulator, index: int) -> tuple[str, str, str, str]:
    route = list(ROUTES)[index % len(ROUTES)]
    model, _ = ROUTES[route]
    question = f"Caller {index:03d} on {route}: what is {index} times {index}?"
    stream = await litellm.acompletion(
        model=model,
        messages=[{"role": "user", "content": f"{question} emulate:chunk=7"}],
        api_base=emulator.base_url(route),
        stream=True,
        timeout=60,
    )
    reasoning: list[str] = []
    content: list[str] = []
    async for chunk in stream:
        if chunk.choices:
            reasoning.append(getattr(chunk.choices[0].delta, "reasoning_content", None) or "")
            content.append(chunk.choices[0].delta.content or "")
    return route, question, "".join(reasoning), "".join(content)


def test_200_concurrent_streams_each_get_their_own_reasoning_and_answer(roomy_emulator: Emulator) -> None:
    async def everyone() -> list[tuple[str, str, str, str]]:
        calls = [_one(roomy_emulator, index) for index in range(CALLERS)]
        return await asyncio.wait_for(asyncio.gather(*calls), timeout=DEADLINE)

    results = asyncio.run(everyone())

    assert len(results) == CALLERS
    for route, question, reasoning, content in results:
        _, expected_reasoning = ROUTES[route]
        assert content == f"You asked: {question}", (route, question)
        assert reasoning == expected_reasoning(question), (route, question)
    assert len({question for _, question, _, _ in results}) == CALLERS
