"""`trackstar demo`: the Getting Started flow on the built-in emulator."""

from __future__ import annotations

import typer

__all__ = ["build"]


def demo() -> None:
    """Walk through the Getting Started flow on the built-in emulator (offline, nothing to set up)."""


def build(name: str) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command(name)(demo)
    return app
