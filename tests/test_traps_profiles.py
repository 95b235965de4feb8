"""Issue #10 item 3: `trackstar config list|get|set|unset`, `trackstar profiles list`, and a `--profile` that
does not exist being an error that lists the known ones (except for the commands that create a profile)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_KEY, add_connection


def test_config_set_get_list_unset(cli: Any, home: Path) -> None:
    r = cli("--profile", "staging", "config", "set", "timeout", "45")
    assert r.exit_code == 0, r.stderr
    assert f"Set timeout = 45.0 for profile 'staging' in {home / 'config.json'}" in r.stderr
    assert cli("--profile", "staging", "config", "get", "timeout").stdout == "45.0\n"
    rows = {row["key"]: row for row in cli("--profile", "staging", "config", "list", "--json").json()}
    assert rows["timeout"]["value"] == 45.0 and rows["timeout"]["source"] == "config"
    assert rows["base_url"]["source"] == "env"  # the test environment sets TRACKSTAR_BASE_URL
    assert set(rows) == {"base_url", "timeout", "ca_bundle", "max_response_bytes"}
    table = cli("--profile", "staging", "config", "list", "-o", "table")
    assert "timeout" in table.stdout and "config" in table.stdout
    r = cli("--profile", "staging", "config", "unset", "timeout")
    assert r.exit_code == 0 and "Removed timeout from profile 'staging'" in r.stderr
    assert cli("--profile", "staging", "config", "get", "timeout").stdout == "30.0\n"
    again = cli("--profile", "staging", "config", "unset", "timeout")
    assert "timeout was not set" in again.stderr
    assert cli("--profile", "staging", "config", "get", "ca_bundle").stderr.strip() == "ca_bundle is not set"


def test_a_stored_base_url_is_used_by_later_commands(cli: Any, emu: Any) -> None:
    assert cli("--profile", "local", "config", "set", "base_url", emu.url + "/").exit_code == 0
    r = cli("--profile", "local", "auth", "status", "--json", env={"TRACKSTAR_BASE_URL": ""})
    assert r.exit_code == 0, r.stderr
    assert r.json()["base_url"] == emu.url and r.json()["base_url_source"] == "config"
    assert r.json()["key_valid"] is True


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("timeout", "0", "invalid timeout '0'"),
        ("timeout", "soon", "expected seconds"),
        ("base_url", "http://example.com", "refusing plain http:// for example.com"),
        ("base_url", "ftp://x", "invalid base URL"),
        ("max_response_bytes", "12", "expected at least 1024"),
        ("ca_bundle", "/nonexistent/ca.pem", "does not exist"),
        ("timout", "3", "unknown setting 'timout'; did you mean 'timeout'?"),
        ("api_key", "sk_live_x", "is a secret and never goes in the config file"),
    ],
)
def test_config_set_refuses_what_resolve_settings_would_refuse(
    cli: Any, home: Path, key: str, value: str, message: str
) -> None:
    r = cli("config", "set", key, value)
    assert r.exit_code == 2
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not (home / "config.json").exists()  # nothing written
    assert value not in r.stderr or key != "api_key"


def test_config_set_ca_bundle_keeps_the_absolute_path(cli: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert cli("config", "set", "ca_bundle", str(bundle)).exit_code == 0
    assert cli("config", "get", "ca_bundle").stdout.strip() == str(bundle)


def test_profiles_list_marks_the_current_one(cli: Any, logged_in: Any) -> None:
    add_connection("conn_a", profile="ops")
    add_connection("conn_b", profile="ops")
    cli("--profile", "staging", "config", "set", "base_url", "https://staging.example.com")
    rows = {p["name"]: p for p in cli("--profile", "ops", "profiles", "list", "--json").json()}
    assert set(rows) == {"default", "ops", "staging"}
    assert rows["ops"]["current"] is True and rows["default"]["current"] is False
    assert rows["ops"]["connections"] == 2 and rows["default"]["api_key"] == "keyring"
    assert rows["staging"]["base_url"] == "https://staging.example.com" and rows["staging"]["in_config"] is True
    table = cli("--profile", "ops", "profiles", "list", "-o", "table").stdout
    ops_line = next(line for line in table.splitlines() if " ops " in line)
    assert "*" in ops_line


def test_an_unknown_profile_is_an_error_listing_the_known_ones(cli: Any) -> None:
    add_connection("conn_s", profile="staging")
    for args in (("inventory", "list"), ("connections", "list"), ("auth", "status"), ("config", "list")):
        r = cli("--profile", "stagin", *args)
        assert r.exit_code == 2, (args, r.stderr)
        assert "error: profile 'stagin' does not exist (known: default, staging); did you mean 'staging'?" in r.stderr
        assert "auth login" in r.stderr
    # placed after the command, and as --profile=NAME
    assert cli("connections", "list", "--profile=stagin").exit_code == 2
    assert cli("--profile", "staging", "connections", "list").exit_code == 0
    assert cli("--profile", "default", "connections", "list").exit_code == 0  # the default always exists
    assert cli("--profile", "stagin", "inventory", "list", "--help").exit_code == 0


def test_a_mistyped_trackstar_profile_is_an_error_too(cli: Any, tmp_path: Path) -> None:
    add_connection("conn_s", profile="staging")
    r = cli("inventory", "list", env={"TRACKSTAR_PROFILE": "stagin", "TRACKSTAR_BASE_URL": None})
    assert r.exit_code == 2, r.stderr
    assert "error: profile 'stagin' (from TRACKSTAR_PROFILE) does not exist (known: default, staging)" in r.stderr
    assert "did you mean 'staging'?" in r.stderr and "hint: unset TRACKSTAR_PROFILE, or create it" in r.stderr
    assert cli("connections", "list", env={"TRACKSTAR_PROFILE": "staging", "TRACKSTAR_BASE_URL": None}).exit_code == 0
    # `emulator serve` says: export TRACKSTAR_PROFILE=emulator TRACKSTAR_BASE_URL=… TRACKSTAR_API_KEY=…
    env = {"TRACKSTAR_PROFILE": "emulator", "TRACKSTAR_BASE_URL": "http://127.0.0.1:9", "TRACKSTAR_API_KEY": API_KEY}
    assert "does not exist" not in cli("connections", "list", env=env).stderr
    # the Typer-free `connections list` says the same
    out = subprocess.run(
        [sys.executable, "-m", "trackstar_cli", "connections", "list"],
        env={"TRACKSTAR_HOME": str(tmp_path / "h"), "PATH": "/usr/bin:/bin", "TRACKSTAR_PROFILE": "ghost"},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 2
    assert out.stderr.startswith("error: profile 'ghost' (from TRACKSTAR_PROFILE) does not exist (known: default)")


def test_what_makes_a_profile_exist(cli: Any, isolated: Any) -> None:
    assert cli("--profile", "p1", "connections", "list").exit_code == 2
    cli("--profile", "p1", "config", "set", "timeout", "9")  # a config section
    assert cli("--profile", "p1", "connections", "list").exit_code == 0
    cli("--profile", "p1", "config", "unset", "timeout")  # an emptied section still counts
    assert cli("--profile", "p1", "connections", "list").exit_code == 0
    add_connection("conn_x", profile="p2")  # a stored connection
    assert cli("--profile", "p2", "connections", "list").exit_code == 0
    isolated.set_password("trackstar-cli", "api-key:p3", API_KEY)  # a key in the keyring only
    assert cli("--profile", "p3", "connections", "list").exit_code == 0
    # the environment's API key does not make one: a typo would quietly use the default URL and no connections
    assert cli("--profile", "p4", "connections", "list", env={"TRACKSTAR_API_KEY": API_KEY}).exit_code == 2


def test_commands_that_create_a_profile_accept_a_new_name(cli: Any, isolated: Any, home: Path) -> None:
    r = cli("--profile", "fresh", "auth", "login", "--stdin", "--no-verify", input=API_KEY)
    assert r.exit_code == 0, r.stderr
    assert "fresh" in json.loads((home / "config.json").read_text())["profiles"]  # recorded: profiles list sees it
    assert cli("--profile", "fresher", "config", "set", "timeout", "5").exit_code == 0
    assert cli("--profile", "newest", "profiles", "list", "--json").exit_code == 0
    names = [p["name"] for p in cli("profiles", "list", "--json").json()]
    assert names == ["default", "fresh", "fresher"]


def test_the_fast_path_refuses_an_unknown_profile_too(tmp_path: Path) -> None:
    """`connections list` runs without Typer (_fast.py); it must say the same."""
    env = {"TRACKSTAR_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "trackstar_cli", "--profile", "ghost", "connections", "list"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 2
    assert out.stderr.startswith("error: profile 'ghost' does not exist (known: default)")


@pytest.mark.parametrize(
    "args",
    [("webhooks", "secret", "set", "--secret-stdin"), ("sandbox", "generate", "--help")],
)
def test_commands_that_store_into_a_new_profile_are_not_refused(cli: Any, args: tuple[str, ...]) -> None:
    r = cli("--profile", "brand-new", *args, input="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
    assert "profile 'brand-new' does not exist" not in r.stderr, r.stderr
    assert "does not exist" in cli("--profile", "brand-new", "webhooks", "events", "list").stderr  # the check is on
