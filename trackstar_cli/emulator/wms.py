"""WMS read endpoints, generated from the declarative table in spec.py."""

from __future__ import annotations

from ..spec import DISPLAY_NAMES, RESOURCES, Resource
from .core import Handler, Json, Reply, Request, not_found
from .query import Filter, paginate, parse_query
from .routes import Route
from .sales import order_packs

__all__ = ["find", "routes"]


def find(req: Request, resource: str, item_id: str) -> Json:
    """An item of the request's connection, or the spec's 404 HTTPError."""
    item = req.connection().data[resource].get(item_id)
    if item is None:
        raise not_found(DISPLAY_NAMES.get(resource, resource), item_id)
    return item


def _parent(req: Request, resource: Resource) -> Filter | None:
    """Nested lists (locations) only show the parent's children; an unknown parent is a 404."""
    if not resource.parent:
        return None
    parent_id = req.params[resource.parent]
    find(req, "warehouses", parent_id)
    return Filter(resource.parent, "eq", (parent_id,))


def _lister(resource: Resource) -> Handler:
    def handler(req: Request) -> Reply:
        conn = req.connection()
        extra = _parent(req, resource)
        scope = f"{conn.connection_id} {req.path}"
        query = parse_query(resource, req.query, scope)
        return Reply(body=paginate(conn.data[resource.name], query, extra))

    return handler


def _getter(resource: Resource) -> Handler:
    def handler(req: Request) -> Reply:
        item = find(req, resource.name, req.params[resource.id_param])
        if resource.parent and item.get(resource.parent) != req.params[resource.parent]:
            raise not_found(DISPLAY_NAMES[resource.name], req.params[resource.id_param])
        return Reply(body={"data": item})

    return handler


def packs(req: Request) -> Reply:
    return Reply(body={"data": order_packs(find(req, "orders", req.params["order_id"]))})


def routes() -> list[Route]:
    out = [Route("GET", "/wms/orders/{order_id}/packs", packs, action="get_orders")]
    for r in RESOURCES.values():
        path = r.path.replace("{parent_id}", "{" + r.parent + "}") if r.parent else r.path
        out.append(Route("GET", path, _lister(r), action=r.action))
        if r.has_get:
            out.append(Route("GET", f"{path}/{{{r.id_param}}}", _getter(r), action=r.action))
    return out
