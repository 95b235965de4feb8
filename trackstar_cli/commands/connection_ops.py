"""`trackstar connections wait | backfill | jobs | update`, and the waiting half of `connections sync --wait`.

Registered on the `connections` sub-app by `register(app)`; each command binds its options into the service's
options object, makes one service call and renders the result.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, OptionalRefArg, fmt_of, services
from trackstar_cli.commands._complete import complete_connection
from trackstar_cli.commands._waiting import progress_printer
from trackstar_cli.commands.views import JOBS_VIEW, SCHEDULES_VIEW
from trackstar_cli.errors import UsageError
from trackstar_cli.output import Format, is_human
from trackstar_cli.service import backfills as backfill_service
from trackstar_cli.service import polling
from trackstar_cli.service import schedules as schedule_service
from trackstar_cli.service import syncs as sync_service

__all__ = ["DEFAULT_INTERVAL", "DEFAULT_TIMEOUT", "IntervalOpt", "TimeoutOpt", "WaitOpt", "register", "sync_wait"]

DEFAULT_TIMEOUT, DEFAULT_INTERVAL = polling.DEFAULT_TIMEOUT, polling.DEFAULT_INTERVAL

RefArg = OptionalRefArg
WaitOpt = Annotated[bool, typer.Option("--wait", help="Wait until it is done, with a progress line on stderr.")]
TimeoutOpt = Annotated[
    float, typer.Option("--wait-timeout", help="Give up waiting after this many seconds (exit 14).", min=0.001)
]
IntervalOpt = Annotated[
    float, typer.Option("--interval", help="Seconds between two checks while waiting.", min=polling.MIN_INTERVAL)
]


class OnOff(str, Enum):
    on = "on"
    off = "off"


def _render_schedules(rows: list[dict[str, Any]], fmt: Format) -> None:
    output.emit(SCHEDULES_VIEW, rows, fmt)


def connections_wait(
    ctx: typer.Context,
    ref: Annotated[
        str | None,
        typer.Argument(
            help="Connection id or alias; an id that is not stored here is looked up at Trackstar.",
            metavar="[ID|ALIAS]",
            autocompletion=complete_connection,
            envvar="TRACKSTAR_CONNECTION",
            show_envvar=True,
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOpt = polling.DEFAULT_TIMEOUT,
    interval: IntervalOpt = polling.DEFAULT_INTERVAL,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Wait until a connection's first (historical) sync is done for every resource.

    Polls GET /connections/{id} (API key only, so a connection made with a magic link can be waited for
    before its token is stored) until no sync schedule is `first_sync_in_progress`, printing progress on
    stderr, then prints the schedules. Exits 14 when --wait-timeout passes first, 15 when a schedule ends in error.

    Examples:

        trackstar connections wait acme

        trackstar connections wait 0f8e6c1a-… --wait-timeout 3600 && trackstar orders list -c acme
    """
    opts = sync_service.WaitOptions(ref=ref, timeout=timeout, interval=interval)
    cid, rows = sync_service.wait_initial_sync(services(ctx), opts, progress_printer())
    fmt_name = fmt_of(fmt, json_)
    if is_human(fmt_name):
        output.info(f"The first sync of {cid} is done ({len(rows)} resources).")
    _render_schedules(rows, fmt_name)


def sync_wait(
    ctx: typer.Context, ref: str | None, functions: list[str], timeout: float, interval: float, fmt_name: Format
) -> None:
    """`connections sync --wait`: start the sync, wait for each function's crawl, print the schedules."""
    opts = sync_service.SyncWaitOptions(ref=ref, functions=tuple(functions), timeout=timeout, interval=interval)
    conn, _reply, rows = sync_service.sync_and_wait(services(ctx), opts, progress_printer())
    if is_human(fmt_name):
        output.info(f"Sync of {conn.label} done: {len(rows)} functions crawled.")
    _render_schedules(rows, fmt_name)


