"""Connections as Trackstar sees them: the remote list, forced syncs, and reconciling the local store with
Trackstar. Each use case takes a `Services`.

Nothing here prints, prompts or exits; functions return data (the API's objects unchanged where they are
the JSON contract) or raise a TrackstarError.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from trackstar_cli.errors import MalformedResponseError, UsageError
from trackstar_cli.models import Connection
from trackstar_cli.service.connections import list_connections, resolve_connection
from trackstar_cli.service.core import Services
from trackstar_cli.spec import SYNC_FUNCTIONS

__all__ = [
    "RECONCILE_KINDS",
    "ReconcileRow",
    "iter_remote_connections",
    "parse_functions",
    "reconcile",
    "remote_summary",
    "sync_connection",
]

RECONCILE_KINDS: tuple[str, ...] = ("ok", "errored", "gone", "unknown-locally")


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
    conn = resolve_connection(svc, ref)
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
    local = list_connections(svc)  # read first: a broken store fails before any request
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
