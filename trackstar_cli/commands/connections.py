"""`trackstar connections list | show | use | remove | add | sync | reconcile`: the local connection store, and
the connections as Trackstar sees them (`list --remote`, `sync`, `reconcile`); `wait | backfill | jobs |
update` come from connection_ops."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from collections import Counter
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands import connection_ops
from trackstar_cli.commands._common import (
    FormatOpt,
    JsonOpt,
    OptionalRefArg,
    ask,
    fmt_of,
    read_secret,
    services,
    stdin_is_tty,
)
from trackstar_cli.commands._complete import complete_connection
from trackstar_cli.commands.views import RECONCILE_COLUMNS, REMOTE_COLUMNS, render_local_connections
from trackstar_cli.errors import ExitCode, UsageError
from trackstar_cli.output import Format, View, is_human
from trackstar_cli.service import Services, reconcile
from trackstar_cli.service.connections import (
    AddOptions,
    add_connection,
    get_connection,
    list_connections,
    remove_connection,
    use_connection,
)

__all__ = ["app", "build"]

app = typer.Typer(
    help="Connections stored locally (one per connected WMS account), and as Trackstar sees them.",
    no_args_is_help=True,
    add_completion=False,
)

RefArg = Annotated[
    str, typer.Argument(help="Connection id or alias.", metavar="ID|ALIAS", autocompletion=complete_connection)
]


@app.command("list")
def connections_list(
    ctx: typer.Context,
    remote: Annotated[
        bool,
        typer.Option(
            "--remote",
            help="List the connections at Trackstar instead (GET /connections), with sync status and errors.",
        ),
    ] = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the connections stored for the current profile (tokens are never shown).

    With --remote, list every connection of the organisation at Trackstar (API key only): its sync status,
    its errors, and whether it is stored here. --remote --json prints the API's Connection objects unchanged.

    Examples:

        trackstar connections list

        trackstar connections list --json | jq -r '.[].connection_id'

        trackstar connections list --remote

        trackstar connections list --remote --json | jq -r '.[] | select(.errors != []) | .connection_id'
    """
    svc = services(ctx)
    fmt_name = fmt_of(fmt, json_)
    if remote:
        _list_remote(svc, fmt_name)
        return
    render_local_connections(svc, fmt_name)


def _list_remote(svc: Services, fmt: Format) -> None:
    local = {c.connection_id: c for c in list_connections(svc)}

    def rows(item: dict[str, Any]) -> list[dict[str, Any]]:
        return [{**item, **reconcile.remote_summary(item, local.get(str(item.get("connection_id"))))}]

    view = View(REMOTE_COLUMNS, empty="No connections at Trackstar for this API key.", rows=rows)
    output.emit(view, reconcile.iter_remote_connections(svc), fmt)


