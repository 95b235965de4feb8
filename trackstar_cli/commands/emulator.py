"""`trackstar emulator serve | auth-code`: the local Trackstar emulator."""

from __future__ import annotations

import typer

__all__ = ["app"]

app = typer.Typer(help="Run the local Trackstar emulator (offline, on 127.0.0.1).", no_args_is_help=True)
