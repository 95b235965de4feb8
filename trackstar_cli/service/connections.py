"""Local connections: find, pick, name, add and remove the connections stored for a profile."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trackstar_cli.errors import MalformedResponseError, NoConnectionError, UsageError
from trackstar_cli.models import Connection
from trackstar_cli.service.core import Services

__all__ = [
    "AddOptions",
    "add_connection",
    "check_alias",
    "connection_fields",
    "get_connection",
    "labels",
    "list_connections",
    "remove_connection",
    "resolve_connection",
    "use_connection",
]

_ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def list_connections(svc: Services) -> list[Connection]:
    return svc.store.list_connections(svc.profile)


def labels(svc: Services) -> list[str]:
    return [c.label for c in list_connections(svc)]


def get_connection(svc: Services, ref: str) -> Connection:
    conn = svc.store.get(svc.profile, ref)
    if conn is None:
        known = ", ".join(labels(svc)) or "none"
        raise NoConnectionError(
            f"no connection {ref!r} in profile {svc.profile!r} (known: {known})",
            hint="`trackstar connections list` shows them; `trackstar exchange CODE` adds one",
        )
    return conn


def resolve_connection(svc: Services, ref: str | None) -> Connection:
    """--connection / TRACKSTAR_CONNECTION, else the default, else the only one, else an error."""
    if ref:
        return get_connection(svc, ref)
    default = svc.store.default_id(svc.profile)
    if default:
        conn = svc.store.get(svc.profile, default)
        if conn:
            return conn
    conns = list_connections(svc)
    if len(conns) == 1:
        return conns[0]
    if not conns:
        raise NoConnectionError(
            f"no connections stored for profile {svc.profile!r}",
            hint="run `trackstar link-token`, connect a WMS, then `trackstar exchange CODE`",
        )
    if svc.pick is not None:
        return svc.pick(conns)
    raise UsageError(
        f"several connections and no default: {', '.join(c.label for c in conns)}",
        hint="pass --connection ID|ALIAS, set TRACKSTAR_CONNECTION, or run `trackstar connections use ID|ALIAS`",
    )


def use_connection(svc: Services, ref: str) -> Connection:
    conn = get_connection(svc, ref)
    svc.store.set_default(svc.profile, conn.connection_id)
    return get_connection(svc, conn.connection_id)


def remove_connection(svc: Services, ref: str, *, revoke: bool = False) -> Connection:
    """Forget a connection locally; with revoke, delete it at Trackstar first (then it is gone for good)."""
    conn = get_connection(svc, ref)
    if revoke:
        svc.client().request("DELETE", "/connections", access_token=conn.access_token, retry=True)
    svc.store.remove(svc.profile, conn.connection_id)
    return conn


@dataclass(frozen=True)
class AddOptions:
    access_token: str
    connection_id: str
    alias: str | None = None
    verify: bool = True  # read the connection's metadata from GET /connections/{id}


def add_connection(svc: Services, opts: AddOptions) -> Connection:
    """Register a token copied from the dashboard; metadata comes from GET /connections/{id}."""
    access_token = opts.access_token.strip()
    if not access_token or any(c.isspace() for c in access_token):
        raise UsageError("the access token is empty or contains white space")
    check_alias(svc, opts.alias, opts.connection_id)
    meta: dict[str, Any] = {"integration_name": "unknown", "customer_id": None, "available_actions": []}
    if opts.verify:
        data = svc.client().request("GET", f"/connections/{opts.connection_id}")
        meta.update(connection_fields(data))
    return svc.store.save_connection(
        profile=svc.profile,
        connection_id=opts.connection_id,
        access_token=access_token,
        alias=opts.alias,
        **meta,
    )


def check_alias(svc: Services, alias: str | None, connection_id: str | None) -> None:
    if alias is None:
        return
    if not _ALIAS_RE.match(alias):
        raise UsageError(f"invalid name {alias!r}: start with a letter; letters, digits, '.', '_', '-'")
    taken = svc.store.get(svc.profile, alias)
    if taken and taken.connection_id != connection_id and taken.alias == alias:
        raise UsageError(
            f"the name {alias!r} is already used by connection {taken.connection_id}",
            hint="choose another --name, or remove that connection first",
        )


def connection_fields(data: Any) -> dict[str, Any]:
    """GET /connections/{id}: the spec says a list envelope, a guide shows one object; accept both."""
    item = data.get("data") if isinstance(data, dict) else None
    if isinstance(item, list):
        item = item[0] if item else None
    if not isinstance(item, dict):
        raise MalformedResponseError("unexpected reply from GET /connections/{id}", status_code=200)
    return metadata(item)


def metadata(item: dict[str, Any]) -> dict[str, Any]:
    """integration_name, customer_id and available_actions of a connection object, whatever their JSON types."""
    actions = item.get("available_actions")
    customer = item.get("customer_id")
    return {
        "integration_name": str(item.get("integration_name") or "unknown"),
        "customer_id": None if customer is None or isinstance(customer, (dict, list)) else str(customer),
        "available_actions": [str(a) for a in actions if isinstance(a, str)] if isinstance(actions, list) else [],
    }
