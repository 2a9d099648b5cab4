"""The published benchmark report names what was measured (version, commit), not where it ran."""

from __future__ import annotations

import re

from benchmarks.report import machine
from tests.conftest import ROOT


def test_the_report_names_the_package_version_and_commit_and_no_local_path() -> None:
    measured = machine()
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", measured["litellm-providers"])
    assert re.fullmatch(
        r"(commit `[0-9a-f]{7,}`( with uncommitted changes)?|not from a git checkout)", measured["source"]
    )
    assert str(ROOT) not in " ".join(measured.values())


def test_a_label_follows_the_commit() -> None:
    assert machine("a re-run after the split")["source"].endswith("; a re-run after the split")
