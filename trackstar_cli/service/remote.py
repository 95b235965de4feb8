"""Use cases about connections as Trackstar sees them: the remote list, force syncs, reconciling the local
store with Trackstar, the sandbox, and the integrations catalogue. Each takes a `Services`.

Nothing here prints, prompts or exits; functions return data (the API's objects unchanged where they are
the JSON contract) or raise a TrackstarError.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from trackstar_cli.errors import MalformedResponseError, NotFoundError, UsageError
from trackstar_cli.service.core import ExchangeResult, Services
from trackstar_cli.store import Connection

__all__ = [
    "INTEGRATION_TYPES",
    "RECONCILE_KINDS",
    "SANDBOX_ALIAS",
    "SANDBOX_TYPES",
    "SYNC_FUNCTIONS",
    "ReconcileRow",
    "generate_sandbox",
    "get_integration",
    "iter_remote_connections",
    "list_integrations",
    "parse_functions",
    "reconcile",
    "remote_summary",
    "sync_connection",
    "write_operation_rows",
]

# The `functions_to_sync` enum of ConnectionResourceSyncSchema in Trackstar's OpenAPI spec (2025-10);
# a test compares it with ../shared/trackstar/openapi.json when that file is there.
SYNC_FUNCTIONS: tuple[str, ...] = (
    "get_inventory",
    "get_products",
    "get_inbound_shipments",
    "get_orders",
    "get_warehouses",
    "get_shipping_methods",
    "get_returns",
    "get_bills",
    "get_warehouse_customers",
    "get_warehouse_locations",
    "get_inventory_ledger",
    "get_shipments",
)
INTEGRATION_TYPES: tuple[str, ...] = ("wms", "freight", "cart")  # the spec's enum for /integrations/{type}
SANDBOX_TYPES: tuple[str, ...] = ("wms", "cart", "carrier")  # the spec says "string"; the docs name these three
SANDBOX_ALIAS = "sandbox"
RECONCILE_KINDS: tuple[str, ...] = ("ok", "errored", "gone", "unknown-locally")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# -- GET /connections ------------------------------------------------------------------------------------


def iter_remote_connections(svc: Services) -> Iterator[dict[str, Any]]:
    """Every connection of the organisation (GET /connections, API key only), page by page, unchanged."""
    for page in svc.client().iter_pages("/connections"):
        yield from page


def remote_summary(item: dict[str, Any], local: Connection | None) -> dict[str, Any]:
    """Table columns derived from a remote Connection: sync status counts, errors, and whether it is stored."""
    schedules = [s for s in item.get("sync_schedules") or [] if isinstance(s, dict)]
    statuses = Counter(str(s.get("sync_status") or "unknown") for s in schedules)
    errors = [e for e in item.get("errors") or [] if isinstance(e, dict)]
    return {
        "sync": ", ".join(f"{n} {status}" for status, n in sorted(statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
        "error_count": len(errors),
        "first_error": str(errors[0].get("error_message") or "") if errors else "",
        "stored": (local.alias or "yes") if local else "no",
    }


# -- POST /connections/sync ------------------------------------------------------------------------------


def parse_functions(values: Iterable[str]) -> list[str]:
    """`--functions a,b --functions c` → [a, b, c], each checked against the spec's enum (UsageError if not)."""
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    unknown = [n for n in names if n not in SYNC_FUNCTIONS]
    if unknown:
        raise UsageError(
            f"unknown sync function{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            hint="choose from " + ", ".join(SYNC_FUNCTIONS),
        )
    return list(dict.fromkeys(names))


def sync_connection(svc: Services, ref: str | None, functions: Sequence[str] = ()) -> tuple[Connection, Any]:
    """Force a sync of a stored connection now (POST /connections/sync with its token).

    The body carries `functions_to_sync` only when functions are given; otherwise Trackstar syncs them all."""
    wanted = parse_functions(functions)
    conn = svc.resolve_connection(ref)
    body = {"functions_to_sync": wanted} if wanted else None
    # Harmless to repeat: Trackstar skips resources that are already syncing.
    reply = svc.client().request(
        "POST", "/connections/sync", json_body=body, access_token=conn.access_token, retry=True
    )
    if not isinstance(reply, dict):
        raise MalformedResponseError("unexpected reply from POST /connections/sync", status_code=200, body=reply)
    return conn, reply


# -- reconcile -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileRow:
    status: str  # one of RECONCILE_KINDS
    connection_id: str
    alias: str | None
    integration_name: str | None
    customer_id: str | None
    error_count: int
    first_error: str | None
    action: str | None  # the command that fixes it

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "connection_id": self.connection_id,
            "alias": self.alias,
            "integration_name": self.integration_name,
            "customer_id": self.customer_id,
            "error_count": self.error_count,
            "first_error": self.first_error,
            "action": self.action,
        }


def reconcile(svc: Services) -> list[ReconcileRow]:
    """Compare the profile's stored connections with GET /connections: one row per connection, local first.

    gone: stored here, no longer at Trackstar · unknown-locally: at Trackstar, not stored here ·
    errored: both, and Trackstar reports errors · ok: both, no errors."""
    local = svc.list_connections()  # read first: a broken store fails before any request
    remote = {str(item.get("connection_id")): item for item in iter_remote_connections(svc)}
    rows = [_local_row(conn, remote.get(conn.connection_id)) for conn in local]
    stored = {conn.connection_id for conn in local}
    rows += [_remote_only_row(cid, item) for cid, item in remote.items() if cid not in stored]
    return rows


def _errors(item: dict[str, Any] | None) -> tuple[int, str | None]:
    errors = [e for e in (item or {}).get("errors") or [] if isinstance(e, dict)]
    return len(errors), (str(errors[0].get("error_message") or "") if errors else None)


def _local_row(conn: Connection, item: dict[str, Any] | None) -> ReconcileRow:
    label = conn.alias or conn.connection_id
    count, first = _errors(item)
    if item is None:
        status, action = "gone", f"trackstar connections remove {label}"
    elif count:
        status, action = "errored", f"trackstar link-token --connection-id {conn.connection_id}"
    else:
        status, action = "ok", None
    return ReconcileRow(
        status, conn.connection_id, conn.alias, conn.integration_name, conn.customer_id, count, first, action
    )


def _remote_only_row(connection_id: str, item: dict[str, Any]) -> ReconcileRow:
    count, first = _errors(item)
    return ReconcileRow(
        "unknown-locally",
        connection_id,
        None,
        item.get("integration_name"),
        item.get("customer_id"),
        count,
        first,
        f"trackstar connections add --connection-id {connection_id} --access-token-stdin",
    )


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
        svc.check_alias(alias, taken.connection_id if taken and taken.integration_name == "sandbox" else None)
    # Harmless to repeat: the same connection id and token come back, and the data is reset either way.
    path = f"/sandbox/generate-sandbox/{kind}"
    data = svc.client().request("POST", path, retry=True)
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("connection_id"):
        raise MalformedResponseError(f"the reply to POST {path} has no access_token/connection_id", status_code=200)
    cid = str(data["connection_id"])
    if alias is not None:
        svc.check_alias(alias, cid)
    elif store.get(profile, cid) is None and store.get(profile, SANDBOX_ALIAS) is None:
        alias = SANDBOX_ALIAS
    return svc.save_exchanged(data, alias=alias, what="the sandbox was generated")


# -- GET /integrations/{type}[/{name}] -------------------------------------------------------------------


def _integration_request(svc: Services, path: str, connection: str | None) -> list[dict[str, Any]]:
    token = svc.get_connection(connection).access_token if connection else None
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
