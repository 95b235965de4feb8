"""Use cases about backfills (on-demand sync jobs, api-notes §3.6): start one, show, cancel, wait for it,
and list the ones started from this profile (Trackstar has no endpoint that lists them; the store remembers).

Nothing here prints, prompts or exits; a wait reports progress through `on_progress(text)` and ends with the
job, WaitTimeoutError (ran out of time) or SyncFailedError (stuck or cancelled).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trackstar_cli.errors import MalformedResponseError, SyncFailedError, UsageError, ValidationError
from trackstar_cli.models import Connection
from trackstar_cli.service import polling
from trackstar_cli.service.connections import get_connection, resolve_connection
from trackstar_cli.service.core import Services
from trackstar_cli.service.query import parse_since
from trackstar_cli.service.syncs import Progress, quiet
from trackstar_cli.spec import FAILED_JOB_STATES, JOB_STATES, ON_DEMAND_FUNCTIONS, ON_DEMAND_SYNCS_PATH

__all__ = [
    "FAILED_JOB_STATES",
    "JOB_STATES",
    "ON_DEMAND_FUNCTIONS",
    "BackfillOptions",
    "JobOptions",
    "cancel_job",
    "get_job",
    "list_jobs",
    "start_backfill",
    "wait_for_job",
]

# Local names for Trackstar facts kept in spec.py.
ON_DEMAND_PATH = ON_DEMAND_SYNCS_PATH

_JOB_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


# -- on-demand sync jobs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackfillOptions:
    function: str
    since: str
    until: str | None = None  # default: now
    ref: str | None = None


def start_backfill(svc: Services, opts: BackfillOptions) -> tuple[Connection, dict[str, Any]]:
    """POST /connections/on-demand-syncs; the job is remembered in the store so `connections jobs` lists it."""
    if opts.function not in ON_DEMAND_FUNCTIONS:
        raise UsageError(
            f"{opts.function!r} cannot be backfilled", hint="choose from " + ", ".join(ON_DEMAND_FUNCTIONS)
        )
    start, end = parse_since(opts.since), parse_since(opts.until) if opts.until else parse_since("0s")
    if start >= end:
        raise UsageError(f"--since ({start}) must be before --until ({end})")
    conn = resolve_connection(svc, opts.ref)
    body = {"function_name": opts.function, "start_time": start, "end_time": end}
    try:
        # Not repeated on failure: a second POST would start a second job.
        reply = svc.client().request("POST", ON_DEMAND_PATH, json_body=body, access_token=conn.access_token)
    except ValidationError as exc:
        if exc.status_code == 400:
            exc.hint = (
                f"{conn.integration_name} cannot backfill {opts.function}; "
                "`trackstar connections sync` runs the normal sync instead"
            )
        raise
    job = _job_of(reply, "POST " + ON_DEMAND_PATH)
    svc.store.save_sync_job(svc.profile, conn.connection_id, job)
    return conn, job


def _job_of(reply: Any, what: str) -> dict[str, Any]:
    """A job object; tolerant of a {"data": job} envelope and of `sync_job_id` for `id` (the docs don't say)."""
    job = reply.get("data") if isinstance(reply, dict) and isinstance(reply.get("data"), dict) else reply
    if isinstance(job, dict) and "id" not in job and job.get("sync_job_id"):
        job = {**job, "id": job["sync_job_id"]}
    if not isinstance(job, dict) or not isinstance(job.get("id"), str) or not job["id"]:
        raise MalformedResponseError(f"the reply to {what} has no job id", status_code=200, body=reply)
    return job


@dataclass(frozen=True)
class JobOptions:
    job_id: str
    ref: str | None = None  # the job's connection; default: the one recorded with the job, else the default
    timeout: float = polling.DEFAULT_TIMEOUT
    interval: float = polling.DEFAULT_INTERVAL


def _job_connection(svc: Services, opts: JobOptions) -> Connection:
    if not _JOB_ID_RE.match(opts.job_id):
        raise UsageError(f"invalid job id {opts.job_id!r}")
    if opts.ref is None:
        for cid, job in svc.store.list_sync_jobs(svc.profile):
            if job.get("id") == opts.job_id:
                return get_connection(svc, cid)
    return resolve_connection(svc, opts.ref)


def _fetch(svc: Services, conn: Connection, job_id: str, *, cancel: bool = False) -> dict[str, Any]:
    path = f"{ON_DEMAND_PATH}/{job_id}" + ("/cancel" if cancel else "")
    reply = svc.client().request("POST" if cancel else "GET", path, access_token=conn.access_token, retry=cancel)
    job = _job_of(reply, path)
    if not cancel or job.get("status"):
        svc.store.save_sync_job(svc.profile, conn.connection_id, job)
    return job


def get_job(svc: Services, opts: JobOptions) -> tuple[Connection, dict[str, Any]]:
    conn = _job_connection(svc, opts)
    return conn, _fetch(svc, conn, opts.job_id)


def cancel_job(svc: Services, opts: JobOptions) -> tuple[Connection, dict[str, Any]]:
    """POST …/{id}/cancel (only open jobs can be), then the job as it is now."""
    conn = _job_connection(svc, opts)
    _fetch(svc, conn, opts.job_id, cancel=True)  # harmless to repeat: a cancelled job stays cancelled
    return conn, _fetch(svc, conn, opts.job_id)


def wait_for_job(svc: Services, opts: JobOptions, on_progress: Progress = quiet) -> tuple[Connection, dict[str, Any]]:
    """Poll the job until it is no longer open: completed returns it; stuck or cancelled is a SyncFailedError."""
    polling.check_wait(opts.timeout, opts.interval)
    conn = _job_connection(svc, opts)

    def check() -> dict[str, Any] | None:
        job = _fetch(svc, conn, opts.job_id)
        on_progress(f"backfill {opts.job_id} ({job.get('function_name')}): {job.get('status')}")
        return None if job.get("status") == "open" else job

    job = polling.poll(
        check,
        timeout=opts.timeout,
        interval=opts.interval,
        what=f"backfill job {opts.job_id}",
        hint=f"it is still open: `trackstar connections jobs {opts.job_id} --wait` waits again",
    )
    if job.get("status") in FAILED_JOB_STATES:
        raise SyncFailedError(
            f"backfill job {opts.job_id} ended {job.get('status')}",
            hint="start it again with `trackstar connections backfill`; a stuck job may need Trackstar's support",
        )
    return conn, job


def list_jobs(svc: Services, ref: str | None = None, *, refresh: bool = True) -> list[dict[str, Any]]:
    """The jobs started from this profile (Trackstar cannot list them), open ones refreshed from the API."""
    connection_id = resolve_connection(svc, ref).connection_id if ref else None
    rows = []
    for cid, job in svc.store.list_sync_jobs(svc.profile, connection_id):
        if refresh and job.get("status") == "open":
            conn = svc.store.get(svc.profile, cid)
            if conn is not None:
                job = _fetch(svc, conn, str(job["id"]))
        rows.append(job)
    return rows
