"""The three ways of reading one stream that the benchmark compares, sync and async.

* ``package``: ``litellm.completion(model="synternet/syntoshi-apex-thinking", ...)`` after
  ``litellm_providers.register()``: this package's handler, reasoning moved to ``reasoning_content``.
* ``openai``: ``litellm.completion(model="openai/syntoshi-apex-thinking", ...)``: LiteLLM's own
  OpenAI-compatible route at the same server; reasoning stays inline in ``content``.
* ``httpx``: a bare ``httpx`` POST, ``iter_lines``, ``json.loads`` per ``data:`` line: the floor.

Each consumer reads every chunk's text (content and, where there is one, reasoning) and returns what
it read, so the run can check that every route delivered the whole stream and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
import litellm

ROUTES = ("package", "openai", "httpx")
LABELS = {
    "package": "(a) synternet/ (this package)",
    "openai": "(b) openai/ (LiteLLM generic)",
    "httpx": "(c) bare httpx",
}
MODELS = {"package": "synternet/syntoshi-apex-thinking", "openai": "openai/syntoshi-apex-thinking"}


@dataclass
class Read:
    """What one consumer got from one stream."""

    reasoning: str
    content: str
    chunks: int


def _messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


class Routes:
    """Consumers bound to one server; the httpx clients live as long as LiteLLM's do (the whole run)."""

    def __init__(self, api_base: str) -> None:
        self.api_base = api_base
        self._client = httpx.Client(timeout=60)
        self._aclient: httpx.AsyncClient | None = None

    def close(self) -> None:
        self._client.close()

    def server_stats(self) -> dict[str, Any]:
        """The server's request counts per (path, model): proof of what each route asked for."""
        root = self.api_base.rsplit("/v1", 1)[0]
        response = self._client.get(root + "/stats")
        response.raise_for_status()
        stats: dict[str, Any] = response.json()
        return stats

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.aclose()

    # -- sync ---------------------------------------------------------------------------------------

    def sync(self, route: str) -> Callable[[str], Read]:
        return self._litellm_sync(MODELS[route]) if route in MODELS else self._httpx_sync

    def _litellm_sync(self, model: str) -> Callable[[str], Read]:
        def read(prompt: str) -> Read:
            reasoning: list[str] = []
            content: list[str] = []
            count = 0
            stream = litellm.completion(
                model=model, messages=_messages(prompt), api_base=self.api_base, api_key="x", stream=True
            )
            for chunk in stream:
                count += 1
                delta = chunk.choices[0].delta
                if delta.content:
                    content.append(delta.content)
                extra = getattr(delta, "reasoning_content", None)
                if extra:
                    reasoning.append(extra)
            return Read("".join(reasoning), "".join(content), count)

        return read

    def _httpx_sync(self, prompt: str) -> Read:
        content: list[str] = []
        count = 0
        body = {"model": MODELS["openai"].split("/", 1)[1], "messages": _messages(prompt), "stream": True}
        headers = {"Authorization": "Bearer x"}
        url = self.api_base + "/chat/completions"
        with self._client.stream("POST", url, json=body, headers=headers) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                count += 1
                text = chunk["choices"][0]["delta"].get("content")
                if text:
                    content.append(text)
        return Read("", "".join(content), count)

    # -- async --------------------------------------------------------------------------------------

    def async_(self, route: str) -> Callable[[str], Coroutine[Any, Any, Read]]:
        return self._litellm_async(MODELS[route]) if route in MODELS else self._httpx_async

    def _litellm_async(self, model: str) -> Callable[[str], Coroutine[Any, Any, Read]]:
        async def read(prompt: str) -> Read:
            reasoning: list[str] = []
            content: list[str] = []
            count = 0
            stream = await litellm.acompletion(
                model=model, messages=_messages(prompt), api_base=self.api_base, api_key="x", stream=True
            )
            async for chunk in stream:
                count += 1
                delta = chunk.choices[0].delta
                if delta.content:
                    content.append(delta.content)
                extra = getattr(delta, "reasoning_content", None)
                if extra:
                    reasoning.append(extra)
            return Read("".join(reasoning), "".join(content), count)

        return read

    async def _httpx_async(self, prompt: str) -> Read:
        if self._aclient is None:
            self._aclient = httpx.AsyncClient(timeout=60)
        content: list[str] = []
        count = 0
        body = {"model": MODELS["openai"].split("/", 1)[1], "messages": _messages(prompt), "stream": True}
        headers = {"Authorization": "Bearer x"}
        url = self.api_base + "/chat/completions"
        async with self._aclient.stream("POST", url, json=body, headers=headers) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                count += 1
                text = chunk["choices"][0]["delta"].get("content")
                if text:
                    content.append(text)
        return Read("", "".join(content), count)
