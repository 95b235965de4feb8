"""Use cases about syncing: wait for a connection's first (historical) sync, force a sync and wait for it.
Backfill (on-demand sync) jobs are in backfills.py.

Nothing here prints, prompts or exits; waits report progress through an `on_progress(text)` callback the
command passes in, and end with data, WaitTimeoutError (ran out of time) or SyncFailedError (stuck,
cancelled, error).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from trackstar_cli.errors import MalformedResponseError, NoConnectionError, NotFoundError, SyncFailedError
from trackstar_cli.models import Connection
from trackstar_cli.service import polling
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.core import Services
from trackstar_cli.service.reconcile import parse_functions, sync_connection
from trackstar_cli.spec import ERROR_SYNC_STATUS, FIRST_SYNC_STATUS, PAUSED_SYNC_STATUS, RUNNING_SYNC_STATUSES

__all__ = [
    "Progress",
    "SyncWaitOptions",
    "WaitOptions",
    "connection_id_of",
    "get_remote_connection",
    "schedule_rows",
    "sync_and_wait",
    "wait_initial_sync",
]

# Local names for Trackstar facts kept in spec.py.
CONNECTION_PATH = "/connections/{connection_id}"
RUNNING_STATUSES = RUNNING_SYNC_STATUSES
PAUSED_STATUS = PAUSED_SYNC_STATUS
ERROR_STATUS = ERROR_SYNC_STATUS

Progress = Callable[[str], None]


def quiet(text: str) -> None:
    pass


# -- GET /connections/{connection_id} --------------------------------------------------------------------


def connection_id_of(svc: Services, ref: str | None) -> tuple[str, Connection | None]:
    """A stored connection's id, or `ref` itself as a remote id (e.g. a magic-link connection not stored yet)."""
    try:
        conn = resolve_connection(svc, ref)
    except NoConnectionError:
        if not ref:
            raise
        return ref, None
    return conn.connection_id, conn


def get_remote_connection(svc: Services, connection_id: str) -> dict[str, Any]:
    """The API's Connection object; the spec wraps it in the list envelope, older docs in {"data": {...}}."""
    path = CONNECTION_PATH.format(connection_id=connection_id)
    try:
        body = svc.client().request("GET", path)
    except NotFoundError as exc:
        exc.hint = "neither a stored connection nor one at Trackstar: `trackstar connections list --remote` shows them"
        raise
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    if isinstance(data, dict):
        return data
    raise MalformedResponseError(f"unexpected reply from GET {path}: no connection in 'data'", status_code=200)


