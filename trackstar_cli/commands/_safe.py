"""Server text made safe for a terminal: control characters and bidi overrides shown as escapes, and (for
rich tables) markup escaped. Machine formats (json, ndjson, csv) keep the data exact and never pass here."""

# No `from __future__ import annotations` here, like every commands/ module.

import re
from typing import Any

from trackstar_cli import output

__all__ = ["progress_printer", "safe_text", "table_rows"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(value: Any) -> str:
    """`value` as one printable line: C0/C1 controls and bidi marks become \\xNN / \\uNNNN."""
    text = "" if value is None else str(value)
    return _UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def _cell(value: Any, markup: bool) -> Any:
    if isinstance(value, str):
        from rich.markup import escape

        text = safe_text(value)
        return escape(text) if markup else text
    if isinstance(value, list):
        return ", ".join(_cell(v, markup) if isinstance(v, str) else safe_text(v) for v in value)
    return value


def table_rows(rows: list[dict[str, Any]], *, markup: bool = True) -> list[dict[str, Any]]:
    """Rows for output.render_items' table (rich parses its cells as markup) or, with markup=False, for
    render_object (plain text when not on a terminal)."""
    return [{k: _cell(v, markup) for k, v in row.items()} for row in rows]


def object_row(row: dict[str, Any]) -> dict[str, Any]:
    """One object for output.render_object in table format: markup escaped only where rich will parse it."""
    return table_rows([row], markup=output.out_console().is_terminal)[0]


def progress_printer() -> Any:
    """A progress callback for the service's waits: one line on stderr each time the text changes."""
    last: list[str] = []

    def show(text: str) -> None:
        if not last or last[-1] != text:
            last[:] = [text]
            output.info(safe_text(text) + "…")

    return show
