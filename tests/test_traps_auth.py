"""Issue #10 item 3, the auth traps: login names the server it checked and where the base URL is kept, and
proves the keyring before asking for a key; status checks the key (--offline skips) and exits 3 when it is
rejected; 401s name the URL, and a 401 on a connection's token points at the connection, not at the key;
keyring backends in plain words."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_KEY, add_connection, connect
from tests.test_terminal_surface import Screen, pytestmark  # noqa: F401 - tmux or skip

ROOT = Path(__file__).resolve().parents[1]


def test_login_names_the_server_and_the_default_base_url(cli: Any, emu: Any, isolated: Any) -> None:
    r = cli("auth", "login", "--stdin", input=emu.api_key, env={"TRACKSTAR_API_KEY": ""})
    assert r.exit_code == 0, r.stderr
    # the env var made it the base URL: it is kept in the config file, and login says where
    assert f"Trackstar at {emu.url} accepted the key" in r.stderr
    assert "kept in " in r.stderr and "config.json" in r.stderr
    assert isolated.items[("trackstar-cli", "api-key:default")] == emu.api_key


def test_login_with_the_default_url_says_default(cli: Any, isolated: Any) -> None:
    r = cli("auth", "login", "--stdin", "--no-verify", input=API_KEY, env={"TRACKSTAR_BASE_URL": ""})
    assert r.exit_code == 0, r.stderr
    assert "the key is for https://production.trackstarhq.com" in r.stderr
    assert "Base URL: https://production.trackstarhq.com (the default;" in r.stderr


def test_login_rejected_key_names_the_url(cli: Any, emu: Any, isolated: Any) -> None:
    r = cli("auth", "login", "--stdin", input="sk_wrong_0000000000", env={"TRACKSTAR_API_KEY": ""})
    assert r.exit_code == 3
    assert "Trackstar rejected this API key; it was not saved" in r.stderr
    assert f"(sent to {emu.url}/connections)" in r.stderr
    assert isolated.items == {}


def test_status_checks_the_key_and_exits_3_when_it_is_rejected(cli: Any, emu: Any) -> None:
    good = cli("auth", "status", "-o", "table")
    assert good.exit_code == 0, good.stderr
    assert f"valid (checked against {emu.url}/connections)" in good.stdout
    bad = cli("auth", "status", "-o", "table", env={"TRACKSTAR_API_KEY": "sk_revoked_000000000"})
    assert bad.exit_code == 3
    assert "REJECTED" in bad.stdout
    assert "error: the API key of profile 'default' was rejected: " in bad.stderr
    assert f"(sent to {emu.url}/connections)" in bad.stderr and "auth login" in bad.stderr
    data = cli("auth", "status", "--json", env={"TRACKSTAR_API_KEY": "sk_revoked_000000000"})
    assert data.exit_code == 3 and data.json()["key_valid"] is False


def test_status_offline_sends_nothing(cli: Any) -> None:
    # the base URL is a name that does not resolve: any request would fail with exit 8
    r = cli("auth", "status", "--offline", "-o", "table", env={"TRACKSTAR_API_KEY": API_KEY})
    assert r.exit_code == 0, r.stderr
    assert "not checked (--offline)" in r.stdout
    unreachable = cli("auth", "status", "-o", "table", env={"TRACKSTAR_API_KEY": API_KEY})
    assert unreachable.exit_code == 8 and "not checked: cannot reach" in unreachable.stdout


def test_a_401_on_an_access_token_points_at_the_connection(cli: Any, emu: Any) -> None:
    add_connection("conn_gone", alias="old", token="tok_from_an_earlier_emulator_run")
    r = cli("inventory", "list", "-c", "old")
    assert r.exit_code == 3
    assert f"(sent to {emu.url}/wms/inventory)" in r.stderr
    hint = r.stderr.split("hint:", 1)[1]
    assert "connections reconcile" in hint and "link-token --connection-id" in hint
    assert "auth status" not in hint


def test_a_401_on_the_api_key_points_at_the_key(cli: Any, emu: Any) -> None:
    connect(cli, emu, name="wh")
    r = cli("inventory", "list", env={"TRACKSTAR_API_KEY": "sk_revoked_000000000"})
    assert r.exit_code == 3
    assert f"(sent to {emu.url}/wms/inventory)" in r.stderr and "auth status" in r.stderr


def test_keyring_backends_in_plain_words(cli: Any) -> None:
    import keyring
    from keyring.backends import fail, null

    keyring.set_keyring(fail.Keyring())
    r = cli("auth", "status", "--offline", "-o", "table")
    assert "none: no Secret Service on this machine" in r.stdout
    keyring.set_keyring(null.Keyring())
    r = cli("auth", "login", "--stdin", "--no-verify", input=API_KEY)
    assert r.exit_code == 3
    for result in (r, cli("auth", "status", "--offline", "-o", "table")):
        assert "keyring.backends" not in result.stdout + result.stderr
        assert ".Keyring" not in result.stdout + result.stderr


def _installed() -> str:
    exe = Path(sys.executable).with_name("trackstar")
    if not exe.exists():
        pytest.skip("the trackstar console script is not installed next to this interpreter")
    return str(exe)


def test_login_on_a_terminal_refuses_before_asking_when_the_keyring_cannot_store(tmp_path: Path) -> None:
    env = {
        "TRACKSTAR_HOME": str(tmp_path / "home"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TERM": "xterm",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
    }
    screen = Screen([_installed(), "auth", "login"], env)
    try:
        text = Screen.joined(screen.wait_for("__EXIT_"))  # lines wrapped at 80 columns
    finally:
        screen.close()
    assert "__EXIT_3__" in text
    assert "error: the OS keyring failed to store the API key: no Secret Service on this machine" in text
    assert "Trackstar API key" not in text  # never asked for a key it could not keep


def test_login_on_a_terminal_asks_with_hidden_input_after_the_probe(tmp_path: Path, emulator: Any) -> None:
    env = {
        "TRACKSTAR_HOME": str(tmp_path / "home"),
        "TRACKSTAR_BASE_URL": emulator.url,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",  # keeps nothing: the probe says so
        "TERM": "xterm",
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
    }
    screen = Screen([_installed(), "auth", "login"], env)
    try:
        text = Screen.joined(screen.wait_for("__EXIT_"))  # lines wrapped at 80 columns
    finally:
        screen.close()
    assert "__EXIT_3__" in text and "the keyring is disabled" in text
    assert "Trackstar API key" not in text


def test_login_probes_the_keyring_before_it_prompts(cli: Any, isolated: Any, monkeypatch: Any) -> None:
    events: list[str] = []
    original = isolated.set_password

    def recording_set(service: str, username: str, password: str) -> None:
        events.append(username.split(":", 1)[0])
        original(service, username, password)

    def prompt(text: str, *, hide_input: bool = False, err: bool = False) -> str:
        events.append(f"prompt hidden={hide_input}")
        return "sk_prompted_0123456789"

    monkeypatch.setattr(isolated, "set_password", recording_set)
    monkeypatch.setattr("trackstar_cli.commands._common.stdin_is_tty", lambda: True)
    monkeypatch.setattr("typer.prompt", prompt)
    r = cli("auth", "login", "--no-verify")
    assert r.exit_code == 0, r.stderr
    assert events == ["probe", "prompt hidden=True", "api-key"]
    assert set(isolated.items) == {("trackstar-cli", "api-key:default")}  # the throw-away entry is gone
