"""Which body an integration accepts for a write: its variant, from live write-info or the committed table.

Every WMS write in Trackstar's spec is a `oneOf` with one JSON Schema per integration (`additionalProperties:
false`). `variant_for` prefers the connection's live `GET /integrations/wms/{name}/write-info` (an OpenAPI 3.1
document, cached in the store for `WRITE_INFO_TTL` seconds because the integrations endpoints allow about one
call a minute) and falls back to `write_variants.json`, derived from the published spec by
`tools/gen_write_variants.py`. `check` validates a body with `jsonschema` and turns each failure into a
sentence that names the option to add or drop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from trackstar_cli.errors import APIConnectionError, APIError, TrackstarError, UsageError, WriteNotSupportedError
from trackstar_cli.models import Connection
from trackstar_cli.spec import FIELD_ALIASES, INTEGRATION_DISPLAY_NAMES, WRITES, WriteEndpoint

if TYPE_CHECKING:
    from trackstar_cli.service.core import Services

__all__ = [
    "WRITE_INFO_TTL",
    "BodyRejectedError",
    "Variant",
    "check",
    "field_rows",
    "integration_variants",
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
            node = _object(node).get("properties", {}).get(part, {})
        return dict(_object(node).get("properties", {}))

    def has(self, path: str) -> bool:
        head, _, last = path.rpartition(".")
        return last in self.properties(head)

    def required(self, path: str = "") -> set[str]:
        node = self.schema or {}
        for part in [p for p in path.split(".") if p]:
            node = _object(node).get("properties", {}).get(part, {})
        return set(_object(node).get("required", []))


def _object(node: dict[str, Any]) -> dict[str, Any]:
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


_UNREADABLE = "unreadable"  # the write is there but its schema could not be read (too big, not an object)


def _schema_in(doc: dict[str, Any], op: WriteEndpoint) -> dict[str, Any] | str | None:
    """The write's body schema in a write-info document; None when the document lacks the write."""
    item = doc.get("paths", {}).get(op.path)
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


# -- checking a body -------------------------------------------------------------------------------------


def check(variant: Variant, body: dict[str, Any], options: Mapping[str, str], command: str) -> None:
    """Raise BodyRejectedError listing every missing, forbidden or out-of-range field, by option name.

    `options` maps a body field (dotted, `line_items.quantity`) to the option that sets it (`--line`)."""
    if variant.schema is None:
        return
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())  # date-time only, as the emulator checks it
    checker.checks("date-time")(lambda v: not isinstance(v, str) or bool(DATE_TIME.match(v)))
    validator = Draft202012Validator(variant.schema, format_checker=checker)
    missing: list[str] = []
    extra: list[str] = []
    other: list[str] = []
    for error in _leaf_errors(validator.iter_errors(body)):
        where = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    missing.append(_join(where, name))
        elif error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            extra.extend(_join(where, k) for k in error.instance if k not in known)
        elif error.validator == "enum":
            other.append(f"{_label(where, options)} must be one of {', '.join(map(str, error.validator_value))}")
        else:
            other.append(f"{_label(where, options)}: {error.message}")
    if not (missing or extra or other):
        return
    who = integration_label(variant.integration)
    parts: list[str] = []
    if missing:
        parts.append(f"{who} requires {', '.join(_grouped(missing, options))}")
    for field in dict.fromkeys(extra):
        parts.append(f"{who} does not take {_label(field, options)}{_alternative(variant, field)}")
    parts.extend(dict.fromkeys(other))
    hint = f"`trackstar {command} --help-fields` lists what {who} takes"
    lined = [m for m in missing if "." in m and _generic(m) not in options and m.split(".")[0] in options]
    if lined:
        parent = options[lined[0].split(".")[0]]
        hint += f"; a line field {parent} cannot set needs the whole {lined[0].split('.')[0]} in --data instead"
    raise BodyRejectedError(f"{command} on {who}: " + "; ".join(parts) + " (nothing was sent)", hint=hint)


def _grouped(paths: list[str], options: Mapping[str, str]) -> list[str]:
    """`--measurements (measurements.height, measurements.unit)`: one entry per option, fields in order."""
    by_option: dict[str, list[str]] = {}
    for path in paths:
        generic = _generic(path)
        option = options.get(generic) or options.get(_canonical(generic)) or ""
        by_option.setdefault(option, [])
        if generic not in by_option[option]:
            by_option[option].append(generic)
    out = [f"{option} ({', '.join(fields)})" for option, fields in by_option.items() if option]
    out.extend(f"{field} (in --data)" for field in by_option.get("", []))
    return out


def _leaf_errors(errors: Iterator[Any]) -> Iterator[Any]:
    """oneOf/anyOf failures stand for their sub-errors (e.g. supplier_object's two shapes)."""
    for error in errors:
        if error.validator in ("oneOf", "anyOf") and error.context:
            yield min(error.context, key=lambda e: len(list(e.absolute_path)))
        else:
            yield error


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _generic(path: str) -> str:
    """line_items.0.sku → line_items.sku (options name fields, not positions)."""
    return ".".join(p for p in path.split(".") if not p.isdigit())


def _canonical(path: str) -> str:
    """reference_num → reference_id: the name the option is filed under."""
    head, _, last = path.rpartition(".")
    for canon, names in FIELD_ALIASES.items():
        if last in names:
            return _join(head, canon)
    return path


def _label(path: str, options: Mapping[str, str]) -> str:
    generic = _generic(path)
    option = options.get(generic) or options.get(_canonical(generic))
    if option is None:
        return f"{generic} (in --data)"
    return f"{option} ({generic})" if not option.endswith(f"({generic})") else option


def _alternative(variant: Variant, field: str) -> str:
    """Where the integration takes the idea instead, e.g. ShipHero's warehouse_id per line item."""
    generic = _generic(field)
    leaf = generic.rsplit(".", 1)[-1]
    for path in _all_paths(variant.properties(), ""):
        if path != generic and path.rsplit(".", 1)[-1] == leaf:
            return f": it takes {path} instead (set it in --data)"
    return ": leave it out"


def _all_paths(props: dict[str, Any], prefix: str) -> Iterator[str]:
    for name, sub in props.items():
        path = _join(prefix, name)
        yield path
        inner = _object(sub) if isinstance(sub, dict) else {}
        if isinstance(inner.get("properties"), dict):
            yield from _all_paths(inner["properties"], path)


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


# -- describing a variant --------------------------------------------------------------------------------


def field_rows(variant: Variant, options: Mapping[str, str]) -> list[dict[str, Any]]:
    """One row per field (dotted), with whether it is required, its type or choices, and its option."""
    rows: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], prefix: str, parent_required: bool) -> None:
        node = _object(node)
        required = set(node.get("required", []))
        for name, sub in node.get("properties", {}).items():
            path = _join(prefix, name)
            inner = _object(sub)
            kind = sub.get("type") or ("object" if "oneOf" in sub else "")
            if "enum" in inner:
                kind = "one of " + ", ".join(map(str, inner["enum"]))
            rows.append(
                {
                    "field": path,
                    "required": parent_required and name in required,
                    "type": kind,
                    "option": options.get(path) or options.get(_canonical(path)) or "",
                }
            )
            if isinstance(inner.get("properties"), dict):
                walk(inner, path, parent_required and name in required)

    if variant.schema is not None:
        walk(variant.schema, "", True)
    return rows
