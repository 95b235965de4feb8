"""Seeded generation of a connection's catalogue: warehouses, locations, customers, shipping methods,
inventory and products.

Everything is a pure function of (seed, connection id, resource), dated before REFERENCE_EPOCH, so the
same seed always yields the same data. Ids are `<prefix>_<8-digit sequence>`: sorting by id is sorting by
creation, which gives stable pagination. Inventory totals always equal the per-warehouse sums and
`onhand = committed + fulfillable + unfulfillable`; `sellable = onhand - unsellable`.
"""

from __future__ import annotations

import random

from .core import Json, iso
from .gen import Gen, make_id, mix

__all__ = [
    "CUSTOMERS",
    "SHIPPING",
    "STOCK_KEYS",
    "SUPPLIERS",
    "WAREHOUSES",
    "is_active",
    "location_id",
    "make_customer",
    "make_inventory",
    "make_location",
    "make_product",
    "make_shipping_method",
    "make_warehouse",
    "warehouse_address",
    "name_for",
    "price_for",
    "product_sku",
    "sku_for",
    "stock_totals",
    "warehouse_stock",
]

WAREHOUSES = (
    ("Bethlehem (PA)", "ABE-1", "1 Commerce Way", "Bethlehem", "PA", "18017"),
    ("Reno (NV)", "RNO-2", "400 Logistics Dr", "Reno", "NV", "89502"),
    ("Louisville (KY)", "SDF-3", "75 Distribution Blvd", "Louisville", "KY", "40218"),
)
CUSTOMERS = (
    ("Acme Outdoor Co", "ops@acme-outdoor.example"),
    ("Blue Fern Apparel", "hello@bluefern.example"),
    ("Cobalt Coffee Roasters", "orders@cobaltcoffee.example"),
)
SHIPPING = (
    ("ups_ground", "UPS Ground", "ups", "UPS", "UPSN"),
    ("ups_next_day_air", "UPS Next Day Air", "ups", "UPS", "UPSN"),
    ("fedex_ground", "FedEx Ground", "fedex", "FedEx", "FDEG"),
    ("fedex_2day", "FedEx 2Day", "fedex", "FedEx", "FDXE"),
    ("usps_priority", "USPS Priority Mail", "usps", "USPS", "USPS"),
    ("usps_ground_advantage", "USPS Ground Advantage", "usps", "USPS", "USPS"),
    ("dhl_express", "DHL Express Worldwide", "dhl", "DHL", "DHLC"),
    ("ltl_freight", "LTL Freight", "estes", "Estes Express", "EXLA"),
)
_COLORS = ("Red", "Blue", "Green", "Black", "White", "Olive", "Navy", "Sand", "Slate", "Coral", "Teal", "Rust")
_NOUNS = (
    "T-Shirt",
    "Hoodie",
    "Mug",
    "Backpack",
    "Water Bottle",
    "Cap",
    "Sock Pack",
    "Notebook",
    "Candle",
    "Tote Bag",
    "Beanie",
    "Phone Case",
    "Coffee Beans",
    "Yoga Mat",
    "Scarf",
    "Sticker Set",
)
_SIZES = ("XS", "S", "M", "L", "XL", "OS")


def sku_for(i: int) -> str:
    noun = _NOUNS[i % len(_NOUNS)]
    return f"{noun.replace('-', '')[:3].upper()}-{_COLORS[i // 7 % len(_COLORS)][:3].upper()}-{i:06d}"


def name_for(i: int) -> str:
    return f"{_COLORS[i // 7 % len(_COLORS)]} {_NOUNS[i % len(_NOUNS)]} ({_SIZES[i % len(_SIZES)]})"


def price_for(i: int) -> float:
    return round(4.99 + (i * 7919 % 9000) / 100, 2)


def warehouse_address(i: int) -> Json:
    """The address of warehouse i, as warehouses and shipments (ship_from_address) carry it."""
    _, _, street, city, state, postal = WAREHOUSES[i]
    return {
        "address1": street,
        "address2": None,
        "address3": None,
        "city": city,
        "state": state,
        "postal_code": postal,
        "country": "US",
    }