@app.command("show")
def connections_show(ctx: typer.Context, ref: RefArg, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Show one stored connection.

    Example:

        trackstar connections show acme
    """
    data = get_connection(services(ctx), ref).to_public_dict()
    actions = ", ".join(map(str, data["available_actions"]))  # type: ignore[call-overload]
    output.emit_object(data, fmt_of(fmt, json_), human=lambda d: {**d, "available_actions": actions})


@app.command("use")
def connections_use(ctx: typer.Context, ref: RefArg) -> None:
    """Make a connection the default for data commands of this profile.

    Example:

        trackstar connections use acme
    """
    conn = use_connection(services(ctx), ref)
    output.info(f"Default connection is now {conn.label} ({conn.integration_name}).")


@app.command("remove")
def connections_remove(
    ctx: typer.Context,
    ref: RefArg,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Also delete the connection at Trackstar (DELETE /connections).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --revoke: do not ask (scripts); the deletion cannot be undone.")
    ] = False,
) -> None:
    """Forget a stored connection; with --revoke, delete it at Trackstar too (asks first: type its name).

    Without --revoke the connection still exists at Trackstar and its token can be stored again with
    `trackstar connections add`. With --revoke it is gone for good: the customer must connect again.

    Examples:

        trackstar connections remove acme

        trackstar connections remove acme --revoke

        trackstar connections remove acme --revoke --yes    # in a script
    """
    svc = services(ctx)
    if revoke and not yes:
        conn = get_connection(svc, ref)
        if not stdin_is_tty():
            raise UsageError(
                f"--revoke deletes connection {conn.label} at Trackstar for good, and there is no terminal to ask on",
                hint="pass --yes to confirm",
            )
        what = f"This deletes {conn.integration_name} connection {conn.label} at Trackstar for good"
        typed = ask(f"{what}. Type its name ({conn.label}) to confirm")
        if typed != conn.label:
            output.info("Not confirmed: nothing was deleted.")
            raise typer.Exit(int(ExitCode.ERROR))
    conn = remove_connection(svc, ref, revoke=revoke)
    if revoke:
        output.info(f"Removed connection {conn.label} locally and at Trackstar.")
    else:
        output.info(f"Removed connection {conn.label} locally; it still exists at Trackstar.")
        output.info(
            "To store it again: trackstar connections add --connection-id "
            f"{conn.connection_id} --access-token-stdin{f' --name {conn.alias}' if conn.alias else ''}"
        )


@app.command("add")
def connections_add(
    ctx: typer.Context,
    connection_id: Annotated[str, typer.Option("--connection-id", help="The connection's id (from the dashboard).")],
    access_token_stdin: Annotated[
        bool, typer.Option("--access-token-stdin", help="Read the access token from standard input.")
    ] = False,
    name: Annotated[str | None, typer.Option("--name", help="A local alias for the connection.")] = None,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Do not look the connection up at Trackstar (GET /connections/{id}).")
    ] = False,
) -> None:
    """Register an access token copied from the Trackstar dashboard.

    Without --access-token-stdin the token is asked for with hidden input on a terminal.

    Example:

        printf %s "$TOKEN" | trackstar connections add --connection-id conn_abc --access-token-stdin --name acme
    """
    token = read_secret(use_stdin=access_token_stdin, prompt="Access token", flag="--access-token-stdin")
    opts = AddOptions(access_token=token, connection_id=connection_id, alias=name, verify=not no_verify)
    conn = add_connection(services(ctx), opts)
    output.info(f"Saved connection {conn.connection_id} ({conn.integration_name}) in profile '{conn.profile}'.")


@app.command("sync")
def connections_sync(
    ctx: typer.Context,
    ref: OptionalRefArg = None,
    functions: Annotated[
        list[str] | None,
        typer.Option(
            "--functions",
            "-f",
            help="Only these functions, comma-separated or repeated (get_inventory, get_orders, …). Default: all.",
            show_default=False,
        ),
    ] = None,
    wait: connection_ops.WaitOpt = False,
    timeout: connection_ops.TimeoutOpt = connection_ops.DEFAULT_TIMEOUT,
    interval: connection_ops.IntervalOpt = connection_ops.DEFAULT_INTERVAL,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Ask Trackstar to sync a connection now (POST /connections/sync).

    It runs the connection's normal sync at once (no backfill); resources already syncing are skipped.
    With --wait, waits until each function's crawl has ended and prints the schedules (exit 14 after --wait-timeout).
    Function names are checked against the API's list before anything is sent.

    Examples:

        trackstar connections sync acme

        trackstar connections sync acme --functions get_inventory,get_orders

        trackstar connections sync --json | jq .syncing

        trackstar connections sync acme --wait --wait-timeout 600
    """
    if wait:  # prints the synced schedules instead; exit 14 on time-out
        return connection_ops.sync_wait(ctx, ref, functions or [], timeout, interval, fmt_of(fmt, json_))
    conn, reply = reconcile.sync_connection(services(ctx), ref, functions or ())
    data: dict[str, Any] = dict(reply)
    wanted = data.get("functions_to_sync")
    which = ", ".join(map(str, wanted)) if isinstance(wanted, list) and wanted else "all functions"
    output.emit_object(
        data,
        fmt_of(fmt, json_),
        note=f"Sync started for {conn.label} ({conn.integration_name}): {which}.",
        human=lambda d: {**d, "functions_to_sync": which},
    )


@app.command("reconcile")
def connections_reconcile(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Exit with 1 when any connection is not ok (for scripts and CI).")
    ] = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Compare the connections stored here with those at Trackstar (GET /connections).

    Each connection gets a status: ok; errored (Trackstar reports errors: reinstall it); gone (stored here,
    deleted at Trackstar: remove it); unknown-locally (at Trackstar, not stored here: add it with its
    token). Under the table, each one that needs it gets the command that fixes it
    (the `action` field in JSON, the `fix` column in CSV). Exits 0 whatever it finds, unless --check.

    Examples:

        trackstar connections reconcile

        trackstar connections reconcile --check --json | jq '.[] | select(.status != "ok")'
    """
    svc = services(ctx)
    rows = [row.to_dict() for row in reconcile.reconcile(svc)]
    fmt_name = fmt_of(fmt, json_)
    output.emit(View(RECONCILE_COLUMNS, empty="No connections, neither here nor at Trackstar."), rows, fmt_name)
    counts = Counter(str(row["status"]) for row in rows)
    off = len(rows) - counts["ok"]
    fixes = [f"  {row['alias'] or row['connection_id']}: {row['action']}" for row in rows if row.get("action")]
    if fixes and is_human(fmt_name):  # commands go on their own lines, never inside a cell
        output.info("To fix:")
        for line in fixes:
            output.info(line)
    if rows and (is_human(fmt_name) or (check and off)):
        parts = [f"{counts[kind]} {kind}" for kind in reconcile.RECONCILE_KINDS if counts[kind]]
        output.info(f"{len(rows)} connection{'s' if len(rows) != 1 else ''}: {', '.join(parts)}.")
    if check and off:
        raise typer.Exit(int(ExitCode.ERROR))


connection_ops.register(app)  # wait, backfill, jobs, update


def build(name: str) -> typer.Typer:
    return app