def schedule_rows(item: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per sync schedule: function, status, last crawl start and end (the API's fields)."""
    historical = item.get("historical_sync_completed")  # newer than the spec: {function: bool}
    rows = []
    for sched in item.get("sync_schedules") or []:
        if not isinstance(sched, dict) or not sched.get("function_name"):
            continue
        status = sched.get("sync_status")
        name = str(sched["function_name"])
        if (
            isinstance(historical, dict)
            and historical.get(name) is False
            and status not in (PAUSED_STATUS, ERROR_STATUS)
        ):
            status = FIRST_SYNC_STATUS
        rows.append(
            {
                "function_name": name,
                "sync_status": status,
                "last_crawl_start": sched.get("last_crawl_start"),
                "last_crawl_end": sched.get("last_crawl_end"),
                "sync_frequency": sched.get("sync_frequency"),
            }
        )
    return rows


# -- connections wait ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitOptions:
    ref: str | None = None
    timeout: float = polling.DEFAULT_TIMEOUT
    interval: float = polling.DEFAULT_INTERVAL


def wait_initial_sync(
    svc: Services, opts: WaitOptions, on_progress: Progress = quiet
) -> tuple[str, list[dict[str, Any]]]:
    """Poll GET /connections/{id} until no schedule is `first_sync_in_progress`; returns (id, schedule rows).
    A schedule that ends in `error` is a SyncFailedError once the others are done."""
    polling.check_wait(opts.timeout, opts.interval)
    cid, _ = connection_id_of(svc, opts.ref)

    def check() -> list[dict[str, Any]] | None:
        rows = schedule_rows(get_remote_connection(svc, cid))
        pending = [r["function_name"] for r in rows if r["sync_status"] == FIRST_SYNC_STATUS]
        on_progress(f"first sync of {cid}: {len(rows) - len(pending)}/{len(rows)} resources done")
        return None if pending else rows

    rows = polling.poll(
        check,
        timeout=opts.timeout,
        interval=opts.interval,
        what=f"the first sync of {cid}",
        hint=f"it may still finish: run `trackstar connections wait {opts.ref or cid}` again",
    )
    _raise_on_errors(cid, rows)
    return cid, rows


def _raise_on_errors(cid: str, rows: Sequence[dict[str, Any]]) -> None:
    errored = [r["function_name"] for r in rows if r["sync_status"] == ERROR_STATUS]
    if errored:
        raise SyncFailedError(
            f"the sync of {cid} ended in error for {', '.join(errored)}",
            hint="`trackstar connections list --remote` shows the connection's errors",
        )


# -- connections sync --wait -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncWaitOptions:
    ref: str | None = None
    functions: tuple[str, ...] = ()
    timeout: float = polling.DEFAULT_TIMEOUT
    interval: float = polling.DEFAULT_INTERVAL


def sync_and_wait(
    svc: Services, opts: SyncWaitOptions, on_progress: Progress = quiet
) -> tuple[Connection, dict[str, Any], list[dict[str, Any]]]:
    """Force a sync and wait until every function it covers has finished a crawl that started after it.

    A function counts as done when its latest crawl is newer than before the request (or was already
    running) and has ended; paused functions are not waited for. Returns (connection, reply, rows)."""
    polling.check_wait(opts.timeout, opts.interval)
    wanted = parse_functions(opts.functions)
    conn = resolve_connection(svc, opts.ref)
    before = {r["function_name"]: r for r in schedule_rows(get_remote_connection(svc, conn.connection_id))}
    conn, reply = sync_connection(svc, conn.connection_id, wanted)
    targets = [n for n in (wanted or before) if n in before and before[n]["sync_status"] != PAUSED_STATUS]

    seen_running: set[str] = set()  # times have one-second resolution: a crawl seen running is a new one

    def check() -> list[dict[str, Any]] | None:
        now = {r["function_name"]: r for r in schedule_rows(get_remote_connection(svc, conn.connection_id))}
        seen_running.update(n for n in targets if n in now and now[n]["sync_status"] in RUNNING_STATUSES)
        done = [n for n in targets if n in now and _crawled_since(before[n], now[n], n in seen_running)]
        on_progress(f"sync of {conn.alias or conn.connection_id}: {len(done)}/{len(targets)} functions done")
        return [now[n] for n in targets if n in now] if len(done) == len(targets) else None

    rows = polling.poll(
        check,
        timeout=opts.timeout,
        interval=opts.interval,
        what=f"the sync of {conn.alias or conn.connection_id}",
        hint="the sync may still finish: `trackstar schedules list` shows each function's last crawl",
    )
    _raise_on_errors(conn.connection_id, rows)
    return conn, reply, rows


def _crawled_since(before: dict[str, Any], now: dict[str, Any], seen_running: bool) -> bool:
    if now["sync_status"] in RUNNING_STATUSES:
        return False
    if now["sync_status"] in (PAUSED_STATUS, ERROR_STATUS):
        return True  # paused meanwhile, or failed: nothing more will happen; errors are reported after
    started_anew = (
        seen_running
        or before["sync_status"] in RUNNING_STATUSES
        or now["last_crawl_start"] != before["last_crawl_start"]
        or now["last_crawl_end"] != before["last_crawl_end"]
    )
    end, start = _when(now["last_crawl_end"]), _when(now["last_crawl_start"])
    return started_anew and end is not None and (start is None or end >= start)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
