"""Console-script entry point: answers `trackstar --version` before importing Typer (start-up is user-visible)."""

from __future__ import annotations

import sys

from trackstar_cli import __version__

__all__ = ["main"]


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"trackstar-cli {__version__}\n")
        return
    from trackstar_cli.cli import main as cli_main

    cli_main()
