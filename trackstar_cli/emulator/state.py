"""The emulator's in-memory store: connections, link tokens, auth codes, idempotency records, magic links and sync jobs.

One re-entrant lock guards everything; the server holds it while a handler runs and its reply is encoded,
so handlers never see half-applied writes. Connection ids and access tokens come from a RNG seeded with the
emulator seed (same seed + same calls = same ids); link tokens and auth codes come from `secrets`.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import INTEGRATIONS, READ_ACTIONS, endpoints_for
from .core import REFERENCE_EPOCH, ApiError, Json, iso, validation_error
from .dataset import Dataset
from .syncs import Crawl, SyncJob, first_sync, schedule_json

__all__ = ["AUTH_CODE_TTL", "IDEMPOTENCY_TTL", "LINK_TOKEN_TTL", "Connection", "State", "StoredReply"]

LINK_TOKEN_TTL = 30 * 60
AUTH_CODE_TTL = 10 * 60
IDEMPOTENCY_TTL = 24 * 3600
CONNECTIONS_PAGE_SIZE = 100
FIRST_SYNC_SECONDS, SYNC_SECONDS, JOB_SECONDS = 6.0, 2.0, 4.0  # simulated durations (syncs.py)


@dataclass
class Connection:
    connection_id: str
    access_token: str
    integration_name: str
    customer_id: str | None
    created_at: float
    data: Dataset
    webhooks_disabled: bool = False
    times_used: int = 0
    last_used: float | None = None
    disabled: set[str] = field(default_factory=set)  # functions disabled by policy: 403, hidden from actions
    crawls: dict[str, Crawl] = field(default_factory=dict)  # per read function: its latest crawl
    paused: set[str] = field(default_factory=set)  # schedules paused with PATCH /schedules/…
    clock: Callable[[], float] = time.time

    @property
    def display_name(self) -> str:
        return INTEGRATIONS[self.integration_name].display_name

    @property
    def actions(self) -> list[str]:
        return [a for a in INTEGRATIONS[self.integration_name].actions if a not in self.disabled]

    def exchange_json(self) -> Json:
        """The body of POST /link/exchange and POST /sandbox/generate-sandbox."""
        return {
            "access_token": self.access_token,
            "connection_id": self.connection_id,
            "integration_name": self.integration_name,
            "customer_id": self.customer_id,
            "available_actions": self.actions,
            "available_endpoints": endpoints_for(self.actions),
        }

    def to_json(self) -> Json:
        now = self.clock()
        schedules = [
            schedule_json(a, self.crawls.get(a) or Crawl(self.created_at, self.created_at), a in self.paused, now)
            for a in self.actions
            if a in READ_ACTIONS
        ]
        ends = [s["last_crawl_end"] for s in schedules if s["last_crawl_end"]]
        return {
            "connection_id": self.connection_id,
            "integration_name": self.integration_name,
            "customer_id": self.customer_id,
            "created_at": iso(self.created_at),
            "last_used": iso(self.last_used) if self.last_used else None,
            "times_used": self.times_used,
            "latest_sync": max(ends) if ends else None,
            "sync_schedules": schedules,
            "errors": [],
            "available_actions": self.actions,
            "available_endpoints": endpoints_for(self.actions),
            "integration_type": "wms",
            "webhooks_disabled": self.webhooks_disabled,
        }


@dataclass
class _Grant:
    """A link token or an auth code: what it is for and when it stops working."""

    expires: float
    connection_id: str | None = None
    integration: str | None = None
    customer_id: str | None = None  # from the link token body (a newer, undocumented-in-spec field)


@dataclass
class StoredReply:
    fingerprint: str
    status: int
    body: bytes
    headers: dict[str, str]
    stored_at: float
    done: bool = False


class State:
    """Everything the emulator remembers; `clock` and the TTLs are attributes so tests can move time."""

    def __init__(self, seed: int = 1, size: int = 200) -> None:
        self.seed, self.size = seed, size
        self.lock = threading.RLock()
        self.clock: Callable[[], float] = time.time
        self.link_token_ttl, self.auth_code_ttl = LINK_TOKEN_TTL, AUTH_CODE_TTL
        self.connections_page_size = CONNECTIONS_PAGE_SIZE
        self.first_sync_seconds, self.sync_seconds, self.job_seconds = FIRST_SYNC_SECONDS, SYNC_SECONDS, JOB_SECONDS
        self.sync_jobs: dict[str, SyncJob] = {}
        self.magic_links: dict[str, Any] = {}  # id -> magic.MagicLink
        self.connections: dict[str, Connection] = {}
        self._by_token: dict[str, str] = {}
        self._link_tokens: dict[str, _Grant] = {}
        self._auth_codes: dict[str, _Grant] = {}
        self.idempotency: dict[tuple[str, str], StoredReply] = {}
        self._rng = random.Random(f"emulator:{seed}")
        self.sandbox_id = str(uuid.UUID(int=random.Random(f"sandbox:{seed}").getrandbits(128), version=4))
        self.generate_sandbox()  # Trackstar creates the WMS sandbox at sign-up

    # -- connections ---------------------------------------------------------------------------------------
    def _new_connection(
        self, integration: str, customer_id: str | None, connection_id: str | None = None, token: str | None = None
    ) -> Connection:
        cid = connection_id or str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        tok = token or f"trackstar_emu_{self._rng.getrandbits(128):032x}"
        created = REFERENCE_EPOCH if cid == self.sandbox_id else self.clock()
        conn = Connection(
            cid, tok, integration, customer_id, created, Dataset(f"{self.seed}:{cid}", self.size, integration)
        )
        conn.clock = lambda: self.clock()
        seconds = 42.0 if cid == self.sandbox_id else self.first_sync_seconds
        conn.crawls = first_sync([a for a in conn.actions if a in READ_ACTIONS], created, seconds)
        self.connections[cid] = conn
        self._by_token[tok] = cid
        return conn

    def generate_sandbox(self) -> Connection:
        """Same id and token every time; the data goes back to its seeded state."""
        old = self.connections.get(self.sandbox_id)
        token = old.access_token if old else f"trackstar_emu_sandbox_{random.Random(self.seed).getrandbits(64):016x}"
        customer = old.customer_id if old else None
        return self._new_connection("sandbox", customer, self.sandbox_id, token)

    def by_token(self, token: str | None) -> Connection | None:
        cid = self._by_token.get(token or "")
        return self.connections.get(cid) if cid else None

    def delete(self, conn: Connection) -> None:
        self.connections.pop(conn.connection_id, None)
        self._by_token.pop(conn.access_token, None)

    def disable(self, connection_id: str, functions: list[str]) -> Connection:
        """Emulator-only: mark functions as disabled by policy (the dashboard's Connection Settings)."""
        conn = self.connections.get(connection_id)
        if conn is None:
            raise ApiError(
                404, {"error": f"Connection {connection_id} not found", "id": connection_id, "origin": "trackstar"}
            )
        conn.disabled = set(functions)
        return conn

    # -- link flow -----------------------------------------------------------------------------------------
    def link_token(self, connection_id: str | None, customer_id: str | None = None) -> str:
        if connection_id is not None and connection_id not in self.connections:
            raise validation_error("json", {"connection_id": [f"Unknown connection {connection_id}."]})
        token = f"link_emu_{secrets.token_hex(16)}"
        self._link_tokens[token] = _Grant(self.clock() + self.link_token_ttl, connection_id, None, customer_id)
        return token

    def link_grant(self, link_token: str) -> _Grant:
        grant = self._link_tokens.get(link_token)
        if grant is None or grant.expires < self.clock():
            raise validation_error("json", {"link_token": ["Unknown or expired link token."]})
        return grant

    def issue_auth_code(self, link_token: str, integration_name: str = "sandbox") -> str:
        """What the Link modal does when a customer finishes connecting: a single-use auth code."""
        grant = self.link_grant(link_token)
        if grant.connection_id:  # a reinstall skips the picker: the integration is the connection's
            integration_name = self.connections[grant.connection_id].integration_name
        if integration_name not in INTEGRATIONS:
            raise validation_error("json", {"integration_name": [f"Unknown integration {integration_name}."]})
        code = f"auth_emu_{secrets.token_hex(16)}"
        self._auth_codes[code] = _Grant(
            self.clock() + self.auth_code_ttl, grant.connection_id, integration_name, grant.customer_id
        )
        return code

    def exchange(self, auth_code: str, customer_id: str | None) -> Connection:
        grant = self._auth_codes.pop(auth_code, None)  # single use: gone even when it turns out expired
        if grant is None or grant.expires < self.clock() or grant.integration is None:
            raise validation_error(
                "json",
                {"auth_code": ["Invalid, expired or already used auth code."]},
                "Invalid, expired or already used auth code",
            )
        customer_id = customer_id if customer_id is not None else grant.customer_id
        old = self.connections.get(grant.connection_id or "")
        if old is not None:  # reinstall: same id, same token, same data
            if customer_id is not None:
                old.customer_id = customer_id
            return old
        return self._new_connection(grant.integration, customer_id)

    def touch(self, conn: Connection) -> None:
        conn.times_used += 1
        conn.last_used = self.clock()

    def connections_page(self, offset: int) -> tuple[list[Connection], int | None]:
        ordered = sorted(self.connections.values(), key=lambda c: (c.created_at, c.connection_id))
        end = offset + self.connections_page_size
        return ordered[offset:end], (end if end < len(ordered) else None)

    # -- idempotency ---------------------------------------------------------------------------------------
    def idempotency_begin(self, scope: str, key: str, fingerprint: str) -> StoredReply | None:
        """None: go ahead (the key is now reserved). A done record: replay it. Otherwise raises 400/409."""
        now = self.clock()
        record = self.idempotency.get((scope, key))
        if record is not None and now - record.stored_at > IDEMPOTENCY_TTL:
            record = None
        if record is None:
            self.idempotency[(scope, key)] = StoredReply(fingerprint, 0, b"", {}, now)
            return None
        if record.fingerprint != fingerprint:
            raise ApiError.plain(400, "Idempotency-Key was already used with a different request")
        if not record.done:
            raise ApiError.plain(409, "A request with this Idempotency-Key is still being processed")
        return record

    def idempotency_end(self, scope: str, key: str, status: int, body: bytes, headers: dict[str, str]) -> None:
        """Keep successful replies for replay; release the key when the first attempt failed."""
        if status >= 400:
            self.idempotency.pop((scope, key), None)
            return
        record = self.idempotency[(scope, key)]
        record.status, record.body, record.headers, record.done = status, body, headers, True

    def info(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "size": self.size,
            "connections": len(self.connections),
            "sandbox_connection_id": self.sandbox_id,
        }
