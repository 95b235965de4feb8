"""The integrations catalogue (GET /integrations/{type}[/{name}]) and the sandbox (POST /sandbox/generate-sandbox).

Nothing here prints, prompts or exits; functions return the API's objects (the JSON contract) or raise.
"""

from __future__ import annotations

import re
from typing import Any

from trackstar_cli.errors import MalformedResponseError, NotFoundError, UsageError, WriteNotSupportedError
from trackstar_cli.models import ExchangeResult
from trackstar_cli.service.connections import check_alias, get_connection
from trackstar_cli.service.core import Services
from trackstar_cli.service.link import save_exchanged
from trackstar_cli.spec import (
    INTEGRATION_TYPES,
    SANDBOX,
    SANDBOX_TYPES,
    SIMULATIONS,
    WRITES,
    InvalidSegmentError,
)

__all__ = [
    "SANDBOX_ALIAS",
    "generate_sandbox",
    "get_integration",
    "list_integrations",
    "simulate_fulfill",
    "write_info_rows",
    "write_operation_rows",
]

SANDBOX_ALIAS = "sandbox"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# -- POST /sandbox/generate-sandbox/{type} ---------------------------------------------------------------


def generate_sandbox(svc: Services, integration_type: str = "wms", *, alias: str | None = None) -> ExchangeResult:
    """(Re)generate the sandbox of a vertical and store it like an exchanged connection.

    Trackstar keeps the sandbox's id and resets its data. Without `alias` the connection keeps the alias it
    has, or gets `sandbox` when that name is free."""
    kind = integration_type.strip().lower()
    if kind not in SANDBOX_TYPES:
        raise UsageError(f"unknown sandbox type {integration_type!r}", hint="choose from " + ", ".join(SANDBOX_TYPES))
    profile = svc.settings.profile
    store = svc.store  # opened first: a broken store fails before the sandbox's data is reset
    if alias is not None:
        taken = store.get(profile, alias)
        # A name held by a sandbox may be held by this very one, whose id only the reply tells: checked again below.
        check_alias(svc, alias, taken.connection_id if taken and taken.integration_name == SANDBOX else None)
    # Harmless to repeat: the same connection id and token come back, and the data is reset either way.
    path = f"/sandbox/generate-sandbox/{kind}"
    data = svc.client().request("POST", path, retry=True)
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("connection_id"):
        raise MalformedResponseError(f"the reply to POST {path} has no access_token/connection_id", status_code=200)
    cid = str(data["connection_id"])
    if alias is not None:
        check_alias(svc, alias, cid)
    elif store.get(profile, cid) is None and store.get(profile, SANDBOX_ALIAS) is None:
        alias = SANDBOX_ALIAS
    return save_exchanged(svc, data, alias=alias, what="the sandbox was generated")


def simulate_fulfill(
    svc: Services, order_id: str, *, partial: bool = False, connection: str | None = None
) -> dict[str, Any]:
    """PUT /sandbox/simulate/orders/{id}/fulfill → the order after it.

    The spec asks for the API key only; the sandbox connection's token goes along when one is stored (it
    names the sandbox where several exist, and is harmless otherwise: api-notes open question 14)."""
    sim = SIMULATIONS["fulfill"]
    try:
        path = sim.url(order_id)
    except InvalidSegmentError as exc:
        raise UsageError(str(exc)) from None
    # Not repeated once it may have been applied: a second fulfil would ship again or fail.
    token = _sandbox_token(svc, connection)
    params = {"partial": "true" if partial else "false"}
    data = svc.client().request(sim.method, path, params=params, access_token=token, retry=False)
    order = data.get("data") if isinstance(data, dict) else None
    if not isinstance(order, dict):
        raise MalformedResponseError(f"the reply to {sim.method} {sim.path} has no order in `data`", status_code=200)
    return order


def _sandbox_token(svc: Services, connection: str | None) -> str | None:
    if connection is not None:
        conn = get_connection(svc, connection)
        if conn.integration_name != SANDBOX:
            raise UsageError(f"connection {connection} is {conn.integration_name}; simulate works on the sandbox")
        return conn.access_token
    sandboxes = [c for c in svc.store.list_connections(svc.settings.profile) if c.integration_name == SANDBOX]
    return sandboxes[0].access_token if len(sandboxes) == 1 else None


# -- GET /integrations/{type}[/{name}] -------------------------------------------------------------------


