"""The emulator's webhook sender: Svix-signed events for every write, exchange and deleted connection.

Stdlib only, like the whole emulator: the signature is HMAC-SHA256 (hashlib/hmac) over
`{svix-id}.{svix-timestamp}.{body}` keyed with the base64 part of the `whsec_…` secret, sent as
`svix-signature: v1,<base64>` (the CLI verifies with standardwebhooks; a test proves the two agree).

Delivery follows Svix: one message id per event and endpoint, kept across attempts; each attempt is signed
afresh with the time it is sent; a non-2xx answer, a timeout or a refused connection is retried on Svix's
schedule (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) multiplied by `time_scale`, so tests can
compress it (0.001 makes 5 min 0.3 s). After the last attempt the delivery is `failed`.

Events (the hook `observe` wraps App.handle): POST creates → `<noun>.created`; PUT updates, cancels,
adjustments and tag writes → `<noun>.updated` with `previous_attributes` (dot paths for nested changes);
a shipment → `order.shipment.created` and a receipt → `inbound-shipment.receipt.created`, whose
previous_attributes hold the prior `shipments` / `receipts`; POST /link/exchange → `connection.created`
(with the access token; also when a magic link's page connects) then `connection.historical-sync-completed`
per synced resource; DELETE /connections → `connection.deleted`. A connection with `webhooks_disabled` gets
no resource events.

Emulator-only endpoints (no API key):

    GET    /_emulator/webhooks               {"data": [endpoints with id, url, secret, event_types]}
    POST   /_emulator/webhooks               {"url", "secret"?, "event_types"?} -> the endpoint (secret made if absent)
    DELETE /_emulator/webhooks/{endpoint_id}
    GET    /_emulator/webhooks/deliveries    {"data": [{id, endpoint_id, event_type, state, attempts: [...]}, ...]}
"""

from __future__ import annotations

import base64
import copy
import hashlib
import heapq
import hmac
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..spec import EVENT_NOUNS, RESOURCES, SVIX_ATTEMPT_TIMEOUT, SVIX_SCHEDULE
from .core import REFERENCE_EPOCH, ApiError, Json, Reply, Request, iso, now_iso, validation_error

if TYPE_CHECKING:
    from .routes import Route
    from .state import Connection, State

__all__ = ["SVIX_SCHEDULE", "Sender", "new_secret", "sign"]

ATTEMPT_TIMEOUT = SVIX_ATTEMPT_TIMEOUT
MAX_KEPT = 10_000  # finished deliveries remembered for /_emulator/webhooks/deliveries
_NOUNS = EVENT_NOUNS
_HISTORY_DAYS = 365


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix("whsec_")
    return base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def _msg_id() -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "msg_" + "".join(secrets.choice(alphabet) for _ in range(27))


@dataclass
class Endpoint:
    id: str
    url: str
    secret: str
    event_types: tuple[str, ...] = ()

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def to_json(self) -> Json:
        return {"id": self.id, "url": self.url, "secret": self.secret, "event_types": list(self.event_types)}


@dataclass
class Delivery:
    id: str  # the svix-id, the same on every attempt
    endpoint: Endpoint
    event_type: str
    body: bytes
    created: str
    state: str = "pending"  # pending | succeeded | failed
    attempts: list[Json] = field(default_factory=list)

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "endpoint_id": self.endpoint.id,
            "url": self.endpoint.url,
            "event_type": self.event_type,
            "created": self.created,
            "state": self.state,
            "attempts": list(self.attempts),
            "payload": json.loads(self.body),
        }


