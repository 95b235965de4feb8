"""Commands beyond a resource's list and get: `inventory summary` (across connections) and `orders packs`."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from collections.abc import Callable
from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands.resources import build_query, finish_fan_out
from trackstar_cli.resources import QUANTITY_COLUMNS, RESOURCES, Column
from trackstar_cli.service.fanout import FanOut, select_connections, summarize_inventory

__all__ = ["add_commands"]


def _summary_command() -> Callable[..., None]:
    def inventory_summary(
        ctx: typer.Context,
        connections: Annotated[
            str | None, typer.Option("--connections", help="Only these connections: ids or aliases, A,B,…")
        ] = None,
        sku: Annotated[list[str] | None, typer.Option("--sku", help="Only these SKUs (repeatable).")] = None,
        warehouse: Annotated[
            list[str] | None, typer.Option("--warehouse", help="Only stock in these warehouse ids (repeatable).")
        ] = None,
        fmt: FormatOpt = None,
        json_: JsonOpt = False,
    ) -> None:
        """Where is my stock: onhand and fulfillable per SKU across connections and warehouses.

        Reads GET /wms/inventory of every stored connection (or --connections A,B) at once and adds the
        quantities up per SKU; `locations` (JSON) or the last column (table) says where the stock is.

        Examples:

            trackstar inventory summary

            trackstar inventory summary --sku TSH-RED-000000 --json | jq '.[0].locations'

            trackstar inventory summary --connections acme,ext --warehouse wh_00000001 -o csv
        """
        svc = services(ctx)
        refs = [r for r in (connections or "").split(",") if r.strip()]
        conns = select_connections(svc, refs=refs, all_connections=not refs)
        query = build_query(RESOURCES["inventory"], {"shortcut_0": sku})
        fan = FanOut(svc, RESOURCES["inventory"], conns, query)
        rows = summarize_inventory(iter(output.with_progress(fan, "Reading inventory")), set(warehouse or ()))
        labels = {c.connection_id: c.alias or c.connection_id for c in conns}
        for row in rows:
            row["_where"] = ", ".join(
                f"{labels.get(str(loc['connection_id']), '?')}/{loc['warehouse_id'] or '-'} {loc['onhand']}"
                for loc in row["locations"]
                if loc["onhand"]
            )
        fmt_name = fmt_of(fmt, json_)
        if fmt_name in ("json", "ndjson"):
            rows = [{k: v for k, v in row.items() if k != "_where"} for row in rows]
        output.render_items(rows, fmt_name, SUMMARY_COLUMNS, empty_message="No inventory found.")
        finish_fan_out(fan.outcomes)

    return inventory_summary


SUMMARY_COLUMNS = (Column("sku", "sku"), Column("name", "name"), *QUANTITY_COLUMNS, Column("where (onhand)", "_where"))


def _packs_command() -> Callable[..., None]:
    def orders_packs(
        ctx: typer.Context,
        order_id: Annotated[str, typer.Argument(metavar="ORDER_ID", help="The order id.")],
        connection: ConnectionOpt = None,
        fmt: FormatOpt = None,
        json_: JsonOpt = False,
    ) -> None:
        """Show how an order was packed: packages, carrier, tracking (GET /wms/orders/{id}/packs).

        Example:

            trackstar orders packs ord_00000001 --json | jq '.packs | length'
        """
        svc = services(ctx)
        conn = svc.resolve_connection(connection)
        packs = svc.get_item(RESOURCES["orders"], conn, order_id, sub="packs")
        output.render_object(packs, fmt_of(fmt, json_))

    return orders_packs


def add_commands(group: str, app: typer.Typer) -> None:
    if group == "inventory":
        app.command("summary")(_summary_command())
    if group == "orders":
        app.command("packs")(_packs_command())
