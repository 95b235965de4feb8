"""What the Typer app and the Typer-free paths (`_entry.py`, `_fast.py`) must agree on, written once: the global
options and the version line. Imports nothing, so the fast paths stay fast."""

from __future__ import annotations

from trackstar_cli import __version__

__all__ = ["GLOBAL_FLAG_OPTIONS", "GLOBAL_VALUE_OPTIONS", "VERSION_LINE"]

GLOBAL_VALUE_OPTIONS = frozenset({"--profile", "--base-url", "--timeout", "--ca-bundle"})
GLOBAL_FLAG_OPTIONS = frozenset({"--verbose", "-v", "--debug", "--no-pager"})
VERSION_LINE = f"trackstar-cli {__version__}"
