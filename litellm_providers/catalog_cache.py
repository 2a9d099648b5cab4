"""The on-disk cache of a refreshed catalog: written by a refresh, read by ``register()`` at every start.

One file per provider route and API base (``catalog-<route>-<digest of the base>.json``), so a refresh
against the emulator or a staging base never replaces the list of the base a proxy really uses;
``register()`` reads the cache of the provider's configured base (its ``*_API_BASE`` variable, else the
documented default). The base is stored in the file too and checked on read.

``register()`` runs at every proxy start, so nothing in the cache may stop or hold it: a file that is
not a regular file (a FIFO, a device, a directory), too large, not JSON, nested too deeply, of the wrong
shape, written for another base, or dated in the future is ignored with one warning naming the file and
the problem, and the bundled catalog stays in force until the next refresh replaces the file. A file
is written to a fresh temporary name in the same directory (never a fixed name another user could
plant a symlink at) and moved into place in one step, so a reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import stat
import tempfile
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from litellm_providers.catalog import MAX_LIVE_MODELS, ModelEntry, bundled_catalog
from litellm_providers.providers import PROVIDERS

logger = logging.getLogger("litellm_providers")

CACHE_DIR_ENV = "LITELLM_PROVIDERS_CACHE_DIR"
NO_CACHE_ENV = "LITELLM_PROVIDERS_NO_CACHE"
TTL_ENV = "LITELLM_PROVIDERS_CATALOG_TTL"
DEFAULT_TTL_SECONDS = 24 * 3600

MAX_CACHE_BYTES = 8 * 1024 * 1024
"""8 MiB. A full cache (the ``MAX_LIVE_MODELS`` cap plus the bundled models, about 250 bytes a model as
written) is under 2 MB; the rest is room for long names and effort lists. Reading and validating that
much takes well under a second, and nothing larger is ever read."""

CLOCK_SKEW_SECONDS = 300.0
"""A cache dated up to five minutes ahead is a clock set back between two runs, and is used; one dated
further ahead would never expire, so it is ignored."""


_SHOWN_CHARS = 100  # of a field's place in the file, in a warning: a model name may be of any length


class CachedCatalog(BaseModel):
    """A cache file's content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    """The API base the list was read from (no userinfo, query or fragment: never a credential)."""
    fetched_at: float = Field(allow_inf_nan=False)
    models: dict[str, ModelEntry]


class CacheProblem(Exception):
    """Why a cache file is not used, in words for a warning (never the file's content)."""


def cache_source(route: str, api_base: str | None = None) -> str:
    """The API base a cache belongs to: ``api_base``, else the provider's configured one, reduced to
    scheme, host, port and path, so two spellings of one base share a cache and no secret is kept."""
    parts = urlsplit(PROVIDERS[route].api_base(api_base))
    host = parts.netloc.rpartition("@")[2].lower()  # userinfo never names the base
    return f"{parts.scheme.lower()}://{host}{parts.path.rstrip('/')}"


def cache_path(route: str, api_base: str | None = None) -> Path | None:
    """Where the cache of ``route``'s list from ``api_base`` (default: the configured base) lives; None
    when ``LITELLM_PROVIDERS_NO_CACHE=1``."""
    if os.environ.get(NO_CACHE_ENV) == "1":
        return None
    directory = os.environ.get(CACHE_DIR_ENV)
    if not directory:
        import platformdirs

        directory = platformdirs.user_cache_dir("litellm-providers")
    digest = hashlib.sha256(cache_source(route, api_base).encode()).hexdigest()[:12]
    return Path(directory) / f"catalog-{route}-{digest}.json"


def cache_ttl_seconds() -> float:
    """``LITELLM_PROVIDERS_CATALOG_TTL`` in seconds; a value that is not a number of seconds warns and
    gives the default (a day)."""
    raw = os.environ.get(TTL_ENV)
    if raw is None:
        return DEFAULT_TTL_SECONDS
    try:
        ttl = float(raw)
    except ValueError:
        ttl = math.nan
    if not 0 <= ttl < math.inf:  # NaN fails this too
        logger.warning(
            "%s=%r is not a number of seconds; using the default, %d", TTL_ENV, raw[:40], DEFAULT_TTL_SECONDS
        )
        return DEFAULT_TTL_SECONDS
    return ttl


