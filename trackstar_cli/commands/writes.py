"""Write commands (orders create …, kits create, inventory adjust, tags set): added to the resource groups.

Every write takes its body from --data (JSON, @file or - for standard input) and/or options for the common
fields (options win over keys of --data). The body is shaped for the connection's integration (its variant
from live write-info, else the table derived from Trackstar's spec) and checked before sending: a field the
integration requires, forbids or limits is named by its option; a write it does not support is refused
(exit 7). Every write carries an Idempotency-Key, can be previewed with --dry-run, and asks before touching
a WMS that is not the sandbox. `--help-fields` lists what the connection's integration takes.

The commands live in commands/write_orders.py, write_products.py (products and kits) and write_receiving.py
(inventory, inbound shipments, returns); `tags set` is here.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from enum import Enum
from typing import Annotated, Any

import typer

from trackstar_cli.commands import write_orders as wo
from trackstar_cli.commands import write_products as wp
from trackstar_cli.commands import write_receiving as wr
from trackstar_cli.commands._write_common import (
    IdArg,
    WriteFlags,
    opt,
    run_write,
    write_command,
)
from trackstar_cli.errors import UsageError
from trackstar_cli.spec import TAGGABLE

__all__ = ["add_commands", "build"]

Taggable = Enum("Taggable", {r.replace("-", "_"): r for r in TAGGABLE}, type=str)  # type: ignore[misc]


# -- tags --------------------------------------------------------------------------------------------------


@write_command(help_fields=False)
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
    *,
    flags: WriteFlags,
) -> None:
    """Replace the Trackstar tags of one item (PUT /wms/<resource>/{id}/trackstar-tags).

    Tags live in Trackstar only (never in the WMS). KEY=VALUE makes a {"KEY": "VALUE"} tag.

    Examples:

        trackstar tags set orders ord_00000042 vip priority=high

        trackstar tags set inventory inv_00000001 --clear
    """
    if tags and clear:
        raise UsageError("--clear removes every tag: give either TAGs or --clear")
    if not tags and not clear and flags.data is None:
        raise UsageError("no TAG given", hint="give at least one TAG, or --clear to remove every tag")
    wanted = list(tags or []) if (tags or clear) else None
    run_write(
        ctx,
        f"tags set {resource.value}",
        item_id=item_id,
        tags=wanted,
        flags=flags,
    )


_COMMANDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "orders": (
        ("create", wo.orders_create),
        ("update", wo.orders_update),
        ("cancel", wo.orders_cancel),
        ("ship", wo.orders_ship),
        ("attach-file", wo.orders_attach_file),
    ),
    "products": (("create", wp.products_create), ("update", wp.products_update)),
    "inventory": (("adjust", wr.inventory_adjust),),
    "inbound-shipments": (
        ("create", wr.inbound_create),
        ("update", wr.inbound_update),
        ("receive", wr.inbound_receive),
    ),
    "returns": (("create", wr.returns_create), ("update", wr.returns_update), ("cancel", wr.returns_cancel)),
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
        kits.command("create")(wp.kits_create)
        kits.command("update")(wp.kits_update)
        return kits
    app = typer.Typer(help="Set Trackstar tags on any taggable resource.", no_args_is_help=True, add_completion=False)

    @app.callback()
    def tags() -> None:  # a callback keeps `tags` a group (`tags set`) although it has one command
        """Set Trackstar tags on any taggable resource."""

    app.command("set")(tags_set)
    return app
