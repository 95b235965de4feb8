"""Sync schedules, force syncs, on-demand (backfill) sync jobs and paused schedules, with simulated durations.

Time is the state's clock, and every status is computed when it is read: a crawl that started at `start` and
lasts d seconds is "in progress" until `start + d`, then done. The durations are `State.first_sync_seconds`
(the historical sync of a new connection, staggered across its functions so progress shows per resource),
`State.sync_seconds` (a force sync) and `State.job_seconds` (an on-demand job); tests shrink them.

Decisions where the docs are silent (api-notes §3.5-3.7; none of these endpoints is in the 2025-10 spec):

* A job is `{id, connection_id, function_name, status, requested_start_time, requested_end_time, created_at}`,
  unwrapped, for create, get and cancel alike; its id is 32 hex characters like a magic link's.
* Jobs go open -> completed after `job_seconds`. `stuck` happens only when asked for: POST
  /_emulator/sync-jobs/{id} {"status": "stuck"|"completed"} (emulator-only). Cancelling a job that is not
  open is a 400 `Only open sync jobs can be cancelled`. A job of another connection is a 404.
* On-demand syncs exist for get_products, get_orders, get_inbound_shipments, get_returns, get_bills and
  get_inventory_ledger, where the integration has the action; anything else is the documented 400.
* `PATCH /schedules/{function}/toggle` and `PATCH /schedules/toggle-all` take `{"paused": bool}` and answer
  `{"id", "object": "connection", "updated": true}`. A paused function's schedule shows `sync_status:
  "disabled"` and keeps its last crawl times: force syncs skip it, so what Trackstar has for it stops changing.
* `POST /connections/sync` starts a crawl of each function asked for (all when none is) except paused ones
  and those already crawling; its reply still echoes the request, as before schedules were emulated.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..spec import ON_DEMAND_FUNCTIONS
from .core import ApiError, Json, Reply, Request, error_body, iso, validation_error

if TYPE_CHECKING:
    from .routes import Route

__all__ = [
    "ON_DEMAND_FUNCTIONS",
    "TWELVE_HOURLY",
    "Crawl",
    "SyncJob",
    "first_sync",
    "force_sync",
    "routes",
    "schedule_json",
]

# Trackstar facts (api-notes §3.6): the WMS functions that can be backfilled on demand.
TWELVE_HOURLY = ("get_warehouses", "get_warehouse_customers", "get_warehouse_locations", "get_shipping_methods")


@dataclass
class Crawl:
    """One function's latest crawl: running until `end`, then done; `previous_end` is the crawl before."""

    start: float
    end: float
    previous_end: float | None = None
    first: bool = False  # the historical sync of a new connection

    def running(self, now: float) -> bool:
        return now < self.end

    def last_end(self, now: float) -> float | None:
        return self.end if now >= self.end else self.previous_end


@dataclass
class SyncJob:
    id: str
    connection_id: str
    function_name: str
    start_time: str
    end_time: str
    created_at: float
    finishes_at: float
    forced: str | None = None  # cancelled | stuck | completed, set by a cancel or the emulator-only control

    def status(self, now: float) -> str:
        if self.forced:
            return self.forced
        return "completed" if now >= self.finishes_at else "open"

    def to_json(self, now: float) -> Json:
        return {
            "id": self.id,
            "connection_id": self.connection_id,
            "function_name": self.function_name,
            "status": self.status(now),
            "requested_start_time": self.start_time,
            "requested_end_time": self.end_time,
            "created_at": iso(self.created_at),
        }


def first_sync(functions: Iterable[str], created: float, seconds: float) -> dict[str, Crawl]:
    """The historical sync of a new connection: every function starts at once, they finish one after another."""
    names = list(functions)
    return {
        name: Crawl(created, created + seconds * (i + 1) / max(1, len(names)), None, first=True)
        for i, name in enumerate(names)
    }


def force_sync(
    crawls: dict[str, Crawl], functions: Iterable[str], paused: set[str], now: float, seconds: float
) -> list[str]:
    """Start a crawl of each function that is neither paused nor already running; returns those started."""
    started = []
    for name in functions:
        crawl = crawls.get(name)
        if name in paused or (crawl is not None and crawl.running(now)):
            continue
        crawls[name] = Crawl(now, now + seconds, crawl.last_end(now) if crawl else None)
        started.append(name)
    return started


def schedule_json(name: str, crawl: Crawl, paused: bool, now: float) -> Json:
    """One SyncSchedule object of the spec."""
    running = crawl.running(now)
    if paused:
        status = "disabled"
    elif running:
        status = "first_sync_in_progress" if crawl.first else "sync_in_progress"
    else:
        status = "enabled"
    end = crawl.last_end(now)
    return {
        "function_name": name,
        "latest_sync": iso(end) if end is not None else None,
        "last_crawl_start": iso(crawl.start),
        "last_crawl_end": iso(end) if end is not None else None,
        "sync_frequency": 43200 if name in TWELVE_HOURLY else 3600,
        "in_progress": running and not paused,
        "sync_status": status,
    }


