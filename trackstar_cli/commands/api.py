"""`trackstar api [METHOD] PATH`: a raw, authenticated request to any Trackstar endpoint (like `gh api`)."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import sys
from enum import Enum
from typing import Annotated

import typer
from typer._click.core import ParameterSource

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, confirm, services, stdin_is_tty
from trackstar_cli.errors import APIError, ExitCode, MalformedResponseError, UsageError
from trackstar_cli.output import Format, View
from trackstar_cli.service import api as api_service

__all__ = ["build"]


class ApiFormat(str, Enum):
    json = "json"
    ndjson = "ndjson"


def api(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[METHOD] PATH",
            help="METHOD: GET, POST, PUT, PATCH or DELETE (default GET, or POST with --input). "
            "PATH: e.g. /wms/inventory, or a URL under the base URL.",
            show_default=False,
        ),
    ],
    raw_fields: Annotated[
        list[str] | None,
        typer.Option(
            "--raw-field",
            "-f",
            metavar="KEY=VALUE",
            help="A string field (repeatable): a query parameter for GET, else a JSON body field.",
        ),
    ] = None,
    typed_fields: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            "-F",
            metavar="KEY=VALUE",
            help="A typed field (repeatable): true, false, null and numbers become JSON; @FILE (@- for stdin) "
            "reads a file; key\\[sub]=v nests, key\\[]=v appends.",
        ),
    ] = None,
    input_file: Annotated[
        str | None,
        typer.Option("--input", metavar="FILE", help="Send this JSON file as the body ('-' for stdin)."),
    ] = None,
    paginate: Annotated[
        bool,
        typer.Option(
            "--paginate", help="Follow next_token and print all pages' `data` items as one JSON array (GET only)."
        ),
    ] = False,
    connection: ConnectionOpt = None,
    fmt: Annotated[
        ApiFormat,
        typer.Option("--format", "-o", help="json (pretty) or ndjson (one line; one item a line with --paginate)."),
    ] = ApiFormat.json,
    headers: Annotated[
        list[str] | None,
        typer.Option("--header", "-H", metavar="'NAME: VALUE'", help="An extra request header (repeatable)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the request (secrets redacted) as JSON and send nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before a non-GET request to a live WMS (not the sandbox).")
    ] = False,
) -> None:
    """Send a raw request to any Trackstar API endpoint and print the JSON reply.

    The API key is always sent. The access token of the connection goes
    along to connection-scoped paths (/wms, /cart, /freight, PATCH and
    DELETE /connections, …), and to any path when --connection is given.
    POST/PUT/PATCH to those paths carry an automatic Idempotency-Key,
    so they are retried as safely as a GET. METHOD defaults to GET (POST
    with --input): -f/-F alone stay query parameters, a write is named.

    Examples:

        trackstar api /wms/inventory -f 'sku\\[in]=A,B' --paginate | jq length

        trackstar api GET /connections

        trackstar api POST /link/token

        trackstar api PATCH /connections -F webhooks_disabled=true -c acme

        trackstar api POST /wms/orders --input order.json -c acme
    """
    svc = services(ctx)
    req = api_service.prepare(
        args,
        base_url=svc.settings.base_url,
        raw_fields=raw_fields or (),
        typed_fields=typed_fields or (),
        input_file=input_file,
        headers=headers or (),
        paginate=paginate,
        read_stdin=sys.stdin.read,
    )
    # TRACKSTAR_CONNECTION picks the connection where one is needed; only the flag adds a token everywhere.
    given = ctx.get_parameter_source("connection") == ParameterSource.COMMANDLINE
    if dry_run:
        output.emit_object(api_service.describe(svc, req, connection=connection, connection_given=given), Format.json)
        output.info("Dry run: nothing was sent.")
        return
    live = None if yes else api_service.live_target(svc, req, connection, given)
    if live is not None:
        what = f"{req.method} {req.path} goes to {live.integration_name} connection {live.label}, a live WMS"
        if not stdin_is_tty():
            raise UsageError(f"{what}, and there is no terminal to ask on", hint="pass --yes (or --dry-run to look)")
        if not confirm(f"{what}. Send it?"):
            output.info("Not confirmed: nothing was sent.")
            raise typer.Exit(int(ExitCode.ERROR))
    if paginate:
        items = api_service.iter_items(svc, req, connection=connection, connection_given=given)
        try:
            output.emit(View(()), items, Format(fmt.value))
        except MalformedResponseError as exc:
            exc.hint = exc.hint or "drop --paginate to see the reply as it is"
            raise
        return
    try:
        body = api_service.call(svc, req, connection=connection, connection_given=given)
    except APIError as exc:
        if exc.status_code == 405 and req.method_implied and req.method == "POST":
            exc.hint = "the METHOD defaulted to POST because of --input; name the one the endpoint takes (e.g. PUT)"
        raise
    if body is not None:
        output.emit_object(body, Format(fmt.value))


def build(name: str) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command(name)(api)
    return app
