"""Write commands (orders create …, inventory adjust, tags set): added to the resource groups.

Every write takes its body from --data (JSON, @file or - for standard input) and/or a few options for the
common fields (options win over keys of --data), refuses null/empty values before sending, carries an
Idempotency-Key, can be previewed with --dry-run, and asks before touching a WMS that is not the sandbox.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.errors import ExitCode, UsageError
from trackstar_cli.resources import Column

if TYPE_CHECKING:
    from trackstar_cli.service.writes import WritePlan, WriteResult

__all__ = ["add_commands", "build"]


class AdjustType(str, Enum):
    increase = "increase"
    decrease = "decrease"


class OrderStatus(str, Enum):
    open = "open"
    confirmed = "confirmed"
    processing = "processing"
    picked = "picked"
    packed = "packed"
    partially_fulfilled = "partially_fulfilled"
    fulfilled = "fulfilled"
    exception = "exception"
    cancelled = "cancelled"
    backordered = "backordered"
    other = "other"


class Taggable(str, Enum):
    inventory = "inventory"
    products = "products"
    orders = "orders"
    inbound_shipments = "inbound-shipments"
    returns = "returns"
    warehouses = "warehouses"


# -- shared options --------------------------------------------------------------------------------------

DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        "-d",
        metavar="JSON|@FILE|-",
        help="Request body: a JSON object, @file.json, or - for standard input. Options override its keys.",
    ),
]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        metavar="KEY",
        help="Idempotency-Key to send (default: a new uuid4). Reuse a key to repeat a write safely.",
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the request (secrets redacted) as JSON and send nothing.")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask before writing to a connection that is not the sandbox.")
]
LineOpt = Annotated[
    list[str] | None,
    typer.Option("--line", metavar="SKU:QTY", help="A line item (repeatable); replaces line_items of --data."),
]
OrderLineOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--line",
        metavar="SKU_OR_PRODUCT:QTY",
        help="A line item (repeatable): a SKU (looked up to fill product_id) or a product id, and a quantity.",
    ),
]
IdArg = Annotated[str, typer.Argument(metavar="ID", help="The id of the item to write to.")]
WarehouseOpt = Annotated[str | None, typer.Option("--warehouse", help="warehouse_id.")]


def _opt(*decls: str, help: str, **kw: Any) -> Any:
    return typer.Option(*decls, help=help, **kw)


# -- what a terminal shows after a write -------------------------------------------------------------------

_SUMMARY: dict[str, tuple[Column, ...]] = {
    "orders": (
        Column("id", "id"),
        Column("order_number", "order_number"),
        Column("status", "status"),
        Column("warehouse_id", "warehouse_id"),
        Column("line_items", "line_items"),
        Column("trackstar_tags", "trackstar_tags"),
    ),
    "products": (Column("id", "id"), Column("sku", "sku"), Column("name", "name"), Column("gtin", "gtin")),
    "inventory": (
        Column("id", "id"),
        Column("sku", "sku"),
        Column("onhand", "onhand", True),
        Column("fulfillable", "fulfillable", True),
        Column("committed", "committed", True),
        Column("unfulfillable", "unfulfillable", True),
    ),
    "inbound-shipments": (
        Column("id", "id"),
        Column("purchase_order_number", "purchase_order_number"),
        Column("status", "status"),
        Column("warehouse_id", "warehouse_id"),
        Column("line_items", "line_items"),
    ),
    "returns": (Column("id", "id"), Column("order_id", "order_id"), Column("status", "status")),
    "tags": (Column("id", "id"), Column("trackstar_tags", "trackstar_tags")),
}


def _read_data(value: str | None) -> tuple[str | None, str]:
    """--data TEXT, @FILE or - → (text, where it came from)."""
    if value is None:
        return None, "--data"
    if value == "-":
        return sys.stdin.read(), "--data - (standard input)"
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            return path.read_text(encoding="utf-8"), f"--data @{path}"
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read --data file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return value, "--data"


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _confirm(plan: "WritePlan") -> bool:
    """Ask on a terminal; without one the service refuses unless --yes was given."""
    if not plan.needs_confirmation or not _stdin_is_tty():
        return False
    conn = plan.connection
    question = (
        f"{plan.op.method} {plan.path} writes to {conn.integration_name} connection {plan.label}, a live WMS. Send it?"
    )
    try:
        confirmed = typer.confirm(question, default=False, err=True)
    except typer.Abort:  # end of input (Ctrl-D) at the question
        output.info("")
        confirmed = False
    if not confirmed:
        output.info("Not confirmed: nothing was sent.")
        raise typer.Exit(int(ExitCode.ERROR))
    return True


def _run(
    ctx: typer.Context,
    command: str,
    *,
    item_id: str | None = None,
    fields: dict[str, Any] | None = None,
    lines: list[str] | None = None,
    tags: list[str] | None = None,
    data: str | None = None,
    connection: str | None,
    idempotency_key: str | None,
    dry_run: bool,
    yes: bool,
    fmt: Any,
    json_: bool,
) -> None:
    from trackstar_cli.service import writes as ws

    fmt_name = fmt_of(fmt, json_)
    text, source = _read_data(data)
    svc = services(ctx)
    plan = ws.plan_write(
        svc,
        command,
        connection=connection,
        item_id=item_id,
        data=text,
        data_source=source,
        fields=fields,
        lines=lines or (),
        tags=tags,
        idempotency_key=idempotency_key,
    )
    if dry_run:
        output.render_object(ws.describe_write(svc, plan), "ndjson" if fmt_name == "ndjson" else "json")
        output.info("Dry run: nothing was sent.")
        return
    result = ws.send_write(svc, plan, confirmed=yes or _confirm(plan))
    _render(plan, result, fmt_name)


def _render(plan: "WritePlan", result: "WriteResult", fmt_name: str) -> None:
    conn = plan.connection
    if result.replayed:
        output.info(
            f"Trackstar replayed its stored reply for Idempotency-Key {plan.idempotency_key}: "
            "the write was not applied again."
        )
    if result.unused_fields:
        output.warn(f"{conn.integration_name} did not use these fields: {', '.join(result.unused_fields)}")
    if fmt_name in ("json", "ndjson"):
        output.render_object(result.envelope, fmt_name)
        return
    group = plan.op.command.split()[0]
    data: dict[str, Any] = dict(result.data) if isinstance(result.data, dict) else {"id": result.id}
    if isinstance(data.get("line_items"), list):  # a table cell: "TEE-RED x2, MUG x1", not a JSON dump
        data["line_items"] = ", ".join(_line_cell(line) for line in data["line_items"])
    if fmt_name == "table":
        output.info(f"{plan.op.done} {result.id or ''} on connection {plan.label} ({conn.integration_name}).")
    output.render_object(data, fmt_name, _SUMMARY[group])


def _line_cell(line: Any) -> str:
    if not isinstance(line, dict):
        return str(line)
    qty = line.get("quantity", line.get("expected_quantity"))
    return f"{line.get('sku') or line.get('product_id') or '?'} x{qty}"


# -- orders ----------------------------------------------------------------------------------------------


def orders_create(
    ctx: typer.Context,
    order_number: Annotated[str | None, _opt("--order-number", help="order_number.")] = None,
    line: OrderLineOpt = None,
    warehouse: WarehouseOpt = None,
    shipping_method: Annotated[str | None, _opt("--shipping-method", help="shipping_method_id.")] = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create an order (POST /wms/orders).

    Required fields depend on the integration: the sandbox needs order_number, ship_to_address, line_items.

    Put the address and anything else in --data. --warehouse is integration-specific (ShipBob needs it).

    Examples:

        trackstar orders create --order-number 1001 --line TSH-RED-000000:2 --data @address.json

        trackstar orders create --data @order.json --dry-run
    """
    fields = {"order_number": order_number, "warehouse_id": warehouse, "shipping_method_id": shipping_method}
    _run(ctx, "orders create", fields=fields, lines=line, **_common(locals()))


