"""Management endpoints: link token/exchange, connections, sandbox generation, the integrations catalogue."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any

from ..spec import INTEGRATION_TYPES, RESOURCES
from .catalog import INTEGRATIONS, READ_ACTIONS, integration_info
from .core import ApiError, Json, Reply, Request, error_body, validation_error
from .dataset import Dataset
from .routes import Route
from .syncs import force_sync

__all__ = ["routes"]


def _fields(body: Json, allowed: dict[str, tuple[type, ...]]) -> None:
    """Management bodies are strict (marshmallow-style): unknown fields and wrong types are 422."""
    problems: dict[str, list[str]] = {}
    for key, value in body.items():
        if key not in allowed:
            problems[key] = ["Unknown field."]
        elif not isinstance(value, allowed[key]) or (isinstance(value, bool) and bool not in allowed[key]):
            problems[key] = ["Invalid type."]
    if problems:
        raise validation_error("json", problems)


def link_token(req: Request) -> Reply:
    body = req.json_object()
    _fields(body, {"connection_id": (str,), "customer_id": (str, type(None))})
    token = req.state.link_token(body.get("connection_id"), body.get("customer_id"))
    return Reply(body={"link_token": token})


def exchange(req: Request) -> Reply:
    body = req.json_object()
    _fields(body, {"auth_code": (str,), "customer_id": (str, type(None))})
    if "auth_code" not in body:
        raise validation_error("json", {"auth_code": ["Missing data for required field."]})
    conn = req.state.exchange(body["auth_code"], body.get("customer_id"))
    return Reply(body=conn.exchange_json())


def _page_token(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))["o"]
    except (ValueError, KeyError, TypeError):
        raise validation_error("query", {"page_token": ["Invalid page token."]}) from None
    if not isinstance(offset, int) or offset < 0:
        raise validation_error("query", {"page_token": ["Invalid page token."]})
    return offset


def list_connections(req: Request) -> Reply:
    offset = _page_token(dict(req.query).get("page_token"))
    page, nxt = req.state.connections_page(offset)
    token = base64.urlsafe_b64encode(json.dumps({"o": nxt}).encode()).decode().rstrip("=") if nxt else None
    return Reply(body={"data": [c.to_json() for c in page], "next_token": token, "total_count": len(page)})


def get_connection(req: Request) -> Reply:
    cid = req.params["connection_id"]
    conn = req.state.connections.get(cid)
    if conn is None:
        raise ApiError(404, error_body(f"Connection {cid} not found", id=cid))
    # The spec answers with the list envelope holding one connection.
    return Reply(body={"data": [conn.to_json()], "next_token": None, "total_count": 1})


def update_connection(req: Request) -> Reply:
    body = req.json_object()
    _fields(body, {"customer_id": (str, type(None)), "webhooks_disabled": (bool,)})
    conn = req.connection()
    if "customer_id" in body:
        conn.customer_id = body["customer_id"]
    if "webhooks_disabled" in body:
        conn.webhooks_disabled = body["webhooks_disabled"]
    return Reply(body={"id": conn.connection_id, "object": "connection", "updated": True})


def delete_connection(req: Request) -> Reply:
    conn = req.connection()
    req.state.delete(conn)
    return Reply(body={"id": conn.connection_id, "object": "connection", "deleted": True})


def sync_connection(req: Request) -> Reply:
    body = req.json_object()
    _fields(body, {"functions_to_sync": (list,)})
    conn = req.connection()
    wanted = body.get("functions_to_sync", [])
    bad = [f for f in wanted if not isinstance(f, str) or f not in READ_ACTIONS or f not in conn.actions]
    if bad:
        raise validation_error("json", {"functions_to_sync": [f"Not available for this connection: {bad}."]})
    reads = [a for a in conn.actions if a in READ_ACTIONS]
    # Paused functions and those already crawling are skipped (syncs.py); the reply echoes the request.
    force_sync(conn.crawls, wanted or reads, conn.paused, req.state.clock(), req.state.sync_seconds)
    # "Returns empty if all are being synced."
    return Reply(body={"id": conn.connection_id, "syncing": True, "functions_to_sync": list(wanted)})


def generate_sandbox(req: Request) -> Reply:
    kind = req.params["integration_type"]
    if kind != "wms":
        raise ApiError(404, error_body(f"The emulator only has a wms sandbox, not {kind}", id=kind))
    return Reply(body=req.state.generate_sandbox().exchange_json())


@lru_cache(maxsize=1)
def _samples() -> dict[str, Json]:
    """One generated item per resource: the field lists behind `implemented_fields`."""
    probe = Dataset("probe", 3, "sandbox")
    return {name: probe[name].at(0) for name in RESOURCES}


def _integration_type(req: Request) -> None:
    if req.params["integration_type"] not in INTEGRATION_TYPES:
        raise validation_error("path", {"integration_type": [f"Must be one of: {', '.join(INTEGRATION_TYPES)}."]})


def _warehouse_ids(req: Request) -> list[str] | None:
    conn = req.state.by_token(req.header("x-trackstar-access-token"))
    if conn is None:
        return None
    coll = conn.data["warehouses"]
    return [coll.at(i)["id"] for i in coll.scan()]


def list_integrations(req: Request) -> Reply:
    _integration_type(req)
    if req.params["integration_type"] != "wms":
        return Reply(body={"data": []})
    ids = _warehouse_ids(req)
    return Reply(body={"data": [integration_info(i, _samples(), ids) for i in INTEGRATIONS.values()]})


def get_integration(req: Request) -> Reply:
    _integration_type(req)
    name = req.params["integration_name"]
    integ = INTEGRATIONS.get(name)
    if integ is None or req.params["integration_type"] != "wms":
        raise ApiError(404, error_body(f"Integration {name} not found", id=name))
    return Reply(body={"data": [integration_info(integ, _samples(), _warehouse_ids(req))]})


def routes() -> list[Route]:
    key: dict[str, Any] = {"scope": "key"}
    return [
        Route("POST", "/link/token", link_token, **key),
        Route("POST", "/link/exchange", exchange, **key),
        Route("GET", "/connections", list_connections, **key),
        Route("GET", "/connections/{connection_id}", get_connection, **key),
        Route("PATCH", "/connections", update_connection, write=True),
        Route("DELETE", "/connections", delete_connection, write=True),
        Route("POST", "/connections/sync", sync_connection, write=True),
        Route("POST", "/sandbox/generate-sandbox/{integration_type}", generate_sandbox, **key),
        Route("GET", "/integrations/{integration_type}", list_integrations, **key),
        Route("GET", "/integrations/{integration_type}/{integration_name}", get_integration, **key),
        Route("GET", "/{integration_type}/integrations", list_integrations, **key),
        Route("GET", "/{integration_type}/integrations/{integration_name}", get_integration, **key),
    ]
