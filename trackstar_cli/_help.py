"""`--help` without Typer: the pages as Typer renders them for a file or pipe, rendered ahead of time.

Importing Typer and rich alone takes longer than all of `gh --version`, and scripts, editors and `| less`
ask for help too. `help_pages.json` holds every command's help exactly as the Typer app prints it when no
standard stream is a terminal (80 columns, no colour); `tools/gen_help.py` writes it and
`tests/test_help_pages.py` fails when a page differs from the live one. A page is used only when the command
line is `trackstar [WORDS...] --help|-h`, the words name a command, and nothing would make the live rendering
differ: no standard stream is a terminal (rich sizes itself from any of them) and no variable that changes
rich's width or colours is set. Anything else returns None and Typer renders the page live.
Imports nothing of ours but the version, so the fast path stays fast.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trackstar_cli import __version__

__all__ = ["PAGES_FILE", "RENDER_ENV", "page_for"]

PAGES_FILE = Path(__file__).with_name("help_pages.json")
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
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd):
                return None
        except OSError:
            continue
    try:
        data = json.loads(PAGES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != __version__:
        return None
    pages = data.get("pages")
    text = pages.get(" ".join(words)) if isinstance(pages, dict) else None
    return text if isinstance(text, str) else None
