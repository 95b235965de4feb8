"""One query across several connections: concurrent, paced per access token, streamed, failure-tolerant.

Connections are grouped by access token and each group is read by one worker thread, so every token has one
request stream in flight and runs at its own rate limit (the shared client's pacer keeps each token under
Trackstar's 10 GET/s, across processes too). Tokens are independent, so the groups run side by side, up to
`settings.max_connections` at once (TRACKSTAR_MAX_CONNECTIONS, default 64). Items reach the caller in order of
arrival, a page at a time, through a bounded queue, so memory stays constant however much the connections hold.
A connection that fails is recorded and skipped; the others go on. A 501 (the integration does not implement the
endpoint) is recorded as `unsupported`, not as a failure.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trackstar_cli.errors import (
    NotImplementedByIntegrationError,
    TrackstarError,
    UsageError,
)
from trackstar_cli.models import Connection
from trackstar_cli.service.connections import get_connection, list_connections, resolve_connection
from trackstar_cli.service.core import Services
from trackstar_cli.service.query import ListQuery
from trackstar_cli.service.wms import iter_item_pages
from trackstar_cli.spec import Resource

__all__ = ["ConnectionOutcome", "FanOut", "select_connections", "summarize_inventory"]

_Queue = queue.Queue[tuple[int, list[dict[str, Any]] | None]]  # (connection index, a page or None: done)
_QUEUE_SIZE = 8  # pages waiting for the consumer; each worker holds at most one more


def select_connections(svc: Services, *, refs: list[str] | None, all_connections: bool) -> list[Connection]:
    """The connections named by --connections A,B (ids or aliases), or every stored one with --all-connections."""
    if all_connections and refs:
        raise UsageError("--all-connections and --connections exclude each other")
    if all_connections:
        conns = list_connections(svc)
        if not conns:
            resolve_connection(svc, None)  # raises the usual "no connections stored" error
        return conns
    seen: dict[str, Connection] = {}
    for ref in refs or []:
        conn = get_connection(svc, ref.strip())
        seen.setdefault(conn.connection_id, conn)
    if not seen:
        raise UsageError("--connections needs at least one connection id or alias")
    return list(seen.values())


@dataclass
class ConnectionOutcome:
    connection: Connection
    items: int = 0
    error: TrackstarError | None = None

    @property
    def unsupported(self) -> bool:
        return isinstance(self.error, NotImplementedByIntegrationError)

    @property
    def failed(self) -> bool:
        return self.error is not None and not self.unsupported


@dataclass
class FanOut:
    """Iterate it for the merged items; read `outcomes` afterwards for what happened per connection."""

    svc: Services
    resource: Resource
    connections: list[Connection]
    query: ListQuery
    parent_id: str | None = None
    outcomes: list[ConnectionOutcome] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.query.params()  # bad filters fail here, once, not in every worker
        self.svc.client()  # build the shared client (and read the key) before the threads start
        self.outcomes = [ConnectionOutcome(c) for c in self.connections]
        out: _Queue = queue.Queue(maxsize=_QUEUE_SIZE)
        stop = threading.Event()
        by_token: dict[str, list[int]] = {}
        for index, outcome in enumerate(self.outcomes):
            by_token.setdefault(outcome.connection.access_token, []).append(index)
        pending = deque(by_token.values())  # one group per token: one stream in flight per token
        lock = threading.Lock()

        def worker() -> None:
            while not stop.is_set():
                with lock:
                    if not pending:
                        return
                    group = pending.popleft()
                for index in group:
                    if stop.is_set():
                        break
                    self._read(index, out, stop)

        width = max(1, min(self.svc.settings.max_connections, len(by_token)))
        threads = [threading.Thread(target=worker, name=f"trackstar-fanout-{i}", daemon=True) for i in range(width)]
        for thread in threads:
            thread.start()
        yield from self._merge(out, stop, len(self.outcomes))
        stop.set()

    def _read(self, index: int, out: _Queue, stop: threading.Event) -> None:
        outcome = self.outcomes[index]
        conn = outcome.connection
        extra = {"connection_id": conn.connection_id, "integration_name": conn.integration_name}
        try:
            for page in iter_item_pages(self.svc, self.resource, conn, self.query, parent_id=self.parent_id):
                if not _put(out, (index, [{**item, **extra} for item in page]), stop):
                    return
                outcome.items += len(page)
        except TrackstarError as exc:
            outcome.error = exc
        except Exception as exc:  # a bug must not kill the worker silently (or print a thread traceback)
            outcome.error = TrackstarError(f"unexpected {type(exc).__name__}: {exc}")
        finally:
            _put(out, (index, None), stop)

    def _merge(self, out: _Queue, stop: threading.Event, running: int) -> Iterator[dict[str, Any]]:
        limit = self.query.limit
        count = 0
        try:
            while running:
                _, page = out.get()
                if page is None:
                    running -= 1
                    continue
                for item in page:
                    yield item
                    count += 1
                    if limit is not None and count >= limit:
                        return
        finally:
            stop.set()  # also on an early close (--limit, a closed pipe, Ctrl-C): the workers wind down


def _put(out: _Queue, entry: tuple[int, Any], stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            out.put(entry, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def summarize_inventory(items: Iterator[dict[str, Any]], warehouses: set[str] | None = None) -> list[dict[str, Any]]:
    """Per SKU: totals over the connections and warehouses the items come from, and where the stock is."""
    fields = ("onhand", "fulfillable", "committed", "unfulfillable", "awaiting")
    by_sku: dict[str, dict[str, Any]] = {}
    for item in items:
        sku = str(item.get("sku") or item.get("id") or "")
        entry = by_sku.setdefault(
            sku, {"sku": sku, "name": item.get("name"), **dict.fromkeys(fields, 0), "locations": []}
        )
        per_wh = item.get("inventory_by_warehouse_id") or {}
        if not isinstance(per_wh, dict) or not per_wh:
            per_wh = {None: {f: item.get(f) for f in fields}}
        for wh, qty in per_wh.items():
            if warehouses and wh not in warehouses:
                continue
            qty = qty if isinstance(qty, dict) else {}
            for f in fields:
                entry[f] += _number(qty.get(f))
            entry["locations"].append(
                {
                    "connection_id": item.get("connection_id"),
                    "integration_name": item.get("integration_name"),
                    "warehouse_id": wh,
                    "onhand": _number(qty.get("onhand")),
                    "fulfillable": _number(qty.get("fulfillable")),
                }
            )
    rows = [e for e in by_sku.values() if e["locations"]]
    return sorted(rows, key=lambda e: e["sku"])


def _number(value: Any) -> int | float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0
