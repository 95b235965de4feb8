"""WMS reads: stream a resource's items page by page, or get one item (or one of its sub-resources)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from trackstar_cli.errors import MalformedResponseError, UsageError
from trackstar_cli.models import Connection, ListMeta
from trackstar_cli.service.core import Services
from trackstar_cli.service.query import ListQuery
from trackstar_cli.spec import MAX_PAGE_SIZE, InvalidSegmentError, Resource

__all__ = ["get_item", "iter_item_pages", "iter_items", "list_path"]


def list_path(resource: Resource, parent_id: str | None) -> str:
    try:
        return resource.list_path(parent_id)
    except InvalidSegmentError as exc:
        raise UsageError(str(exc)) from None


def iter_items(
    svc: Services,
    resource: Resource,
    conn: Connection,
    query: ListQuery,
    parent_id: str | None = None,
    *,
    meta: ListMeta | None = None,
) -> Iterator[dict[str, Any]]:
    """Stream a resource's items page by page; stops after `query.limit` items. `meta` (when given) learns
    whether items were left unread."""
    for page in iter_item_pages(svc, resource, conn, query, parent_id, meta=meta):
        yield from page


def iter_item_pages(
    svc: Services,
    resource: Resource,
    conn: Connection,
    query: ListQuery,
    parent_id: str | None = None,
    *,
    meta: ListMeta | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """`iter_items` a page at a time (a fan-out hands pages, not items, between threads)."""
    params = query.params()
    if query.limit == 0:
        return
    if query.limit is not None and query.page_size is None:
        params["limit"] = str(min(query.limit, MAX_PAGE_SIZE))  # don't fetch 1000 items to print 5
    path = list_path(resource, parent_id)
    count = 0
    last: dict[str, Any] = {}

    def seen(envelope: Mapping[str, Any]) -> None:
        last.update(envelope)

    for page in svc.client().iter_pages(path, params, access_token=conn.access_token, on_page=seen):
        if query.limit is not None and count + len(page) >= query.limit:
            take = query.limit - count
            if meta is not None:
                meta.more = take < len(page) or bool(last.get("next_token"))
            yield page[:take]
            return
        count += len(page)
        yield page


def get_item(
    svc: Services, resource: Resource, conn: Connection, item_id: str, parent_id: str | None = None, *, sub: str = ""
) -> Any:
    """GET one item (or one of its sub-resources, e.g. sub="packs") and return its `data`."""
    try:
        path = resource.item_path(item_id, parent_id) + (f"/{sub}" if sub else "")
    except InvalidSegmentError as exc:
        raise UsageError(str(exc)) from None
    data = svc.client().request("GET", path, access_token=conn.access_token)
    if not isinstance(data, dict) or "data" not in data:
        raise MalformedResponseError(f"unexpected reply from GET {path}", status_code=200)
    return data["data"]
