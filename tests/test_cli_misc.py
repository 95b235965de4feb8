"""The root command: version, help, usage errors, global options."""

from __future__ import annotations

import subprocess
import sys

from trackstar_cli import __version__


def test_version_fast_path_does_not_import_typer():
    code = (
        "import sys; from trackstar_cli._entry import main; sys.argv=['trackstar','--version']; main(); "
        "print('typer' in sys.modules, 'httpx' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"trackstar-cli {__version__}", "False False"]


def test_version_through_typer(cli):
    r = cli("--version")
    assert r.exit_code == 0 and r.stdout == f"trackstar-cli {__version__}\n"


def test_offline_commands_import_neither_httpx_nor_keyring(tmp_path):
    code = (
        "import sys; from trackstar_cli._entry import main; sys.argv=['trackstar','connections','list','--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('httpx' in sys.modules, 'keyring' in sys.modules, file=sys.stderr)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"TRACKSTAR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert r.stdout == "[]\n"
    assert r.stderr.strip().splitlines()[-1] == "False False"


def test_group_without_command_shows_help_without_an_error_line(cli):
    r = cli("inventory")
    assert r.exit_code == 2
    assert "list" in r.stdout and "ledger" in r.stdout
    assert "error:" not in r.stderr


def test_unknown_command_is_a_usage_error(cli):
    r = cli("inventory", "lst")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: No such command 'lst'")
    assert "hint: see `trackstar inventory --help`" in r.stderr


def test_invalid_profile_and_timeout(cli):
    r = cli("--profile", "bad name", "connections", "list")
    assert r.exit_code == 2 and "invalid profile name" in r.stderr
    r = cli("connections", "list", "--timeout", "-1")
    assert r.exit_code == 2 and "invalid timeout" in r.stderr


def test_global_option_values_after_the_command(cli):
    from tests.conftest import add_connection

    add_connection("conn_s", profile="staging")
    r = cli("connections", "list", "--profile", "staging", "--json")
    assert [c["connection_id"] for c in r.json()] == ["conn_s"]
    r = cli("connections", "list", "--profile=staging", "--json")
    assert [c["connection_id"] for c in r.json()] == ["conn_s"]


def test_help_shows_an_example(cli):
    r = cli("inventory", "list", "--help")
    assert r.exit_code == 0
    assert "Examples" in r.stdout and "trackstar inventory list" in r.stdout
    assert "field[op]=value" in r.stdout  # brackets survive rich markup