class Sender:
    """Queues events per endpoint and delivers them from one background thread."""

    def __init__(self, *, time_scale: float = 1.0, timeout: float = ATTEMPT_TIMEOUT) -> None:
        self.time_scale, self.timeout = time_scale, timeout
        self.endpoints: dict[str, Endpoint] = {}
        self.deliveries: list[Delivery] = []
        self._queue: list[tuple[float, int, Delivery]] = []
        self._seq = itertools.count()
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    # -- endpoints -------------------------------------------------------------------------------------

    def add_endpoint(self, url: str, secret: str | None = None, event_types: tuple[str, ...] = ()) -> Endpoint:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a webhook URL starts with http:// or https://, not {url!r}")
        secret = secret or new_secret()
        try:
            if not secret.startswith("whsec_") or not _key(secret):
                raise ValueError
        except ValueError:
            raise ValueError("a webhook secret is whsec_ followed by base64") from None
        with self._cond:
            endpoint = Endpoint(f"ep_{next(self._ids)}", url, secret, event_types)
            self.endpoints[endpoint.id] = endpoint
        return endpoint

    def remove_endpoint(self, endpoint_id: str) -> bool:
        with self._cond:
            return self.endpoints.pop(endpoint_id, None) is not None

    # -- sending ---------------------------------------------------------------------------------------

    def emit(self, event: Json) -> list[str]:
        """Queue `event` for every endpoint that wants it; returns the svix-ids."""
        body = json.dumps(event, separators=(",", ":")).encode()
        ids = []
        with self._cond:
            for endpoint in self.endpoints.values():
                if endpoint.wants(event["event_type"]):
                    delivery = Delivery(_msg_id(), endpoint, event["event_type"], body, now_iso())
                    self.deliveries.append(delivery)
                    if len(self.deliveries) > MAX_KEPT:  # forget the oldest finished ones
                        done = [d for d in self.deliveries if d.state != "pending"]
                        drop = {id(d) for d in done[: len(self.deliveries) - MAX_KEPT]}
                        self.deliveries = [d for d in self.deliveries if id(d) not in drop]
                    heapq.heappush(self._queue, (time.monotonic(), next(self._seq), delivery))
                    ids.append(delivery.id)
            if ids:
                self._ensure_thread()
                self._cond.notify()
        return ids

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="emulator-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopping and (not self._queue or self._queue[0][0] > time.monotonic()):
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(wait)
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._queue)
            ok = self._attempt(delivery)
            with self._cond:
                tries = len(delivery.attempts)
                if ok:
                    delivery.state = "succeeded"
                elif tries >= len(SVIX_SCHEDULE):
                    delivery.state = "failed"
                else:
                    due = time.monotonic() + SVIX_SCHEDULE[tries] * self.time_scale
                    heapq.heappush(self._queue, (due, next(self._seq), delivery))

    def _attempt(self, delivery: Delivery) -> bool:
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Svix-Webhooks/1.0 (trackstar-emulator)",
            "svix-id": delivery.id,
            "svix-timestamp": str(stamp),
            "svix-signature": sign(delivery.endpoint.secret, delivery.id, stamp, delivery.body),
        }
        request = urllib.request.Request(delivery.endpoint.url, data=delivery.body, headers=headers, method="POST")
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                status = response.status
                response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (OSError, ValueError) as exc:  # refused, reset, timeout, bad URL
            error = f"{type(exc).__name__}: {exc}"
        ms = round((time.monotonic() - started) * 1000, 1)
        with self._cond:
            delivery.attempts.append({"at": iso(stamp), "status": status, "error": error, "duration_ms": ms})
        return status is not None and 200 <= status < 300

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=2)

    # -- the hook in App.handle ------------------------------------------------------------------------

    def observe(self, state: State, route: Route, req: Request, run: Callable[[], Reply]) -> Reply:
        """Run the request; after a successful write, exchange or delete, emit the matching events."""
        if route.method == "GET" or not self.endpoints:
            return run()
        parts = route.parts
        with state.lock:
            conn = state.by_token(req.header("x-trackstar-access-token"))
            before = None
            if conn is not None and parts[0] == "wms" and len(parts) > 2 and parts[1] in _NOUNS:
                found = conn.data[parts[1]].get(req.params.get(parts[2][1:-1], ""))
                before = copy.deepcopy(found)
        reply = run()
        if reply.status >= 300 or reply.headers.get("Idempotent-Replayed"):
            return reply
        try:
            for event in _events(state, route, reply, conn, before):
                self.emit(event)
        except (KeyError, TypeError, ValueError):  # an event we cannot build must not break the API call
            pass
        return reply

    # -- /_emulator/webhooks ---------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        from .routes import Route

        def show(req: Request) -> Reply:
            with self._cond:
                return Reply(body={"data": [e.to_json() for e in self.endpoints.values()]})

        def add(req: Request) -> Reply:
            body = req.json_object()
            url, secret, types = body.get("url"), body.get("secret"), body.get("event_types", [])
            if not isinstance(url, str) or not isinstance(secret, (str, type(None))) or not isinstance(types, list):
                problem = "A URL string is required; secret a string; event_types a list."
                raise validation_error("json", {"url": [problem]})
            try:
                endpoint = self.add_endpoint(url, secret, tuple(str(t) for t in types))
            except ValueError as exc:
                raise validation_error("json", {"url": [str(exc)]}) from None
            return Reply(201, body=endpoint.to_json())

        def remove(req: Request) -> Reply:
            endpoint_id = req.params["endpoint_id"]
            if not self.remove_endpoint(endpoint_id):
                raise ApiError.plain(404, f"No webhook endpoint {endpoint_id}", id=endpoint_id)
            return Reply(body={"id": endpoint_id, "deleted": True})

        def deliveries(req: Request) -> Reply:
            with self._cond:
                return Reply(body={"data": [d.to_json() for d in self.deliveries]})

        public: dict[str, Any] = {"scope": "public"}
        return [
            Route("GET", "/_emulator/webhooks", show, **public),
            Route("POST", "/_emulator/webhooks", add, **public),
            Route("DELETE", "/_emulator/webhooks/{endpoint_id}", remove, **public),
            Route("GET", "/_emulator/webhooks/deliveries", deliveries, **public),
        ]