def write_cache(route: str, models: Mapping[str, ModelEntry], api_base: str | None = None) -> None:
    """Cache ``route``'s refreshed catalog, read from ``api_base`` (default: the configured base).
    Never raises: a cache that cannot be written is a warning, and the next start uses the bundled list."""
    path = cache_path(route, api_base)
    if path is None:
        return
    cached = CachedCatalog(source=cache_source(route, api_base), fetched_at=time.time(), models=dict(models))
    data = cached.model_dump_json(exclude_defaults=True).encode()
    if len(data) > MAX_CACHE_BYTES:
        logger.warning(
            "not caching the %s catalog: %d bytes, over the %d byte limit", route, len(data), MAX_CACHE_BYTES
        )
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh name, created exclusively (never through a symlink), in the target's directory so
        # the replace below is one atomic rename: a concurrent register() never reads half a file.
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        logger.warning("could not write the catalog cache %s: %s", path, error.strerror or error)


def read_fresh_cache(route: str, api_base: str | None = None) -> dict[str, ModelEntry] | None:
    """The cached catalog of ``route`` for ``api_base`` (default: the configured base) if it is younger
    than the TTL; None otherwise. Never raises and never blocks: an unusable file is one warning."""
    path = cache_path(route, api_base)
    if path is None:
        return None
    try:
        cached = _parse(_read_regular_file(path), route)
    except FileNotFoundError:
        return None
    except OSError as error:
        problem = error.strerror or type(error).__name__
    except CacheProblem as error:
        problem = str(error)
    else:
        age = time.time() - cached.fetched_at
        if age < -CLOCK_SKEW_SECONDS:
            problem = "its fetched_at is in the future"
        elif cached.source != cache_source(route, api_base):
            problem = "it was written for another API base"
        elif age > cache_ttl_seconds():
            logger.debug("the catalog cache %s is older than the TTL; using the bundled catalog", path)
            return None
        else:
            return cached.models
    logger.warning(
        "ignoring the catalog cache %s: %s; using the bundled catalog until the next refresh rewrites it",
        path,
        problem,
    )
    return None


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_CACHE_BYTES``. Opened non-blocking, so a FIFO (with
    no writer) answers at once instead of holding the caller; its type is checked before any read."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise CacheProblem("it is not a regular file")
        if status.st_size > MAX_CACHE_BYTES:
            raise CacheProblem(f"it holds {status.st_size} bytes, over the {MAX_CACHE_BYTES} byte limit")
        chunks: list[bytes] = []
        left = MAX_CACHE_BYTES + 1  # one byte more tells a file that grew past the limit
        while left > 0:
            chunk = os.read(handle, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise CacheProblem(f"it holds over {MAX_CACHE_BYTES} bytes")
        return b"".join(chunks)
    finally:
        os.close(handle)


def _parse(data: bytes, route: str) -> CachedCatalog:
    try:
        payload = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CacheProblem("it is not UTF-8 text") from None
    except RecursionError:
        raise CacheProblem("its JSON is nested too deeply") from None
    except ValueError:
        raise CacheProblem("it is not JSON") from None
    # Counted before any entry is validated: a hand-made file of tiny entries could hold a million.
    models = payload.get("models") if isinstance(payload, dict) else None
    most = MAX_LIVE_MODELS + len(bundled_catalog(route).models)
    if isinstance(models, dict) and len(models) > most:
        raise CacheProblem(f"it lists {len(models)} models, more than a refresh keeps ({most})")
    try:
        return CachedCatalog.model_validate(payload)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])[:_SHOWN_CHARS] or "the top level"
        others = error.error_count() - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        raise CacheProblem(f"{where}: {first['msg']}{more}") from None
    except RecursionError:
        raise CacheProblem("its JSON is nested too deeply") from None
