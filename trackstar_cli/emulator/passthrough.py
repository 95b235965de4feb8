"""Passthrough to the integration's own API, and the sandbox's simulate endpoints.

`POST /{wms|cart}/passthrough` forwards {method, path, data, headers, params} to the connected system and
always answers 200 with {status_code, headers, body} (api-notes §8.6). The emulated WMS APIs are tiny and the
same for every non-sandbox integration: `GET /status/{code}` answers that status, `/echo` returns what it was
sent, anything else is the vendor's 404. The sandbox has no vendor API behind it: 501, as Trackstar answers
passthrough on an integration that does not support it.

`PUT /sandbox/simulate/orders/{order_id}/fulfill[?partial=true]` (API key only, per the spec) ships the
sandbox order as its warehouse would: everything left, or with `partial` one unit of its first line.
"""

from __future__ import annotations

from ..spec import PASSTHROUGH_METHODS, SANDBOX, SIMULATIONS
from .core import ApiError, Json, Reply, Request, error_body, not_found, validation_error
from .orders import ship
from .routes import Route
from .state import Connection

__all__ = ["routes", "sandbox_of"]

_VENDOR_HEADERS = {"content-type": "application/json", "x-vendor": "emulated"}


def _vendor(conn_name: str, method: str, path: str, data: Json, params: Json, headers: Json) -> tuple[int, Json]:
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "status" and parts[1].isdigit() and 100 <= int(parts[1]) <= 599:
        code = int(parts[1])
        return code, {"status": code, "integration": conn_name}
    if parts == ["echo"]:
        return 200, {"method": method, "path": path, "data": data, "params": params, "headers": headers}
    return 404, {"error": f"{path} is not an endpoint of the {conn_name} API"}


def passthrough(req: Request) -> Reply:
    conn = req.connection()
    if conn.integration_name == SANDBOX:
        raise ApiError.plain(501, f"Endpoint passthrough is not implemented for {conn.display_name}")
    body = req.json_object()
    problems: dict[str, list[str]] = {}
    unknown = [k for k in body if k not in ("method", "path", "data", "headers", "params")]
    for key in unknown:
        problems[key] = ["Unknown field."]
    method = body.get("method")
    if not isinstance(method, str) or method.upper() not in PASSTHROUGH_METHODS:
        problems["method"] = ["Must be one of: " + ", ".join(PASSTHROUGH_METHODS) + "."]
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        problems["path"] = ["Must be a path starting with /."]
    for key in ("data", "headers", "params"):
        if key in body and not isinstance(body[key], dict):
            problems[key] = ["Not a valid object."]
    if problems:
        raise validation_error("json", problems)
    assert isinstance(method, str) and isinstance(path, str)
    status, answer = _vendor(
        conn.integration_name,
        method.upper(),
        path,
        body.get("data", {}),
        body.get("params", {}),
        body.get("headers", {}),
    )
    return Reply(body={"status_code": status, "headers": dict(_VENDOR_HEADERS), "body": answer})


def sandbox_of(req: Request, order_id: str) -> Connection | None:
    """The sandbox connection holding the order. The spec asks for the API key only; an access token, when
    sent, says which sandbox is meant (the emulator may hold several), else the generated one, else any."""
    mine = req.state.by_token(req.header("x-trackstar-access-token"))
    sandboxes = [mine] if mine is not None else [req.state.connections.get(req.state.sandbox_id)]
    sandboxes += list(req.state.connections.values())
    return next(
        (c for c in sandboxes if c is not None and c.integration_name == SANDBOX and c.data["orders"].get(order_id)),
        None,
    )


def simulate_fulfill(req: Request) -> Reply:
    order_id = req.params["order_id"]
    partial = (dict(req.query).get("partial") or "false").lower()
    if partial not in ("true", "false"):
        raise validation_error("query", {"partial": ["Not a valid boolean."]})
    conn = sandbox_of(req, order_id)
    if conn is None:
        raise not_found("Order", order_id)
    req.conn = conn
    order = conn.data["orders"].get(order_id)
    assert order is not None
    if order["status"] in ("cancelled", "fulfilled"):
        raise ApiError(422, error_body(f"Order {order_id} is {order['status']}", detail={"json": {}}))
    body: Json = {"warehouse_id": order["warehouse_id"], "measurements": {}, "shipping_cost": 0.0}
    from .core import now_iso

    body["shipped_date"] = now_iso()
    body["tracking_number"] = f"SIM{order_id[4:]}{len(order['shipments']) + 1}"
    if partial == "true":
        first = order["line_items"][0]
        product = conn.data["products"].get(first["product_id"]) or {}
        parts = product.get("inventory_items") or []
        if parts and (first["quantity"] > 1 or len(order["line_items"]) > 1):
            body["line_items"] = [{"sku": parts[0]["sku"], "quantity": 1}]
    return Reply(body={"data": ship(req, order, body)})


def routes() -> list[Route]:
    fulfill = SIMULATIONS["fulfill"]
    return [
        Route("POST", "/wms/passthrough", passthrough),
        Route("POST", "/cart/passthrough", passthrough),
        Route(fulfill.method, fulfill.path, simulate_fulfill, scope="key"),
    ]
