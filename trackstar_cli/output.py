"""The only module that writes to the terminal: data on stdout, everything else on stderr.

Formats (`Format`): `table` (rich, for people), `json` (an array of the API's objects, streamed), `ndjson` (one
object per line) and `csv` (the table's columns with a header). The default is `table` when stdout is a
terminal and `json` when it is not, so `trackstar inventory list | jq length` works. Commands describe what
they show as a `View` (columns from `commands/views.py`) and call `emit` / `emit_object`; no command branches
on the format. Tables and CSV are rendered from the same rows (Column paths); JSON keeps the API's fields.

Untrusted text (everything from a server or the store) never reaches a terminal raw: `safe()` makes C0/C1
control characters and bidi overrides visible (`\\x1b`, `\\u202e`, as gh does) in every human path, and cells
are rich `Text`, never markup. JSON and NDJSON keep the data exact, with C1 and bidi characters written as
JSON `\\uXXXX` escapes (the same string to any JSON reader).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any, TextIO

from trackstar_cli.errors import ExitCode, TrackstarError, UnsavedTokenError, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = [
    "Column",
    "Format",
    "View",
    "emit",
    "emit_error",
    "emit_object",
    "err_console",
    "guard",
    "info",
    "is_human",
    "note",
    "out_console",
    "report_exception",
    "render_text",
    "resolve_format",
    "safe",
    "stdout_is_terminal",
    "warn",
    "with_progress",
]


class Format(str, Enum):
    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


@dataclass(frozen=True)
class Column:
    """One table column: a header and a dotted path into the API object.

    `kind` is "text" (free text: cut with … when the terminal is narrow) or "key" (ids, SKUs, dates, statuses,
    numbers: never wrapped or split). `priority` 0 is always shown; on a narrow terminal the highest
    priorities are dropped first."""

    header: str
    path: str
    numeric: bool = False
    kind: str = "key"
    priority: int = 1
    in_table: bool = True  # False: CSV only (e.g. a suggested command, which a table prints under itself)


Rows = Callable[[dict[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class View:
    """How a list shows for people: its columns, how one item becomes table/CSV rows, what an empty list says.
    `wide`: every column, at full width, whatever the terminal (--wide)."""

    columns: tuple[Column, ...]
    empty: str = "no items"
    rows: Rows | None = None
    title: str | None = None
    wide: bool = False
    pager: str | None = None  # settings.pager: long tables on a terminal go through it
    wide_flag: bool = False  # the command has --wide (the footer offers it only then)


# -- untrusted text ------------------------------------------------------------------------------------

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_UNSAFE_RE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character and bidi override shown as a visible escape (`\\x1b`, `\\u202e`);
    with `one_line`, tabs and newlines too (table cells, error lines)."""
    return (_UNSAFE_LINE_RE if one_line else _UNSAFE_RE).sub(_visible, text)


def _json_safe(text: str) -> str:
    return _JSON_UNSAFE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _text(value: str, style: str = "") -> Text:
    from rich.text import Text

    return Text(value, style=style)


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


def resolve_format(fmt: Format | str | None, json_flag: bool = False) -> Format:
    if fmt is not None:
        fmt = Format(fmt)
    if json_flag:
        if fmt and fmt is not Format.json:
            raise UsageError(f"--json conflicts with --format {fmt.value}")
        return Format.json
    if fmt:
        return fmt
    return Format.table if _stdout().isatty() else Format.json


def stdout_is_terminal() -> bool:
    return _stdout().isatty()


def is_human(fmt: Format) -> bool:
    """Whether this format is read by a person: only then do notes like "Saved connection …" belong on stderr."""
    return fmt is Format.table


# -- messages on stderr --------------------------------------------------------------------------------


def _say(text: Text) -> None:
    """A message line on stderr: one unbroken line in a log or pipe; on a terminal wrapped between words at its
    width (the terminal itself would cut mid-word, through an id or a command to copy)."""
    console = err_console()
    console.print(text, highlight=False, soft_wrap=not console.is_terminal)


def info(message: str) -> None:
    _say(_text(safe(message)))


def note(message: str) -> None:
    """A dim line for a person on stderr (a footer under a table)."""
    err_console().print(_text(safe(message), "dim"))


def warn(message: str) -> None:
    _say(_text(f"warning: {safe(message)}", "yellow"))


def emit_error(exc: TrackstarError) -> None:
    _say(_text(f"error: {safe(str(exc), one_line=True)}", "bold red"))
    if isinstance(exc, UnsavedTokenError):
        # The auth code is spent: this is the only copy of the token. Show it rather than lose it.
        who = f"connection {exc.connection_id}" if exc.connection_id else "the new connection"
        _say(_text(safe(f"access token for {who}: {exc.access_token}", one_line=True)))
    if exc.hint:
        _say(_text(f"hint: {safe(exc.hint, one_line=True)}", "cyan"))


