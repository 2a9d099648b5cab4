"""The one client every request of the package goes through: pooled openai clients, log redaction, and
the redirect policy.

Chat, embeddings, text completions, the quotas read and the live model list all send through
``clients``: one connection pool per (API base, key), the key redacted from the HTTP stack's logs,
and no redirect followed to another origin. A provider that answers 307/308 with another host's
``Location`` would otherwise have the SDK re-send the whole request there, the prompt in the body and
any key a caller put in ``extra_headers`` with it (httpx drops only ``Authorization`` on the way).
A redirect within the API base's origin (a trailing slash, a moved path) is still followed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import urllib.parse
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import openai

from litellm_providers.limits import MAX_ERROR_BODY_BYTES, cut_body

_CLIENT_CACHE_SIZE = 16
_LOOP_CACHE_SIZE = 16


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


redact_http_logs = _RedactKeysInHttpLogs()


def key_digest(api_key: str | None) -> str:
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
        key = (base_url, key_digest(api_key))
        redact_http_logs.attach()
        with self._lock:
            client = self._sync.get(key)
            if client is None:
                if len(self._sync) >= _CLIENT_CACHE_SIZE:
                    self._sync.popitem(last=False)[1].close()
                # Retries are the handler's (see the module docstring), never the SDK's.
                redact_http_logs.add(api_key, base_url)
                client = openai.OpenAI(
                    base_url=base_url,
                    api_key=api_key or _NO_KEY,
                    max_retries=0,
                    http_client=openai.DefaultHttpxClient(
                        event_hooks={"response": [_response_hooks(base_url)[0]]}
                    ),
                    default_headers=_NOT_OPENAI,
                )
                self._sync[key] = client
            return client

    def async_(self, base_url: str, api_key: str | None) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        key = (base_url, key_digest(api_key))
        redact_http_logs.attach()
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
                redact_http_logs.add(api_key, base_url)
                http_client = openai.DefaultAsyncHttpxClient(
                    event_hooks={"response": [_response_hooks(base_url)[1]]}
                )
                client = openai.AsyncOpenAI(
                    base_url=base_url,
                    api_key=api_key or _NO_KEY,
                    max_retries=0,
                    http_client=http_client,
                    default_headers=_NOT_OPENAI,
                )
                clients[key] = client
            return client


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, without a user name or password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc.lower(), "", "", ""))


class CrossOriginRedirect(Exception):
    """The provider redirected a request to another origin; the redirect was not followed."""

    def __init__(self, status: int, location: str) -> None:
        super().__init__(f"HTTP {status} redirect to {location}")
        self.status = status
        self.location = location


def _response_hooks(base_url: str) -> tuple[Any, Any]:
    """httpx response hooks (sync, async), run once the headers are in: a refusal's body is read only up
    to a bound, and a redirect to another origin is stopped before it is followed."""
    allowed = origin(base_url)

    def check(response: Any) -> None:
        if response.status_code >= 400:
            cut_body(response, MAX_ERROR_BODY_BYTES)  # the SDK reads a refusal whole before it raises
        if not response.has_redirect_location:
            return
        target = response.url.join(response.headers["location"])
        if origin(str(target)) != allowed:
            raise CrossOriginRedirect(response.status_code, origin(str(target)))

    async def acheck(response: Any) -> None:
        check(response)

    return check, acheck


clients = _ClientPool()
