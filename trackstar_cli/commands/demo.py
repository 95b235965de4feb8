"""`trackstar demo`: the Getting Started flow on the built-in emulator."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    pass
