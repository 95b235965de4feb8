"""The client's transport: one small httpcore pool per access token, each under the per-thread deadline.

Why per token: httpcore's ConnectionPool looks at every pooled connection for every request it assigns (an
idle and expiry check each, and a poll(2) on every idle socket). A fan-out over 50 connections keeps 50
connections in one pool, so each of its 250 requests paid for 50 checks, and the pool lock was held for all
of them: measured, that was most of the client's CPU at 50 connections. With one pool per token, a request
looks at its own token's connection only. Requests without a token (link tokens, webhooks) share one pool.

`PooledClient` is an httpx.Client whose default transport is a `PerTokenTransport`; it is built through
httpx's own `_init_transport` hook rather than by passing `transport=`, because httpx stops reading
HTTPS_PROXY/NO_PROXY from the environment once it is handed a transport. Proxy mounts stay httpx's own.
It keeps no cookies (`NoCookies`). Used by client.py only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpcore
import httpx

from trackstar_cli.bounds import Deadline, DeadlineBackend

__all__ = ["TOKEN_HEADER", "NoCookies", "PerTokenTransport", "PooledClient", "install_deadline"]

TOKEN_HEADER = "x-trackstar-access-token"


def install_deadline(transport: object, deadline: Deadline) -> None:
    """Put the deadline under the httpcore pool of one httpx transport (httpx has no public hook for the
    network backend; without one, the client still checks the deadline between body chunks)."""
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if isinstance(inner, httpcore.NetworkBackend) and not isinstance(inner, DeadlineBackend):
        pool._network_backend = DeadlineBackend(inner, deadline)  # type: ignore[union-attr]


class PerTokenTransport(httpx.BaseTransport):
    """Routes each request to the pool of its access token, made on first use by `make`."""

    def __init__(self, make: Callable[[], httpx.BaseTransport]) -> None:
        self._make = make
        self._pools: dict[str, httpx.BaseTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get(TOKEN_HEADER, "")
        pool = self._pools.get(key)
        if pool is None:
            with self._lock:
                pool = self._pools.get(key)
                if pool is None:
                    pool = self._pools[key] = self._make()
        return pool.handle_request(request)

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


class NoCookies(httpx.Cookies):
    """A jar that keeps nothing. Trackstar authenticates by header; a server that set a new cookie on every
    reply would otherwise grow the jar, and every later request, without bound. It also spares each reply
    http.cookiejar's parse of its headers."""

    def extract_cookies(self, response: httpx.Response) -> None:
        pass


class PooledClient(httpx.Client):
    """httpx.Client with a PerTokenTransport (when no transport is injected), the deadline on every pool, and
    no cookie jar."""

    def __init__(self, *, deadline: Deadline, **kwargs: Any) -> None:
        self._deadline = deadline
        super().__init__(**kwargs)
        self._cookies = NoCookies()
        for mount in self._mounts.values():  # proxies (HTTPS_PROXY, ALL_PROXY): httpx's own transports
            install_deadline(mount, deadline)

    def _init_transport(self, *args: Any, transport: httpx.BaseTransport | None = None, **kwargs: Any) -> Any:
        if transport is not None:  # a test's MockTransport
            return transport

        def make() -> httpx.BaseTransport:
            pool = super(PooledClient, self)._init_transport(*args, **kwargs)
            install_deadline(pool, self._deadline)
            return pool

        return PerTokenTransport(make)