def connections_backfill(
    ctx: typer.Context,
    ref: RefArg = None,
    function: Annotated[
        str | None,
        typer.Option(
            "--function",
            "-f",
            help="What to backfill: " + ", ".join(backfill_service.ON_DEMAND_FUNCTIONS) + ".",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Start: YYYY-MM-DD, an ISO 8601 time, or an age such as 365d.", show_default=False
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="End (same forms). Default: now.", show_default=False)
    ] = None,
    cancel: Annotated[
        str | None,
        typer.Option(
            "--cancel", help="Cancel this open job instead of starting one.", metavar="JOB", show_default=False
        ),
    ] = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = polling.DEFAULT_TIMEOUT,
    interval: IntervalOpt = polling.DEFAULT_INTERVAL,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Backfill historical data with an on-demand sync job (POST /connections/on-demand-syncs).

    Jobs go open → completed (or cancelled, or stuck). With --wait the command polls the job and exits 0
    when it completes, 15 when it ends stuck or cancelled, 14 when --wait-timeout passes first. A function the
    integration cannot backfill is Trackstar's 400 (exit 6). While a job is open, scheduled syncs pause.
    Jobs started here are remembered: `trackstar connections jobs` lists them.

    Examples:

        trackstar connections backfill acme --function get_orders --since 2025-01-01 --until 2025-07-01

        trackstar connections backfill acme -f get_returns --since 365d --wait --wait-timeout 3600

        trackstar connections backfill --cancel 6962a5fffb7c574aea5cb03f9dbdbe8e
    """
    svc = services(ctx)
    fmt_name = fmt_of(fmt, json_)
    if cancel is not None:
        if function or since or until or wait:
            raise UsageError("--cancel takes no --function, --since, --until or --wait")
        conn, job = backfill_service.cancel_job(svc, backfill_service.JobOptions(job_id=cancel, ref=ref))
        _render_job(job, fmt_name, f"Backfill job {cancel} is {job.get('status')}.")
        return
    if not function or not since:
        raise UsageError("--function and --since are required (or --cancel JOB)")
    opts = backfill_service.BackfillOptions(function=function, since=since, until=until, ref=ref)
    if wait:
        polling.check_wait(timeout, interval)  # before the job starts: a bad --wait-timeout must not leave a job behind
    conn, job = backfill_service.start_backfill(svc, opts)
    if wait:
        if is_human(fmt_name):
            output.info(f"Started backfill job {job['id']} on {conn.label}.")
        wait_opts = backfill_service.JobOptions(
            job_id=str(job["id"]), ref=conn.connection_id, timeout=timeout, interval=interval
        )
        conn, job = backfill_service.wait_for_job(svc, wait_opts, progress_printer())
    _render_job(job, fmt_name, f"Backfill job {job['id']} on {conn.label}: {job.get('status')}.")


def _render_job(job: dict[str, Any], fmt: Format, message: str) -> None:
    output.emit_object(job, fmt, note=message)


def connections_jobs(
    ctx: typer.Context,
    job_id: Annotated[
        str | None,
        typer.Argument(
            help="Show (or --wait for) this job; default: list the jobs.", metavar="[JOB]", show_default=False
        ),
    ] = None,
    connection: ConnectionOpt = None,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = polling.DEFAULT_TIMEOUT,
    interval: IntervalOpt = polling.DEFAULT_INTERVAL,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the backfill jobs started from this profile, or show one as Trackstar sees it now.

    Trackstar has no endpoint that lists jobs, so the list is the jobs `connections backfill` started here,
    the open ones refreshed from the API. With JOB --wait, waits like `backfill --wait` (exit 14, 15).

    Examples:

        trackstar connections jobs

        trackstar connections jobs 6962a5fffb7c574aea5cb03f9dbdbe8e --wait --wait-timeout 600

        trackstar connections jobs --json | jq -r '.[] | select(.status == "stuck") | .id'
    """
    svc = services(ctx)
    fmt_name = fmt_of(fmt, json_)
    if job_id is None:
        if wait:
            raise UsageError("--wait needs a JOB")
        output.emit(JOBS_VIEW, backfill_service.list_jobs(svc, connection), fmt_name)
        return
    opts = backfill_service.JobOptions(job_id=job_id, ref=connection, timeout=timeout, interval=interval)
    if wait:
        conn, job = backfill_service.wait_for_job(svc, opts, progress_printer())
    else:
        conn, job = backfill_service.get_job(svc, opts)
    _render_job(job, fmt_name, f"Backfill job {job_id} on {conn.label}.")


def connections_update(
    ctx: typer.Context,
    ref: RefArg = None,
    customer_id: Annotated[
        str | None, typer.Option("--customer-id", help="Your identifier for this customer.", show_default=False)
    ] = None,
    webhooks: Annotated[
        OnOff | None,
        typer.Option(
            "--webhooks",
            help="off: Trackstar stops sending this connection's resource webhooks (connection webhooks still come).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Change a connection's settings at Trackstar (PATCH /connections): customer id, webhooks on or off.

    --json prints the API's reply unchanged. The stored customer id is updated too.

    Examples:

        trackstar connections update acme --customer-id cust_42

        trackstar connections update acme --webhooks off
    """
    disabled = None if webhooks is None else webhooks is OnOff.off
    opts = schedule_service.UpdateOptions(ref=ref, customer_id=customer_id, webhooks_disabled=disabled)
    conn, reply = schedule_service.update_connection(services(ctx), opts)
    changes = [
        f"customer id {customer_id}" if customer_id is not None else "",
        f"webhooks {webhooks.value}" if webhooks else "",
    ]
    note = f"Updated {conn.label}: {', '.join(c for c in changes if c)}."
    output.emit_object(reply, fmt_of(fmt, json_), note=note)


def register(app: typer.Typer) -> None:
    app.command("wait")(connections_wait)
    app.command("backfill")(connections_backfill)
    app.command("jobs")(connections_jobs)
    app.command("update")(connections_update)
