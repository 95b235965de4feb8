"""The only module that writes to the terminal: data on stdout, everything else on stderr.

Formats: `table` (rich, for people), `json` (an array of the API's objects, streamed), `ndjson` (one object
per line) and `csv` (the table's columns with a header). The default is `table` when stdout is a terminal
and `json` when it is not, so `trackstar inventory list | jq length` works. Tables and CSV are rendered from
the same rows (resources.Column paths) as each other; JSON keeps the API's field names unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TextIO

from trackstar_cli.errors import ExitCode, TrackstarError, UnsavedTokenError, UsageError
from trackstar_cli.resources import Column

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "FORMATS",
    "emit_error",
    "report_exception",
    "err_console",
    "info",
    "out_console",
    "render_items",
    "render_object",
    "render_text",
    "resolve_format",
    "warn",
    "with_progress",
]

FORMATS = ("table", "json", "ndjson", "csv")


PIPE_WIDTH = 200  # a table written to a file or pipe is not squeezed into 80 columns


def _console(stderr: bool) -> Console:
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


@lru_cache(maxsize=1)
def out_console() -> Console:
    return _console(stderr=False)


@lru_cache(maxsize=1)
def err_console() -> Console:
    return _console(stderr=True)


def _stdout() -> TextIO:
    return sys.stdout


def resolve_format(fmt: str | None, json_flag: bool = False) -> str:
    if json_flag:
        if fmt and fmt != "json":
            raise UsageError(f"--json conflicts with --format {fmt}")
        return "json"
    if fmt:
        return fmt
    return "table" if _stdout().isatty() else "json"


# -- messages on stderr --------------------------------------------------------------------------------


def info(message: str) -> None:
    err_console().print(message, markup=False, highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    err_console().print(f"warning: {message}", markup=False, highlight=False, style="yellow", soft_wrap=True)


def emit_error(exc: TrackstarError) -> None:
    console = err_console()
    console.print(f"error: {exc}", markup=False, style="bold red", soft_wrap=True)
    if isinstance(exc, UnsavedTokenError):
        # The auth code is spent: this is the only copy of the token. Show it rather than lose it.
        console.print(f"access token for connection {exc.connection_id}: {exc.access_token}", markup=False)
    if exc.hint:
        console.print(f"hint: {exc.hint}", markup=False, style="cyan", soft_wrap=True)


def report_exception(exc: BaseException) -> int:
    """Tell the user about an exception that ends the command (stderr) and return the exit code for it."""
    if isinstance(exc, TrackstarError):
        emit_error(exc)
        return int(exc.exit_code)
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`| head -1`): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(ExitCode.OK)
    if isinstance(exc, KeyboardInterrupt):
        info("interrupted")
        return int(ExitCode.INTERRUPTED)
    emit_error(
        TrackstarError(
            f"unexpected {type(exc).__name__}: {exc}", hint="run again with --debug for a traceback, and report it"
        )
    )
    return int(ExitCode.ERROR)


# -- data on stdout ------------------------------------------------------------------------------------


def lookup(item: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def render_items(
    items: Iterable[dict[str, Any]],
    fmt: str,
    columns: Sequence[Column],
    *,
    rows: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = None,
    title: str | None = None,
    empty_message: str = "no items",
) -> int:
    """Write a list in `fmt`; JSON/NDJSON/CSV stream item by item. `rows` expands an item into table/CSV
    rows (e.g. one per warehouse). Returns the number of items written."""
    if fmt == "json":
        return _write_json_array(items)
    if fmt == "ndjson":
        return _write_ndjson(items)
    expand = rows or (lambda item: [item])
    if fmt == "csv":
        return _write_csv(items, columns, expand)
    return _write_table(items, columns, expand, title, empty_message)


def _write_json_array(items: Iterable[dict[str, Any]]) -> int:
    """Stream a JSON array; nothing is written before the first item arrives, so an error on the first
    request leaves stdout empty instead of holding a dangling `[`."""
    out = _stdout()
    count = 0
    for item in items:
        text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        out.write(("," if count else "[") + "\n  " + text)
        count += 1
    out.write("\n]\n" if count else "[]\n")
    out.flush()
    return count


def _write_ndjson(items: Iterable[dict[str, Any]]) -> int:
    out = _stdout()
    count = 0
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    out.flush()
    return count


def _write_csv(
    items: Iterable[dict[str, Any]], columns: Sequence[Column], expand: Callable[[dict[str, Any]], list[dict[str, Any]]]
) -> int:
    out = _stdout()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.header for c in columns])
    count = 0
    for item in items:
        for row in expand(item):
            writer.writerow([_cell(lookup(row, c.path)) for c in columns])
        count += 1
    out.flush()
    return count


def _write_table(
    items: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    expand: Callable[[dict[str, Any]], list[dict[str, Any]]],
    title: str | None,
    empty_message: str,
) -> int:
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for col in columns:
        table.add_column(col.header, justify="right" if col.numeric else "left", overflow="fold")
    count = 0
    for item in items:
        for row in expand(item):
            table.add_row(*(_cell(lookup(row, c.path)) for c in columns))
        count += 1
    if count:
        out_console().print(table)
    else:
        info(empty_message)
    return count


def render_object(obj: Any, fmt: str, fields: Sequence[Column] | None = None) -> None:
    """A single object: JSON as is, or a two-column table of the chosen fields (all top-level ones if None)."""
    if fmt in ("json", "ndjson"):
        text = json.dumps(obj, indent=2 if fmt == "json" else None, ensure_ascii=False)
        _stdout().write(text + "\n")
        return
    columns = list(fields) if fields else [Column(k, k) for k in (obj or {})]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.header for c in columns])
        writer.writerow([_cell(lookup(obj, c.path)) for c in columns])
        _stdout().write(buf.getvalue())
        return
    console = out_console()
    if console.is_terminal:  # wrap long values inside their column
        from rich.table import Table

        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for col in columns:
            table.add_row(col.header, _cell(lookup(obj, col.path)))
        console.print(table)
        return
    from rich.text import Text  # a file or a pipe: plain lines, no padding to the table's width

    width = max((len(c.header) for c in columns), default=0)
    for col in columns:
        line = Text(col.header.ljust(width), style="bold") + Text("  " + _cell(lookup(obj, col.path)))
        console.print(line, soft_wrap=True)


def render_text(line: str) -> None:
    """One plain line of data on stdout (e.g. a bare token for `TOKEN=$(trackstar link-token)`)."""
    out = _stdout()
    out.write(line + "\n")
    out.flush()


def with_progress(items: Iterable[dict[str, Any]], label: str) -> Iterator[dict[str, Any]]:
    """Count items on stderr while they stream, only when stderr is a terminal."""
    console = err_console()
    if not console.is_terminal or os.environ.get("TRACKSTAR_NO_PROGRESS"):
        yield from items
        return
    count = 0
    with console.status(f"{label}…") as status:
        for item in items:
            count += 1
            if count % 100 == 0:
                status.update(f"{label}… {count:,}")
            yield item
