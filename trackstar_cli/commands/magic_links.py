"""`trackstar magic-links create | list | show | delete`: hosted connect links that need no frontend."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands._waiting import progress_printer
from trackstar_cli.commands.connection_ops import IntervalOpt, TimeoutOpt
from trackstar_cli.commands.views import MAGIC_LINKS_VIEW
from trackstar_cli.errors import UsageError
from trackstar_cli.output import is_human
from trackstar_cli.service import magic_links as magic_service
from trackstar_cli.service import polling

__all__ = ["IntegrationType", "build"]


class IntegrationType(str, Enum):
    """service.magic_links.MAGIC_LINK_TYPES (a test keeps the two equal)."""

    wms = "wms"
    freight = "freight"
    cart = "cart"


IdArg = Annotated[str, typer.Argument(help="The magic link's id.", metavar="ID")]
NO_URL = "(not in the API's reply: copy it from the Trackstar dashboard, Magic Links)"


def _names(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for v in values or [] for p in v.split(",") if p.strip()))


def magic_links_create(
    ctx: typer.Context,
    customer_id: Annotated[
        str | None, typer.Option("--customer-id", help="Your identifier for the customer.", show_default=False)
    ] = None,
    kind: Annotated[
        IntegrationType,
        typer.Option("--integration-type", "-t", help="Vertical the link offers.", case_sensitive=False),
    ] = IntegrationType.wms,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow", help="Offer only these integrations (comma-separated or repeated).", show_default=False
        ),
    ] = None,
    block: Annotated[
        list[str] | None,
        typer.Option("--block", help="Offer every integration but these (not with --allow).", show_default=False),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option("--days", help="Days the link works (Trackstar's default: 7).", min=1, show_default=False),
    ] = None,
    connection_id: Annotated[
        str | None,
        typer.Option(
            "--connection-id", help="Reinstall this connection instead of making a new one.", show_default=False
        ),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait", help="Wait for the customer to connect (progress on stderr), then say how to store the token."
        ),
    ] = False,
    timeout: TimeoutOpt = polling.DEFAULT_TIMEOUT,
    interval: IntervalOpt = polling.DEFAULT_INTERVAL,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create a magic link: a hosted page your customer opens to connect their WMS (POST /magic-links).

    Trackstar's reply has no URL: copy it from the dashboard (against the emulator the URL is printed).
    With --wait the command polls GET /connections until a connection with this customer id appears (exit
    14 if --wait-timeout passes first). Its access token comes only in the `connection.created` webhook: when
    `trackstar webhooks listen` has recorded it, the connection is stored; otherwise the command ends by
    printing the `trackstar connections add` line that stores it. --json prints the API's
    MagicLink object plus `url` (null when unknown), and with --wait the new `connection`.

    Examples:

        trackstar magic-links create --customer-id cust_42 --allow shipbob,shiphero --days 14

        trackstar magic-links create --customer-id cust_42 --wait --wait-timeout 3600

        trackstar magic-links create --connection-id 0f8e6c1a-… --json | jq -r .id
    """
    if wait and connection_id:
        raise UsageError("--wait cannot tell when a reinstall is done (the connection exists already)")
    opts = magic_service.CreateOptions(
        customer_id=customer_id,
        integration_type=kind.value,
        allow=_names(allow),
        block=_names(block),
        days=days,
        connection_id=connection_id,
    )
    svc = services(ctx)
    known = None
    if wait:
        polling.check_wait(timeout, interval)
        opts.body()  # bad options fail before anything is sent
        known = magic_service.known_connection_ids(svc)
    link = magic_service.create_magic_link(svc, opts)
    url = magic_service.magic_link_url(svc, link)
    fmt_name = fmt_of(fmt, json_)
    data: dict[str, Any] = {**link, "url": url}
    if is_human(fmt_name):  # the link first: the customer needs it while the command waits
        output.emit_object(data, fmt_name, human=_for_people)
    if known is None:
        if not is_human(fmt_name):
            output.emit_object(data, fmt_name)
        return
    wait_opts = magic_service.WaitOptions(customer_id=customer_id, known=known, timeout=timeout, interval=interval)
    item, stored = magic_service.wait_for_connection(svc, wait_opts, progress_printer())
    if not is_human(fmt_name):
        output.emit_object({**data, "connection": item, "stored": stored is not None}, fmt_name)
    _tell_how_to_store(item, stored)


def _for_people(link: dict[str, Any]) -> dict[str, Any]:
    lists = ("integration_allow_list", "integration_block_list", "integrations_with_endpoints")
    joined = {k: ", ".join(map(str, link.get(k) or [])) for k in lists}
    return {**link, **joined, "url": link.get("url") or NO_URL}


def _tell_how_to_store(item: dict[str, Any], stored: Any) -> None:
    cid = str(item.get("connection_id"))
    output.info(f"Connected: {cid} ({item.get('integration_name')}), customer {item.get('customer_id')}.")
    if stored is not None:
        output.info(
            f"Stored in profile '{stored.profile}' as {stored.label}: its token came in the connection.created"
            f" webhook. Next: `trackstar connections wait {stored.label}`."
        )
        return
    output.info(
        "Its access token comes in the connection.created webhook (with `trackstar webhooks listen` running, this"
        " command stores it) or from the dashboard. Store it with:\n"
        f'  printf %s "$ACCESS_TOKEN" | trackstar connections add --connection-id {cid} --access-token-stdin\n'
        f"Then `trackstar connections wait {cid}` waits for its first sync."
    )


def magic_links_list(ctx: typer.Context, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """List the organisation's magic links (GET /magic-links).

    --json prints the API's MagicLink objects unchanged.

    Examples:

        trackstar magic-links list

        trackstar magic-links list --json | jq -r '.[] | select(.customer_id == "cust_42") | .id'
    """
    links = magic_service.list_magic_links(services(ctx))
    fmt_name = fmt_of(fmt, json_)
    output.emit(MAGIC_LINKS_VIEW, [_for_people(link) for link in links] if is_human(fmt_name) else links, fmt_name)


def magic_links_show(ctx: typer.Context, link_id: IdArg, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Show one magic link (GET /magic-links/{id}); --json prints the API's MagicLink object plus `url`.

    Example:

        trackstar magic-links show c0a4fef52f664ecf9e766c16811c3289
    """
    svc = services(ctx)
    link = magic_service.get_magic_link(svc, link_id)
    url = magic_service.magic_link_url(svc, link)
    output.emit_object({**link, "url": url}, fmt_of(fmt, json_), human=_for_people)


def magic_links_delete(ctx: typer.Context, link_id: IdArg, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Delete a magic link so it no longer works (DELETE /magic-links/{id}).

    Connections already made with it stay. --json prints the API's reply.

    Example:

        trackstar magic-links delete c0a4fef52f664ecf9e766c16811c3289
    """
    reply = magic_service.delete_magic_link(services(ctx), link_id)
    fmt_name = fmt_of(fmt, json_)
    if is_human(fmt_name):
        output.info(f"Deleted magic link {link_id}.")
    else:
        output.emit_object(reply, fmt_name)


def build(name: str) -> typer.Typer:
    app = typer.Typer(
        help="Magic links: a hosted page your customer opens to connect, no frontend needed.",
        no_args_is_help=True,
        add_completion=False,
    )
    app.command("create")(magic_links_create)
    app.command("list")(magic_links_list)
    app.command("show")(magic_links_show)
    app.command("delete")(magic_links_delete)
    return app
