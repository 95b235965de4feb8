"""Derive trackstar_cli/write_variants.json from Trackstar's published OpenAPI spec.

    python tools/gen_write_variants.py [../shared/trackstar/openapi.json] [--check]

Every WMS write in the spec is a `oneOf` with one body schema per integration (a `discriminator` whose mapping
keys are integration names, `additionalProperties: false` in each variant). This script resolves each variant
of the integrations the emulator models into a self-contained JSON Schema (refs inlined; descriptions,
examples and titles dropped; `nullable` dropped because Trackstar refuses nulls in write bodies anyway) and
writes them, keyed by our write names (spec.WRITES), to one compact table. The CLI validates bodies against
it with `jsonschema`; the emulator checks the same table with its own stdlib validator.

An integration missing from a write's discriminator mapping has no variant for it: the write is not supported
there (the CLI refuses it locally, the emulator answers 501).

`--check` exits 1 when the committed table differs from what the spec gives (for CI and tests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "trackstar_cli" / "write_variants.json"
DEFAULT_SPEC = ROOT.parent / "shared" / "trackstar" / "openapi.json"

# The integrations the emulator models; every other one falls back to the live write-info.
INTEGRATIONS = ("sandbox", "shipbob", "shiphero", "extensiv-3pl-central")
# (method, path) of each spec write with a JSON body → our write name (spec.WRITES).
OPERATIONS: dict[tuple[str, str], str] = {
    ("post", "/wms/orders"): "create_order",
    ("put", "/wms/orders/{order_id}"): "update_order",
    ("post", "/wms/orders/{order_id}/shipments"): "ship_order",
    ("post", "/wms/products"): "create_product",
    ("put", "/wms/products/{product_id}"): "update_product",
    ("post", "/wms/kits"): "create_kit",
    ("put", "/wms/kits/{kit_id}"): "update_kit",
    ("put", "/wms/inventory/{inventory_id}/adjust"): "adjust_inventory",
    ("post", "/wms/inbound-shipments"): "create_inbound_shipment",
    ("put", "/wms/inbound-shipments/{inbound_shipment_id}"): "update_inbound_shipment",
    ("put", "/wms/inbound-shipments/{inbound_shipment_id}/receive"): "receive_inbound_shipment",
    ("post", "/wms/returns"): "create_return",
    ("put", "/wms/returns/{return_id}"): "update_return",
    ("put", "/wms/inventory/{inventory_id}/trackstar-tags"): "set_tags_inventory",
    ("put", "/wms/products/{product_id}/trackstar-tags"): "set_tags_products",
    ("put", "/wms/orders/{order_id}/trackstar-tags"): "set_tags_orders",
    ("put", "/wms/inbound-shipments/{inbound_shipment_id}/trackstar-tags"): "set_tags_inbound_shipments",
    ("put", "/wms/returns/{return_id}/trackstar-tags"): "set_tags_returns",
    ("put", "/wms/warehouses/{warehouse_id}/trackstar-tags"): "set_tags_warehouses",
}
_KEEP = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "format",
    "oneOf",
    "anyOf",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
}


def resolve(node: Any, schemas: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """`node` with every $ref inlined and only validating keywords kept."""
    if isinstance(node, list):
        return [resolve(n, schemas, seen) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            raise ValueError(f"recursive schema {name}")
        return resolve(schemas[name], schemas, (*seen, name))
    if "allOf" in node and len(node["allOf"]) == 1:  # `{"description": …, "allOf": [{"$ref": …}]}`
        return resolve(node["allOf"][0], schemas, seen)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key not in _KEEP:
            continue
        if key == "properties":
            out[key] = {name: resolve(sub, schemas, seen) for name, sub in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = resolve(value, schemas, seen)
        elif key in ("items",):
            out[key] = resolve(value, schemas, seen)
        elif key in ("oneOf", "anyOf"):
            out[key] = [resolve(v, schemas, seen) for v in value]
        elif key == "format" and value == "binary":
            continue
        else:
            out[key] = value
    if out.get("properties") == {} and ("oneOf" in out or "anyOf" in out):
        # The spec's wrapper idiom (`ChannelSchema`, `SupplierSchema`): `properties: {}` and
        # `additionalProperties: false` beside a `oneOf` of the real shapes. Read literally it refuses every
        # key; the oneOf is what it means.
        out.pop("properties")
        out.pop("additionalProperties", None)
    return out


def build(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    writes: dict[str, Any] = {}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            name = OPERATIONS.get((method, path))
            if name is None:
                continue
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            mapping = schemas[ref].get("discriminator", {}).get("mapping", {})
            variants = {integ: resolve({"$ref": mapping[integ]}, schemas) for integ in INTEGRATIONS if integ in mapping}
            writes[name] = {"method": method.upper(), "path": path, "variants": variants}
    missing = set(OPERATIONS.values()) - set(writes)
    if missing:
        raise SystemExit(f"the spec has no operation for {sorted(missing)}")
    return {
        "_generated": "by tools/gen_write_variants.py from Trackstar's OpenAPI spec; do not edit by hand",
        "spec_version": spec.get("info", {}).get("version"),
        "integrations": list(INTEGRATIONS),
        "writes": dict(sorted(writes.items())),
    }


def render(table: dict[str, Any]) -> str:
    # One line per variant keeps the file short and its diffs readable.
    lines = ["{"]
    head = [k for k in table if k != "writes"]
    for key in head:
        lines.append(f"  {json.dumps(key)}: {json.dumps(table[key])},")
    lines.append('  "writes": {')
    names = list(table["writes"])
    for i, name in enumerate(names):
        write = table["writes"][name]
        lines.append(f"    {json.dumps(name)}: {{")
        lines.append(f'      "method": {json.dumps(write["method"])}, "path": {json.dumps(write["path"])},')
        lines.append('      "variants": {')
        integs = list(write["variants"])
        for j, integ in enumerate(integs):
            comma = "," if j < len(integs) - 1 else ""
            schema = json.dumps(write["variants"][integ], separators=(",", ":"), sort_keys=True)
            lines.append(f"        {json.dumps(integ)}: {schema}{comma}")
        lines.append("      }")
        lines.append("    }" + ("," if i < len(names) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    spec_path = Path(args[0]) if args else DEFAULT_SPEC
    text = render(build(json.loads(spec_path.read_text(encoding="utf-8"))))
    if check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python tools/gen_write_variants.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
