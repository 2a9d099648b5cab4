"""The two commands a new user runs first: `models` and `demo`."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from litellm_providers.catalog import bundled_catalog
from litellm_providers.cli import main
from litellm_providers.providers import PROVIDERS
from tests.conftest import ROOT


def test_models_table_lists_windows_prices_and_capabilities(capsys: object) -> None:
    assert main(["models", "--provider", "syncropic"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["model", "context", "max"]
    haiku = next(line for line in lines if line.startswith("syncropic/claude-haiku-4-5 "))
    assert haiku.split()[1:] == ["200k", "64k", "$1.30", "$6.50", "T", "J", "V"]
    assert "T tools" in out  # the legend says what the letters mean
    assert not any(line.startswith("synthetic/") for line in lines)


def _rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("synthetic/", "synternet/", "syncropic/"))]


def test_models_table_fits_100_columns_with_current_models_only(capsys: object) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "synternet/syntoshi-apex-thinking" in out
    assert "synthetic/hf:zai-org/GLM-4.7 " in out
    # GLM-4.6 is retired: listed only with --all.
    assert "synthetic/hf:zai-org/GLM-4.6" not in out
    current = [(route, name) for route in PROVIDERS for name, e in bundled_catalog(route).models.items()]
    retired = [(r, n) for r, n in current if bundled_catalog(r).models[n].retired]
    assert len(_rows(out)) == len(current) - len(retired)
    assert f"{len(retired)} retired models not shown (--all shows them)." in out


def test_models_all_lists_retired_models_after_the_current_ones(capsys: object) -> None:
    assert main(["models", "--all"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert max(len(line) for line in out.splitlines()) <= 100
    rows = _rows(out)
    assert len(rows) == sum(len(bundled_catalog(route).models) for route in PROVIDERS)
    retired_at = rows.index(next(row for row in rows if row.startswith("synthetic/hf:zai-org/GLM-4.6")))
    assert (
        rows.index(next(row for row in rows if row.startswith("synthetic/hf:zai-org/GLM-4.7 "))) < retired_at
    )


def test_a_refresh_choice_that_publishes_no_list_is_named_in_the_error(capsys: object) -> None:
    import pytest

    with pytest.raises(SystemExit) as exit_:
        main(["models", "--refresh", "synternet"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "'synternet' publishes no model list; one of syncropic, synthetic" in err
    assert "''" not in err


def test_emulate_on_a_busy_port_says_so_in_one_line() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "litellm_providers.cli", "emulate", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"litellm-providers emulate: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "pick another with --port"
    ]


def test_demo_runs_offline_and_prints_reasoning_apart_from_the_answer() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "litellm_providers.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for model in ("synthetic/", "synternet/syntoshi-apex-thinking", "syncropic/"):
        assert model in out
    assert out.count("answer:    You asked: What is the capital of France?") == 3
    reasoning_lines = [line for line in out.splitlines() if "reasoning:" in line]
    assert len(reasoning_lines) == 3
    assert "[Thinking" not in out and "<think>" not in out
    assert out.count("(stated by the provider)") == 1  # the Syncropel gateway's cost header


def test_emulate_serves_the_documented_paths_on_the_given_port() -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "litellm_providers.cli", "emulate", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/openai/v1/chat/completions",
                    json={
                        "model": "hf:moonshotai/Kimi-K2-Instruct-0905",
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                    headers={"Authorization": "Bearer k"},
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["choices"][0]["message"]["content"] == "You asked: hi"
    finally:
        process.terminate()
        process.wait(timeout=10)


# Every page that shows a provider's table: the command, then its output as a text block.
TABLE_PAGES = ["docs/catalog.md", *(f"docs/providers/{route}.md" for route in PROVIDERS)]
_SHOWN_TABLE = re.compile(r"`litellm-providers models --provider (\w+)`:\n\n```text\n(.*?)```", re.S)


@pytest.mark.parametrize("page", TABLE_PAGES)
def test_the_docs_show_the_tables_the_command_prints(page: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = _SHOWN_TABLE.findall((ROOT / page).read_text("utf-8"))
    assert shown, f"{page} shows no `litellm-providers models --provider` table"
    for route, table in shown:
        assert main(["models", "--provider", route]) == 0
        assert capsys.readouterr().out == table, f"{page}: the {route} table is not what the command prints"
