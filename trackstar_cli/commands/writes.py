"""Write commands (orders create …, inventory adjust, tags set): added to the resource groups.

Every write takes its body from --data (JSON, @file or - for standard input) and/or a few options for the
common fields (options win over keys of --data), refuses null/empty values before sending, carries an
Idempotency-Key, can be previewed with --dry-run, and asks before touching a WMS that is not the sandbox.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated, Any

import typer

from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt
from trackstar_cli.commands._write_common import (
    DataOpt,
    DryRunOpt,
    IdArg,
    KeyOpt,
    LineOpt,
    OrderLineOpt,
    WarehouseOpt,
    WriteFlags,
    YesOpt,
    opt,
    run_write,
)
from trackstar_cli.errors import UsageError
from trackstar_cli.output import Format
from trackstar_cli.spec import ADJUSTMENT_TYPES, ORDER_STATUSES, TAGGABLE

__all__ = ["add_commands", "build"]


# Typer enums generated from spec, so the choices are written once.
AdjustType = Enum("AdjustType", {t: t for t in ADJUSTMENT_TYPES}, type=str)  # type: ignore[misc]
OrderStatus = Enum("OrderStatus", {s: s for s in ORDER_STATUSES}, type=str)  # type: ignore[misc]
Taggable = Enum("Taggable", {r.replace("-", "_"): r for r in TAGGABLE}, type=str)  # type: ignore[misc]


def _flags(
    data: str | None,
    connection: str | None,
    idempotency_key: str | None,
    dry_run: bool,
    yes: bool,
    fmt: Format | None,
    json_: bool,
) -> WriteFlags:
    return WriteFlags(data, connection, idempotency_key, dry_run, yes, fmt, json_)


# -- orders ----------------------------------------------------------------------------------------------


def orders_create(
    ctx: typer.Context,
    order_number: Annotated[str | None, opt("--order-number", help="order_number.")] = None,
    line: OrderLineOpt = None,
    warehouse: WarehouseOpt = None,
    shipping_method: Annotated[str | None, opt("--shipping-method", help="shipping_method_id.")] = None,
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
    run_write(
        ctx,
        "orders create",
        fields=fields,
        lines=line,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


def orders_update(
    ctx: typer.Context,
    item_id: IdArg,
    status: Annotated[OrderStatus | None, opt("--status", help="New status.")] = None,
    order_number: Annotated[str | None, opt("--order-number", help="order_number.")] = None,
    shipping_method: Annotated[str | None, opt("--shipping-method", help="shipping_method_id.")] = None,
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
    run_write(
        ctx,
        "orders update",
        item_id=item_id,
        fields=fields,
        lines=line,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


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
    run_write(
        ctx, "orders cancel", item_id=item_id, flags=_flags(None, connection, idempotency_key, dry_run, yes, fmt, json_)
    )


def orders_ship(
    ctx: typer.Context,
    item_id: IdArg,
    tracking_number: Annotated[str | None, opt("--tracking-number", help="tracking_number.")] = None,
    carrier: Annotated[str | None, opt("--carrier", help="carrier_id, e.g. fedex.")] = None,
    warehouse: WarehouseOpt = None,
    shipped_date: Annotated[
        str | None, opt("--shipped-date", help="shipped_date: a date, a time or an age (2h); default: now.")
    ] = None,
    shipping_cost: Annotated[float | None, opt("--shipping-cost", help="shipping_cost.")] = None,
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
    from trackstar_cli.service.query import parse_since

    fields = {
        "tracking_number": tracking_number,
        "carrier_id": carrier,
        "warehouse_id": warehouse,
        "shipped_date": parse_since(shipped_date) if shipped_date else None,
        "shipping_cost": shipping_cost,
    }
    run_write(
        ctx,
        "orders ship",
        item_id=item_id,
        fields=fields,
        lines=line,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


# -- products ----------------------------------------------------------------------------------------------


def products_create(
    ctx: typer.Context,
    sku: Annotated[str | None, opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
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
    run_write(
        ctx,
        "products create",
        fields={"sku": sku, "name": name, "gtin": gtin},
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


def products_update(
    ctx: typer.Context,
    item_id: IdArg,
    sku: Annotated[str | None, opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
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
    run_write(
        ctx,
        "products update",
        item_id=item_id,
        fields=fields,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


# -- inventory ---------------------------------------------------------------------------------------------


def inventory_adjust(
    ctx: typer.Context,
    item_id: IdArg,
    quantity: Annotated[
        int | None, opt("--quantity", help="Units to add or remove; a negative number means a decrease.")
    ] = None,
    type_: Annotated[AdjustType | None, opt("--type", help="adjustment_type: increase or decrease.")] = None,
    warehouse: WarehouseOpt = None,
    location: Annotated[str | None, opt("--location", help="location_id.")] = None,
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
    run_write(
        ctx,
        "inventory adjust",
        item_id=item_id,
        fields=fields,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


# -- inbound shipments -------------------------------------------------------------------------------------


def inbound_create(
    ctx: typer.Context,
    po: Annotated[str | None, opt("--po", help="purchase_order_number.")] = None,
    supplier: Annotated[str | None, opt("--supplier", help="supplier (its name).")] = None,
    warehouse: WarehouseOpt = None,
    expected_arrival: Annotated[
        str | None, opt("--expected-arrival", help="expected_arrival_date: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.")
    ] = None,
    tracking_number: Annotated[str | None, opt("--tracking-number", help="tracking_number.")] = None,
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
    from trackstar_cli.service.query import parse_since

    fields = {
        "purchase_order_number": po,
        "supplier": supplier,
        "warehouse_id": warehouse,
        "expected_arrival_date": parse_since(expected_arrival) if expected_arrival else None,
        "tracking_number": tracking_number,
    }
    run_write(
        ctx,
        "inbound-shipments create",
        fields=fields,
        lines=line,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


def inbound_receive(
    ctx: typer.Context,
    item_id: IdArg,
    line: LineOpt = None,
    location: Annotated[str | None, opt("--location", help="warehouse_location_id.")] = None,
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
    run_write(
        ctx,
        "inbound-shipments receive",
        item_id=item_id,
        fields=fields,
        lines=line,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


# -- returns -----------------------------------------------------------------------------------------------


def returns_create(
    ctx: typer.Context,
    order: Annotated[str | None, opt("--order", help="order_id of the order being returned.")] = None,
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
    run_write(
        ctx,
        "returns create",
        fields=fields,
        lines=line,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


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
    clear: Annotated[bool, opt("--clear", help="Remove every tag (no TAG given).")] = False,
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
    run_write(
        ctx,
        f"tags set {resource.value}",
        item_id=item_id,
        tags=wanted,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


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
