"""auth login | status | logout through the real CLI, with the in-memory keyring."""

from __future__ import annotations

import respx

from tests.conftest import API_KEY, BASE


@respx.mock(base_url=BASE, assert_all_called=True)
def test_login_stdin_verifies_then_stores_key(respx_mock, cli, isolated):
    route = respx_mock.get("/connections").respond(200, json={"data": [], "next_token": None, "total_count": 0})
    r = cli("auth", "login", "--stdin", input=API_KEY + "\n")
    assert r.exit_code == 0, r.stderr
    assert route.calls.last.request.headers["x-trackstar-api-key"] == API_KEY
    assert isolated.items[("trackstar-cli", "api-key:default")] == API_KEY
    assert "Saved the API key for profile 'default'" in r.stderr
    assert API_KEY not in r.stdout + r.stderr


@respx.mock(base_url=BASE)
def test_login_rejected_key_is_not_saved(respx_mock, cli, isolated):
    respx_mock.get("/connections").respond(401, json={"error": "Invalid API key", "origin": "trackstar"})
    r = cli("auth", "login", "--stdin", input="sk_bad_key_123456\n")
    assert r.exit_code == 3
    assert "error: Trackstar rejected this API key; it was not saved" in r.stderr
    assert "hint:" in r.stderr
    assert isolated.items == {}


def test_login_no_verify_skips_the_api(cli, isolated):
    r = cli("auth", "login", "--stdin", "--no-verify", input=API_KEY)
    assert r.exit_code == 0, r.stderr
    assert isolated.items[("trackstar-cli", "api-key:default")] == API_KEY


def test_login_without_stdin_and_no_terminal_is_a_usage_error(cli, isolated):
    r = cli("auth", "login", input="")
    assert r.exit_code == 2
    assert "not a terminal" in r.stderr and "--stdin" in r.stderr
    assert isolated.items == {}


def test_login_empty_stdin(cli):
    r = cli("auth", "login", "--stdin", "--no-verify", input="\n")
    assert r.exit_code == 2
    assert "error: nothing was read from standard input" in r.stderr


def test_login_profile_keeps_keys_apart_and_remembers_base_url(cli, isolated, home):
    r = cli(
        "--profile",
        "staging",
        "--base-url",
        "http://127.0.0.1:9",
        "auth",
        "login",
        "--stdin",
        "--no-verify",
        input="sk_staging_key_0001",
    )
    assert r.exit_code == 0, r.stderr
    assert isolated.items == {("trackstar-cli", "api-key:staging"): "sk_staging_key_0001"}
    r = cli("--profile", "staging", "auth", "status", "--offline", "--json", env={"TRACKSTAR_BASE_URL": ""})
    assert r.json()["base_url"] == "http://127.0.0.1:9"
    assert r.json()["base_url_source"] == "config"


def test_status_masks_key_and_names_source(cli, logged_in):
    r = cli("auth", "status", "--offline", "--json")
    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["key_source"] == "keyring" and data["logged_in"] is True
    assert data["api_key"] == "****" + API_KEY[-4:]
    assert API_KEY not in r.stdout
    assert data["profile"] == "default" and data["base_url"] == BASE


def test_status_env_key_wins_over_keyring(cli, logged_in):
    r = cli("auth", "status", "--offline", "--json", env={"TRACKSTAR_API_KEY": "sk_from_env_99999999"})
    assert r.json()["key_source"] == "env"
    assert r.json()["api_key"] == "****9999"


def test_status_table_and_exit_3_without_key(cli):
    r = cli("auth", "status", "-o", "table")
    assert r.exit_code == 3
    assert "not set" in r.stdout and "auth login" in r.stdout


def test_logout_removes_key(cli, logged_in):
    r = cli("auth", "logout")
    assert r.exit_code == 0
    assert "Removed the API key of profile 'default'" in r.stderr
    assert logged_in.items == {}
    r = cli("auth", "logout")
    assert "No API key was stored" in r.stderr


def test_keyring_failure_is_a_clear_error(cli, monkeypatch):
    import keyring
    from keyring.backends import fail

    from tests.conftest import add_connection

    add_connection()
    keyring.set_keyring(fail.Keyring())
    r = cli("inventory", "list")
    assert r.exit_code == 3
    assert "error: the OS keyring failed to read the API key: no keyring backend is available" in r.stderr
    assert "TRACKSTAR_API_KEY" in r.stderr
    assert "Traceback" not in r.stderr


def test_login_prompt_goes_to_stderr_and_hides_the_key(cli, isolated, monkeypatch):
    monkeypatch.setattr("trackstar_cli.commands._common.stdin_is_tty", lambda: True)
    monkeypatch.setattr("typer.prompt", _fake_prompt)
    r = cli("auth", "login", "--no-verify")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert isolated.items[("trackstar-cli", "api-key:default")] == "sk_prompted_0123456789"
    assert _fake_prompt.calls == [("Trackstar API key", True, True)]


def _fake_prompt(text: str, *, hide_input: bool = False, err: bool = False) -> str:
    _fake_prompt.calls.append((text, hide_input, err))  # type: ignore[attr-defined]
    return "sk_prompted_0123456789\n"


_fake_prompt.calls = []  # type: ignore[attr-defined]
