"""Cassettes are committed: prove that none carries a credential."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import CASSETTES, SENTINEL_KEYS

BEARER = re.compile(r"Bearer\s+[A-Za-z0-9._~+/-]{6,}", re.I)
KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_-]{8,}")


def _cassettes() -> list[Path]:
    return sorted(CASSETTES.rglob("*.yaml"))


def test_there_are_cassettes_to_check() -> None:
    assert len(_cassettes()) >= 6


def test_no_cassette_holds_an_authorization_header_a_bearer_token_or_a_key() -> None:
    for path in _cassettes():
        text = path.read_text("utf-8")
        assert "authorization:" not in text.lower(), path
        assert not BEARER.search(text), path
        assert not KEY_LIKE.search(text), path
        for key in SENTINEL_KEYS.values():
            assert key not in text, path
