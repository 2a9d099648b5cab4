"""A loopback emulator of the three providers' documented wire formats.

It records the cassettes, runs the demo and the integration tests, and lets a user try the package
with no key and no network. It follows ``shared/seeds/`` to the letter: each provider is served at
its documented path, Synternet always streams ``[Thinking: ...]`` / ``[Reasoning: ...]`` content
before the answer and sends no usage, Syncropel adds its cost, tier and request-id headers and its
own error codes, Synthetic's R1 and Thinking models put ``<think>`` reasoning in content. Synthetic also
answers ``/completions`` (text completions), ``/embeddings`` (deterministic vectors), ``GET /v2/quotas``
and sends ``x-synthetic-quotas`` on every answer; its live list carries the ``syn:`` aliases. Its web search
(``POST /v2/search``) answers deterministic results for the query, which its directives steer as a
chat message's: ``emulate:results=<n>`` (0 for an empty answer), ``emulate:fault=quota`` (a 429 with
``search.hourly`` used up in the quotas header), ``emulate:fault=malformed`` (results of the wrong shape).

Answers are deterministic, so recordings are stable. The last user message steers the emulator with
``emulate:`` directives, so a test (or a user at a proxy) can ask for any behaviour (the last user
message, not the last message: a client that resends a failed turn with its own item appended, as Codex
does, meets the same fault again, as it would at a provider in trouble):

* ``emulate:fault=<name>``: one of ``FAULTS`` (an error answer, a cut stream, a bad SSE line, ...);
  on Synthetic also ``quota``: a 429 whose ``x-synthetic-quotas`` header shows the subscription used up.
* ``emulate:chunk=<n>``: stream the content in pieces of n characters (markers get cut anywhere).
* ``emulate:script=documented``: Synternet's documented example stream, byte for byte.
* ``emulate:times=<n>``: the fault hits only the first n requests with this exact body; later ones
  are answered (a transient fault that a retry gets past).
* ``emulate:tool=<name>``: call that offered tool (``none``: answer without calling one).
* ``emulate:retry_after=<seconds>``: the ``Retry-After`` an HTTP error fault sends (the ``429`` fault
  sends 30 unless told otherwise; the others send none unless told).
* ``emulate:renews_in=<seconds>``: with ``fault=quota``, the subscription renews that soon (its
  ``renewsAt`` in the quotas header), and until then every chat call with that key gets the quota 429;
  after it the key is served again (a short window, for routing that waits out a used-up key).

Offered tools, the emulated model calls one per turn (see ``tool_calls``): the one ``tool_choice`` names,
else the first whose name the last user message mentions, else the first offered; its arguments fill the
tool schema's required properties (a string gets the text the user quoted in backticks, so "run
`echo hi`" gives a shell tool ``echo hi``). A turn that carries tool results answers
``The tool says: <result>``.

A Synthetic key whose name contains ``exhausted`` has used up its subscription: every chat call it
makes gets that quota 429 (two keys' quotas differ, for quota-aware routing).

Any API key is accepted except one starting with ``invalid``, which gets the provider's 401. A provider
with ``anonymous_access`` (the Syncropel gateway) also serves requests with no
``Authorization`` header, as its anonymous tier: models whose catalog tier admits it are answered
(``X-Syncropic-Tier: anonymous``; keyed calls get ``paid``), the others get the documented 402
``subscription_required``.
"""

from litellm_providers.emulator.faults import DOCUMENTED_SYNTERNET_STREAM, FAULTS
from litellm_providers.emulator.platform import (
    EMULATED_ALIAS_TARGETS,
    NEW_LIVE_MODEL,
    QUOTA_LIMIT,
    embedding_of,
    live_model_list,
    quotas_answer,
    search_answer,
)
from litellm_providers.emulator.replies import Reply, compose_reply
from litellm_providers.emulator.server import Emulator, EmulatorServer, serve

__all__ = [
    "DOCUMENTED_SYNTERNET_STREAM",
    "EMULATED_ALIAS_TARGETS",
    "FAULTS",
    "NEW_LIVE_MODEL",
    "QUOTA_LIMIT",
    "Emulator",
    "EmulatorServer",
    "Reply",
    "compose_reply",
    "embedding_of",
    "live_model_list",
    "quotas_answer",
    "search_answer",
    "serve",
]