def guard(run: Callable[[], Any], *, debug: Callable[[], bool]) -> int | None:
    """The one error boundary, for the Typer app and the fast path alike: run `run`; an exception becomes its
    report on stderr and the exit code returned (None when `run` returned normally). When `debug()`, anything
    but a closed pipe or Ctrl-C is re-raised for its traceback (never with local variables)."""
    try:
        run()
    except (Exception, KeyboardInterrupt) as exc:
        if debug() and not isinstance(exc, (BrokenPipeError, KeyboardInterrupt)):
            raise
        return report_exception(exc)
    return None


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
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def emit(view: View, items: Iterable[dict[str, Any]], fmt: Format) -> int:
    """Write a list in `fmt`; JSON/NDJSON/CSV stream item by item. `view.rows` expands an item into
    table/CSV rows (e.g. one per warehouse). Returns the number of items written."""
    if fmt is Format.json:
        return _write_json_array(items)
    if fmt is Format.ndjson:
        return _write_ndjson(items)
    expand = view.rows or (lambda item: [item])
    if fmt is Format.csv:
        return _write_csv(items, view.columns, expand)
    return _write_table(items, view, expand)


# One compact encoder for every NDJSON line and array item (json's C encoder; no circular-reference check, as the
# data comes from JSON): half the cost of json.dumps per item, whose set-up is repeated on every call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _dumps(obj: Any, indent: int | None = None, *, compact: bool = True) -> str:
    if compact and indent is None:
        text = _COMPACT.encode(obj)
    else:
        text = json.dumps(obj, indent=indent, ensure_ascii=False)
    return text if text.isascii() else _json_safe(text)  # isascii() is O(1): no C1 or bidi character to escape


def _write_json_array(items: Iterable[dict[str, Any]]) -> int:
    """Stream a JSON array; nothing is written before the first item arrives, so an error on the first
    request leaves stdout empty instead of holding a dangling `[`.

    In a file or pipe each item is one compact line (the NDJSON line, indented by two spaces): json's C
    encoder does that, while `indent=` falls back to the pure-Python one (~2x the CPU of NDJSON). On a
    terminal, where a person reads it, each item is indented in full."""
    out = _stdout()
    pretty = out.isatty()
    count = 0
    for item in items:
        text = _dumps(item, indent=2).replace("\n", "\n  ") if pretty else _dumps(item)
        if not count:
            _stop_progress(items)
        out.write(("," if count else "[") + "\n  " + text)
        count += 1
    _stop_progress(items)
    out.write("\n]\n" if count else "[]\n")
    out.flush()
    return count


def _write_ndjson(items: Iterable[dict[str, Any]]) -> int:
    out = _stdout()
    count = 0
    for item in items:
        if not count:
            _stop_progress(items)
        out.write(_dumps(item) + "\n")
        count += 1
    out.flush()
    return count


def _write_csv(items: Iterable[dict[str, Any]], columns: Sequence[Column], expand: Rows) -> int:
    out = _stdout()
    # CSV is data, kept exact in a file or pipe; on a terminal it is read by a person.
    clean = (lambda v: safe(v)) if out.isatty() else (lambda v: v)
    writer = csv.writer(out, lineterminator="\n")
    count = 0
    for item in items:
        if not count:  # the header comes with the first item: a failed first request leaves stdout empty
            _stop_progress(items)
            writer.writerow([c.header for c in columns])
        for row in expand(item):
            writer.writerow([clean(_cell(lookup(row, c.path))) for c in columns])
        count += 1
    if not count:
        writer.writerow([c.header for c in columns])
    out.flush()
    return count


def _write_table(items: Iterable[dict[str, Any]], view: View, expand: Rows) -> int:
    from trackstar_cli.table import stream_table

    count = 0
    columns = [c for c in view.columns if c.in_table]

    def rows() -> Iterator[list[str]]:
        nonlocal count
        for item in items:
            count += 1
            for row in expand(item):
                yield [safe(_cell(lookup(row, c.path)), one_line=True) for c in columns]

    title = _text(safe(view.title, one_line=True)) if view.title else None
    pager = _Pager(view.pager if out_console().is_terminal else None)

    def open_sink() -> IO[str]:
        _stop_progress(items)
        return pager.open()

    try:
        _, hidden = stream_table(out_console(), columns, rows(), title=title, wide=view.wide, open_sink=open_sink)
    except BrokenPipeError:
        if not pager.running:
            raise
        hidden = ()  # the reader quit the pager early: that is not an error
    finally:
        pager.close()
    if not count:
        info(view.empty)
    elif hidden:
        plural = "s" if len(hidden) > 1 else ""
        shows = "--wide or -o json shows all" if view.wide_flag else "-o json shows all"
        note = f"{len(hidden)} column{plural} hidden to fit: {', '.join(hidden)} ({shows})"
        err_console().print(_text(note, "dim"))  # wrapped at the terminal's width
    return count


