"""Each integration's write bodies, from the same table the CLI uses (`trackstar_cli/write_variants.json`).

The table is derived from Trackstar's published spec by `tools/gen_write_variants.py`. The emulator checks
bodies with this small stdlib validator over the subset of JSON Schema the table uses (type, properties,
required, additionalProperties, items, enum, oneOf/anyOf, format date-time): unknown properties are refused,
required fields and enums enforced. `tests/test_variants.py` proves it accepts and refuses the same bodies as
`jsonschema`. A write an integration has no variant for is answered 501.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["check", "dotted_fields", "has_table", "problems", "table", "variant", "write_info"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    path = Path(__file__).resolve().parent.parent / "write_variants.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def has_table(action: str) -> bool:
    return action in table()["writes"]


def variant(action: str, integration: str) -> dict[str, Any] | None:
    """The integration's body schema for a write; None when it has none (or the table has no such write)."""
    entry = table()["writes"].get(action)
    return None if entry is None else entry["variants"].get(integration)


def problems(schema: dict[str, Any], value: Any, path: str = "") -> dict[str, list[str]]:
    """Field path (`line_items.0.sku`, `_schema` for the body) → what is wrong; empty when valid."""
    out: dict[str, list[str]] = {}
    for where, message in _check(schema, value, path):
        out.setdefault(where or "_schema", []).append(message)
    return out


def check(schema: dict[str, Any], value: Any) -> bool:
    return not problems(schema, value)


def _check(schema: dict[str, Any], value: Any, path: str) -> Iterator[tuple[str, str]]:
    kind = schema.get("type")
    if isinstance(kind, str) and kind in _TYPES and not _TYPES[kind](value):
        yield path, f"Not a valid {kind}."
        return
    if "enum" in schema and value not in schema["enum"]:
        yield path, "Must be one of: " + ", ".join(map(str, schema["enum"])) + "."
    if schema.get("format") == "date-time" and isinstance(value, str) and not _DATE.match(value):
        yield path, "Not a valid datetime (YYYY-MM-DDTHH:MM:SSZ)."
    for key in ("oneOf", "anyOf"):
        if key in schema:
            passing = sum(1 for sub in schema[key] if not list(_check(sub, value, path)))
            if passing == 0 or (key == "oneOf" and passing > 1):
                yield path, "Does not match exactly one of the allowed shapes."
    if isinstance(value, dict):
        yield from _check_object(schema, value, path)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from _check(schema["items"], item, _join(path, str(i)))


def _check_object(schema: dict[str, Any], value: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in value:
            yield _join(path, name), "Missing data for required field."
    for name, item in value.items():
        if name in props:
            yield from _check(props[name], item, _join(path, name))
        elif schema.get("additionalProperties") is False:
            yield _join(path, name), "Unknown field."


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _object(node: dict[str, Any]) -> dict[str, Any]:
    while node.get("type") == "array" and isinstance(node.get("items"), dict):
        node = node["items"]
    return node


def dotted_fields(schema: dict[str, Any], prefix: str = "", required: bool = True) -> Iterator[tuple[str, bool]]:
    """(dotted name, required) for every leaf, e.g. ("line_items.product_id", True)."""
    node = _object(schema)
    needed = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        inner = _object(sub)
        if inner.get("properties"):
            yield from dotted_fields(inner, f"{path}.", required and name in needed)
        else:
            yield path, required and name in needed


def write_info(integration: str, warehouse_ids: list[str] | None) -> dict[str, Any]:
    """GET /integrations/wms/{name}/write-info: an OpenAPI 3.1 document of the integration's write bodies.

    With an access token (`warehouse_ids` given) the `warehouse_id` fields list the connection's warehouses,
    as Trackstar fills connection-specific options."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for action, entry in table()["writes"].items():
        schema = entry["variants"].get(integration)
        if schema is None:
            continue
        if warehouse_ids:
            schema = _with_warehouses(schema, warehouse_ids)
        name = f"{action}--{integration}"
        schemas[name] = schema
        body = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}
        paths.setdefault(entry["path"], {})[entry["method"].lower()] = {"operationId": action, "requestBody": body}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Trackstar write schemas for {integration}", "version": str(table().get("spec_version"))},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _with_warehouses(schema: Any, ids: list[str]) -> Any:
    if isinstance(schema, list):
        return [_with_warehouses(s, ids) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _with_warehouses(v, ids) for k, v in schema.items()}
    props = out.get("properties")
    if isinstance(props, dict) and isinstance(props.get("warehouse_id"), dict):
        props["warehouse_id"] = {**props["warehouse_id"], "examples": list(ids)}
    return out
