"""`trackstar link-token` and `trackstar exchange`: the two halves of Trackstar Link."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.models import ExchangeResult, mask
from trackstar_cli.output import Format
from trackstar_cli.service.link import ExchangeOptions, create_link_token
from trackstar_cli.service.link import exchange as exchange_code

__all__ = ["build", "render_exchanged"]


def link_token(
    ctx: typer.Context,
    connection_id: Annotated[
        str | None, typer.Option("--connection-id", help="Re-link (reinstall) this existing connection.")
    ] = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create a Link token for the Trackstar Link modal (POST /link/token).

    Prints the bare token, so it can be captured; --json prints {"link_token": "..."}.

    Examples:

        TOKEN=$(trackstar link-token)

        trackstar link-token --connection-id conn_abc123    # reinstall a broken connection
    """
    token = create_link_token(services(ctx), connection_id)
    # The bare token is the default even when piped, so that TOKEN=$(trackstar link-token) works.
    if (fmt or json_) and fmt_of(fmt, json_) in (Format.json, Format.ndjson):
        output.emit_object({"link_token": token}, Format.json)
    else:
        output.render_text(token)


def exchange(
    ctx: typer.Context,
    auth_code: Annotated[
        str, typer.Argument(help="The auth code the Link modal returned (single use).", metavar="AUTH_CODE")
    ],
    customer_id: Annotated[str | None, typer.Option("--customer-id", help="Your identifier for this customer.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="A local alias for the connection, e.g. acme-shipbob.")
    ] = None,
    show_token: Annotated[bool, typer.Option("--show-token", help="Print the access token in full.")] = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Exchange an auth code for a permanent access token and store the connection (POST /link/exchange).

    The connection is saved in the local store at once; if that fails, the token is printed on stderr so it
    is never lost. Exchanging again for an existing connection (a reinstall) updates its row.

    Examples:

        trackstar exchange "$AUTH_CODE" --name acme --customer-id cust_42

        trackstar exchange "$AUTH_CODE" --json | jq -r .connection_id
    """
    opts = ExchangeOptions(auth_code=auth_code, customer_id=customer_id, alias=name)
    render_exchanged(exchange_code(services(ctx), opts), show_token=show_token, fmt_name=fmt_of(fmt, json_))


def render_exchanged(result: ExchangeResult, *, show_token: bool, fmt_name: Format) -> None:
    """What `exchange` (and `connect`) print for the connection just stored."""
    conn = result.connection
    data: dict[str, Any] = conn.to_public_dict()
    data["access_token"] = conn.access_token if show_token else mask(conn.access_token)
    output.emit_object(
        data,
        fmt_name,
        note=f"Connected {conn.integration_name} as {conn.connection_id}; saved in profile '{conn.profile}'.",
        human=lambda d: {**d, "available_actions": ", ".join(conn.available_actions)},
    )


def build(name: str) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command(name)(link_token if name == "link-token" else exchange)
    return app
