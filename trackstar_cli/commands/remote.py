"""`trackstar integrations list | show` (the integrations catalogue) and `trackstar sandbox generate`."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.resources import Column
from trackstar_cli.service import mask
from trackstar_cli.service import remote as remote_service

__all__ = ["IntegrationType", "SandboxType", "build"]


class IntegrationType(str, Enum):
    """service.remote.INTEGRATION_TYPES (a test keeps the two equal)."""

    wms = "wms"
    freight = "freight"
    cart = "cart"


class SandboxType(str, Enum):
    """service.remote.SANDBOX_TYPES (a test keeps the two equal)."""

    wms = "wms"
    cart = "cart"
    carrier = "carrier"


INTEGRATION_COLUMNS = (
    Column("integration_name", "integration_name"),
    Column("display_name", "display_name"),
    Column("install_method", "install_method"),
    Column("actions", "action_count", numeric=True),
    Column("available_actions", "action_names"),
)
WRITE_COLUMNS = (
    Column("write action", "action"),
    Column("url", "url"),
    Column("required fields", "required_fields"),
    Column("integration-specific fields", "integration_fields"),
    Column("optional", "optional_count", numeric=True),
)
INFO_FIELDS = (
    Column("integration_name", "integration_name"),
    Column("display_name", "display_name"),
    Column("install_method", "install_method"),
    Column("description", "description"),
    Column("available_actions", "available_actions"),
)
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
    kind: TypeOpt = IntegrationType.wms,
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
    items = remote_service.list_integrations(services(ctx), kind.value, connection=connection)
    fmt_name = fmt_of(fmt, json_)
    if fmt_name in ("table", "csv"):
        items = [_with_action_columns(item) for item in items]
    output.render_items(items, fmt_name, INTEGRATION_COLUMNS, empty_message=f"No {kind.value} integrations.")


def _with_action_columns(item: dict[str, Any]) -> dict[str, Any]:
    actions = [str(a) for a in item.get("available_actions") or []]
    return {**item, "action_count": len(actions), "action_names": ", ".join(actions)}


def integrations_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The integration's machine name, e.g. shipbob.", metavar="NAME")],
    kind: TypeOpt = IntegrationType.wms,
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
    info = remote_service.get_integration(services(ctx), name, kind.value, connection=connection)
    fmt_name = fmt_of(fmt, json_)
    if fmt_name != "table":
        output.render_object(info, fmt_name)
        return
    head = dict(info, available_actions=", ".join(map(str, info.get("available_actions") or [])))
    output.render_object(head, fmt_name, INFO_FIELDS)
    output.render_items(
        remote_service.write_operation_rows(info),
        fmt_name,
        WRITE_COLUMNS,
        empty_message=f"{name} supports no write operations.",
    )


def sandbox_generate(
    ctx: typer.Context,
    kind: Annotated[
        SandboxType,
        typer.Argument(help="The sandbox's vertical: wms, cart or carrier.", metavar="[TYPE]", case_sensitive=False),
    ] = SandboxType.wms,
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
    result = remote_service.generate_sandbox(services(ctx), kind.value, alias=name)
    conn = result.connection
    data: dict[str, Any] = conn.to_public_dict()
    data["access_token"] = conn.access_token if show_token else mask(conn.access_token)
    fmt_name = fmt_of(fmt, json_)
    if fmt_name == "table":
        label = f" as '{conn.alias}'" if conn.alias else ""
        output.info(
            f"Generated the {kind.value} sandbox {conn.connection_id}; saved in profile '{conn.profile}'{label}."
        )
        data["available_actions"] = ", ".join(conn.available_actions)
    output.render_object(data, fmt_name)


def _group() -> None:
    pass


def build(name: str) -> typer.Typer:
    if name == "sandbox":
        app = typer.Typer(
            help="Trackstar's sandbox: a connection with mocked data.", no_args_is_help=True, add_completion=False
        )
        app.callback()(_group)  # a group even with one command, so `trackstar sandbox generate` keeps its verb
        app.command("generate")(sandbox_generate)
    else:
        app = typer.Typer(
            help="The integrations Trackstar offers, and what each supports.",
            no_args_is_help=True,
            add_completion=False,
        )
        app.command("list")(integrations_list)
        app.command("show")(integrations_show)
    return app