def make_warehouse(g: Gen, i: int) -> Json:
    name, code, *_ = WAREHOUSES[i]
    n = len(WAREHOUSES)
    return {
        "id": make_id("wh", i + 1),
        "created_date": g.created(i - n, n),
        "updated_date": g.created(i - n, n),
        "name": name,
        "code": code,
        "address": warehouse_address(i),
        "trackstar_tags": [],
        "additional_fields": {"timezone": "America/New_York"},
    }


def location_id(g: Gen, warehouse: int, j: int) -> str:
    return make_id("loc", warehouse * g.sizes.locations_per_warehouse + j + 1)


def make_location(g: Gen, i: int) -> Json:
    per = g.sizes.locations_per_warehouse
    w, j = divmod(i, per)
    kind = ("bin", "shelf", "pallet")[j % 3]
    created = g.created(i - per * 3, per * 3)
    return {
        "id": make_id("loc", i + 1),
        "created_date": created,
        "updated_date": created,
        "name": f"{WAREHOUSES[w][1]}-{'ABCDEFGH'[j % 8]}{j // 8 + 1:02d}",
        "warehouse_id": make_id("wh", w + 1),
        "type": kind,
        "measurements": {
            "length": 48.0,
            "width": 40.0,
            "height": 60.0 if kind == "pallet" else 18.0,
            "unit": "in",
            "weight": None,
            "weight_unit": None,
        },
        "additional_fields": {},
    }


def make_customer(g: Gen, i: int) -> Json:
    name, email = CUSTOMERS[i]
    n = len(CUSTOMERS)
    return {
        "id": make_id("cust", i + 1),
        "created_date": g.created(i - n, n),
        "updated_date": g.updated(i - n, n),
        "name": name,
        "email": email,
        "additional_fields": {},
    }


def make_shipping_method(g: Gen, i: int) -> Json:
    code, name, carrier_id, carrier, scac = SHIPPING[i]
    n = len(SHIPPING)
    return {
        "id": make_id("shm", i + 1),
        "created_date": g.created(i - n, n),
        "updated_date": g.updated(i - n, n),
        "name": name,
        "carrier": carrier,
        "carrier_id": carrier_id,
        "carrier_name": carrier,
        "scac": scac,
        "additional_fields": {"code": code},
    }


STOCK_KEYS = ("onhand", "committed", "unfulfillable", "fulfillable", "unsellable", "sellable", "awaiting")


def stock_totals(item: Json) -> None:
    """Recompute an item's totals from its per-warehouse figures (the invariant every write keeps)."""
    per = list(item["inventory_by_warehouse_id"].values())
    for key in STOCK_KEYS:
        item[key] = sum(w[key] for w in per)


def warehouse_stock(onhand: int, committed: int, unfulfillable: int, awaiting: int) -> Json:
    """One warehouse's figures; unsellable mirrors unfulfillable, sellable is what is not unsellable."""
    return {
        "onhand": onhand,
        "committed": committed,
        "unfulfillable": unfulfillable,
        "fulfillable": onhand - committed - unfulfillable,
        "unsellable": unfulfillable,
        "sellable": onhand - unfulfillable,
        "awaiting": awaiting,
    }


def _stock(g: Gen, rng: random.Random) -> tuple[dict[str, Json], list[Json], list[Json]]:
    """Per-warehouse figures, one location per stocked warehouse, and lots for about one SKU in five."""
    by_wh: dict[str, Json] = {}
    locations, lots = [], []
    has_lots = rng.random() < 0.2
    for w in range(1 + int(rng.random() * len(WAREHOUSES))):
        wid = make_id("wh", w + 1)
        onhand = 0 if rng.random() < 0.08 else int(rng.random() * 400)
        committed = int(onhand * rng.random() * 0.3)
        unfulfillable = int((onhand - committed) * rng.random() * 0.05)
        by_wh[wid] = warehouse_stock(onhand, committed, unfulfillable, int(rng.random() * 3) * 24)
        if onhand:
            loc = location_id(g, w, int(rng.random() * g.sizes.locations_per_warehouse))
            locations.append({"location_id": loc, "quantity": onhand, "warehouse_id": wid})
            if has_lots:
                lots.append(
                    {
                        "lot_id": f"LOT-{w + 1}{int(rng.random() * 90000) + 10000}",
                        "onhand": onhand,
                        "expiration_date": iso(1767225600 + int(rng.random() * 400) * 86400),
                        "warehouse_id": wid,
                    }
                )
    return by_wh, locations, lots


