"""Write trackstar_cli/help_pages.json and help_pages_tty.json: every command's --help as the Typer app renders
it into a pipe, and as it renders it on an 80-column colour terminal.

Run after changing any help text: `.venv/bin/python tools/gen_help.py`. tests/test_help_pages.py fails while
a file is stale. See trackstar_cli/_help.py for when the pages are used.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trackstar_cli import __version__  # noqa: E402
from trackstar_cli._help import PAGES_FILE, RENDER_ENV, TERMINAL_WIDTH, TTY_PAGES_FILE  # noqa: E402


def command_paths() -> list[tuple[str, ...]]:
    from typer import _click as click
    from typer.core import TyperGroup
    from typer.main import get_command

    from trackstar_cli.cli import app

    found: list[tuple[str, ...]] = [()]

    def walk(command: click.core.Command, path: tuple[str, ...]) -> None:
        if isinstance(command, TyperGroup):
            ctx = click.core.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    found.append((*path, name))
                    walk(sub, (*path, name))

    walk(get_command(app), ())
    return found


def render(path: tuple[str, ...], *, terminal: bool = False) -> str:
    """The page Typer prints into a pipe, or (terminal=True) on a colour terminal TERMINAL_WIDTH wide."""
    import typer.rich_utils
    from typer.testing import CliRunner

    from trackstar_cli.cli import app

    saved = (typer.rich_utils.FORCE_TERMINAL, typer.rich_utils.MAX_WIDTH, typer.rich_utils.COLOR_SYSTEM)
    if terminal:
        # Typer's help uses named colours and bold/dim only: the same bytes in every colour system.
        typer.rich_utils.FORCE_TERMINAL, typer.rich_utils.MAX_WIDTH = True, TERMINAL_WIDTH
        typer.rich_utils.COLOR_SYSTEM = "standard"
    else:
        typer.rich_utils.FORCE_TERMINAL, typer.rich_utils.MAX_WIDTH = None, None
    try:
        env = dict.fromkeys([*RENDER_ENV, "NO_COLOR"])  # None unsets them for the run
        result = CliRunner().invoke(app, [*path, "--help"], prog_name="trackstar", env=env)
    finally:
        typer.rich_utils.FORCE_TERMINAL, typer.rich_utils.MAX_WIDTH, typer.rich_utils.COLOR_SYSTEM = saved
    if result.exit_code != 0:
        raise SystemExit(f"trackstar {' '.join(path)} --help exited {result.exit_code}: {result.output}")
    return result.stdout


def pages(*, terminal: bool = False) -> dict[str, str]:
    return {" ".join(path): render(path, terminal=terminal) for path in command_paths()}


def main() -> None:
    for name in RENDER_ENV:
        os.environ.pop(name, None)
    for target, terminal in ((PAGES_FILE, False), (TTY_PAGES_FILE, True)):
        data = {"version": __version__, "pages": pages(terminal=terminal)}
        target.write_text(json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {len(data['pages'])} pages to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
