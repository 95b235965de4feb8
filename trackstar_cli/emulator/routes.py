"""Routing and the request pipeline every API call goes through.

Order of checks, mirroring what a client sees from Trackstar: unknown path 404 / wrong method 405 →
API key 401 → access token 401 → rate limit 429 → capability 501 (integration lacks the action) or
403 (action disabled) → Content-Type 415 → Idempotency-Key replay/conflict → the handler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from ..spec import WRITES
from .catalog import INTEGRATIONS
from .core import ApiError, Handler, Reply, Request, error_body
from .ratelimit import RateLimiter
from .state import Connection, State

__all__ = ["App", "Route", "write_route"]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str  # "/wms/orders/{order_id}/cancel"
    handler: Handler
    scope: str = "token"  # public (no auth) | key (API key) | token (API key + access token)
    action: str | None = None  # gate: 501 when the integration lacks it, 403 when disabled
    write: bool = False  # JSON body, Idempotency-Key, write rate bucket
    multipart: bool = False  # the write's body is multipart/form-data, not JSON

    @cached_property  # matching runs for every request: split the pattern once
    def parts(self) -> tuple[str, ...]:
        return tuple(self.pattern.strip("/").split("/"))

    def match(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        parts = self.parts
        if len(parts) != len(segments):
            return None
        params: dict[str, str] = {}
        for part, seg in zip(parts, segments, strict=True):
            if part.startswith("{"):
                if not seg:
                    return None
                params[part[1:-1]] = seg
            elif part != seg:
                return None
        return params

    @cached_property
    def literals(self) -> int:
        return sum(not p.startswith("{") for p in self.parts)


def _index_key(parts: tuple[str, ...]) -> tuple[int, str]:
    second = parts[1] if len(parts) > 1 else ""
    return len(parts), "*" if second.startswith("{") else second


def write_route(name: str, handler: Handler) -> Route:
    """The route of a spec.WRITES endpoint: its method, path and gate come from the one table."""
    endpoint = WRITES[name]
    return Route(
        endpoint.method, endpoint.path, handler, action=endpoint.action, write=True, multipart=endpoint.multipart
    )


class App:
    """The API: a route table plus the shared pipeline (auth, limits, capability gates, idempotency)."""

    def __init__(self, state: State, api_key: str, limiter: RateLimiter, routes: list[Route]) -> None:
        self.state, self.api_key, self.limiter = state, api_key, limiter
        self.routes = tuple(routes)
        # (segment count, second segment or "*" where that is a parameter) -> the routes that can match
        self._index: dict[tuple[int, str], list[Route]] = {}
        for route in routes:
            self._index.setdefault(_index_key(route.parts), []).append(route)
        # Called as observer(state, route, req, run) around every request (the webhook sender), if set.
        self.observer: Callable[[State, Route, Request, Callable[[], Reply]], Reply] | None = None

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        segments = tuple(path.strip("/").split("/"))
        n, second = _index_key(segments)
        candidates = self._index.get((n, second), [])
        if second != "*":  # routes with a parameter there can match any second segment
            candidates = candidates + self._index.get((n, "*"), [])
        matches = [(r, p) for r in candidates if (p := r.match(segments)) is not None]
        if not matches:
            raise ApiError.plain(404, f"Not found: {path}")
        allowed = [(r, p) for r, p in matches if r.method == method or (method == "HEAD" and r.method == "GET")]
        if not allowed:
            methods = ", ".join(sorted({r.method for r, _ in matches}))
            raise ApiError(405, error_body(f"Method {method} not allowed on {path}"), {"Allow": methods})
        # Literal segments beat parameters: /wms/inventory/ledger is not inventory item "ledger".
        return max(allowed, key=lambda rp: rp[0].literals)

    def handle(self, req: Request) -> Reply:
        route, req.params = self.resolve(req.method, req.path)
        if self.observer is not None:
            return self.observer(self.state, route, req, lambda: self._handle(route, req))
        return self._handle(route, req)

    def _handle(self, route: Route, req: Request) -> Reply:
        if route.scope == "public":
            return route.handler(req)
        if req.header("x-trackstar-api-key") != self.api_key:
            raise ApiError.plain(401, "Invalid or missing API key (x-trackstar-api-key)")
        if route.scope == "key":
            with self.state.lock:
                return _encoded(route.handler(req))
        return self._connection_scoped(route, req)

    def _connection_scoped(self, route: Route, req: Request) -> Reply:
        with self.state.lock:
            conn = self.state.by_token(req.header("x-trackstar-access-token"))
            if conn is None:
                raise ApiError.plain(401, "Invalid or missing access token (x-trackstar-access-token)")
            self.state.touch(conn)
        decision = self.limiter.check(conn.access_token, req.method)
        if not decision.allowed:
            raise ApiError(
                429, error_body("Rate limit exceeded; retry after the time in retry-after"), decision.headers()
            )
        req.conn = conn
        _gate(route, conn)
        if route.write:
            _require_json(req, "multipart/form-data" if route.multipart else "application/json")
        reply = self._run(route, req)
        reply.headers.update(decision.headers())
        return reply

    def _run(self, route: Route, req: Request) -> Reply:
        key = req.header("idempotency-key")
        conn = req.connection()
        if not (route.write and key):
            with self.state.lock:
                return _encoded(route.handler(req))
        if len(key) > 255:
            raise ApiError.plain(400, "Idempotency-Key must be at most 255 characters")
        fingerprint = hashlib.sha256(f"{req.method} {req.path}\n".encode() + req.body).hexdigest()
        with self.state.lock:
            stored = self.state.idempotency_begin(conn.connection_id, key, fingerprint)
            if stored is not None:
                return Reply(stored.status, raw=stored.body, headers={**stored.headers, "Idempotent-Replayed": "true"})
            try:
                reply = _encoded(route.handler(req))
            except Exception as exc:  # any failure (even an emulator bug) frees the key for a retry
                self.state.idempotency_end(conn.connection_id, key, getattr(exc, "status", 500), b"", {})
                raise
            self.state.idempotency_end(conn.connection_id, key, reply.status, reply.encode(), dict(reply.headers))
            return reply


def _encoded(reply: Reply) -> Reply:
    """Serialise while the state lock is held, so a reply never races a concurrent write."""
    if reply.raw is None:
        reply.raw = reply.encode()
    return reply


def _gate(route: Route, conn: Connection) -> None:
    if route.action is None:
        return
    if route.action in conn.disabled:
        raise ApiError.plain(403, f"{route.action} is disabled for this connection")
    if route.action not in INTEGRATIONS[conn.integration_name].actions:
        raise ApiError.plain(501, f"Endpoint {route.action} is not implemented for {conn.display_name}")


def _require_json(req: Request, wanted: str = "application/json") -> None:
    ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
    if req.body.strip() and ctype != wanted:
        raise ApiError.plain(415, f"Content-Type must be {wanted}")