def _integration_request(svc: Services, path: str, connection: str | None) -> list[dict[str, Any]]:
    token = get_connection(svc, connection).access_token if connection else None
    data = svc.client().request("GET", path, access_token=token)
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise MalformedResponseError(f"unexpected reply from GET {path}: no 'data' list", status_code=200, body=data)
    return items


def _check_type(integration_type: str) -> str:
    kind = integration_type.strip().lower()
    if kind not in INTEGRATION_TYPES:
        raise UsageError(
            f"unknown integration type {integration_type!r}", hint="choose from " + ", ".join(INTEGRATION_TYPES)
        )
    return kind


def list_integrations(
    svc: Services, integration_type: str = "wms", *, connection: str | None = None
) -> list[dict[str, Any]]:
    """The integrations of a vertical (GET /integrations/{type}); with a stored connection's token the
    answer carries connection-specific values (e.g. real warehouse ids in write-field enums)."""
    return _integration_request(svc, f"/integrations/{_check_type(integration_type)}", connection)


def get_integration(
    svc: Services, name: str, integration_type: str = "wms", *, connection: str | None = None
) -> dict[str, Any]:
    """One integration (GET /integrations/{type}/{name}): the first item of the `data` list, unchanged."""
    if not _NAME_RE.match(name):
        raise UsageError(f"invalid integration name {name!r}", hint="`trackstar integrations list` shows the names")
    kind = _check_type(integration_type)
    try:
        items = _integration_request(svc, f"/integrations/{kind}/{name}", connection)
    except NotFoundError as exc:
        exc.hint = f"`trackstar integrations list --type {kind}` shows the names"
        raise
    if not items:
        raise MalformedResponseError(f"GET /integrations/{kind}/{name} answered an empty 'data' list", status_code=200)
    return items[0]


def write_operation_rows(info: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per write operation: its action, URL, required base fields and integration-specific fields."""
    rows = []
    for op in info.get("write_operations") or []:
        if not isinstance(op, dict):
            continue
        specific = op.get("integration_specific_fields") or {}
        props = (specific.get("properties") or {}) if isinstance(specific, dict) else {}
        required = set(specific.get("required_fields") or []) if isinstance(specific, dict) else set()
        rows.append(
            {
                "action": op.get("action"),
                "url": op.get("url"),
                "required_fields": ", ".join(map(str, op.get("required_base_schema_fields") or [])),
                "integration_fields": "; ".join(_describe_field(n, p, n in required) for n, p in props.items()),
                "optional_count": len(op.get("optional_base_schema_fields") or []),
            }
        )
    return rows


def _describe_field(name: str, prop: Any, required: bool) -> str:
    text = name + (" (required)" if required else "")
    options = prop.get("enum") if isinstance(prop, dict) else None
    if isinstance(options, list) and options:
        text += ": one of " + ", ".join(map(str, options))
    return text


def write_info_rows(
    svc: Services, name: str, action: str | None, *, connection: str | None = None
) -> list[dict[str, Any]]:
    """`integrations write-info`: one row per supported write, or one per field of `action`."""
    from trackstar_cli.service import variants

    if not _NAME_RE.match(name):
        raise UsageError(f"invalid integration name {name!r}")
    token = get_connection(svc, connection).access_token if connection else None
    source, found = variants.integration_variants(svc, name, token)
    if action is None:
        return [
            {
                "action": write,
                "url": f"{WRITES[write].method} {WRITES[write].path}",
                "required": ", ".join(r["field"] for r in _rows(variants, write, name, schema) if r["required"]),
                "source": source,
            }
            for write, schema in found.items()
            if schema is not None
        ]
    if action not in WRITES:
        raise UsageError(
            f"unknown write {action!r}", hint="choose from " + ", ".join(sorted(variants.table()["writes"]))
        )
    if action not in found:
        raise UsageError(f"nothing is known about {action} on {name}", hint="Trackstar's write-info did not answer")
    schema = found[action]
    if schema is None:
        raise WriteNotSupportedError(f"{variants.integration_label(name)} does not support {action}")
    return _rows(variants, action, name, schema)


def _rows(variants: Any, write: str, name: str, schema: dict[str, Any]) -> list[dict[str, Any]]:
    from trackstar_cli.service.variant_check import field_rows

    rows: list[dict[str, Any]] = field_rows(variants.Variant(write, name, schema, "table"), {})
    for row in rows:
        row.pop("option", None)
    return rows
