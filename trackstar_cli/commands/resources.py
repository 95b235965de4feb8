"""Read commands for the WMS resources, generated from `resources.RESOURCES` rather than copy-pasted.

Each resource gets `list` and (where the API has one) `get ID`, with the shared options (connection,
filters, dates, limits, formats) and a few resource-specific shortcuts that become API filters.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.errors import ExitCode, TrackstarError, UsageError
from trackstar_cli.resources import QUANTITY_COLUMNS, RESOURCES, Column, Resource
from trackstar_cli.service import Connection, ListQuery, Services, parse_since, warehouse_rows
from trackstar_cli.service.fanout import ConnectionOutcome, FanOut, select_connections

__all__ = ["build"]


@dataclass(frozen=True)
class Shortcut:
    """An option that stands for an API filter: repeatable values become `field[in]=a,b`."""

    option: str
    field: str
    help: str
    op: str = "in"  # "in" (repeatable), "eq", "gte" or "lte" (dates)


_DATES = (
    Shortcut("--created-since", "created_date", "Only items created at or after this date or age (7d, 12h).", "gte"),
    Shortcut("--created-until", "created_date", "Only items created at or before this date.", "lte"),
    Shortcut("--updated-since", "updated_date", "Only items updated at or after this date or age (7d, 12h).", "gte"),
    Shortcut("--updated-until", "updated_date", "Only items updated at or before this date.", "lte"),
)
_STATUS = Shortcut("--status", "status", "Only these statuses (repeatable).")

SHORTCUTS: dict[str, tuple[Shortcut, ...]] = {
    "inventory": (Shortcut("--sku", "sku", "Only these SKUs (repeatable)."),),
    "products": (Shortcut("--sku", "sku", "Only these SKUs (repeatable)."),),
    "orders": (
        _STATUS,
        Shortcut("--order-number", "order_number", "Only these order numbers (repeatable)."),
        Shortcut("--type", "type", "Only these order types: d2c, b2b, dropship, transfer (repeatable)."),
    ),
    "inbound-shipments": (
        _STATUS,
        Shortcut("--warehouse", "warehouse_id", "Only this warehouse id.", "eq"),
        Shortcut("--po", "purchase_order_number", "Only these purchase order numbers (repeatable)."),
    ),
    "returns": (_STATUS,),
    "inventory-ledger": (Shortcut("--event-type", "event_type", "Only these event types (repeatable)."),),
    "warehouse-locations": (Shortcut("--type", "type", "Only these location types (repeatable)."),),
    "labor-activities": (
        Shortcut("--activity-type", "activity_type", "Only this activity type (pick, pack, …).", "eq"),
        Shortcut("--warehouse", "warehouse_id", "Only this warehouse id.", "eq"),
        Shortcut("--user", "user_id", "Only this user id.", "eq"),
    ),
}

# Where each resource appears on the command line: (group, sub-command or None for the group itself).
PLACEMENT: dict[str, tuple[str, str | None]] = {
    "inventory": ("inventory", None),
    "inventory-ledger": ("inventory", "ledger"),
    "products": ("products", None),
    "orders": ("orders", None),
    "order-channels": ("orders", "channels"),
    "inbound-shipments": ("inbound-shipments", None),
    "inbound-shipment-suppliers": ("inbound-shipments", "suppliers"),
    "returns": ("returns", None),
    "warehouses": ("warehouses", None),
    "warehouse-locations": ("warehouses", "locations"),
    "warehouse-customers": ("warehouse-customers", None),
    "shipping-methods": ("shipping-methods", None),
    "bills": ("bills", None),
    "labor-activities": ("labor-activities", None),
}

GROUP_HELP = {
    "inventory": "Inventory: quantities per SKU and warehouse, the ledger, a summary across connections; adjust.",
    "products": "Products and kits (/wms/products): list, get; create, update.",
    "orders": "Orders (/wms/orders): list, get, packs, channels; create, update, cancel, ship.",
    "inbound-shipments": "Inbound shipments (ASNs) and their suppliers: list, get; create, receive.",
    "returns": "Returns (RMAs) (/wms/returns): list, get; create.",
    "warehouses": "Warehouses and their locations (GET /wms/warehouses).",
    "warehouse-customers": "Warehouse customers: the merchants of a 3PL (GET /wms/warehouse-customers).",
    "shipping-methods": "Shipping methods (GET /wms/shipping-methods).",
    "bills": "Bills (GET /wms/billing).",
    "labor-activities": "Labor activities: picks, packs, put-aways … (GET /wms/labor-activities).",
}

BY_WAREHOUSE_COLUMNS = (Column("sku", "sku"), Column("warehouse_id", "warehouse_id"), *QUANTITY_COLUMNS)


def _opt(annotation: Any, default: Any, *decls: str, **kw: Any) -> tuple[Any, Any]:
    return Annotated[annotation, typer.Option(*decls, **kw)], default


def _common_list_params(resource: Resource) -> list[tuple[str, Any, Any]]:
    """(name, annotation, default) of the options every list command has, in help order."""
    params: list[tuple[str, Any, Any]] = [("connection", ConnectionOpt, None)]
    for i, sc in enumerate(SHORTCUTS.get(resource.name, ())):
        kind = list[str] | None if sc.op == "in" else str | None
        params.append((f"shortcut_{i}", *_opt(kind, None, sc.option, help=sc.help)))
    if all(f in resource.filters for f in ("created_date", "updated_date")):
        for j, sc in enumerate(_DATES):
            params.append((f"date_{j}", *_opt(str | None, None, sc.option, help=sc.help)))
    params += [
        (
            "all_connections",
            *_opt(bool, False, "--all-connections", "-A", help="Query every stored connection of the profile at once."),
        ),
        (
            "connections",
            *_opt(str | None, None, "--connections", help="Query these connections at once: ids or aliases, A,B,…"),
        ),
        ("ids", *_opt(str | None, None, "--ids", help="Only these ids, comma-separated (overrides other filters).")),
        (
            "filter_",
            *_opt(
                list[str] | None,
                None,
                "--filter",
                "-f",
                help="API filter 'field\\[op]=value' (repeatable), e.g. 'sku\\[contains]=TEE'.",
            ),
        ),
        ("limit", *_opt(int | None, None, "--limit", "-n", min=0, help="Print at most N items (default: all).")),
        (
            "page_size",
            *_opt(
                int | None,
                None,
                "--page-size",
                min=1,
                max=1000,
                help="Items per API request, 1-1000 (default: the API's 1000).",
            ),
        ),
        ("fmt", FormatOpt, None),
        ("json_", JsonOpt, False),
    ]
    if resource.name == "inventory":
        params.append(
            (
                "by_warehouse",
                *_opt(
                    bool,
                    False,
                    "--by-warehouse",
                    help="Table/CSV: one row per warehouse (from inventory_by_warehouse_id).",
                ),
            )
        )
    return params


def build_query(resource: Resource, values: dict[str, Any]) -> ListQuery:
    filters: list[str] = []
    for i, sc in enumerate(SHORTCUTS.get(resource.name, ())):
        value = values.get(f"shortcut_{i}")
        if value:
            if isinstance(value, list):
                filters.append(f"{sc.field}={value[0]}" if len(value) == 1 else f"{sc.field}[in]={','.join(value)}")
            else:
                filters.append(f"{sc.field}={value}")
    for j, sc in enumerate(_DATES):
        value = values.get(f"date_{j}")
        if value:
            filters.append(f"{sc.field}[{sc.op}]={parse_since(value)}")
    if values.get("ids"):
        filters.append(f"ids[in]={values['ids']}")
    filters.extend(values.get("filter_") or [])
    return ListQuery(filters=tuple(filters), page_size=values.get("page_size"), limit=values.get("limit"))


def _with_signature(fn: Callable[..., None], params: list[tuple[str, Any, Any]]) -> Callable[..., None]:
    sig_params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    sig_params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d) for n, a, d in params]
    fn.__signature__ = inspect.Signature(sig_params)  # type: ignore[attr-defined]
    fn.__annotations__ = {p.name: p.annotation for p in sig_params}
    return fn


def _list_command(resource: Resource) -> Callable[..., None]:
    params = _common_list_params(resource)
    if resource.parent:
        parent_help = f"The {resource.parent.replace('_', ' ')} the items belong to."
        params.insert(0, ("parent_id", Annotated[str, typer.Argument(metavar="PARENT_ID", help=parent_help)], ...))

    def command(ctx: typer.Context, **values: Any) -> None:
        svc = services(ctx)
        query = build_query(resource, values)
        fmt = fmt_of(values.get("fmt"), values.get("json_", False))
        by_wh = values.get("by_warehouse", False)
        columns = BY_WAREHOUSE_COLUMNS if by_wh else resource.columns
        expand: Callable[[dict[str, Any]], list[dict[str, Any]]] | None = warehouse_rows if by_wh else None
        fan = _fan_out(svc, resource, query, values)
        if fan is not None:
            columns = (CONNECTION_COLUMN, *columns)
            expand = _with_connection_label(fan.connections, expand)
            items: Iterable[dict[str, Any]] = fan
        else:
            conn = svc.resolve_connection(values.get("connection"))
            items = svc.iter_items(resource, conn, query, parent_id=values.get("parent_id"))
        output.render_items(
            output.with_progress(items, f"Fetching {resource.name}"),
            fmt,
            columns,
            rows=expand,
            empty_message=f"No {resource.name} found.",
        )
        if fan is not None:
            finish_fan_out(fan.outcomes)

    command.__doc__ = _list_doc(resource)
    return _with_signature(command, params)


def _get_command(resource: Resource) -> Callable[..., None]:
    params: list[tuple[str, Any, Any]] = []
    if resource.parent:
        params.append(("parent_id", Annotated[str, typer.Argument(metavar="PARENT_ID")], ...))
    params += [
        (
            "item_id",
            Annotated[str, typer.Argument(metavar="ID", help=f"The {resource.id_param.replace('_', ' ')}.")],
            ...,
        ),
        ("connection", ConnectionOpt, None),
        ("fmt", FormatOpt, None),
        ("json_", JsonOpt, False),
    ]

    def command(ctx: typer.Context, **values: Any) -> None:
        svc = services(ctx)
        conn = svc.resolve_connection(values.get("connection"))
        item = svc.get_item(resource, conn, values["item_id"], parent_id=values.get("parent_id"))
        output.render_object(item, fmt_of(values.get("fmt"), values.get("json_", False)))

    command.__doc__ = (
        f"Show one item of {resource.name} by id (GET {resource.path}/{{id}}).\n\n"
        f"Example:\n\n    trackstar {_cli_path(resource)} get ID --json"
    )
    return _with_signature(command, params)


def _cli_path(resource: Resource) -> str:
    group, sub = PLACEMENT[resource.name]
    return f"{group} {sub}" if sub else group


def _list_doc(resource: Resource) -> str:
    path = _cli_path(resource)
    parent = " WAREHOUSE_ID" if resource.parent else ""
    lines = [
        f"List {resource.name} (GET {resource.path}), following every page.",
        "",
        "Filters are repeated on every page; --filter passes any API filter through.",
        "",
        "Examples:",
        "",
        f"    trackstar {path}{' list' if not PLACEMENT[resource.name][1] else ''}{parent} --limit 20",
        "",
        f"    trackstar {path}{' list' if not PLACEMENT[resource.name][1] else ''}{parent} --json | jq length",
    ]
    if resource.name == "inventory":
        lines += [
            "",
            "    trackstar inventory list --sku A1 --sku B2 --by-warehouse",
            "",
            "    trackstar inventory list --filter 'sku\\[contains]=TEE' -o csv > tees.csv",
        ]
    return "\n".join(lines)


CONNECTION_COLUMN = Column("connection", "_connection")


def _fan_out(svc: Services, resource: Resource, query: ListQuery, values: dict[str, Any]) -> FanOut | None:
    refs = [r for r in (values.get("connections") or "").split(",") if r.strip()]
    if not refs and not values.get("all_connections"):
        return None
    if values.get("connection"):
        raise UsageError("--connection picks one connection; use --connections A,B or --all-connections for several")
    conns = select_connections(svc, refs=refs, all_connections=bool(values.get("all_connections")))
    return FanOut(svc, resource, conns, query, parent_id=values.get("parent_id"))


def _with_connection_label(
    conns: list[Connection], expand: Callable[[dict[str, Any]], list[dict[str, Any]]] | None
) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    labels = {c.connection_id: c.alias or c.connection_id for c in conns}

    def rows(item: dict[str, Any]) -> list[dict[str, Any]]:
        label = labels.get(str(item.get("connection_id")), "")
        return [{**row, "_connection": label} for row in (expand(item) if expand else [item])]

    return rows


def finish_fan_out(outcomes: list[ConnectionOutcome]) -> None:
    """Report skipped and failed connections on stderr; exit 9 when some failed, their code when all did."""
    for o in outcomes:
        label = f"{o.connection.alias or o.connection.connection_id} ({o.connection.integration_name})"
        if o.unsupported and o.error is not None:
            output.warn(f"{label} skipped: {o.error.message}")
        elif o.failed and o.error is not None:
            output.emit_error(TrackstarError(f"{label}: {o.error}", hint=o.error.hint))
    failed = [o for o in outcomes if o.failed]
    if failed:
        code = failed[0].error.exit_code if len(failed) == len(outcomes) and failed[0].error else ExitCode.PARTIAL
        raise typer.Exit(int(code))


def build(group: str) -> typer.Typer:
    """The Typer app of one resource group (e.g. `inventory` with list, get and ledger)."""
    app = typer.Typer(help=GROUP_HELP[group], no_args_is_help=True, add_completion=False)
    for name, (where, sub) in PLACEMENT.items():
        if where != group:
            continue
        resource = RESOURCES[name]
        if sub is None:
            app.command("list")(_list_command(resource))
            if resource.has_get:
                app.command("get")(_get_command(resource))
        else:
            # e.g. `warehouses locations WID` lists, `warehouses location WID LID` shows one
            app.command(sub)(_list_command(resource))
            if resource.has_get:
                app.command(sub.rstrip("s"))(_get_command(resource))
    from trackstar_cli.commands import extras, writes

    extras.add_commands(group, app)

    writes.add_commands(group, app)
    return app