def _envelope(conn: Connection, event_type: str, data: Json, previous: Json | None = None) -> Json:
    event: Json = {
        "connection_id": conn.connection_id,
        "integration_name": conn.integration_name,
        "integration_type": "wms",
        "event_type": event_type,
        "data": data,
    }
    if previous is not None:
        event["previous_attributes"] = previous
    return event


def _events(state: State, route: Route, reply: Reply, conn: Connection | None, before: Json | None) -> list[Json]:
    parts, method = route.parts, route.method
    if (method, route.pattern) in (("POST", "/link/exchange"), ("POST", "/_emulator/magic-links/{magic_link_id}")):
        return _exchanged(state.connections[reply.body["connection_id"]])  # Link, or a magic link's page
    if (method, route.pattern) == ("DELETE", "/connections") and conn is not None:
        return [_envelope(conn, "connection.deleted", {"deleted_date": now_iso()})]
    if conn is None or conn.webhooks_disabled or parts[0] != "wms" or parts[1] not in _NOUNS:
        return []
    noun, item = _NOUNS[parts[1]], copy.deepcopy(reply.body["data"])
    if method == "POST" and len(parts) == 2:
        return [_envelope(conn, f"{noun}.created", item)]
    if before is None:
        return []
    if parts[-1] == "shipments":
        return [_envelope(conn, "order.shipment.created", item, {"shipments": before.get("shipments", [])})]
    if parts[-1] == "receive":
        return [_envelope(conn, "inbound-shipment.receipt.created", item, {"receipts": before.get("receipts", [])})]
    changed = diff(before, item)
    return [_envelope(conn, f"{noun}.updated", item, changed)] if changed else []


def _exchanged(conn: Connection) -> list[Json]:
    data = {"created_date": iso(conn.created_at), "access_token": conn.access_token}
    created = _envelope(conn, "connection.created", data)
    synced = [
        _envelope(
            conn,
            "connection.historical-sync-completed",
            {
                "oldest_data_date": iso(REFERENCE_EPOCH - _HISTORY_DAYS * 86400),
                "newest_data_date": iso(REFERENCE_EPOCH),
                "resource": name,
            },
        )
        for name, resource in RESOURCES.items()
        if resource.action in conn.actions
    ]
    return [created, *synced]


def diff(old: Any, new: Any, prefix: str = "") -> Json:
    """previous_attributes: the old value of every changed field; dot paths into objects and same-length
    lists (`line_items.1.received_quantity`), the whole value where a list changed length."""
    out: Json = {}
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                out.update(diff(old.get(key), new.get(key), f"{prefix}{key}."))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and old:
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                out.update(diff(a, b, f"{prefix}{i}."))
        return out
    return {prefix[:-1]: old} if prefix else {}
