"""Write commands of products and kits (registered by commands/writes.py)."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated

import typer

from trackstar_cli.commands._write_common import (
    IdArg,
    MeasureOpt,
    WeightOpt,
    WriteFlags,
    opt,
    run_write,
    write_command,
)
from trackstar_cli.commands._write_common import (
    measure as _measure,
)

__all__ = ["kits_create", "kits_update", "products_create", "products_update"]


# -- products and kits -------------------------------------------------------------------------------------


@write_command()
def products_create(
    ctx: typer.Context,
    sku: Annotated[str | None, opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command()
def products_update(
    ctx: typer.Context,
    item_id: IdArg,
    sku: Annotated[str | None, opt("--sku", help="sku.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


ComponentOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--component", metavar="SKU:QTY", help="A kit component and its unit quantity (repeatable): inventory_items."
    ),
]


@write_command()
def kits_create(
    ctx: typer.Context,
    sku: Annotated[str | None, opt("--sku", help="sku of the kit.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    component: ComponentOpt = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )


@write_command()
def kits_update(
    ctx: typer.Context,
    item_id: IdArg,
    sku: Annotated[str | None, opt("--sku", help="sku of the kit.")] = None,
    name: Annotated[str | None, opt("--name", help="name.")] = None,
    gtin: Annotated[str | None, opt("--gtin", help="gtin (UPC, EAN or ISBN).")] = None,
    component: ComponentOpt = None,
    measurements: MeasureOpt = None,
    weight: WeightOpt = None,
    *,
    flags: WriteFlags,
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
        flags=flags,
    )