# -- on-demand sync jobs ---------------------------------------------------------------------------------


def _iso_time(body: Json, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str):
        raise validation_error(
            "json", {key: ["Missing data for required field." if value is None else "Not a string."]}
        )
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise validation_error("json", {key: ["Not a valid ISO 8601 datetime."]}) from None
    return value


def create_job(req: Request) -> Reply:
    body = req.json_object()
    unknown = {k: ["Unknown field."] for k in body if k not in ("start_time", "end_time", "function_name")}
    if unknown:
        raise validation_error("json", unknown)
    start, end = _iso_time(body, "start_time"), _iso_time(body, "end_time")
    function = body.get("function_name")
    if not isinstance(function, str):
        raise validation_error("json", {"function_name": ["Missing data for required field."]})
    conn = req.connection()
    if function not in ON_DEMAND_FUNCTIONS or function not in conn.actions:
        raise ApiError.plain(400, f"On-demand sync is not enabled for {conn.integration_name} {function}")
    if datetime.fromisoformat(start.replace("Z", "+00:00")) >= datetime.fromisoformat(end.replace("Z", "+00:00")):
        raise validation_error("json", {"end_time": ["Must be after start_time."]})
    state, now = req.state, req.state.clock()
    job = SyncJob(secrets.token_hex(16), conn.connection_id, function, start, end, now, now + state.job_seconds)
    state.sync_jobs[job.id] = job
    return Reply(body=job.to_json(now))


def _job(req: Request) -> SyncJob:
    job_id = req.params["sync_job_id"]
    job = req.state.sync_jobs.get(job_id)
    if job is None or job.connection_id != req.connection().connection_id:
        raise ApiError(404, error_body(f"Sync job {job_id} not found", id=job_id))
    return job


def get_job(req: Request) -> Reply:
    return Reply(body=_job(req).to_json(req.state.clock()))


def cancel_job(req: Request) -> Reply:
    job, now = _job(req), req.state.clock()
    if job.status(now) != "open":
        raise ApiError.plain(400, f"Only open sync jobs can be cancelled; this one is {job.status(now)}")
    job.forced = "cancelled"
    return Reply(body=job.to_json(now))


def force_job_status(req: Request) -> Reply:
    """Emulator-only: end a job as stuck (or completed) now, for tests and demos."""
    body = req.json_object()
    status = body.get("status")
    if status not in ("stuck", "completed", "cancelled"):
        raise validation_error("json", {"status": ["Must be one of: stuck, completed, cancelled."]})
    with req.state.lock:
        job = req.state.sync_jobs.get(req.params["sync_job_id"])
        if job is None:
            raise ApiError(404, error_body("Sync job not found", id=req.params["sync_job_id"]))
        job.forced = str(status)
        return Reply(body=job.to_json(req.state.clock()))


# -- schedules -------------------------------------------------------------------------------------------


def _paused(req: Request) -> bool:
    body = req.json_object()
    unknown = {k: ["Unknown field."] for k in body if k != "paused"}
    if unknown:
        raise validation_error("json", unknown)
    if not isinstance(body.get("paused"), bool):
        raise validation_error(
            "json", {"paused": ["Missing data for required field." if "paused" not in body else "Not a valid boolean."]}
        )
    return bool(body["paused"])


def _updated(conn: Any) -> Reply:
    return Reply(body={"id": conn.connection_id, "object": "connection", "updated": True})


def toggle_one(req: Request) -> Reply:
    paused, conn = _paused(req), req.connection()
    name = req.params["function_name"]
    if name not in conn.crawls:
        raise ApiError(404, error_body(f"No sync schedule {name} for this connection", id=name))
    (conn.paused.add if paused else conn.paused.discard)(name)
    return _updated(conn)


def toggle_all(req: Request) -> Reply:
    paused, conn = _paused(req), req.connection()
    conn.paused = set(conn.crawls) if paused else set()
    return _updated(conn)


def routes() -> list[Route]:
    from .routes import Route  # routes -> state -> this module: imported late

    return [
        Route("POST", "/connections/on-demand-syncs", create_job, write=True),
        Route("GET", "/connections/on-demand-syncs/{sync_job_id}", get_job),
        Route("POST", "/connections/on-demand-syncs/{sync_job_id}/cancel", cancel_job, write=True),
        Route("PATCH", "/schedules/toggle-all", toggle_all, write=True),
        Route("PATCH", "/schedules/{function_name}/toggle", toggle_one, write=True),
        Route("POST", "/_emulator/sync-jobs/{sync_job_id}", force_job_status, scope="public"),
    ]
