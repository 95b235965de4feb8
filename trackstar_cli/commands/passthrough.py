"""`trackstar passthrough [--cart] METHOD PATH`: a request to the connected WMS's (or cart's) own API."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, services
from trackstar_cli.output import Format

__all__ = ["build"]


def passthrough(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(metavar="METHOD", help="GET, POST, PUT, PATCH or DELETE.")],
    path: Annotated[str, typer.Argument(metavar="PATH", help="The integration's own path, e.g. /graphql.")],
    data: Annotated[
        str | None, typer.Option("--data", "-d", metavar="JSON", help="The vendor request's JSON body (an object).")
    ] = None,
    params: Annotated[
        list[str] | None, typer.Option("--param", "-p", metavar="KEY=VALUE", help="A query parameter (repeatable).")
    ] = None,
    headers: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", metavar="'NAME: VALUE'", help="A header for the vendor (repeatable)."),
    ] = None,
    cart: Annotated[bool, typer.Option("--cart", help="Go through /cart/passthrough (a cart connection).")] = False,
    include: Annotated[
        bool, typer.Option("--include", "-i", help="Print the whole {status_code, headers, body}, not only body.")
    ] = False,
    connection: ConnectionOpt = None,
) -> None:
    """Send a request to the connected system's own API through Trackstar (POST /wms/passthrough).

    Trackstar always answers 200 and wraps the vendor's reply; this prints the vendor's body and exits
    with the code its status maps to (404 → 4, 401/403 → 3, 400/422 → 6, 429 → 5, 5xx → 8). Passthrough
    takes no Idempotency-Key, so a write is sent once and never retried. Beta at Trackstar; the sandbox
    has no vendor API behind it (exit 7).

    Examples:

        trackstar passthrough GET /orders -p status=open -c acme

        trackstar passthrough POST /graphql -d '{"query": "{ account { data { id } } }"}' -c acme --include
    """
    from trackstar_cli.service import passthrough as service

    opts = service.PassthroughOptions(
        method=method,
        path=path,
        vertical="cart" if cart else "wms",
        data=data,
        params=params or (),
        headers=headers or (),
        connection=connection,
    )
    result = service.passthrough(services(ctx), opts)
    shown = result.envelope if include else result.body
    if shown is not None:
        output.emit_object(shown, Format.json)
    error = result.error()
    if error is not None:
        raise error


def build(name: str) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command(name)(passthrough)
    return app
