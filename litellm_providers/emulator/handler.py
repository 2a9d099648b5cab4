"""The emulator's request handler: which provider and endpoint a request is for, and which answer it gets."""

from __future__ import annotations

import functools
import json
import time
from typing import Any
from urllib.parse import urlparse

from litellm_providers.catalog import active_models, model_entry
from litellm_providers.emulator.faults import STATUS_FAULTS, TIMEOUT_SECONDS
from litellm_providers.emulator.platform import QUOTA_LIMIT, live_model_list, quotas_answer
from litellm_providers.emulator.replies import compose_reply, directives_of, number
from litellm_providers.emulator.streams import Streams
from litellm_providers.provider import ProviderSpec
from litellm_providers.providers import PROVIDERS

# The request field a non-chat endpoint is steered by (its text is read as the chat turn's message).
_INPUT_FIELD = {"/completions": "prompt", "/embeddings": "input"}


class Handler(Streams):
    """Routes a request to its provider's endpoint, and a fault or an answer."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the emulator is quiet; tests read what the client saw

    # -- routing ------------------------------------------------------------------------------------

    def do_POST(self) -> None:
        provider, endpoint = self._endpoint(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if provider is None:
            return self._json(404, {"error": {"message": f"no such path {self.path}", "code": "not_found"}})
        anonymous = self._anonymous(provider)
        if not anonymous and not self._authorized():
            return self._error(provider, 401, "", "Invalid API key provided")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(provider, 400, "invalid_request_error", "The body is not valid JSON")
        # Header names lower-cased, as HTTP compares them (httpx sends "Authorization", httpx2 lower-case).
        sent = {name.lower(): value for name, value in self.headers.items()}
        search = provider.search if provider.search and endpoint == provider.search.path else None
        searching = search is not None
        if endpoint != "/chat/completions" and isinstance(body, dict):
            # A text completion (embedding, search) is steered as a chat turn whose message is its input.
            given = body.get(search.query_field if search is not None else _INPUT_FIELD.get(endpoint, ""))
            text = given if isinstance(given, str) else " ".join(map(str, given or []))
            body = {**body, "messages": [{"role": "user", "content": text}]}
        self.server.requests.append(
            {"provider": provider.route, "body": body, "headers": sent, "endpoint": endpoint}
        )
        if anonymous:
            # The tier gate runs up-front, before any fault a directive asks for.
            served = active_models(provider.route).get(provider.catalog_model(str(body.get("model", ""))))
            if served is None or not served.admits(provider.anonymous_tier):
                status, code, message = STATUS_FAULTS["402-subscription"]
                return self._error(provider, status, code, message)
        directives = directives_of(body)
        times = number(directives.get("times"))
        if times is not None and sum(1 for seen in self.server.requests if seen["body"] == body) > times:
            directives.pop("fault", None)  # failed as many times as asked: from now on, answer
        fault = directives.get("fault")
        if fault is None and not searching and self._subscription_used_up():
            fault = "quota"  # this key's subscription is used up: every chat call is refused for quota
        if fault in STATUS_FAULTS:
            status, code, message = STATUS_FAULTS[fault]
            wait = number(directives.get("retry_after"), default=30.0 if fault == "429" else None)
            return self._error(provider, status, code, message, retry_after=wait)
        if fault == "quota" and provider.quotas_header:
            # A refusal for quota: 429, with the window that ran out in the quotas header (a search
            # spends the hourly search window, anything else the subscription).
            seen = len(self.server.requests)
            if searching:  # only the search window ran out: the subscription keeps room, however long the run
                spent = quotas_answer(min(seen, QUOTA_LIMIT - 1), search_exhausted=True)
            else:
                renews_in = number(directives.get("renews_in"))
                if renews_in is not None:  # a short window: this key is refused until it renews
                    self.server.spent_until[self.headers.get("Authorization", "")] = time.time() + renews_in
                spent = quotas_answer(seen, exhausted=True, subscription_renews=self._short_window())
            told = {provider.quotas_header: json.dumps(spent)}
            return self._error(provider, 429, "rate_limited", "Quota exceeded", extra_headers=told)
        if fault == "502-html":
            wait = number(directives.get("retry_after"))
            headers = {"Retry-After": f"{wait:g}"} if wait is not None else None
            page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            return self._send(502, page, "text/html", headers)
        if fault == "401-echo-key":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            error = {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key", "key": key}
            echoed = {"X-Echoed-Key": key, "WWW-Authenticate": f"Bearer {key}"}
            return self._json(401, {"error": error}, echoed)
        if fault == "timeout":
            time.sleep(TIMEOUT_SECONDS)
            if self._client_gone():
                return None  # the client timed out first, as it was meant to
        if fault == "200-echo-key":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return self._send(200, f"<<key={key}>> accepted".encode(), "application/json")
        if fault == "long-line" and (body.get("stream") or provider.upstream_always_streams):
            return self._long_line()
        if fault == "empty-200":
            return self._send(200, b"", "application/json")
        if fault == "wrong-content-type":
            return self._send(200, b"OK", "text/plain")
        if endpoint == "/embeddings":
            return self._embeddings(provider, body)
        if searching:
            answer = functools.partial(self._search, provider, body, directives)
            if fault in ("cut", "reset"):
                return self._cut_answer(fault, answer)
            if fault == "slow-drip":
                return self._drip(number(directives.get("delay"), 0.5) or 0.0, answer)
            return answer()
        entry = model_entry(provider.route, provider.catalog_model(str(body.get("model", ""))))
        effort = body.get("reasoning_effort")
        if (
            effort is not None
            and entry is not None
            and entry.reasoning_efforts
            and effort not in entry.reasoning_efforts
        ):
            # Synthetic's OpenAI shim answers 400 to a value outside the model's accepted set.
            accepted = ", ".join(entry.reasoning_efforts)
            message = f"Invalid reasoning_effort {effort!r} for this model; expected one of: {accepted}"
            return self._error(provider, 400, "invalid_request_error", message)
        reply = compose_reply(body)
        if effort == "none":
            reply.reasoning = ""  # reasoning turned off: the answer alone
        as_text = endpoint == "/completions"
        if body.get("stream") or provider.upstream_always_streams:
            return self._stream(provider, body, reply, entry, directives, as_text=as_text)
        if fault in ("cut", "reset"):
            return self._cut_answer(
                fault, lambda: self._completion(provider, body, reply, entry, as_text=as_text)
            )
        if fault == "slow-drip":
            delay = number(directives.get("delay"), 0.5) or 0.0
            return self._drip(delay, lambda: self._completion(provider, body, reply, entry, as_text=as_text))
        return self._completion(provider, body, reply, entry, as_text=as_text)

    def do_GET(self) -> None:
        for spec in PROVIDERS.values():
            if spec.quotas_path and self.path == spec.quotas_path:
                if not self._authorized():
                    return self._error(spec, 401, "", "Invalid API key provided")
                return self._json(200, quotas_answer(len(self.server.requests)))
            if spec.models_path and self.path == urlparse(spec.default_api_base).path + spec.models_path:
                if not self._authorized():
                    return self._error(spec, 401, "", "Invalid API key provided")
                return self._json(200, live_model_list(spec))
        self._json(404, {"error": {"message": f"no such path {self.path}", "code": "not_found"}})

    def _endpoint(self, path: str) -> tuple[ProviderSpec | None, str]:
        """The provider and the endpoint (``/chat/completions``, ``/embeddings``, ...) a path is for."""
        for spec in PROVIDERS.values():
            if spec.search is not None and path == spec.search.path:
                return spec, spec.search.path  # at the origin, beside the OpenAI base
            base = urlparse(spec.default_api_base).path
            for endpoint in spec.endpoints:
                if path == base + endpoint:
                    return spec, endpoint
        return None, ""
