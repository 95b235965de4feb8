"""Write commands of inventory, inbound shipments and returns (registered by commands/writes.py)."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated

import typer

from trackstar_cli.commands._write_common import (
    IdArg,
    LineOpt,
    MeasureOpt,
    RefOpt,
    WarehouseOpt,
    WeightOpt,
    WriteFlags,
    opt,
    run_write,
    write_command,
)
from trackstar_cli.commands._write_common import (
    measure as _measure,
)
from trackstar_cli.spec import ADJUSTMENT_TYPES

__all__ = [
    "inbound_create",
    "inbound_receive",
    "inbound_update",
    "inventory_adjust",
    "returns_cancel",
    "returns_create",
    "returns_update",
]

AdjustType = Enum("AdjustType", {t: t for t in ADJUSTMENT_TYPES}, type=str)  # type: ignore[misc]


# -- inventory ---------------------------------------------------------------------------------------------


@write_command()
def inventory_adjust(
    ctx: typer.Context,
    item_id: IdArg,
    quantity: Annotated[
        int | None, opt("--quantity", help="Units to add or remove; a negative number means a decrease.")
    ] = None,
    type_: Annotated[AdjustType | None, opt("--type", help="adjustment_type: increase or decrease.")] = None,
    warehouse: WarehouseOpt = None,
    location: Annotated[str | None, opt("--location", help="location_id.")] = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


# -- inbound shipments -------------------------------------------------------------------------------------

ExpectedOpt = Annotated[
    str | None, opt("--expected-arrival", help="expected_arrival_date: YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ.")
]


@write_command()
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
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command()
def inbound_update(
    ctx: typer.Context,
    item_id: IdArg,
    po: Annotated[str | None, opt("--po", help="purchase_order_number.")] = None,
    expected_arrival: ExpectedOpt = None,
    tracking_number: Annotated[str | None, opt("--tracking-number", help="tracking_number.")] = None,
    status: Annotated[str | None, opt("--status", help="status (ShipBob takes only cancelled).")] = None,
    line: LineOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command()
def inbound_receive(
    ctx: typer.Context,
    item_id: IdArg,
    line: LineOpt = None,
    location: Annotated[str | None, opt("--location", help="warehouse_location_id.")] = None,
    warehouse: WarehouseOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


# -- returns -----------------------------------------------------------------------------------------------


@write_command()
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
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command()
def returns_update(
    ctx: typer.Context,
    item_id: IdArg,
    status: Annotated[str | None, opt("--status", help="status (ShipBob takes only cancelled).")] = None,
    order: Annotated[str | None, opt("--order", help="order_id.")] = None,
    warehouse: WarehouseOpt = None,
    line: LineOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command(data=False, help_fields=False)
def returns_cancel(
    ctx: typer.Context,
    item_id: IdArg,
    *,
    flags: WriteFlags,
) -> None:
    """Cancel a return (PUT /wms/returns/{id}/cancel, no body; newer than the published spec).

    Example:

        trackstar returns cancel rma_00000002 --yes
    """
    run_write(
        ctx,
        "returns cancel",
        item_id=item_id,
        flags=flags,
    )
