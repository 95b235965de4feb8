"""Regenerate trackstar_cli/service/webhook_samples.json, the fact table behind `trackstar webhooks trigger`.

    python tools/gen_webhook_samples.py [path/to/openapi.json]   # default: ../shared/trackstar/openapi.json

For each of the spec's webhook event types it records the envelope's integration_type, whether the event
carries previous_attributes (of which kind, whole or changed fields only), the object's status enum, and which
sample object goes in `data`. WMS objects come from the emulator's seeded generator (so they have exactly the
shape the emulator's GET returns); cart, freight and admin objects are assembled from the `example` values of
the spec's schemas. tests/emulator/test_emu_webhooks.py validates every sample event against the spec.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from trackstar_cli.emulator.dataset import Dataset  # noqa: E402

OUT = REPO / "trackstar_cli" / "service" / "webhook_samples.json"
# event noun -> the emulator dataset whose first item is the sample
DATASETS = {
    "inventory": "inventory",
    "product": "products",
    "inbound-shipment": "inbound-shipments",
    "order": "orders",
    "warehouse": "warehouses",
    "shipping-method": "shipping-methods",
    "return": "returns",
    "bill": "bills",
    "warehouse-customer": "warehouse-customers",
    "warehouse-location": "warehouse-locations",
    "inventory_ledger": "inventory-ledger",
}


def _example(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    if "example" in schema:
        return schema["example"]
    if depth > 6:
        return None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _example(spec, v, depth + 1) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_example(spec, schema.get("items", {}), depth + 1)]
    return {"string": "string", "integer": 0, "number": 0.0, "boolean": False}.get(str(kind))


def _compact(table: dict[str, Any]) -> str:
    """JSON with one line per event type and per object: small, and a regeneration diffs line by line."""
    out = ["{", f'"_generated_by": {json.dumps(table["_generated_by"])},']
    for section in ("events", "objects"):
        rows = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in table[section].items()]
        out += [f'"{section}": {{', ",\n".join(rows), "}" + ("," if section == "events" else "")]
    return "\n".join([*out, "}"]) + "\n"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "trackstar" / "openapi.json"
    spec = json.loads(path.read_text())
    schemas = spec["components"]["schemas"]
    probe = Dataset("probe", 3, "sandbox")
    events: dict[str, Any] = {}
    objects: dict[str, Any] = {}
    for event_type, item in spec["webhooks"].items():
        ref = item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        envelope = schemas[ref]
        data_ref = envelope["properties"]["data"]["$ref"].split("/")[-1]
        noun = event_type.rsplit(".", 1)[0].split(".")[0]
        if noun in DATASETS:
            objects.setdefault(data_ref, probe[DATASETS[noun]].at(0))
        else:
            objects.setdefault(data_ref, _example(spec, schemas[data_ref]))
        prev = envelope["properties"].get("previous_attributes", {}).get("$ref", "").split("/")[-1]
        previous, previous_full = None, False
        if prev:
            previous_full = bool(schemas[prev].get("required"))  # the spec wants the whole prior object
            props = schemas[prev].get("properties", {})
            previous = next(iter(props)) if prev.endswith("PreviousAttributes") else "attributes"
        integration_type = next((t for t in ("wms", "cart", "freight") if ref.lower().startswith(t)), None)
        status = schemas[data_ref].get("properties", {}).get("status", {})
        events[event_type] = {
            "object": data_ref,
            "statuses": status.get("enum", []),  # previous_attributes.status of a sample *.updated picks one
            "integration_type": integration_type,
            "previous": previous,
            "previous_full": previous_full,
            "description": item["post"].get("description", ""),
        }
    table = {"_generated_by": "tools/gen_webhook_samples.py", "events": events, "objects": objects}
    OUT.write_text(_compact(table))
    print(f"wrote {OUT.relative_to(REPO)}: {len(events)} event types, {len(objects)} objects")


if __name__ == "__main__":
    main()
