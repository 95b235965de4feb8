"""`trackstar connections list | show | use | remove | add`: the local connection store."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, read_secret, services
from trackstar_cli.resources import Column

__all__ = ["app", "build"]

app = typer.Typer(
    help="Connections stored locally (one per connected WMS account).", no_args_is_help=True, add_completion=False
)

COLUMNS = (
    Column("default", "default_mark"),
    Column("connection_id", "connection_id"),
    Column("alias", "alias"),
    Column("integration", "integration_name"),
    Column("customer_id", "customer_id"),
    Column("created_at", "created_at"),
)
RefArg = Annotated[str, typer.Argument(help="Connection id or alias.")]


@app.command("list")
def connections_list(ctx: typer.Context, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """List the connections stored for the current profile (tokens are never shown).

    Examples:

        trackstar connections list

        trackstar connections list --json | jq -r '.[].connection_id'
    """
    svc = services(ctx)
    fmt_name = fmt_of(fmt, json_)
    conns = [c.to_public_dict() for c in svc.list_connections()]
    if fmt_name in ("table", "csv"):
        for row in conns:
            row["default_mark"] = "*" if row["default"] else ""
    output.render_items(
        conns,
        fmt_name,
        COLUMNS,
        empty_message=f"No connections in profile '{svc.settings.profile}'. Add one with `trackstar exchange CODE`.",
    )


@app.command("show")
def connections_show(ctx: typer.Context, ref: RefArg, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Show one stored connection.

    Example:

        trackstar connections show acme
    """
    data = services(ctx).get_connection(ref).to_public_dict()
    fmt_name = fmt_of(fmt, json_)
    if fmt_name == "table":
        data["available_actions"] = ", ".join(data["available_actions"])  # type: ignore[arg-type]
    output.render_object(data, fmt_name)


@app.command("use")
def connections_use(ctx: typer.Context, ref: RefArg) -> None:
    """Make a connection the default for data commands of this profile.

    Example:

        trackstar connections use acme
    """
    conn = services(ctx).use_connection(ref)
    output.info(f"Default connection is now {conn.alias or conn.connection_id} ({conn.integration_name}).")


@app.command("remove")
def connections_remove(
    ctx: typer.Context,
    ref: RefArg,
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Also delete the connection at Trackstar (DELETE /connections).")
    ] = False,
) -> None:
    """Forget a stored connection; with --revoke, delete it at Trackstar too.

    Examples:

        trackstar connections remove acme

        trackstar connections remove acme --revoke
    """
    conn = services(ctx).remove_connection(ref, revoke=revoke)
    where = "locally and at Trackstar" if revoke else "locally (it still exists at Trackstar)"
    output.info(f"Removed connection {conn.alias or conn.connection_id} {where}.")


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
    conn = services(ctx).add_connection(token, connection_id=connection_id, alias=name, verify=not no_verify)
    output.info(f"Saved connection {conn.connection_id} ({conn.integration_name}) in profile '{conn.profile}'.")


def build(name: str) -> typer.Typer:
    return app
