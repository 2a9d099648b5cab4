"""Version seams: what differs between the LiteLLM and openai releases the package supports.

The supported range is what CI runs (``.ci/run``, one fresh venv per leg): the floor, LiteLLM 1.106 on
openai 2, and the newest, LiteLLM 1.110 on openai 3. openai 2 speaks HTTP through ``httpx``; openai 3
through ``httpx2``, a fork with the same API whose classes are distinct (an ``httpx2.ConnectError`` is
not an ``httpx.ConnectError``). LiteLLM itself still builds its exceptions on ``httpx``. Everything
that asks "which transport error was this?" asks it here, of both libraries.

The LiteLLM internals the package reaches into (LiteLLM offers no public hook for them), each touched in
one place and guarded by ``tests/unit/test_litellm_seams.py``, whose failures name the LiteLLM version:

=====================================================  ==============================================
internal                                               touched by
=====================================================  ==============================================
``JSONProviderRegistry`` / ``openai_*compatible_providers``  ``registration._take_over_builtin_route``
``litellm.custom_provider_map`` + ``custom_llm_setup``  ``registration._install_handler``
``get_supported_openai_params`` (module + lazy attr)   ``param_wraps.install_supported_params``
``utils.add_provider_specific_params_to_optional_params``  ``param_wraps.install_reasoning_params_kept``
``/v1/messages`` adapter ``_translate_thinking_to_openai`` ``param_wraps.install_anthropic_thinking_kept``
``reasoning_effort_from_thinking_budget`` (budget buckets)  ``effort.effort_from_thinking``
``CustomStreamWrapper.model_response_creator``         ``answer_wraps.install_one_created_per_stream``
``litellm.acompletion_with_retries``                   ``answer_wraps.install_async_retry_wait``
``litellm.main.get_optional_params_embeddings``        ``param_wraps.install_embedding_params``
``ProviderConfigManager.get_provider_chat_config``     ``param_wraps.install_provider_config``
``litellm.completion_cost`` / cost header convention   ``answer_wraps.install_completion_cost``
``CustomLLM`` handler signature (``headers=``, ...)    ``core.ProviderHandler``
``stream_chunk_builder`` + ``logging_obj``             ``streaming.aggregate_stream``
``TextCompletionStreamWrapper`` chunk conversion        ``answer_wraps.install_text_chunks_carry_text``
SDK reads bodies via ``Response.iter_bytes`` / ``aiter_bytes``  ``limits.guard_body``
``SearchResponse`` / ``SearchResult`` (base_llm.search)  ``search_results.read_search_answer``
``SearchProviders`` enum (closed: no search hook)       none; docs say so (``tests/unit/test_search.py``)
``litellm.model_cost`` rows written as register_model  ``cost_map.write_catalog_entries``
writes them (``match_capability_generalizations``,
``utils._invalidate_model_cost_lowercase_map``)
``utils.reapply_runtime_model_cost_registrations``     ``cost_map._install_reload_replay``
``Router.cache`` (1.106) / ``Router.health().store``     ``compat.router_cache`` (``routing.use_with``)
``litellm.proxy.proxy_server.llm_router``              ``routing.QuotaAwareRouting.cache``
=====================================================  ==============================================

The provider config and the body reads are guarded by ``tests/faults/test_hostile_upstream.py``.
The search types are the same class on 1.106 and 1.110 (``litellm.search`` returns them); LiteLLM
exports them from no public module, so ``search_results`` imports them from where both releases keep them.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType
from typing import Any

import httpx
import openai
from openai import _constants as _openai_constants

RAW_RESPONSE_HEADER: str = _openai_constants.RAW_RESPONSE_HEADER
"""The header that makes the SDK hand back a response unread, as its ``with_streaming_response`` does
(a private name, the same on openai 2 and 3): plain calls send it so the handler reads the body itself,
under the call's deadline."""


def _sdk_http_library() -> ModuleType:
    # The module the SDK's own client class comes from: httpx on openai 2, httpx2 on openai 3.
    for base in openai.DefaultHttpxClient.__mro__[1:]:
        root = base.__module__.split(".")[0]
        if root in sys.modules and root.startswith("httpx"):
            return sys.modules[root]
    return httpx


SDK_HTTP: ModuleType = _sdk_http_library()
"""The HTTP library the openai SDK sends requests with."""

HTTP_LIBRARIES: tuple[ModuleType, ...] = (httpx,) if SDK_HTTP is httpx else (httpx, SDK_HTTP)
"""Every HTTP library whose errors and responses can reach the package."""


def _classes(name: str) -> tuple[type[Exception], ...]:
    return tuple(getattr(library, name) for library in HTTP_LIBRARIES)


HTTP_ERRORS = _classes("HTTPError")
CONNECT_ERRORS = _classes("ConnectError")
"""The connection was never made: refused, unreachable, DNS."""
TIMEOUT_ERRORS = _classes("TimeoutException")
RESPONSE_NOT_READ = _classes("ResponseNotRead")
TIMEOUT_TYPES: tuple[type[Any], ...] = tuple(library.Timeout for library in HTTP_LIBRARIES)


def caused_by(error: BaseException, kinds: tuple[type[BaseException], ...]) -> BaseException | None:
    """The first exception in ``error``'s cause chain (itself included) that is one of ``kinds``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kinds):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def installed(distribution: str) -> str:
    """A distribution's installed version, for messages and reports ("absent" when it is not)."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "absent"


def versions() -> str:
    """``litellm X, openai Y (httpx2 Z)``: what a failure or a benchmark ran on."""
    transport = SDK_HTTP.__name__
    return (
        f"litellm {installed('litellm')}, openai {installed('openai')} ({transport} {installed(transport)})"
    )


def router_cache(router: object) -> Any:
    """The ``DualCache`` a Router keeps its shared state in (in memory, plus Redis when it has one), or
    None. LiteLLM 1.110 deprecates ``Router.cache`` for ``Router.health().store``, which 1.106 lacks."""
    if router is None:
        return None
    health = getattr(router, "health", None)
    store = getattr(health(), "store", None) if callable(health) else None
    if store is None:
        store = getattr(router, "cache", None)
    from litellm.caching.dual_cache import DualCache

    return store if isinstance(store, DualCache) else None
