"""The progress line of the service's bounded waits (magic links, first syncs, force syncs, backfill jobs)."""

# No `from __future__ import annotations` here, like every commands/ module.

from collections.abc import Callable

from trackstar_cli import output

__all__ = ["progress_printer"]


def progress_printer() -> Callable[[str], None]:
    """A callback for the service's waits: one line on stderr each time the text changes (output.info
    neutralises control characters: the text quotes server values such as a job's status)."""
    last: list[str] = []

    def show(text: str) -> None:
        if last != [text]:
            last[:] = [text]
            output.info(text + "…")

    return show