class _Pager:
    """The user's pager (less -FRX by default) as the sink of a table, started only when the table is written."""

    def __init__(self, command: str | None) -> None:
        self.command = command
        self._proc: Any = None

    @property
    def running(self) -> bool:
        return self._proc is not None

    def open(self) -> IO[str]:
        if self.command:
            import shlex
            import subprocess

            env = {**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LV": os.environ.get("LV", "-c")}
            try:
                self._proc = subprocess.Popen(
                    shlex.split(self.command), stdin=subprocess.PIPE, text=True, encoding="utf-8", env=env
                )
            except (OSError, ValueError):  # no such pager: write to the terminal directly
                self._proc = None
        return self._proc.stdin if self._proc is not None else out_console().file

    def close(self) -> None:
        if self._proc is None:
            return
        try:
            self._proc.stdin.close()
        except BrokenPipeError:
            pass
        self._proc.wait()
        self._proc = None


def emit_object(
    obj: Any,
    fmt: Format,
    fields: Sequence[Column] | None = None,
    *,
    note: str | None = None,
    human: Callable[[Any], Any] | None = None,
) -> None:
    """A single object: JSON as is, or a two-column table of the chosen fields (all top-level ones if None).
    For a person (table) only: `note` goes to stderr first, and `human` reshapes the object (e.g. joins lists)."""
    if fmt in (Format.json, Format.ndjson):
        _stdout().write(_dumps(obj, indent=2 if fmt is Format.json else None, compact=False) + "\n")
        return
    if fmt is Format.table:
        if note:
            info(note)
        if human is not None:
            obj = human(obj)
    columns = list(fields) if fields else [Column(str(k), str(k)) for k in (obj if isinstance(obj, dict) else {})]
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.header for c in columns])
        writer.writerow([_cell(lookup(obj, c.path)) for c in columns])
        _stdout().write(safe(buf.getvalue()) if _stdout().isatty() else buf.getvalue())
        return
    console = out_console()
    if console.is_terminal:  # wrap long values inside their column
        from rich.table import Table

        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for col in columns:
            value = lookup(obj, col.path)
            # nested objects read as indented JSON, not as one folded line
            shown = _dumps(value, indent=2) if isinstance(value, (dict, list)) and value else _cell(value)
            table.add_row(_text(safe(col.header, one_line=True)), _text(safe(shown)))
        console.print(table)
        return
    width = max((len(c.header) for c in columns), default=0)
    for col in columns:  # a file or a pipe: plain lines, no padding to the table's width
        header = _text(safe(col.header.ljust(width), one_line=True), "bold")
        console.print(header + _text("  " + safe(_cell(lookup(obj, col.path)), one_line=True)), soft_wrap=True)


def render_text(line: str) -> None:
    """One plain line of data on stdout (e.g. a bare token for `TOKEN=$(trackstar link-token)`); a token
    never holds control characters, so neutralising them costs a script nothing and protects a terminal."""
    out = _stdout()
    out.write(safe(line, one_line=True) + "\n")
    out.flush()


class _Progress:
    """Items counted on stderr while they stream; `stop()` clears the line before stdout is written to."""

    def __init__(self, items: Iterable[dict[str, Any]], label: str) -> None:
        self._items, self._label = items, label
        self._status: Any = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._status = err_console().status(f"{self._label}…")
        self._status.start()
        count = 0
        try:
            for item in self._items:
                count += 1
                if self._status is not None and count % 100 == 0:
                    self._status.update(f"{self._label}… {count:,}")
                yield item
        finally:
            self.stop()

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()  # transient: the line is cleared
            self._status = None


def _stop_progress(items: Iterable[Any]) -> None:
    if isinstance(items, _Progress):
        items.stop()


def with_progress(items: Iterable[dict[str, Any]], label: str, *, enabled: bool = True) -> Iterable[dict[str, Any]]:
    """Count items on stderr while they stream, only when stderr is a terminal (and `enabled`: settings).
    The renderers stop it before their first byte of output, so it never mixes with rows."""
    if not err_console().is_terminal or not enabled:
        return items
    return _Progress(items, label)
