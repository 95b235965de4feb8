"""Write commands (orders create …, kits create, inventory adjust, tags set): added to the resource groups.

Every write takes its body from --data (JSON, @file or - for standard input) and/or options for the common
fields (options win over keys of --data). The body is shaped for the connection's integration (its variant
from live write-info, else the table derived from Trackstar's spec) and checked before sending: a field the
integration requires, forbids or limits is named by its option; a write it does not support is refused
(exit 7). Every write carries an Idempotency-Key, can be previewed with --dry-run, and asks before touching
a WMS that is not the sandbox. `--help-fields` lists what the connection's integration takes.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt
from trackstar_cli.commands._write_common import (
    DataOpt,
    DryRunOpt,
    HelpFieldsOpt,
    IdArg,
    KeyOpt,
    LineOpt,
    MeasureOpt,
    OrderLineOpt,
    RefOpt,
    WarehouseOpt,
    WeightOpt,
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
    help_fields: bool = False,
) -> WriteFlags:
    return WriteFlags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields)


def _measure(measurements: str | None, weight: str | None) -> tuple[str, Any]:
    return "--measurements/--weight", (measurements, weight) if (measurements or weight) else None


# -- orders ----------------------------------------------------------------------------------------------


def orders_create(
    ctx: typer.Context,
    order_number: Annotated[str | None, opt("--order-number", help="order_number.")] = None,
    reference_id: RefOpt = None,
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
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Create an order (POST /wms/orders).

    Required fields depend on the integration (--help-fields lists them): the sandbox needs order_number,
    ship_to_address and line_items; ShipBob reference_id instead of order_number; ShipHero a unit price on
    every line (--line SKU:QTY@PRICE). Put the address and anything else in --data.

    Examples:

        trackstar orders create --order-number 1001 --line TSH-RED-000000:2 --data @address.json

        trackstar orders create --reference-id shop-1001 --line TSH-RED-000000:2@19.99 --data @order.json --dry-run

        trackstar orders create --help-fields -c shipbob
    """
    fields = {
        "order_number": ("--order-number", order_number),
        "reference_id": ("--reference-id", reference_id),
        "warehouse_id": ("--warehouse", warehouse),
        "shipping_method_id": ("--shipping-method", shipping_method),
    }
    run_write(
        ctx,
        "orders create",
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def orders_update(
    ctx: typer.Context,
    item_id: IdArg,
    status: Annotated[OrderStatus | None, opt("--status", help="New status (ShipHero takes only fulfilled).")] = None,
    order_number: Annotated[str | None, opt("--order-number", help="order_number.")] = None,
    reference_id: RefOpt = None,
    shipping_method: Annotated[str | None, opt("--shipping-method", help="shipping_method_id.")] = None,
    line: OrderLineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Update an order (PUT /wms/orders/{id}); every field is optional.

    Examples:

        trackstar orders update ord_00000042 --shipping-method fedex_ground

        trackstar orders update ord_00000042 --data '{"ship_to_address": {"address2": "Apt 4"}}'
    """
    fields = {
        "status": ("--status", status.value if status else None),
        "order_number": ("--order-number", order_number),
        "reference_id": ("--reference-id", reference_id),
        "shipping_method_id": ("--shipping-method", shipping_method),
    }
    run_write(
        ctx,
        "orders update",
        item_id=item_id,
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
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
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Record a shipment of an order (POST /wms/orders/{id}/shipments).

    Without --line the shipment carries what is left to ship (ShipHero and Extensiv take no lines at all).
    The sandbox and ShipHero need the package's measurements: --measurements 30x20x10cm --weight 1.2kg.

    Examples:

        trackstar orders ship ord_00000042 --tracking-number 1Z999 --carrier ups --warehouse wh_00000001 \\
            --shipping-cost 7.5 --measurements 30x20x10cm --weight 1.2kg

        trackstar orders ship ord_00000042 --data @shipment.json --line TSH-RED-000000:1
    """
    from trackstar_cli.service.query import parse_since

    fields = {
        "tracking_number": ("--tracking-number", tracking_number),
        "carrier_id": ("--carrier", carrier),
        "warehouse_id": ("--warehouse", warehouse),
        "shipped_date": ("--shipped-date", parse_since(shipped_date) if shipped_date else None),
        "shipping_cost": ("--shipping-cost", shipping_cost),
        "measurements": _measure(measurements, weight),
    }
    run_write(
        ctx,
        "orders ship",
        item_id=item_id,
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def orders_attach_file(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ORDER", help="The order's id.")],
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="The file to upload (multipart/form-data).", dir_okay=False),
    ] = None,
    url: Annotated[str | None, opt("--url", help="file_url: let Trackstar fetch the file from this address.")] = None,
    name: Annotated[str | None, opt("--name", help="file_name (default: FILE's name).")] = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Attach a file to an order (POST /wms/orders/{id}/file, multipart/form-data).

    Examples:

        trackstar orders attach-file ord_00000042 packing-slip.pdf

        trackstar orders attach-file ord_00000042 --url https://example.com/label.pdf --name label.pdf
    """
    run_write(
        ctx,
        "orders attach-file",
        item_id=item_id,
        fields={"file_url": ("--url", url), "file_name": ("--name", name)},
        upload=file,
        flags=_flags(None, connection, idempotency_key, dry_run, yes, fmt, json_),
    )


# -- products and kits -------------------------------------------------------------------------------------


def products_create(
    ctx: typer.Context,
    sku: Annotated[str | None, opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Create a product (POST /wms/products).

    Examples:

        trackstar products create --sku TEE-BLUE-M --name "Blue tee (M)"

        trackstar products create --sku MUG --name Mug --measurements 10x10x12cm --weight 0.4kg --dry-run
    """
    fields = {
        "sku": ("--sku", sku),
        "name": ("--name", name),
        "gtin": ("--gtin", gtin),
        "measurements": _measure(measurements, weight),
    }
    run_write(
        ctx,
        "products create",
        fields=fields,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def products_update(
    ctx: typer.Context,
    item_id: IdArg,
    sku: Annotated[str | None, opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Update a product (PUT /wms/products/{id}).

    Example:

        trackstar products update prod_00000007 --name "Red tee (XS)"
    """
    fields = {
        "sku": ("--sku", sku),
        "name": ("--name", name),
        "gtin": ("--gtin", gtin),
        "measurements": _measure(measurements, weight),
    }
    run_write(
        ctx,
        "products update",
        item_id=item_id,
        fields=fields,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


ComponentOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--component", metavar="SKU:QTY", help="A kit component and its unit quantity (repeatable): inventory_items."
    ),
]


def kits_create(
    ctx: typer.Context,
    sku: Annotated[str | None, opt("--sku", help="sku of the kit.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    component: ComponentOpt = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Create a kit: a product made of other SKUs (POST /wms/kits).

    Examples:

        trackstar kits create --sku GIFT-BOX --name "Gift box" --component TSH-RED-000000:1 --component MUG-000001:2 \\
            --gtin 0001234567890 --measurements 30x20x10cm --weight 1kg

        trackstar kits create --help-fields -c extensiv
    """
    fields = {
        "sku": ("--sku", sku),
        "name": ("--name", name),
        "gtin": ("--gtin", gtin),
        "measurements": _measure(measurements, weight),
    }
    run_write(
        ctx,
        "kits create",
        fields=fields,
        components=component or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def kits_update(
    ctx: typer.Context,
    item_id: IdArg,
    sku: Annotated[str | None, opt("--sku", help="sku of the kit.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    component: ComponentOpt = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Update a kit (PUT /wms/kits/{id}); --component replaces its components.

    Example:

        trackstar kits update prod_00000031 --name "Gift box (large)" --component TSH-RED-000000:2
    """
    fields = {
        "sku": ("--sku", sku),
        "name": ("--name", name),
        "gtin": ("--gtin", gtin),
        "measurements": _measure(measurements, weight),
    }
    run_write(
        ctx,
        "kits update",
        item_id=item_id,
        fields=fields,
        components=component or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
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
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Adjust the stock of an inventory item (PUT /wms/inventory/{id}/adjust).

    Examples:

        trackstar inventory adjust inv_1 --quantity 5 --type increase --warehouse wh_1

        trackstar inventory adjust inv_1 --quantity -2 --warehouse wh_1 --location loc_7 --yes
    """
    fields = {
        "quantity": ("--quantity", quantity),
        "adjustment_type": ("--type", type_.value if type_ else None),
        "warehouse_id": ("--warehouse", warehouse),
        "location_id": ("--location", location),
    }
    run_write(
        ctx,
        "inventory adjust",
        item_id=item_id,
        fields=fields,
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


# -- inbound shipments -------------------------------------------------------------------------------------

ExpectedOpt = Annotated[
    str | None, opt("--expected-arrival", help="expected_arrival_date: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.")
]


def inbound_create(
    ctx: typer.Context,
    po: Annotated[str | None, opt("--po", help="purchase_order_number.")] = None,
    reference_id: RefOpt = None,
    supplier: Annotated[str | None, opt("--supplier", help="supplier (its name).")] = None,
    warehouse: WarehouseOpt = None,
    expected_arrival: ExpectedOpt = None,
    tracking_number: Annotated[str | None, opt("--tracking-number", help="tracking_number.")] = None,
    package_type: Annotated[
        str | None, opt("--package-type", help="package_type (ShipBob): Package, Pallet or FloorLoadedContainer.")
    ] = None,
    box_packaging: Annotated[
        str | None,
        opt("--box-packaging", help="box_packaging_type (ShipBob): EverythingInOneBox, OneSkuPerBox, …"),
    ] = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Create an inbound shipment (POST /wms/inbound-shipments); --line SKU:QTY sets expected quantities.

    On ShipBob the lines go into one box with --tracking-number; Extensiv needs --reference-id.

    Examples:

        trackstar inbound-shipments create --po PO-1001 --line TSH-RED-000000:100 --data @inbound.json

        trackstar inbound-shipments create -c shipbob --warehouse wh_00000001 --expected-arrival 2026-12-20 \\
            --package-type Package --box-packaging EverythingInOneBox --tracking-number 1Z9 --line TSH-RED-000000:50
    """
    from trackstar_cli.service.query import parse_since

    fields = {
        "purchase_order_number": ("--po", po),
        "reference_id": ("--reference-id", reference_id),
        "supplier": ("--supplier", supplier),
        "warehouse_id": ("--warehouse", warehouse),
        "expected_arrival_date": ("--expected-arrival", parse_since(expected_arrival) if expected_arrival else None),
        "tracking_number": ("--tracking-number", tracking_number),
        "package_type": ("--package-type", package_type),
        "box_packaging_type": ("--box-packaging", box_packaging),
    }
    run_write(
        ctx,
        "inbound-shipments create",
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def inbound_update(
    ctx: typer.Context,
    item_id: IdArg,
    po: Annotated[str | None, opt("--po", help="purchase_order_number.")] = None,
    expected_arrival: ExpectedOpt = None,
    tracking_number: Annotated[str | None, opt("--tracking-number", help="tracking_number.")] = None,
    status: Annotated[str | None, opt("--status", help="status (ShipBob takes only cancelled).")] = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Update an inbound shipment (PUT /wms/inbound-shipments/{id}).

    Examples:

        trackstar inbound-shipments update ibs_00000003 --expected-arrival 2026-12-24 --tracking-number 1Z77

        trackstar inbound-shipments update ibs_00000003 --status cancelled -c shipbob --yes
    """
    from trackstar_cli.service.query import parse_since

    fields = {
        "purchase_order_number": ("--po", po),
        "expected_arrival_date": ("--expected-arrival", parse_since(expected_arrival) if expected_arrival else None),
        "tracking_number": ("--tracking-number", tracking_number),
        "status": ("--status", status),
    }
    run_write(
        ctx,
        "inbound-shipments update",
        item_id=item_id,
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
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
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Receive items on an inbound shipment (PUT /wms/inbound-shipments/{id}/receive).

    Example:

        trackstar inbound-shipments receive ibs_00000003 --line TSH-RED-000000:40 --location loc_00000001
    """
    fields = {"warehouse_location_id": ("--location", location), "warehouse_id": ("--warehouse", warehouse)}
    run_write(
        ctx,
        "inbound-shipments receive",
        item_id=item_id,
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


# -- returns -----------------------------------------------------------------------------------------------


def returns_create(
    ctx: typer.Context,
    order: Annotated[str | None, opt("--order", help="order_id of the order being returned.")] = None,
    reference_id: RefOpt = None,
    warehouse: WarehouseOpt = None,
    tracking_number: Annotated[str | None, opt("--tracking-number", help="tracking_number.")] = None,
    reason: Annotated[str | None, opt("--reason", help="return_reason (ShipHero).")] = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Create a return (POST /wms/returns).

    ShipBob and Extensiv need --reference-id (Extensiv's reference_num); ShipHero needs much more
    (--help-fields -c NAME lists it).

    Example:

        trackstar returns create --order ord_00000042 --warehouse wh_00000001 --line TSH-RED-000000:1
    """
    fields = {
        "order_id": ("--order", order),
        "reference_id": ("--reference-id", reference_id),
        "warehouse_id": ("--warehouse", warehouse),
        "tracking_number": ("--tracking-number", tracking_number),
        "return_reason": ("--reason", reason),
        "measurements": _measure(measurements, weight),
    }
    run_write(
        ctx,
        "returns create",
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def returns_update(
    ctx: typer.Context,
    item_id: IdArg,
    status: Annotated[str | None, opt("--status", help="status (ShipBob takes only cancelled).")] = None,
    order: Annotated[str | None, opt("--order", help="order_id.")] = None,
    warehouse: WarehouseOpt = None,
    line: LineOpt = None,
    data: DataOpt = None,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
    help_fields: HelpFieldsOpt = False,
) -> None:
    """Update a return (PUT /wms/returns/{id}).

    Examples:

        trackstar returns update rma_00000002 --line TSH-RED-000000:2

        trackstar returns update rma_00000002 --status received -c shiphero --yes
    """
    fields = {
        "status": ("--status", status),
        "order_id": ("--order", order),
        "warehouse_id": ("--warehouse", warehouse),
    }
    run_write(
        ctx,
        "returns update",
        item_id=item_id,
        fields=fields,
        lines=line or [],
        flags=_flags(data, connection, idempotency_key, dry_run, yes, fmt, json_, help_fields),
    )


def returns_cancel(
    ctx: typer.Context,
    item_id: IdArg,
    connection: ConnectionOpt = None,
    idempotency_key: KeyOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Cancel a return (PUT /wms/returns/{id}/cancel, no body; newer than the published spec).

    Example:

        trackstar returns cancel rma_00000002 --yes
    """
    run_write(
        ctx,
        "returns cancel",
        item_id=item_id,
        flags=_flags(None, connection, idempotency_key, dry_run, yes, fmt, json_),
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
        ("attach-file", orders_attach_file),
    ),
    "products": (("create", products_create), ("update", products_update)),
    "inventory": (("adjust", inventory_adjust),),
    "inbound-shipments": (("create", inbound_create), ("update", inbound_update), ("receive", inbound_receive)),
    "returns": (("create", returns_create), ("update", returns_update), ("cancel", returns_cancel)),
}


def add_commands(group: str, app: typer.Typer) -> None:
    """Add the write commands of `group` (e.g. orders create) to its Typer app."""
    for name, function in _COMMANDS.get(group, ()):
        app.command(name)(function)


def build(name: str) -> typer.Typer:
    if name == "kits":
        kits = typer.Typer(
            help="Kits: products made of other SKUs (POST/PUT /wms/kits). Read them with `products list`.",
            no_args_is_help=True,
            add_completion=False,
        )
        kits.command("create")(kits_create)
        kits.command("update")(kits_update)
        return kits
    app = typer.Typer(help="Set Trackstar tags on any taggable resource.", no_args_is_help=True, add_completion=False)

    @app.callback()
    def tags() -> None:  # a callback keeps `tags` a group (`tags set`) although it has one command
        """Set Trackstar tags on any taggable resource."""

    app.command("set")(tags_set)
    return app