def orders_update(
    ctx: typer.Context,
    item_id: IdArg,
    status: Annotated[OrderStatus | None, _opt("--status", help="New status.")] = None,
    order_number: Annotated[str | None, _opt("--order-number", help="order_number.")] = None,
    shipping_method: Annotated[str | None, _opt("--shipping-method", help="shipping_method_id.")] = None,
    line: OrderLineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Update an order (PUT /wms/orders/{id}); every field is optional.

    Examples:

        trackstar orders update ord_00000042 --shipping-method fedex_ground

        trackstar orders update ord_00000042 --data '{"ship_to_address": {"address2": "Apt 4"}}'
    """
    fields = {
        "status": status.value if status else None,
        "order_number": order_number,
        "shipping_method_id": shipping_method,
    }
    _run(ctx, "orders update", item_id=item_id, fields=fields, lines=line, **_common(locals()))


def orders_cancel(
    ctx: typer.Context,
    item_id: IdArg,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Cancel an order (PUT /wms/orders/{id}/cancel, no body).

    Example:

        trackstar orders cancel ord_00000042 --yes
    """
    _run(ctx, "orders cancel", item_id=item_id, **_common(locals()))


def orders_ship(
    ctx: typer.Context,
    item_id: IdArg,
    tracking_number: Annotated[str | None, _opt("--tracking-number", help="tracking_number.")] = None,
    carrier: Annotated[str | None, _opt("--carrier", help="carrier_id, e.g. fedex.")] = None,
    warehouse: WarehouseOpt = None,
    shipped_date: Annotated[
        str | None, _opt("--shipped-date", help="shipped_date: a date, a time or an age (2h); default: now.")
    ] = None,
    shipping_cost: Annotated[float | None, _opt("--shipping-cost", help="shipping_cost.")] = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Record a shipment of an order (POST /wms/orders/{id}/shipments).

    Without --line the shipment carries what is left to ship. The sandbox also needs measurements: use --data.

    Examples:

        trackstar orders ship ord_00000042 --tracking-number 1Z999 --carrier ups --data @shipment.json

        trackstar orders ship ord_00000042 --data @shipment.json --line TSH-RED-000000:1
    """
    from trackstar_cli.service import parse_since

    fields = {
        "tracking_number": tracking_number,
        "carrier_id": carrier,
        "warehouse_id": warehouse,
        "shipped_date": parse_since(shipped_date) if shipped_date else None,
        "shipping_cost": shipping_cost,
    }
    _run(ctx, "orders ship", item_id=item_id, fields=fields, lines=line, **_common(locals()))


# -- products ----------------------------------------------------------------------------------------------


def products_create(
    ctx: typer.Context,
    sku: Annotated[str | None, _opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, _opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, _opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create a product (POST /wms/products).

    Examples:

        trackstar products create --sku TEE-BLUE-M --name "Blue tee (M)"

        trackstar products create --data @product.json --dry-run
    """
    _run(ctx, "products create", fields={"sku": sku, "name": name, "gtin": gtin}, **_common(locals()))


def products_update(
    ctx: typer.Context,
    item_id: IdArg,
    sku: Annotated[str | None, _opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, _opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, _opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Update a product (PUT /wms/products/{id}).

    Example:

        trackstar products update prod_00000007 --name "Red tee (XS)"
    """
    fields = {"sku": sku, "name": name, "gtin": gtin}
    _run(ctx, "products update", item_id=item_id, fields=fields, **_common(locals()))


# -- inventory ---------------------------------------------------------------------------------------------


def inventory_adjust(
    ctx: typer.Context,
    item_id: IdArg,
    quantity: Annotated[
        int | None, _opt("--quantity", help="Units to add or remove; a negative number means a decrease.")
    ] = None,
    type_: Annotated[AdjustType | None, _opt("--type", help="adjustment_type: increase or decrease.")] = None,
    warehouse: WarehouseOpt = None,
    location: Annotated[str | None, _opt("--location", help="location_id.")] = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Adjust the stock of an inventory item (PUT /wms/inventory/{id}/adjust).

    Examples:

        trackstar inventory adjust inv_1 --quantity 5 --type increase --warehouse wh_1

        trackstar inventory adjust inv_1 --quantity -2 --warehouse wh_1 --location loc_7 --yes
    """
    fields = {
        "quantity": quantity,
        "adjustment_type": type_.value if type_ else None,
        "warehouse_id": warehouse,
        "location_id": location,
    }
    _run(ctx, "inventory adjust", item_id=item_id, fields=fields, **_common(locals()))


# -- inbound shipments -------------------------------------------------------------------------------------


def inbound_create(
    ctx: typer.Context,
    po: Annotated[str | None, _opt("--po", help="purchase_order_number.")] = None,
    supplier: Annotated[str | None, _opt("--supplier", help="supplier (its name).")] = None,
    warehouse: WarehouseOpt = None,
    expected_arrival: Annotated[
        str | None, _opt("--expected-arrival", help="expected_arrival_date: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.")
    ] = None,
    tracking_number: Annotated[str | None, _opt("--tracking-number", help="tracking_number.")] = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create an inbound shipment (POST /wms/inbound-shipments); --line SKU:QTY sets expected quantities.

    Example:

        trackstar inbound-shipments create --po PO-1001 --line TSH-RED-000000:100 --data @inbound.json
    """
    from trackstar_cli.service import parse_since

    fields = {
        "purchase_order_number": po,
        "supplier": supplier,
        "warehouse_id": warehouse,
        "expected_arrival_date": parse_since(expected_arrival) if expected_arrival else None,
        "tracking_number": tracking_number,
    }
    _run(ctx, "inbound-shipments create", fields=fields, lines=line, **_common(locals()))


def inbound_receive(
    ctx: typer.Context,
    item_id: IdArg,
    line: LineOpt = None,
    location: Annotated[str | None, _opt("--location", help="warehouse_location_id.")] = None,
    warehouse: WarehouseOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Receive items on an inbound shipment (PUT /wms/inbound-shipments/{id}/receive).

    Example:

        trackstar inbound-shipments receive ibs_00000003 --line TSH-RED-000000:40 --location loc_00000001
    """
    fields = {"warehouse_location_id": location, "warehouse_id": warehouse}
    _run(ctx, "inbound-shipments receive", item_id=item_id, fields=fields, lines=line, **_common(locals()))


# -- returns -----------------------------------------------------------------------------------------------


def returns_create(
    ctx: typer.Context,
    order: Annotated[str | None, _opt("--order", help="order_id of the order being returned.")] = None,
    warehouse: WarehouseOpt = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Create a return (POST /wms/returns).

    Example:

        trackstar returns create --order ord_00000042 --warehouse wh_00000001 --line TSH-RED-000000:1
    """
    fields = {"order_id": order, "warehouse_id": warehouse}
    _run(ctx, "returns create", fields=fields, lines=line, **_common(locals()))


# -- tags --------------------------------------------------------------------------------------------------


def tags_set(
    ctx: typer.Context,
    resource: Annotated[
        Taggable,
        typer.Argument(metavar="RESOURCE", help="inventory, products, orders, inbound-shipments, returns, warehouses."),
    ],
    item_id: IdArg,
    tags: Annotated[
        list[str] | None, typer.Argument(metavar="TAG...", help="NAME or KEY=VALUE; replaces every tag of the item.")
    ] = None,
    clear: Annotated[bool, _opt("--clear", help="Remove every tag (no TAG given).")] = False,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Replace the Trackstar tags of one item (PUT /wms/<resource>/{id}/trackstar-tags).

    Tags live in Trackstar only (never in the WMS). KEY=VALUE makes a {"KEY": "VALUE"} tag.

    Examples:

        trackstar tags set orders ord_00000042 vip priority=high

        trackstar tags set inventory inv_00000001 --clear
    """
    if tags and clear:
        raise UsageError("--clear removes every tag: give either TAGs or --clear")
    if not tags and not clear and data is None:
        raise UsageError("no TAG given", hint="give at least one TAG, or --clear to remove every tag")
    wanted = list(tags or []) if (tags or clear) else None
    _run(ctx, f"tags set {resource.value}", item_id=item_id, tags=wanted, **_common(locals()))


def _common(values: dict[str, Any]) -> dict[str, Any]:
    """The options every write shares, picked from a command's locals()."""
    names = ("data", "connection", "idempotency_key", "dry_run", "yes", "fmt", "json_")
    return {n: values[n] for n in names if n in values}


_COMMANDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "orders": (
        ("create", orders_create),
        ("update", orders_update),
        ("cancel", orders_cancel),
        ("ship", orders_ship),
    ),
    "products": (("create", products_create), ("update", products_update)),
    "inventory": (("adjust", inventory_adjust),),
    "inbound-shipments": (("create", inbound_create), ("receive", inbound_receive)),
    "returns": (("create", returns_create),),
}


def add_commands(group: str, app: typer.Typer) -> None:
    """Add the write commands of `group` (e.g. orders create) to its Typer app."""
    for name, function in _COMMANDS.get(group, ()):
        app.command(name)(function)


def build(name: str) -> typer.Typer:
    app = typer.Typer(help="Set Trackstar tags on any taggable resource.", no_args_is_help=True, add_completion=False)

    @app.callback()
    def tags() -> None:  # a callback keeps `tags` a group (`tags set`) although it has one command
        """Set Trackstar tags on any taggable resource."""

    app.command("set")(tags_set)
    return app
