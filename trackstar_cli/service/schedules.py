"""Use cases that control a connection: its sync schedules (list, pause, resume) and its settings
(`PATCH /connections`: customer id, webhooks on or off).

Nothing here prints, prompts or exits; functions return data or raise a TrackstarError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trackstar_cli.errors import MalformedResponseError, UsageError
from trackstar_cli.models import Connection
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.core import Services
from trackstar_cli.service.syncs import get_remote_connection, schedule_rows
from trackstar_cli.spec import SCHEDULE_TOGGLE_ALL_PATH, SCHEDULE_TOGGLE_PATH, SYNC_FUNCTIONS

__all__ = ["ToggleOptions", "UpdateOptions", "list_schedules", "toggle_schedules", "update_connection"]

# Local names for Trackstar facts kept in spec.py.
TOGGLE_PATH = SCHEDULE_TOGGLE_PATH
TOGGLE_ALL_PATH = SCHEDULE_TOGGLE_ALL_PATH
UPDATE_PATH = "/connections"


def list_schedules(svc: Services, ref: str | None) -> tuple[Connection, list[dict[str, Any]]]:
    """A stored connection's sync schedules as Trackstar reports them (GET /connections/{id})."""
    conn = resolve_connection(svc, ref)
    return conn, schedule_rows(get_remote_connection(svc, conn.connection_id))


@dataclass(frozen=True)
class ToggleOptions:
    paused: bool
    functions: tuple[str, ...] = ()
    all: bool = False
    ref: str | None = None


def toggle_schedules(svc: Services, opts: ToggleOptions) -> tuple[Connection, list[str]]:
    """Pause or resume functions (PATCH /schedules/{function}/toggle each) or every one (toggle-all).
    Returns the connection and the functions named (["*"] for all)."""
    if opts.all == bool(opts.functions):
        raise UsageError("name the functions to pause or resume, or pass --all (not both)")
    unknown = [f for f in opts.functions if f not in SYNC_FUNCTIONS]
    if unknown:
        raise UsageError(f"unknown sync function {unknown[0]!r}", hint="choose from " + ", ".join(SYNC_FUNCTIONS))
    conn = resolve_connection(svc, opts.ref)
    body = {"paused": opts.paused}
    client = svc.client()
    # Harmless to repeat: pausing a paused schedule leaves it paused.
    if opts.all:
        _updated(client.request("PATCH", TOGGLE_ALL_PATH, json_body=body, access_token=conn.access_token, retry=True))
        return conn, ["*"]
    for name in dict.fromkeys(opts.functions):
        path = TOGGLE_PATH.format(function_name=name)
        _updated(client.request("PATCH", path, json_body=body, access_token=conn.access_token, retry=True))
    return conn, list(dict.fromkeys(opts.functions))


def _updated(reply: Any) -> dict[str, Any]:
    if not isinstance(reply, dict) or reply.get("updated") is not True:
        raise MalformedResponseError("Trackstar did not confirm the update", status_code=200, body=reply)
    return reply


@dataclass(frozen=True)
class UpdateOptions:
    ref: str | None = None
    customer_id: str | None = None
    webhooks_disabled: bool | None = None


def update_connection(svc: Services, opts: UpdateOptions) -> tuple[Connection, dict[str, Any]]:
    """PATCH /connections with the connection's token; the stored customer id follows."""
    body: dict[str, Any] = {}
    if opts.customer_id is not None:
        body["customer_id"] = opts.customer_id
    if opts.webhooks_disabled is not None:
        body["webhooks_disabled"] = opts.webhooks_disabled
    if not body:
        raise UsageError("nothing to update", hint="pass --customer-id and/or --webhooks on|off")
    conn = resolve_connection(svc, opts.ref)
    reply = _updated(
        svc.client().request("PATCH", UPDATE_PATH, json_body=body, access_token=conn.access_token, retry=True)
    )
    if opts.customer_id is not None:
        conn = svc.store.save_connection(
            profile=conn.profile,
            connection_id=conn.connection_id,
            integration_name=conn.integration_name,
            access_token=conn.access_token,
            customer_id=opts.customer_id,
            available_actions=conn.available_actions,
        )
    return conn, reply