def is_active(g: Gen, i: int) -> bool:
    return mix(g.base, i, 7) % 25 != 0


def make_inventory(g: Gen, i: int) -> Json:
    n = g.sizes.inventory
    item_id = make_id("inv", i + 1)
    by_wh, locations, lots = _stock(g, g.rng("inventory", i))
    item = {
        "id": item_id,
        "warehouse_customer_id": g.customer(i),
        "created_date": g.created(i, n),
        "updated_date": g.updated(i, n),
        "name": name_for(i),
        "sku": sku_for(i),
        "unit_cost": round(price_for(i) * 0.4, 2),
        "active": is_active(g, i),
        **dict.fromkeys(STOCK_KEYS, 0),
        "substitute_skus": [],
        "inventory_by_warehouse_id": by_wh,
        "lots": lots,
        "measurements": {
            "length": 10.0,
            "width": 8.0,
            "height": float(1 + i % 6),
            "unit": "in",
            "weight": round(0.2 + i % 17 / 10, 2),
            "weight_unit": "lb",
        },
        "locations": locations,
        "external_system_url": g.url("inventory", item_id),
        "trackstar_tags": [],
        "additional_fields": {},
    }
    stock_totals(item)
    return item


def product_sku(g: Gen, i: int) -> str:
    return sku_for(i) if i < g.sizes.inventory else f"KIT-{i:06d}"


def make_product(g: Gen, i: int) -> Json:
    """Product i < n wraps inventory item i (same sequence number); the rest are kits of 2-3 items."""
    n = g.sizes.inventory
    total = n + g.sizes.kits
    if i < n:
        parts = [(i, 1)]
    else:
        rng = g.rng("products", i)
        parts = [(int(rng.random() * n), 1 + int(rng.random() * 2)) for _ in range(2 + int(rng.random() * 2))]
    product_id = make_id("prod", i + 1)
    sup_id, sup_name = SUPPLIERS[i % len(SUPPLIERS)]
    return {
        "id": product_id,
        "warehouse_customer_id": g.customer(i),
        "created_date": g.created(i, total),
        "updated_date": g.updated(i, total),
        "name": name_for(i) if i < n else f"Bundle #{i - n + 1}",
        "sku": product_sku(g, i),
        "gtin": f"{860000000000 + i * 7:013d}",
        "unit_price": price_for(i),
        "inventory_items": [
            {"inventory_item_id": make_id("inv", j + 1), "sku": sku_for(j), "unit_quantity": q} for j, q in parts
        ],
        "is_kit": i >= n,
        "active": True,
        "supplier": sup_name,
        "supplier_object": {"supplier_id": sup_id, "supplier_name": sup_name},
        "country_of_origin": ("US", "CN", "VN", "MX")[i % 4],
        "harmonized_code": f"6109.10.{i % 90 + 10}",
        "supplier_products": [
            {
                "supplier_id": sup_id,
                "supplier_name": sup_name,
                "external_id": f"{sup_id.upper()}-{i:06d}",
                "unit_cost": f"{price_for(i) * 0.4:.2f}",
            }
        ],  # the spec types this one as a string
        "external_system_url": g.url("products", product_id),
        "trackstar_tags": [],
        "additional_fields": {},
    }


SUPPLIERS = (
    ("sup_00000001", "Northwind Textiles"),
    ("sup_00000002", "Harbor Ceramics"),
    ("sup_00000003", "Summit Packaging"),
    ("sup_00000004", "Pacific Print Works"),
    ("sup_00000005", "Evergreen Goods"),
    ("sup_00000006", "Lakeside Roasting Supply"),
)
