"""Inventory movements behind the writes (adjust, receive, commit, release, ship).

Every movement changes one warehouse's figures, keeps `onhand = committed + fulfillable + unfulfillable`
there, moves the location (and lot) quantities by the same amount, recomputes the item totals from the
warehouses, and writes a ledger entry, so later reads of inventory and ledger agree with the write.
"""

from __future__ import annotations

from typing import Any

from .core import Json, now_iso, validation_error
from .data import location_id, stock_totals, warehouse_stock
from .dataset import Dataset

__all__ = ["adjust", "commit", "expect", "ledger_entry", "receive", "release", "ship"]


def _warehouse(item: Json, warehouse_id: str) -> Json:
    per: dict[str, Json] = item["inventory_by_warehouse_id"]
    if warehouse_id not in per:
        per[warehouse_id] = warehouse_stock(0, 0, 0, 0)
    return per[warehouse_id]


def _move_onhand(data: Dataset, item: Json, warehouse_id: str, delta: int, location: str | None) -> None:
    """Move a warehouse's locations and lots by the on-hand delta, so each still sums to its on-hand."""
    spots = [loc for loc in item["locations"] if loc["warehouse_id"] == warehouse_id]
    wanted = next((loc for loc in spots if loc["location_id"] == location), None)
    if wanted is None and (location or not spots):
        w = int(warehouse_id.rpartition("_")[2]) - 1
        wanted = {"location_id": location or location_id(data.gen, w, 0), "quantity": 0, "warehouse_id": warehouse_id}
        item["locations"].append(wanted)
    if wanted is not None:
        spots = [wanted, *(loc for loc in spots if loc is not wanted)]
    _spread(spots, "quantity", delta)
    _spread([lot for lot in item["lots"] if lot["warehouse_id"] == warehouse_id], "onhand", delta)


def _spread(rows: list[Json], key: str, delta: int) -> None:
    """Add to the first row; take from the rows in order, never below zero."""
    if delta >= 0:
        if rows:
            rows[0][key] += delta
        return
    for row in rows:
        take = min(-delta, row[key])
        row[key] -= take
        delta += take
        if delta == 0:
            return


def _finish(item: Json) -> None:
    stock_totals(item)
    item["updated_date"] = now_iso()


def adjust(data: Dataset, item: Json, warehouse_id: str, delta: int, location: str | None = None) -> None:
    """An adjustment moves fulfillable stock; a decrease cannot take more than is fulfillable there."""
    wh = _warehouse(item, warehouse_id)
    if wh["fulfillable"] + delta < 0:
        raise validation_error(
            "json",
            {"quantity": [f"Cannot decrease by {-delta}: only {wh['fulfillable']} fulfillable in {warehouse_id}."]},
        )
    _set(wh, onhand=wh["onhand"] + delta)
    _move_onhand(data, item, warehouse_id, delta, location)
    _finish(item)


def receive(data: Dataset, item: Json, warehouse_id: str, qty: int, location: str | None) -> None:
    wh = _warehouse(item, warehouse_id)
    _set(wh, onhand=wh["onhand"] + qty, awaiting=max(0, wh["awaiting"] - qty))
    _move_onhand(data, item, warehouse_id, qty, location)
    _finish(item)


def expect(item: Json, warehouse_id: str, qty: int) -> None:
    """A new inbound shipment announces stock on its way (awaiting)."""
    wh = _warehouse(item, warehouse_id)
    _set(wh, awaiting=wh["awaiting"] + qty)
    _finish(item)


def commit(item: Json, warehouse_id: str, qty: int) -> None:
    """A new order reserves what it can of the fulfillable stock."""
    wh = _warehouse(item, warehouse_id)
    _set(wh, committed=wh["committed"] + min(qty, wh["fulfillable"]))
    _finish(item)


def release(item: Json, warehouse_id: str, qty: int) -> None:
    """A cancelled order gives back its reservation."""
    wh = _warehouse(item, warehouse_id)
    _set(wh, committed=wh["committed"] - min(qty, wh["committed"]))
    _finish(item)


def ship(data: Dataset, item: Json, warehouse_id: str, qty: int) -> int:
    """Shipping consumes committed stock first, then fulfillable; returns how much actually left."""
    wh = _warehouse(item, warehouse_id)
    from_committed = min(qty, wh["committed"])
    from_free = min(qty - from_committed, wh["fulfillable"])
    shipped: int = from_committed + from_free
    _set(wh, onhand=wh["onhand"] - shipped, committed=wh["committed"] - from_committed)
    _move_onhand(data, item, warehouse_id, -shipped, None)
    _finish(item)
    return shipped


def _set(wh: Json, **changes: int) -> None:
    """Change onhand/committed/awaiting and re-derive the dependent figures (fulfillable follows onhand)."""
    wh.update(changes)
    wh["fulfillable"] = wh["onhand"] - wh["committed"] - wh["unfulfillable"]
    wh["sellable"] = wh["onhand"] - wh["unsellable"]


def ledger_entry(
    data: Dataset,
    item: Json,
    quantity: int,
    event: str,
    raw: str,
    obj: tuple[str, str] | None,
    warehouse_id: str,
    location: str | None = None,
    reason: str | None = None,
) -> Json:
    coll = data["inventory-ledger"]
    now = now_iso()
    entry: dict[str, Any] = {
        "id": coll.new_id(),
        "created_date": now,
        "updated_date": now,
        "entry_date": now,
        "inventory_item_id": item["id"],
        "sku": item["sku"],
        "quantity": quantity,
        "raw_event_type": raw,
        "event_type": event,
        "reason": reason,
        "object_id": obj[1] if obj else None,
        "object_type": obj[0] if obj else None,
        "warehouse_id": warehouse_id,
        "location_id": location,
        "additional_fields": {},
    }
    return coll.add(entry, warehouse_customer_id=item["warehouse_customer_id"])
