"""`--help` without Typer: the pages as Typer renders them, rendered ahead of time.

Importing Typer and rich alone takes longer than all of `gh --version`, and people, scripts, editors and
`| less` ask for help all the time. `tools/gen_help.py` renders every command's help twice: `help_pages.json`
exactly as the Typer app prints it into a file or pipe (80 columns, no colour), and `help_pages_tty.json`
exactly as it prints it on a colour terminal 80 columns wide. `tests/test_help_pages.py` fails when a page
differs from the live one (and compares the terminal page with a live rendering on a real pseudo-terminal).

A page is used only when the command line is `trackstar [WORDS...] --help|-h` and the words name a command.
On a terminal narrower than 80 columns, with NO_COLOR, TERM=dumb, or any variable that changes rich's width or
colours set (RENDER_ENV), Typer renders the page live instead. A wider terminal gets the 80-column page: help
set wider than 80 columns is harder to read, and gh and git do the same.
Imports nothing of ours but the version, so the fast path stays fast.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trackstar_cli import __version__

__all__ = ["PAGES_FILE", "RENDER_ENV", "TERMINAL_WIDTH", "TTY_PAGES_FILE", "page_for"]

PAGES_FILE = Path(__file__).with_name("help_pages.json")
TTY_PAGES_FILE = Path(__file__).with_name("help_pages_tty.json")
TERMINAL_WIDTH = 80  # the width both sets of pages are rendered at (rich's own default)
# Variables that change how Typer/rich render help (width, colour, terminal detection).
RENDER_ENV = (
    "COLUMNS",
    "LINES",
    "TERMINAL_WIDTH",
    "FORCE_COLOR",
    "PY_COLORS",
    "GITHUB_ACTIONS",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "_TYPER_FORCE_DISABLE_TERMINAL",
    "_TYPER_STANDARD_TRACEBACK",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
    "TRACKSTAR_LIVE_HELP",
)


def page_for(argv: list[str]) -> str | None:
    """The pre-rendered page for `argv` (without the program name), or None to render it live."""
    if not argv or argv[-1] not in ("--help", "-h"):
        return None
    words = argv[:-1]
    if any(not w or w.startswith("-") for w in words):
        return None
    if any(name in os.environ for name in RENDER_ENV):
        return None
    width = _terminal_width()
    if width is not None and width < TERMINAL_WIDTH:
        return None  # rich would fit the page to the terminal
    source = PAGES_FILE
    if _isatty(1):
        if "NO_COLOR" in os.environ or os.environ.get("TERM", "").strip().lower() in ("dumb", "unknown"):
            return None
        source = TTY_PAGES_FILE
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != __version__:
        return None
    pages = data.get("pages")
    text = pages.get(" ".join(words)) if isinstance(pages, dict) else None
    return text if isinstance(text, str) else None


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


def _terminal_width() -> int | None:
    """The width rich would size the page to: that of the first standard stream that is a terminal (0, as a
    new pseudo-terminal reports, is rich's default of 80); None when none is."""
    for fd in (0, 1, 2):
        if not _isatty(fd):
            continue
        try:
            return os.get_terminal_size(fd).columns or TERMINAL_WIDTH
        except OSError:
            continue
    return None
