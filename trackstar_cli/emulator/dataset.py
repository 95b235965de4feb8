"""A connection's data: one lazily materialised Collection per WMS resource.

A collection starts as `count` virtual items; item i is built by its maker the first time something reads
it and is kept from then on (so writes stick). List filters first ask cheap "probes" for a field, which
keeps a filtered scan over 100,000 virtual items well under a second without building them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import activity as act
from . import data, sales
from .core import Json
from .gen import Gen, Sizes, make_id

__all__ = ["COLLECTIONS", "Collection", "Dataset", "Spec"]

Maker = Callable[[Gen, int], Json]
Probe = Callable[[Gen, int], Any]


@dataclass(frozen=True)
class Spec:
    prefix: str
    count: Callable[[Gen], int]
    make: Maker
    probes: dict[str, Probe] = field(default_factory=dict)


def _dates(n: Callable[[Gen], int]) -> dict[str, Probe]:
    return {"created_date": lambda g, i: g.created(i, n(g)), "updated_date": lambda g, i: g.updated(i, n(g))}


def _inv(g: Gen) -> int:
    return g.sizes.inventory


def _products(g: Gen) -> int:
    return g.sizes.inventory + g.sizes.kits


def _orders(g: Gen) -> int:
    return g.sizes.orders


def _ledger(g: Gen) -> int:
    return g.sizes.ledger


def _customer(g: Gen, i: int) -> str:
    return g.customer(i)


COLLECTIONS: dict[str, Spec] = {
    "inventory": Spec(
        "inv",
        _inv,
        data.make_inventory,
        {
            **_dates(_inv),
            "sku": lambda g, i: data.sku_for(i),
            "warehouse_customer_id": _customer,
            "active": data.is_active,
        },
    ),
    "products": Spec(
        "prod",
        _products,
        data.make_product,
        {**_dates(_products), "sku": data.product_sku, "warehouse_customer_id": _customer},
    ),
    "orders": Spec(
        "ord",
        _orders,
        sales.make_order,
        {
            **_dates(_orders),
            "warehouse_customer_id": _customer,
            "status": sales.order_status,
            "channel": sales.order_channel,
            "type": sales.order_type,
            "order_number": lambda g, i: sales.order_number(i),
            "reference_id": lambda g, i: sales.reference_id(i),
        },
    ),
    "inventory-ledger": Spec(
        "led",
        _ledger,
        act.make_ledger,
        {
            # Ledger entries are never edited at the source: updated = created.
            "created_date": lambda g, i: g.created(i, _ledger(g)),
            "updated_date": lambda g, i: g.created(i, _ledger(g)),
            "event_type": lambda g, i: act.ledger_event(g, i)[0],
            # The ledger schema has no warehouse_customer_id, yet the API filters on it: the owner of the SKU.
            "warehouse_customer_id": lambda g, i: g.customer(act.ledger_item(g, i)),
        },
    ),
    "inbound-shipments": Spec("ibs", lambda g: g.sizes.inbound, act.make_inbound),
    "returns": Spec("ret", lambda g: g.sizes.returns, act.make_return),
    "bills": Spec("bill", lambda g: g.sizes.bills, act.make_bill),
    "labor-activities": Spec("lab", lambda g: g.sizes.labor, act.make_labor),
    "warehouses": Spec("wh", lambda g: len(data.WAREHOUSES), data.make_warehouse),
    "warehouse-locations": Spec(
        "loc", lambda g: len(data.WAREHOUSES) * g.sizes.locations_per_warehouse, data.make_location
    ),
    "warehouse-customers": Spec("cust", lambda g: len(data.CUSTOMERS), data.make_customer),
    "shipping-methods": Spec("shm", lambda g: len(data.SHIPPING), data.make_shipping_method),
    "order-channels": Spec("chan", lambda g: len(sales.CHANNELS), sales.make_channel),
    "inbound-shipment-suppliers": Spec("sup", lambda g: len(data.SUPPLIERS), act.make_supplier),
}


class Collection:
    """Items of one resource in id order; ids are `<prefix>_<seq>` with seq = position + 1."""

    def __init__(self, gen: Gen, spec: Spec) -> None:
        self.gen, self.spec = gen, spec
        self._items: list[Json | None] = [None] * spec.count(gen)
        self._probed: dict[str, list[Any]] = {}
        # Facts the API filters on that the item schema has no field for (e.g. a ledger entry's customer).
        self.hidden: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def at(self, i: int) -> Json:
        item = self._items[i]
        if item is None:
            item = self._items[i] = self.spec.make(self.gen, i)
        return item

    def position(self, item_id: str) -> int | None:
        """Where an id lives, or None; also the insertion point for ids that sort between items."""
        prefix, _, seq = item_id.rpartition("_")
        if prefix != self.spec.prefix or not seq.isdigit() or len(seq) != 8:
            return None
        i = int(seq) - 1
        return i if 0 <= i < len(self._items) else None

    def get(self, item_id: str) -> Json | None:
        i = self.position(item_id)
        return None if i is None else self.at(i)

    def value(self, i: int, name: str) -> Any:
        """A field for filtering: the built item when there is one, else a cheap probe, else build it."""
        item = self._items[i]
        if item is not None and name in item:
            return item[name]
        if i in self.hidden and name in self.hidden[i]:
            return self.hidden[i][name]
        probe = self.spec.probes.get(name)
        if item is None and probe is not None:
            cache = self._probed.get(name)
            if cache is None:  # not setdefault: that would build a list of len(items) on every call
                cache = self._probed[name] = [None] * len(self._items)
            if cache[i] is None:
                cache[i] = probe(self.gen, i)
            return cache[i]
        return self.at(i).get(name)

    def new_id(self) -> str:
        return make_id(self.spec.prefix, len(self._items) + 1)

    def add(self, item: Json, **hidden: Any) -> Json:
        """Append a created item (its id must come from new_id(), so the list stays in id order)."""
        self._items.append(item)
        for cache in self._probed.values():
            cache.append(None)
        if hidden:
            self.hidden[len(self._items) - 1] = hidden
        return item

    def scan(self, start: int = 0) -> Iterator[int]:
        return iter(range(start, len(self._items)))


class Dataset:
    """Every collection of one connection, created on first use."""

    def __init__(self, seed: str, inventory_size: int, integration: str) -> None:
        self.gen = Gen(seed, Sizes(inventory_size), integration)
        self._collections: dict[str, Collection] = {}

    def __getitem__(self, resource: str) -> Collection:
        coll = self._collections.get(resource)
        if coll is None:
            coll = self._collections[resource] = Collection(self.gen, COLLECTIONS[resource])
        return coll
