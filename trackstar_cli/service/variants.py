"""Which body an integration accepts for a write: its variant, from live write-info or the committed table.

Every WMS write in Trackstar's spec is a `oneOf` with one JSON Schema per integration (`additionalProperties:
false`). `variant_for` prefers the connection's live `GET /integrations/wms/{name}/write-info` (an OpenAPI 3.1
document, cached in the store for `WRITE_INFO_TTL` seconds because the integrations endpoints allow about one
call a minute) and falls back to `write_variants.json`, derived from the published spec by
`tools/gen_write_variants.py`. `variant_check.check` validates a body against it with `jsonschema`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import APIConnectionError, APIError, TrackstarError, UsageError, WriteNotSupportedError
from trackstar_cli.models import Connection
from trackstar_cli.spec import INTEGRATION_DISPLAY_NAMES, WRITES, WriteEndpoint

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = [
    "WRITE_INFO_TTL",
    "BodyRejectedError",
    "Variant",
    "integration_variants",
    "object_of",
    "integration_label",
    "table",
    "table_variant",
    "variant_for",
]

WRITE_INFO_TTL = 3600  # seconds a connection's write-info stays fresh in the store
# RFC 3339 date-times, as the emulator checks them (jsonschema only checks `format` when told how).
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


class BodyRejectedError(UsageError):
    """The body does not match the integration's variant: fields missing, forbidden or out of range."""


@dataclass(frozen=True)
class Variant:
    """The body schema one integration takes for one write; `schema` None = nothing known locally."""

    write: str
    integration: str
    schema: dict[str, Any] | None
    source: str  # "write-info", "table" or "none"

    def properties(self, path: str = "") -> dict[str, Any]:
        """The properties of the object at dotted `path` (`line_items` means its items)."""
        node = self.schema or {}
        for part in [p for p in path.split(".") if p]:
            node = object_of(node).get("properties", {}).get(part, {})
        return dict(object_of(node).get("properties", {}))

    def has(self, path: str) -> bool:
        head, _, last = path.rpartition(".")
        return last in self.properties(head)

    def required(self, path: str = "") -> set[str]:
        node = self.schema or {}
        for part in [p for p in path.split(".") if p]:
            node = object_of(node).get("properties", {}).get(part, {})
        return set(object_of(node).get("required", []))


def object_of(node: dict[str, Any]) -> dict[str, Any]:
    """An array's items, or the node itself."""
    while node.get("type") == "array" and isinstance(node.get("items"), dict):
        node = node["items"]
    return node


def integration_label(name: str) -> str:
    return INTEGRATION_DISPLAY_NAMES.get(name, name)


# -- the committed table ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    text = resources.files("trackstar_cli").joinpath("write_variants.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def table_variant(write: str, integration: str) -> Variant:
    """The committed variant; raises WriteNotSupportedError when the table knows the integration lacks it."""
    entry = table()["writes"].get(write)
    if entry is None or integration not in table()["integrations"]:
        return Variant(write, integration, None, "none")
    schema = entry["variants"].get(integration)
    if schema is None:
        raise _unsupported(write, integration)
    return Variant(write, integration, schema, "table")


def _unsupported(write: str, integration: str) -> WriteNotSupportedError:
    op = WRITES[write]
    return WriteNotSupportedError(
        f"{integration_label(integration)} does not support {write} ({op.method} {op.path}): nothing was sent",
        hint="Trackstar's spec has no body for it on this integration; "
        "`trackstar passthrough` reaches the WMS's own API",
    )


# -- live write-info -------------------------------------------------------------------------------------


def variant_for(svc: Services, conn: Connection, write: str) -> Variant:
    """The variant from the connection's write-info (cached), else from the table."""
    op = WRITES[write]
    if not op.has_body or op.multipart or op.newer:
        return Variant(write, conn.integration_name, None, "none")
    doc = _write_info(svc, conn)
    if doc is not None:
        schema = _schema_in(doc, op)
        if isinstance(schema, dict):
            return Variant(write, conn.integration_name, schema, "write-info")
        if schema is None and _names_paths(doc):  # the integration's document has no such write
            raise _unsupported(write, conn.integration_name)
    return table_variant(write, conn.integration_name)


