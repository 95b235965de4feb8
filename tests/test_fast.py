"""The Typer-free path of `trackstar connections list` (trackstar_cli._fast) behaves exactly like the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import add_connection
from trackstar_cli._fast import _parse

PROBE = """
import sys
from trackstar_cli._entry import main
sys.argv = ["trackstar", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write("\\nTYPER=%s\\n" % ("typer" in sys.modules))
"""


def entry(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, bool]:
    full_env = {"TRACKSTAR_HOME": str(home), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", **(env or {})}
    r = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=full_env)
    err, _, flag = r.stderr.rpartition("\nTYPER=")
    return r.returncode, r.stdout, err.rstrip("\n"), flag.strip() == "True"


@pytest.mark.parametrize(
    "args",
    [
        ["connections", "list"],
        ["connections", "list", "--json"],
        ["connections", "list", "-o", "csv"],
        ["connections", "list", "--format=ndjson"],
        ["connections", "list", "-o", "table"],
        ["--profile", "default", "connections", "list", "--verbose", "--json"],
        ["connections", "list", "--profile=other", "--json"],
    ],
)
def test_fast_path_matches_the_cli(cli, home, args):
    add_connection("conn_1", alias="acme")
    add_connection("conn_2")
    cli("connections", "use", "acme")
    code, out, err, typer_loaded = entry(home, *args, env={"COLUMNS": "200"})
    assert not typer_loaded, "connections list should not import Typer"
    expected = cli(*args)
    assert (code, out) == (expected.exit_code, expected.stdout)
    assert err == expected.stderr.rstrip("\n")


@pytest.mark.parametrize(
    "args",
    [
        ["connections", "list", "--help"],
        ["connections", "list", "--remote"],
        ["connections", "list", "-o", "yaml"],
        ["connections", "list", "extra"],
        ["connections", "list", "--timeout", "soon"],
        ["connections", "show", "x"],
        ["inventory", "list"],
        ["connections", "list", "--profile"],
    ],
)
def test_everything_else_goes_to_typer(args):
    assert _parse(args) is None


def test_errors_come_out_the_same(cli, home):
    code, out, err, typer_loaded = entry(home, "connections", "list", "--profile", "bad name")
    assert not typer_loaded
    expected = cli("connections", "list", "--profile", "bad name")
    assert (code, out, err) == (expected.exit_code, expected.stdout, expected.stderr.rstrip("\n"))
    assert code == 2


def test_bad_option_falls_back_to_typer_errors(home):
    code, out, err, typer_loaded = entry(home, "connections", "list", "-o", "yaml")
    assert typer_loaded and code == 2 and "yaml" in err
