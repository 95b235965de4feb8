"""The traps a newcomer falls into (issue: the surface a person touches): typos, enum values, placeholders,
a bare `trackstar`, `--help | head`, `trackstar version`."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from trackstar_cli._options import VERSION_LINE

CLI = [sys.executable, "-m", "trackstar_cli"]


@pytest.mark.parametrize(
    ("typo", "meant"), [("order", "orders"), ("inventroy", "inventory"), ("conections", "connections")]
)
def test_top_level_typos_get_a_suggestion(cli: Any, typo: str, meant: str) -> None:
    r = cli(typo)
    assert r.exit_code == 2
    assert f"Did you mean '{meant}'" in r.stderr


def test_sub_command_typos_get_a_suggestion(cli: Any) -> None:
    assert "Did you mean 'list'?" in cli("orders", "lst").stderr


def test_an_enum_option_lists_its_values_and_the_closest(cli: Any) -> None:
    r = cli("orders", "update", "ord_1", "--status", "fulfiled")
    assert r.exit_code == 2
    assert "did you mean 'fulfilled'?" in r.stderr and "choose from open, confirmed" in r.stderr


def test_a_list_filter_on_an_enum_is_checked_before_anything_is_sent(cli: Any) -> None:
    r = cli("orders", "list", "--status", "fulfiled", "-c", "nope")
    assert r.exit_code == 2
    assert "invalid --status 'fulfiled'" in r.stderr and "did you mean 'fulfilled'?" in r.stderr
    r = cli("inbound-shipments", "list", "--status", "in_transit", "-c", "nope")
    assert "did you mean 'in-transit'?" in r.stderr


def test_enum_values_are_listed_in_help(cli: Any) -> None:
    text = " ".join(cli("returns", "list", "--help").stdout.split())
    assert "One of: open, in-transit, receiving, received, cancelled, other" in text.replace("│", "").replace("  ", " ")


def test_placeholders_say_what_they_are(cli: Any) -> None:
    assert "WAREHOUSE_ID" in cli("warehouses", "locations", "--help").stdout
    assert "AUTH_CODE" in cli("exchange", "--help").stdout
    assert "ID|ALIAS" in cli("connections", "show", "--help").stdout
    assert "ORDER_ID" in cli("orders", "get", "--help").stdout


def test_bare_trackstar_prints_help_and_exits_0() -> None:
    r = subprocess.run(CLI, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Usage" in r.stdout and r.stderr == ""


def test_help_into_head_exits_0() -> None:
    r = subprocess.run(
        f"{sys.executable} -m trackstar_cli --help | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "Broken pipe" not in r.stderr


def test_version_command(cli: Any) -> None:
    r = cli("version")
    assert r.exit_code == 0 and r.stdout.strip() == VERSION_LINE
