"""Tables for people, streamed in chunks at a fixed layout (used by output.emit; part of the CLI layer).

- Identifiers, numbers, dates and statuses never wrap or split (`no_wrap`); free text is cut with `…`.
- When the table does not fit the width, the lowest-priority columns are dropped (each Column has a
  priority: 0 is always kept, higher goes first) and `hidden` says which, for a footer.
- The layout (which columns, how wide) is fixed from the first chunk of rows, so the first rows appear as soon
  as the first page arrives and later chunks line up under them; memory holds one chunk, not the listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from trackstar_cli.output import Column

__all__ = ["CHUNK_ROWS", "Layout", "fit", "stream_table"]

CHUNK_ROWS = 100  # rows per rendered chunk (and rows that fix the layout)
TEXT_MIN = 12  # free text is not cut below this many cells (or its header) to keep a column
_EDGE = 4  # a rich box table: "│ " before the first cell and " │" after the last
_BETWEEN = 3  # " │ " between two cells


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]  # the ones shown, in order
    widths: tuple[int, ...]
    hidden: tuple[str, ...]  # headers of the dropped columns


def _natural(col: Column, cells: Sequence[str]) -> int:
    from rich.cells import cell_len

    return int(max([cell_len(col.header), *(cell_len(c) for c in cells)]))


def fit(columns: Sequence[Column], sample: Sequence[Sequence[str]], width: int, *, wide: bool = False) -> Layout:
    """Choose the columns and widths for rows like `sample` (cells as strings, one list per row) in `width`."""
    natural = [_natural(col, [row[i] for row in sample]) for i, col in enumerate(columns)]
    keep = list(range(len(columns)))

    def floor(i: int) -> int:
        from rich.cells import cell_len

        col = columns[i]
        return natural[i] if col.kind != "text" else min(natural[i], max(TEXT_MIN, cell_len(col.header)))

    def total(indexes: list[int], size: Callable[[int], int]) -> int:
        return sum(size(i) for i in indexes) + _BETWEEN * max(0, len(indexes) - 1) + _EDGE

    if not wide:
        while total(keep, floor) > width:
            droppable = [i for i in keep if columns[i].priority > 0]
            if not droppable:
                break
            # the highest priority number goes first; among equals, the rightmost
            keep.remove(max(droppable, key=lambda i: (columns[i].priority, i)))
    widths = {i: natural[i] for i in keep}
    if not wide:
        excess = total(keep, lambda i: widths[i]) - width
        texts = sorted((i for i in keep if columns[i].kind == "text"), key=lambda i: -widths[i])
        while excess > 0 and texts:
            widest = texts[0]
            room = widths[widest] - floor(widest)
            if room <= 0:
                texts.pop(0)
                continue
            cut = min(room, excess, max(1, widths[widest] - (widths[texts[1]] if len(texts) > 1 else 0)))
            widths[widest] -= cut
            excess -= cut
            texts.sort(key=lambda i: -widths[i])
    hidden = tuple(columns[i].header for i in range(len(columns)) if i not in keep)
    return Layout(tuple(columns[i] for i in keep), tuple(widths[i] for i in keep), hidden)


def _render(console: Console, layout: Layout, rows: Sequence[Sequence[str]], title: Any, *, wide: bool) -> list[str]:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", header_style="bold")
    for col, w in zip(layout.columns, layout.widths, strict=True):
        text = col.kind == "text"
        table.add_column(
            col.header,
            justify="right" if col.numeric else "left",
            no_wrap=not (text and wide),
            overflow="fold" if wide and text else ("ellipsis" if text else "ignore"),
            min_width=w,
            max_width=None if wide else w,
        )
    justify = ["right" if col.numeric else "left" for col in layout.columns]
    for row in rows:
        table.add_row(*(Text(cell, justify=j) for cell, j in zip(row, justify, strict=True)))  # type: ignore[arg-type]
    width = console.width
    if wide:  # every column at its natural width: the table may be wider than the terminal
        width = max(width, sum(layout.widths) + _BETWEEN * (len(layout.widths) - 1) + _EDGE)
    with console.capture() as capture:
        console.print(table, crop=False, width=width)
    return capture.get().splitlines(keepends=True)


def stream_table(
    console: Console,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    title: Any = None,
    wide: bool = False,
    open_sink: Callable[[], IO[str]] | None = None,
) -> tuple[int, tuple[str, ...]]:
    """Print `rows` as one table, chunk by chunk; returns (rows printed, hidden column headers).
    `open_sink()` runs just before the first byte is written and returns where to write (the console's file,
    or a pager's input); it also stops a spinner."""
    it: Iterator[Sequence[str]] = iter(rows)
    first = _take(it, CHUNK_ROWS)
    if not first:
        return 0, ()
    layout = fit(columns, first, console.width, wide=wide)
    shown = [columns.index(c) for c in layout.columns]
    count = 0
    bottom = ""
    chunk = first
    head = True
    sink: IO[str] = console.file
    while chunk:
        lines = _render(console, layout, [[row[i] for i in shown] for row in chunk], title if head else None, wide=wide)
        # A chunk's table is: [title], top border, header, separator, rows…, bottom border. Later chunks print
        # only their rows, so the whole listing reads as one table; the bottom border comes once, at the end.
        skip = 0 if head else _header_lines(lines)
        if head and open_sink is not None:
            sink = open_sink()
        sink.write("".join(lines[skip:-1]))
        sink.flush()
        bottom = lines[-1]
        count += len(chunk)
        head = False
        chunk = _take(it, CHUNK_ROWS)
    sink.write(bottom)
    sink.flush()
    return count, layout.hidden


def _header_lines(lines: list[str]) -> int:
    """How many leading lines are the top border, header and separator (the separator holds ╇ or ┼ or ━)."""
    for i, line in enumerate(lines):
        if "╇" in line or "┿" in line or "╪" in line or "━╋" in line:
            return i + 1
    return 3


def _take(it: Iterator[Sequence[str]], n: int) -> list[Sequence[str]]:
    out: list[Sequence[str]] = []
    for row in it:
        out.append(row)
        if len(out) >= n:
            break
    return out
