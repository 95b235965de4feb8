"""Meta-tests that keep the docs honest: every command has help with an example and is in the README;
the completion scripts match the code; the README's exit codes and environment variables match the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer import _click as click
from typer.core import TyperGroup
from typer.main import get_command
from typer.testing import CliRunner

from trackstar_cli.cli import app
from trackstar_cli.config import ENV
from trackstar_cli.errors import ExitCode

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _walk(command: click.core.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.core.Command]]:
    found = [(path, command)] if path else []
    if isinstance(command, TyperGroup):
        ctx = click.core.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            found += _walk(sub, (*path, name))
    return found


COMMANDS = _walk(get_command(app))
LEAVES = [(p, c) for p, c in COMMANDS if not isinstance(c, TyperGroup)]


def test_the_walk_finds_the_commands():
    names = {" ".join(p) for p, _ in LEAVES}
    assert {"auth login", "exchange", "inventory list", "connections use", "emulator serve", "demo"} <= names


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(path, command):
    text = command.help or ""
    assert text.strip(), f"trackstar {' '.join(path)} has no help"
    assert "Example" in text, f"trackstar {' '.join(path)} --help shows no example"
    assert f"trackstar {' '.join(path)}" in text.replace("\\[", "["), "the example does not use the command itself"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_is_in_the_readme(path, command):
    assert f"trackstar {' '.join(path)}" in README, f"`trackstar {' '.join(path)}` is not in README.md"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_fresh(shell):
    result = CliRunner().invoke(app, [], prog_name="trackstar", env={"_TRACKSTAR_COMPLETE": f"source_{shell}"})
    assert result.exit_code == 0
    assert (REPO / "completions" / f"trackstar.{shell}").read_text() == result.stdout, (
        "completions are stale: run completions/generate.sh"
    )


def test_completion_completes_commands():
    env = {"_TRACKSTAR_COMPLETE": "complete_bash", "COMP_WORDS": "trackstar inventory l", "COMP_CWORD": "2"}
    result = CliRunner().invoke(app, [], prog_name="trackstar", env=env)
    assert result.stdout.split() == ["list", "ledger"]


def test_readme_exit_code_table_matches_the_code():
    rows = dict(re.findall(r"^\| `(\d+)` \| ([^|]+)\|", README, flags=re.M))
    assert {int(k) for k in rows} == {int(c) for c in ExitCode}


def test_readme_lists_every_environment_variable():
    for name in ENV.values():
        assert f"`{name}`" in README, name


def test_readme_starts_with_the_two_commands():
    head = README[:2500]
    assert "trackstar demo" in head
    assert "bash .ci/run" in head
