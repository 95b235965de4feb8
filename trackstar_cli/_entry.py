"""Console-script entry point: `--version`, `connections list` (see _fast.py) and `--help` into a pipe (see
_help.py) run before Typer is imported (start-up is user-visible in shell loops); everything else goes to the
Typer app."""

from __future__ import annotations

import sys

from trackstar_cli._options import VERSION_LINE

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(VERSION_LINE + "\n")
        return
    from trackstar_cli import _help

    page = _help.page_for(sys.argv[1:])
    if page is not None:
        sys.stdout.write(page)
        return
    from trackstar_cli import _fast

    code = _fast.run(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from trackstar_cli.cli import main as cli_main

    cli_main()
