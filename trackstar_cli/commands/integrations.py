"""`trackstar integrations list | show` (the integrations catalogue), `trackstar sandbox generate` and
`trackstar sandbox simulate fulfill`."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands.views import INTEGRATION_COLUMNS, INTEGRATION_FIELDS, WRITE_INFO_COLUMNS
from trackstar_cli.models import mask
from trackstar_cli.output import Format, View
from trackstar_cli.service import integrations as integrations_service
from trackstar_cli.spec import INTEGRATION_TYPES, SANDBOX_TYPES

__all__ = ["IntegrationType", "SandboxType", "build"]


# Typer enums generated from spec, so the choices are written once.
IntegrationType = Enum("IntegrationType", {t: t for t in INTEGRATION_TYPES}, type=str)  # type: ignore[misc]
SandboxType = Enum("SandboxType", {t: t for t in SANDBOX_TYPES}, type=str)  # type: ignore[misc]

TypeOpt = Annotated[
    IntegrationType, typer.Option("--type", "-t", help="Integration type (vertical).", case_sensitive=False)
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--connection",
        "-c",
        help="Send this stored connection's access token, for connection-specific values (e.g. its warehouse ids).",
        show_default=False,
    ),
]


def integrations_list(
    ctx: typer.Context,
    kind: TypeOpt = IntegrationType("wms"),
    connection: TokenOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the integrations Trackstar offers and the actions each supports (GET /integrations/{type}).

    --json prints the API's IntegrationInfo objects unchanged. Trackstar allows about one call a minute here.

    Examples:

        trackstar integrations list

        trackstar integrations list --json | jq 'map({(.integration_name): .available_actions}) | add'
    """
    items = integrations_service.list_integrations(services(ctx), kind.value, connection=connection)
    view = View(INTEGRATION_COLUMNS, empty=f"No {kind.value} integrations.", rows=_with_action_columns)
    output.emit(view, items, fmt_of(fmt, json_))


def _with_action_columns(item: dict[str, Any]) -> list[dict[str, Any]]:
    actions = [str(a) for a in item.get("available_actions") or []]
    return [{**item, "action_count": len(actions), "action_names": ", ".join(actions)}]


def integrations_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The integration's machine name, e.g. shipbob.", metavar="NAME")],
    kind: TypeOpt = IntegrationType("wms"),
    connection: TokenOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Show what one integration supports: its actions, and each write with its required fields.

    GET /integrations/{type}/{name}. With --connection, enums of integration-specific fields list that
    connection's real values. --json prints the API's IntegrationInfo object unchanged.

    Examples:

        trackstar integrations show shipbob

        trackstar integrations show shipbob --connection acme --json | jq '.write_operations[].action'
    """
    info = integrations_service.get_integration(services(ctx), name, kind.value, connection=connection)
    fmt_name = fmt_of(fmt, json_)
    if fmt_name is not Format.table:  # the API's object, unchanged
        output.emit_object(info, fmt_name)
        return
    head = dict(info, available_actions=", ".join(map(str, info.get("available_actions") or [])))
    output.emit_object(head, fmt_name, INTEGRATION_FIELDS)
    writes_view = View(WRITE_INFO_COLUMNS, empty=f"{name} supports no write operations.")
    output.emit(writes_view, integrations_service.write_operation_rows(info), fmt_name)


def integrations_write_info(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The integration's machine name, e.g. shiphero.", metavar="NAME")],
    action: Annotated[
        str | None, typer.Argument(help="A write, e.g. create_order: list its fields.", metavar="[ACTION]")
    ] = None,
    connection: TokenOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Show the write bodies an integration takes (GET /integrations/wms/{name}/write-info, else the table).

    Without ACTION: each write it supports and its required fields. With ACTION: every field of that write,
    whether it is required, and its type or choices (what `<command> --help-fields` shows for a connection).

    Examples:

        trackstar integrations write-info shiphero

        trackstar integrations write-info shipbob create_inbound_shipment
    """
    from trackstar_cli.commands.views import HELP_FIELD_COLUMNS, WRITE_VARIANT_COLUMNS
    from trackstar_cli.service import variants

    fmt_name = fmt_of(fmt, json_)
    rows = integrations_service.write_info_rows(services(ctx), name, action, connection=connection)
    if action is None:
        output.emit(View(WRITE_VARIANT_COLUMNS, empty=f"nothing is known about {name}'s writes"), rows, fmt_name)
    else:
        title = f"{action}: {variants.integration_label(name)}"
        output.emit(View(HELP_FIELD_COLUMNS[:3], title=title), rows, fmt_name)


