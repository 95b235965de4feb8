"""`inventory summary` (stock per SKU across connections) and `orders packs`: beyond a list and a get."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from collections.abc import Callable
from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands._complete import complete_connections
from trackstar_cli.commands._listing import ListArgs, finish_fan_out
from trackstar_cli.commands.views import SUMMARY_COLUMNS
from trackstar_cli.output import Format, View
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.fanout import FanOut, select_connections, summarize_inventory
from trackstar_cli.service.wms import get_item
from trackstar_cli.spec import RESOURCES

__all__ = ["add_commands"]


def _summary_command() -> Callable[..., None]:
    def inventory_summary(
        ctx: typer.Context,
        connections: Annotated[
            str | None,
            typer.Option(
                "--connections",
                help="Only these connections: ids or aliases, A,B,…",
                autocompletion=complete_connections,
            ),
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
        inventory = RESOURCES["inventory"]
        query = ListArgs.from_params(inventory, {"sku": sku}).query
        fan = FanOut(svc, inventory, conns, query)
        progress = output.with_progress(fan, "Reading inventory", enabled=svc.settings.progress)
        rows = summarize_inventory(iter(progress), set(warehouse or ()))
        labels = {c.connection_id: c.label for c in conns}
        for row in rows:
            row["_where"] = ", ".join(
                f"{labels.get(str(loc['connection_id']), '?')}/{loc['warehouse_id'] or '-'} {loc['onhand']}"
                for loc in row["locations"]
                if loc["onhand"]
            )
        fmt_name = fmt_of(fmt, json_)
        if fmt_name in (Format.json, Format.ndjson):  # the JSON contract has `locations`, not the table's text
            rows = [{k: v for k, v in row.items() if k != "_where"} for row in rows]
        output.emit(View(SUMMARY_COLUMNS, empty="No inventory found."), rows, fmt_name)
        finish_fan_out(fan.outcomes)

    return inventory_summary


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
        conn = resolve_connection(svc, connection)
        packs = get_item(svc, RESOURCES["orders"], conn, order_id, sub="packs")
        output.emit_object(packs, fmt_of(fmt, json_))

    return orders_packs


def add_commands(group: str, app: typer.Typer) -> None:
    if group == "inventory":
        app.command("summary")(_summary_command())
    if group == "orders":
        app.command("packs")(_packs_command())
