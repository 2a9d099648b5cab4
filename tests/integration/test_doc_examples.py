"""Every example in README.md and docs/ runs, as a reader would run it, against the bundled emulator.

* Each ```python block runs alone in a fresh interpreter (cwd: the repository), with the providers'
  ``*_API_BASE`` pointing at one emulator, fake keys, and no network: a connection to anything but
  loopback fails the block. A traceback names the page and its line.
* Each shell block line that runs the CLI (``litellm-providers ...``) or the proxy (``litellm --config
  ...``) runs too, in the environment the block's earlier ``export`` lines give it (other lines, such
  as ``pip install``, are the reader's set-up and are not run). A one-shot command must exit 0; a server
  (``emulate``, the proxy) is started on a free port instead of the page's, probed, and stopped.
* A Python block that talks to ``127.0.0.1:4000`` (the README's proxy port) runs against the proxy
  the README's command starts.

A block opts out only with a marker on the line right above it, whose reason the skip prints::

    <!-- doc-example: skip (needs a real key: ...) -->
    <!-- doc-example: requires agents (the OpenAI Agents SDK installs on the newest leg only) -->
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from litellm_providers.catalog import bundled_catalog
from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS
from tests.conftest import ROOT
from tests.integration.doc_blocks import SERVER_PROBES, SHELL, Block, Command, blocks, commands

pytestmark = pytest.mark.integration

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHIPPED_CONFIG = ROOT / "docs" / "proxy" / "config.yaml"
# Blocks that are examples (not output tables): where a model id is a reader's choice.
EXAMPLE_LANGUAGES = {"python", "yaml", *SHELL}
BLOCK_SECONDS = 120
SERVER_SECONDS = 90
DOCS_PROXY_PORT = 4000  # the port the README's proxy command listens on
# The CLI's refresh keeps going (the table still prints) when a list cannot be read: it says so.
FAILURE_SIGNS = ("Traceback (most recent call last)", "kept the bundled catalog")

MODEL_ID = re.compile(rf"(?<![\w/.-])({'|'.join(PROVIDERS)})/([^\s\"'`,)\]}}]+)")


ALL_BLOCKS = [
    block for page in PAGES for block in blocks(page.relative_to(ROOT).as_posix(), page.read_text("utf-8"))
]
PYTHON_BLOCKS = [block for block in ALL_BLOCKS if block.language == "python"]


SHELL_BLOCKS = [b for b in ALL_BLOCKS if b.language in SHELL and commands(b)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _on_port(words: tuple[str, ...], port: int) -> list[str]:
    if "--port" in words:
        at = words.index("--port")
        return [*words[: at + 1], str(port), *words[at + 2 :]]
    return [*words, "--port", str(port)]


def _environment_after(command: Command, env: dict[str, str]) -> dict[str, str]:
    """The environment the command runs in: the block's exports and the line's assignments, by bash."""
    script = f"set -e\n{command.exports}\nset -a\n{command.assignments}\nset +a\nenv -0"
    listing = subprocess.run(["bash", "-c", script], env=env, capture_output=True, check=True, cwd=ROOT)
    return dict(item.split("=", 1) for item in listing.stdout.decode().split("\0") if "=" in item)


@dataclass
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path


class Servers:
    """The servers the docs start, each once for the module, stopped (by process group) at its end."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.running: dict[tuple[str, tuple[str, ...]], Server] = {}

    def start(self, command: Command, env: dict[str, str]) -> Server:
        key = (command.block.id, command.words)
        if key in self.running:
            return self.running[key]
        env, port = _environment_after(command, env), _free_port()
        log = self.scratch / f"server-{len(self.running)}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                _on_port(command.words, port),
                env=env,
                cwd=ROOT,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a proxy's workers stop with it
            )
        server = self.running[key] = Server(f"http://127.0.0.1:{port}", env, process, log)
        probe = server.url + SERVER_PROBES[command.kind]
        deadline = time.monotonic() + SERVER_SECONDS
        while True:
            assert process.poll() is None, f"{command.block.id} exited:\n{log.read_text()[-3000:]}"
            try:
                if httpx.get(probe, headers={"Authorization": "Bearer doc"}, timeout=2).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{probe}: no answer:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)

    def stop_all(self) -> None:
        for server in self.running.values():
            os.killpg(server.process.pid, signal.SIGTERM)
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def doc_env(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    scratch = tmp_path_factory.mktemp("doc-examples")
    # No example uses OpenAI's own API (the Agents SDK would send it traces with this key).
    env = {name: value for name, value in os.environ.items() if name != "OPENAI_API_KEY"}
    for route, spec in PROVIDERS.items():
        env[spec.api_key_env] = f"doc-example-{route}-key"
        env[spec.api_base_env] = emulator.base_url(route)
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        LITELLM_PROVIDERS_NO_CACHE="1",
        LITELLM_PROVIDERS_CACHE_DIR=str(scratch / "cache"),
        DSPY_CACHEDIR=str(scratch / "dspy"),
        # `litellm-providers` and `litellm` as this venv installs them.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    return env


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = Servers(tmp_path_factory.mktemp("doc-servers"))
    try:
        yield running
    finally:
        running.stop_all()


# Run in the block's interpreter before the block: loopback only, and the page's name and line
# numbers in a traceback.
RUNNER = r"""
import ipaddress, socket, sys

def _remote(host):
    host = host.decode() if isinstance(host, bytes) else host
    try:
        return not ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host != "localhost"

def _getaddrinfo(host, *args, _real=socket.getaddrinfo, **kwargs):
    if host is not None and _remote(host):
        raise OSError(f"doc examples run offline: {host} is not loopback")
    return _real(host, *args, **kwargs)

def _connect(self, address, _real=socket.socket.connect):
    if isinstance(address, tuple) and _remote(address[0]):
        raise OSError(f"doc examples run offline: {address[0]} is not loopback")
    return _real(self, address)

socket.getaddrinfo, socket.socket.connect = _getaddrinfo, _connect
page, first = sys.argv[1], int(sys.argv[2])
code = compile("\n" * (first - 1) + sys.stdin.read(), page, "exec")
sys.argv = [page]
exec(code, {"__name__": "__main__"})
"""


def _proxy_command() -> Command:
    readme = [c for b in SHELL_BLOCKS if b.page == "README.md" for c in commands(b) if c.kind == "proxy"]
    assert len(readme) == 1, "the README has one proxy command"
    return readme[0]


def _check(result: subprocess.CompletedProcess[str], where: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{where} exited {result.returncode}:\n{output[-4000:]}"
    sign = next((s for s in FAILURE_SIGNS if s in output), None)
    assert sign is None, f"{where} printed {sign!r}:\n{output[-4000:]}"


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=lambda b: b.id)
def test_python_example_runs(block: Block, doc_env: dict[str, str], servers: Servers) -> None:
    block.opt_out()
    code, env = block.code, doc_env
    if f":{DOCS_PROXY_PORT}" in code:
        proxy = servers.start(_proxy_command(), doc_env)
        code = re.sub(rf"(127\.0\.0\.1|localhost):{DOCS_PROXY_PORT}", proxy.url.removeprefix("http://"), code)
        env = {**doc_env, "LITELLM_MASTER_KEY": proxy.env["LITELLM_MASTER_KEY"]}
    try:
        result = subprocess.run(
            [sys.executable, "-c", RUNNER, block.page, str(block.line)],
            input=code,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BLOCK_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{block.page}:{block.line} did not finish in {BLOCK_SECONDS}s")
    _check(result, f"{block.page}:{block.line}")


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=lambda b: b.id)
def test_shell_example_runs(block: Block, doc_env: dict[str, str], servers: Servers) -> None:
    block.opt_out()
    for command in commands(block):
        where = f"{block.page}:{block.line}: {shlex.join(command.words)}"
        if command.server:
            server = servers.start(command, doc_env)
            assert server.process.poll() is None, where
            continue
        result = subprocess.run(
            command.words,
            env=_environment_after(command, doc_env),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BLOCK_SECONDS,
        )
        _check(result, where)


def _example_texts() -> list[tuple[str, str]]:
    examples = [(b.id, b.code) for b in ALL_BLOCKS if b.language in EXAMPLE_LANGUAGES]
    return [*examples, ("docs/proxy/config.yaml", SHIPPED_CONFIG.read_text("utf-8"))]


def test_no_example_names_a_retired_model() -> None:
    retired = {
        f"{route}/{name}"
        for route in PROVIDERS
        for name, entry in bundled_catalog(route).models.items()
        if entry.retired
    }
    assert retired, "the bundled catalog marks retired models"
    named = [(where, f"{m[1]}/{m[2]}") for where, text in _example_texts() for m in MODEL_ID.finditer(text)]
    assert named, "the examples name models"
    assert [(where, model) for where, model in named if model in retired] == []


def test_no_streamed_example_prints_spaces_between_its_pieces() -> None:
    # print(a, b, end="") in a stream loop puts a space between a and b on every chunk.
    spaced = []
    for block in PYTHON_BLOCKS:
        for node in ast.walk(ast.parse(block.code)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                keywords = {k.arg for k in node.keywords}
                if len(node.args) > 1 and "end" in keywords and "sep" not in keywords:
                    spaced.append(f"{block.page}:{block.line + node.lineno - 1}")
    assert spaced == []


def test_every_page_starts_the_proxy_with_the_readme_command() -> None:
    readme = _proxy_command()
    the_command = " ".join(filter(None, [readme.assignments, shlex.join(readme.words)]))
    assert "--host 127.0.0.1" in the_command and "LITELLM_LOCAL_MODEL_COST_MAP=True" in the_command
    assert "docs/proxy/config.yaml" in the_command
    mentions = [
        (path.relative_to(ROOT).as_posix(), line.strip())
        for path in [*PAGES, SHIPPED_CONFIG]
        for line in path.read_text("utf-8").splitlines()
        if "litellm --config" in line
    ]
    assert mentions

    def shape(command: str) -> str:
        # The same command for another shipped config (docs/proxy/fleet.yaml) or on another port.
        return re.sub(
            r"--port \d+", "--port N", re.sub(r"docs/proxy/\w+\.yaml", "docs/proxy/C.yaml", command)
        )

    assert [(where, line) for where, line in mentions if shape(the_command) not in shape(line)] == []


MARKED = """
<!-- doc-example: skip (needs a real key: the live quotas) -->
```python
print("never run")
```

<!-- doc-example: requires {module} (installs on the newest leg only) -->
```python
print("run where installed")
```

<!-- doc-example: skip -->
```python
print("no reason given")
```
"""


def test_a_marker_opts_a_block_out_with_its_reason() -> None:
    skipped, required, unexplained = blocks("page.md", MARKED.format(module="no_such_module_here"))
    with pytest.raises(pytest.skip.Exception, match=r"page\.md#1 opts out: needs a real key"):
        skipped.opt_out()
    with pytest.raises(pytest.skip.Exception, match="needs no_such_module_here: installs on the newest"):
        required.opt_out()
    with pytest.raises(AssertionError, match=r"needs a directive and \(a reason\)"):
        unexplained.opt_out()
    installed = blocks("page.md", MARKED.format(module="litellm"))[1]
    installed.opt_out()  # runs: nothing to skip
