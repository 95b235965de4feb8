"""Shared fixtures: every test runs with its own TRACKSTAR_HOME, an in-memory keyring and a clean environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from typer.testing import CliRunner

from trackstar_cli.cli import app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BASE = "https://api.trackstar.test"
API_KEY = "sk_test_KEY~7f3a9c1e"  # distinctive, so a leak is easy to grep for
TOKEN = "tok_TOKEN~b81d44e2"


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so tests never touch the machine's real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.items:
            raise PasswordDeleteError("not found")
        del self.items[(service, username)]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    for name in list(os.environ):
        if name.startswith("TRACKSTAR_") or name.upper() in {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"}:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("TRACKSTAR_HOME", str(home))
    monkeypatch.setenv("TRACKSTAR_BASE_URL", BASE)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERMINAL_WIDTH", "200")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    monkeypatch.setenv("TRACKSTAR_NO_PROGRESS", "1")
    from trackstar_cli import output

    output.out_console.cache_clear()
    output.err_console.cache_clear()
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)
    output.out_console.cache_clear()
    output.err_console.cache_clear()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def json(self) -> Any:
        import json

        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Any:
    """Run the app in-process: cli("inventory", "list", input=..., env=...) → Result."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        from trackstar_cli import output

        output.out_console.cache_clear()
        output.err_console.cache_clear()
        result = runner.invoke(app, list(args), input=input, env=env)
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    return run


@pytest.fixture
def logged_in(isolated: MemoryKeyring) -> MemoryKeyring:
    isolated.set_password("trackstar-cli", "api-key:default", API_KEY)
    return isolated


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def add_connection(
    connection_id: str = "conn_1",
    *,
    alias: str | None = None,
    token: str = TOKEN,
    integration: str = "sandbox",
    profile: str = "default",
) -> None:
    """Put a connection straight into the store of the current TRACKSTAR_HOME."""
    from trackstar_cli.config import resolve_paths
    from trackstar_cli.store import Store

    with Store(resolve_paths().database) as store:
        store.save_connection(
            profile=profile,
            connection_id=connection_id,
            integration_name=integration,
            access_token=token,
            alias=alias,
            available_actions=["get_inventory"],
        )


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    """A real emulator on 127.0.0.1 for the test module (override the fixture for other seeds or sizes)."""
    from trackstar_cli.emulator import Emulator

    with Emulator(port=0, seed=3) as server:
        yield server


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The module's emulator with TRACKSTAR_BASE_URL and TRACKSTAR_API_KEY pointing at it and no fault queued."""
    import httpx

    monkeypatch.setenv("TRACKSTAR_BASE_URL", emulator.url)
    monkeypatch.setenv("TRACKSTAR_API_KEY", emulator.api_key)
    from trackstar_cli.bounds import shared_ssl_context

    # The process's one SSL context: httpx.delete would build a fresh one (~30-90 ms) for every test.
    httpx.delete(f"{emulator.url}/_emulator/faults", verify=shared_ssl_context())
    return emulator


def connect(cli: Any, emu: Any, integration: str = "sandbox", name: str = "wh") -> dict[str, Any]:
    """Link a WMS as a customer would and exchange the code; returns `exchange --json --show-token`."""
    token = cli("link-token")
    assert token.exit_code == 0, token.stderr
    code = emu.issue_auth_code(token.stdout.strip(), integration)
    done = cli("exchange", code, "--name", name, "--json", "--show-token")
    assert done.exit_code == 0, done.stderr
    return dict(done.json())
