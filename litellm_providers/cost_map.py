"""The catalog in LiteLLM's model cost map (``litellm.model_cost``), written in one step.

``litellm.register_model`` would write it, at a cost per model that grows with the whole map: for each
key it asks ``get_model_info`` for an existing entry, which misses for a key LiteLLM does not know and
then rebuilds LiteLLM's case-insensitive index of every key in the map, because the write of the
previous key invalidated it. With LiteLLM's ~2,250 built-in entries that is 1-2 ms for the first new
model and more for each one after: 20,000 models took about 50 s, at every ``register()``.

So the entries are built here as ``register_model`` ends up building them for these keys, and the map is
updated once: for each key, the fields LiteLLM's capability rules give its name, then the row already
under the key (a LiteLLM built-in entry or an earlier registration, so a price the user registered that
the catalog does not state survives, but not one this package wrote last time and no longer states),
then the catalog's fields, which win. The caches LiteLLM keeps
over the map are cleared once, as ``register_model`` does after each write, and the keys join LiteLLM's
per-provider model sets. ``tests/unit/test_litellm_seams.py`` checks that the rows are the ones
``register_model`` writes.

A cost map reload (the proxy's ``/reload/model_cost_map``, its scheduled reload, or a remote map that
arrives late) replaces the whole map and then replays what ``register_model`` recorded; the catalog is
written again first, so it survives a reload as it did when it went through ``register_model``.

Each LiteLLM internal is touched here only (``compat.py``'s table lists them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import litellm
import litellm.utils
from litellm.litellm_core_utils.fallback_generalizations import match_capability_generalizations

_lock = threading.RLock()
# What each route last wrote, for the replay after a cost map reload.
_written: dict[str, dict[str, dict[str, Any]]] = {}
_reload_replay_installed: list[Callable[..., Any]] = []  # LiteLLM's replay function, once wrapped


def write_catalog_entries(route: str, entries: Mapping[str, Mapping[str, Any]]) -> None:
    """Put ``route``'s entries (``catalog.litellm_model_cost``) into ``litellm.model_cost`` in one step."""
    with _lock:
        _install_reload_replay()
        before = _written.get(route, {})
        _written[route] = {key: dict(entry) for key, entry in entries.items()}
        _write(_written[route], before)


def _write(
    entries: Mapping[str, Mapping[str, Any]], before: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    cost_map = litellm.model_cost
    rows = {
        key: {
            **(match_capability_generalizations(key) or {}),
            **_kept(cost_map.get(key, {}), (before or {}).get(key, {}), entry),
            **entry,
        }
        for key, entry in entries.items()
    }
    cost_map.update(rows)
    # What register_model calls after each write: drops the case-insensitive key index and the
    # get_model_info caches, which would otherwise keep answering from the old rows.
    litellm.utils._invalidate_model_cost_lowercase_map()
    litellm.add_known_models(rows)


def _kept(row: Mapping[str, Any], written: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    """What of the row under a key outlives a new write: all of it but the fields this package wrote
    there last time and no longer states (a price a refresh found, then a catalog without it), unless
    someone else changed them since (a price the user registered stays)."""
    return {
        field: value
        for field, value in row.items()
        if field in entry or field not in written or written[field] != value
    }


def _install_reload_replay() -> None:
    if _reload_replay_installed:
        return
    original: Callable[..., Any] = litellm.utils.reapply_runtime_model_cost_registrations
    _reload_replay_installed.append(original)

    def reapply_runtime_model_cost_registrations() -> None:
        # The reloaded map holds none of the catalog; what register_model recorded (a user's own
        # registrations, possibly for these keys) is replayed after it, as it was registered after.
        with _lock:
            for entries in _written.values():
                _write(entries)
        original()

    reapply_runtime_model_cost_registrations.__doc__ = original.__doc__
    # The reload calls it through the module (``utils.reapply_runtime_model_cost_registrations()``).
    litellm.utils.reapply_runtime_model_cost_registrations = reapply_runtime_model_cost_registrations
