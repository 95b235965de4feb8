"""`trackstar schedules list | pause | resume`: a connection's sync schedules at Trackstar."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands.views import SCHEDULES_VIEW
from trackstar_cli.service import schedules as schedule_service

__all__ = ["build"]

FunctionsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Functions such as get_orders (comma-separated or several).", metavar="[FUNCTION]...", show_default=False
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Every function of the connection.")]


def schedules_list(
    ctx: typer.Context, connection: ConnectionOpt = None, fmt: FormatOpt = None, json_: JsonOpt = False
) -> None:
    """List a connection's sync schedules: each function's status, last crawl and frequency.

    From GET /connections/{id}: status is enabled, disabled (paused), sync_in_progress,
    first_sync_in_progress or error.

    Examples:

        trackstar schedules list -c acme

        trackstar schedules list --json | jq -r '.[] | select(.sync_status == "disabled") | .function_name'
    """
    _conn, rows = schedule_service.list_schedules(services(ctx), connection)
    output.emit(SCHEDULES_VIEW, rows, fmt_of(fmt, json_))


def _toggle(ctx: typer.Context, paused: bool, functions: list[str] | None, all_: bool, connection: str | None) -> None:
    names = tuple(p.strip() for f in functions or [] for p in f.split(",") if p.strip())
    opts = schedule_service.ToggleOptions(paused=paused, functions=names, all=all_, ref=connection)
    conn, done = schedule_service.toggle_schedules(services(ctx), opts)
    which = "every function" if done == ["*"] else ", ".join(done)
    output.info(f"{'Paused' if paused else 'Resumed'} {which} on {conn.label}.")


def schedules_pause(
    ctx: typer.Context, functions: FunctionsArg = None, all_: AllOpt = False, connection: ConnectionOpt = None
) -> None:
    """Pause syncing of some functions, or --all (PATCH /schedules/{function}/toggle, /schedules/toggle-all).

    Trackstar stops crawling them: their data stays as it was and force syncs skip them, until resumed.

    Examples:

        trackstar schedules pause get_orders -c acme

        trackstar schedules pause --all -c acme
    """
    _toggle(ctx, True, functions, all_, connection)


def schedules_resume(
    ctx: typer.Context, functions: FunctionsArg = None, all_: AllOpt = False, connection: ConnectionOpt = None
) -> None:
    """Resume syncing of paused functions, or --all.

    Examples:

        trackstar schedules resume get_orders -c acme

        trackstar schedules resume --all -c acme
    """
    _toggle(ctx, False, functions, all_, connection)


def build(name: str) -> typer.Typer:
    app = typer.Typer(
        help="A connection's sync schedules at Trackstar: list, pause, resume.",
        no_args_is_help=True,
        add_completion=False,
    )
    app.command("list")(schedules_list)
    app.command("pause")(schedules_pause)
    app.command("resume")(schedules_resume)
    return app