def _write_info(svc: Services, conn: Connection) -> dict[str, Any] | None:
    store = svc.store
    cached = store.get_write_info(conn.connection_id, WRITE_INFO_TTL)
    if cached is not None:
        try:
            doc = json.loads(cached)
        except ValueError:
            doc = None
        return doc if isinstance(doc, dict) else None
    path = f"/integrations/wms/{conn.integration_name}/write-info"
    try:
        doc = svc.client().request("GET", path, access_token=conn.access_token, retry=False)
    except (APIError, APIConnectionError):
        return None  # no write-info here (older API, rate limited, offline): the table decides
    except Exception:  # noqa: BLE001 - an optional look-up never fails the write; the table decides
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        return None
    try:
        store.save_write_info(conn.connection_id, json.dumps(doc))
    except TrackstarError:
        pass  # a store that cannot cache costs one more call next time, nothing else
    return doc


def _names_paths(doc: dict[str, Any]) -> bool:
    return any(str(p).startswith("/wms/") for p in doc.get("paths", {}))


_TEMPLATE = re.compile(r"\{[^}]*\}")
_UNREADABLE = "unreadable"  # the write is there but its schema could not be read (too big, not an object)


def _schema_in(doc: dict[str, Any], op: WriteEndpoint) -> dict[str, Any] | str | None:
    """The write's body schema in a write-info document; None when the document lacks the write."""
    paths = doc.get("paths", {})
    item = paths.get(op.path)
    if item is None:  # the same path with other parameter names ({id} for {order_id}) is the same write
        wanted = _TEMPLATE.sub("{}", op.path)
        item = next((v for k, v in paths.items() if isinstance(k, str) and _TEMPLATE.sub("{}", k) == wanted), None)
    operation = item.get(op.method.lower()) if isinstance(item, dict) else None
    if not isinstance(operation, dict):
        return None
    schema = _dig(operation, "requestBody", "content", "application/json", "schema")
    if not isinstance(schema, dict):
        return _UNREADABLE
    schemas = doc.get("components", {}).get("schemas", {})
    try:
        resolved = _resolve(schema, schemas if isinstance(schemas, dict) else {}, (), [_MAX_NODES])
    except _TooBigError:
        return _UNREADABLE  # a document that inlines past the budget is not trusted: the table decides
    return resolved if isinstance(resolved, dict) else _UNREADABLE


def _dig(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


_MAX_NODES = 50_000  # inlined schema nodes: refs shared many times over must not blow up memory
# Kept from a server's schema: no `pattern` (a hostile regex could backtrack for ever) and no `$ref` left.
_DROP = frozenset({"pattern", "patternProperties", "$ref", "$defs", "definitions", "$id", "$schema"})


class _TooBigError(Exception):
    pass


def _resolve(node: Any, schemas: Mapping[str, Any], seen: tuple[str, ...], budget: list[int]) -> Any:
    """Inline local $refs (write-info documents may use them); a cycle stops at the repeated name."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooBigError
    if isinstance(node, list):
        return [_resolve(n, schemas, seen, budget) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen or name not in schemas:
            return {}
        return _resolve(schemas[name], schemas, (*seen, name), budget)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "properties" and isinstance(value, dict):  # field names, not keywords: keep every one
            out[key] = {name: _resolve(sub, schemas, seen, budget) for name, sub in value.items()}
        else:
            out[key] = _resolve(value, schemas, seen, budget)
    return out


def integration_variants(
    svc: Services, integration: str, token: str | None = None
) -> tuple[str, dict[str, dict[str, Any] | None]]:
    """(source, write name → schema or None when unsupported) for an integration, without a stored connection:
    GET /integrations/wms/{name}/write-info (the token, when given, adds connection-specific values), else
    the table. Writes neither knows about are left out."""
    path = f"/integrations/wms/{integration}/write-info"
    try:
        doc = svc.client().request("GET", path, access_token=token, retry=False)
    except (APIError, APIConnectionError):
        doc = None
    out: dict[str, dict[str, Any] | None] = {}
    if isinstance(doc, dict) and isinstance(doc.get("paths"), dict):
        for name in table()["writes"]:
            found = _schema_in(doc, WRITES[name])
            if isinstance(found, dict) or found is None:
                out[name] = found
        return "write-info", out
    if integration not in table()["integrations"]:
        return "none", {}
    for name, entry in table()["writes"].items():
        out[name] = entry["variants"].get(integration)
    return "table", out