def sandbox_generate(
    ctx: typer.Context,
    kind: Annotated[
        SandboxType,
        typer.Argument(help="The sandbox's vertical: wms, cart or carrier.", metavar="[TYPE]", case_sensitive=False),
    ] = SandboxType("wms"),
    name: Annotated[
        str | None,
        typer.Option("--name", help="A local alias. Default: the one it has, else `sandbox` when that is free."),
    ] = None,
    show_token: Annotated[bool, typer.Option("--show-token", help="Print the access token in full.")] = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Generate the sandbox (mocked data) and store it as a connection (POST /sandbox/generate-sandbox/{type}).

    Trackstar uses the same connection id every time and resets the sandbox's data, so running it again
    gives you fresh data; the stored row is updated, not duplicated.

    Examples:

        trackstar sandbox generate

        trackstar sandbox generate wms --name sb --json | jq -r .connection_id
    """
    conn = integrations_service.generate_sandbox(services(ctx), kind.value, alias=name).connection
    data: dict[str, Any] = conn.to_public_dict()
    data["access_token"] = conn.access_token if show_token else mask(conn.access_token)
    label = f" as '{conn.alias}'" if conn.alias else ""
    output.emit_object(
        data,
        fmt_of(fmt, json_),
        note=f"Generated the {kind.value} sandbox {conn.connection_id}; saved in profile '{conn.profile}'{label}.",
        human=lambda d: {**d, "available_actions": ", ".join(conn.available_actions)},
    )


def sandbox_simulate_fulfill(
    ctx: typer.Context,
    order_id: Annotated[str, typer.Argument(metavar="ORDER", help="The sandbox order's id.")],
    partial: Annotated[bool, typer.Option("--partial", help="Ship only part of the order.")] = False,
    connection: ConnectionOpt = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Make the sandbox's warehouse fulfil an order (PUT /sandbox/simulate/orders/{id}/fulfill).

    The order gets a shipment and its status becomes fulfilled (partially_fulfilled with --partial), and the
    order webhooks fire, as when a real warehouse ships. Sandbox orders only; needs the API key alone.

    Examples:

        trackstar sandbox simulate fulfill ord_00000042

        trackstar sandbox simulate fulfill ord_00000042 --partial --json | jq .status
    """
    from trackstar_cli.commands.views import WRITE_SUMMARY

    order = integrations_service.simulate_fulfill(services(ctx), order_id, partial=partial, connection=connection)
    shown = dict(order)
    if isinstance(shown.get("line_items"), list):
        shown["line_items"] = len(shown["line_items"])
    note = f"Simulated fulfilment of sandbox order {order.get('id', order_id)}: {order.get('status')}."
    output.emit_object(
        shown if fmt_of(fmt, json_) is Format.table else order, fmt_of(fmt, json_), WRITE_SUMMARY["orders"], note=note
    )


def _group() -> None:
    pass


def build(name: str) -> typer.Typer:
    if name == "sandbox":
        app = typer.Typer(
            help="Trackstar's sandbox: a connection with mocked data.", no_args_is_help=True, add_completion=False
        )
        app.callback()(_group)  # a group even with one command, so `trackstar sandbox generate` keeps its verb
        app.command("generate")(sandbox_generate)
        simulate = typer.Typer(
            help="Make the sandbox act like a warehouse (fulfil orders).", no_args_is_help=True, add_completion=False
        )
        simulate.callback()(_group)
        simulate.command("fulfill")(sandbox_simulate_fulfill)
        app.add_typer(simulate, name="simulate")
    else:
        app = typer.Typer(
            help="The integrations Trackstar offers, and what each supports.",
            no_args_is_help=True,
            add_completion=False,
        )
        app.command("list")(integrations_list)
        app.command("show")(integrations_show)
        app.command("write-info")(integrations_write_info)
    return app
