"""Write trackstar_cli/help_pages.json: every command's --help as the Typer app renders it into a pipe.

Run after changing any help text: `.venv/bin/python tools/gen_help.py`. tests/test_help_pages.py fails while
the file is stale. See trackstar_cli/_help.py for when the pages are used.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trackstar_cli import __version__  # noqa: E402
from trackstar_cli._help import PAGES_FILE, RENDER_ENV  # noqa: E402


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


def render(path: tuple[str, ...]) -> str:
    from typer.testing import CliRunner

    from trackstar_cli.cli import app

    env = dict.fromkeys(RENDER_ENV)  # None unsets them for the run
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="trackstar", env=env)
    if result.exit_code != 0:
        raise SystemExit(f"trackstar {' '.join(path)} --help exited {result.exit_code}: {result.output}")
    return result.stdout


def pages() -> dict[str, str]:
    return {" ".join(path): render(path) for path in command_paths()}


def main() -> None:
    for name in RENDER_ENV:
        os.environ.pop(name, None)
    data = {"version": __version__, "pages": pages()}
    PAGES_FILE.write_text(json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(data['pages'])} pages to {PAGES_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
