"""Write commands of orders (registered by commands/writes.py)."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from trackstar_cli.commands._write_common import (
    IdArg,
    LineOpt,
    MeasureOpt,
    OrderLineOpt,
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
from trackstar_cli.spec import ORDER_STATUSES

__all__ = ["orders_attach_file", "orders_cancel", "orders_create", "orders_ship", "orders_update"]

OrderStatus = Enum("OrderStatus", {s: s for s in ORDER_STATUSES}, type=str)  # type: ignore[misc]


# -- orders ----------------------------------------------------------------------------------------------


@write_command()
def orders_create(
    ctx: typer.Context,
    order_number: Annotated[str | None, opt("--order-number", help="order_number.")] = None,
    reference_id: RefOpt = None,
    line: OrderLineOpt = None,
    warehouse: WarehouseOpt = None,
    shipping_method: Annotated[str | None, opt("--shipping-method", help="shipping_method_id.")] = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command()
def orders_update(
    ctx: typer.Context,
    item_id: IdArg,
    status: Annotated[OrderStatus | None, opt("--status", help="New status (ShipHero takes only fulfilled).")] = None,
    order_number: Annotated[str | None, opt("--order-number", help="order_number.")] = None,
    reference_id: RefOpt = None,
    shipping_method: Annotated[str | None, opt("--shipping-method", help="shipping_method_id.")] = None,
    line: OrderLineOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command(data=False, help_fields=False)
def orders_cancel(
    ctx: typer.Context,
    item_id: IdArg,
    *,
    flags: WriteFlags,
) -> None:
    """Cancel an order (PUT /wms/orders/{id}/cancel, no body).

    Example:

        trackstar orders cancel ord_00000042 --yes
    """
    run_write(ctx, "orders cancel", item_id=item_id, flags=flags)


@write_command()
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
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command(data=False, help_fields=False)
def orders_attach_file(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ORDER", help="The order's id.")],
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="The file to upload (multipart/form-data).", dir_okay=False),
    ] = None,
    url: Annotated[str | None, opt("--url", help="file_url: let Trackstar fetch the file from this address.")] = None,
    name: Annotated[str | None, opt("--name", help="file_name (default: FILE's name).")] = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )
