"""Replies the emulator does not give but a real or hostile server might, for magic links, waits and backfill
jobs: shapes the docs leave open (job envelopes, `sync_job_id`, a single-object connection, the newer
`historical_sync_completed`), replies that are not what we expect, and the real API's missing link URL."""

from __future__ import annotations

import json
from typing import Any

import respx

from tests.conftest import BASE, TOKEN, add_connection
from trackstar_cli.errors import ExitCode


def job(status: str = "completed", **extra: Any) -> dict[str, Any]:
    return {
        "id": "job1",
        "connection_id": "conn_1",
        "function_name": "get_orders",
        "status": status,
        "requested_start_time": "2025-01-01T00:00:00Z",
        "requested_end_time": "2025-02-01T00:00:00Z",
        "created_at": "2025-02-02T00:00:00Z",
        **extra,
    }


def sched(name: str, status: str | None) -> dict[str, Any]:
    return {
        "function_name": name,
        "sync_status": status,
        "last_crawl_start": "2025-01-01T00:00:00Z",
        "last_crawl_end": "2025-01-01T00:01:00Z",
        "latest_sync": None,
        "in_progress": False,
        "sync_frequency": 3600,
    }


@respx.mock(base_url=BASE)
def test_backfill_accepts_a_wrapped_job_with_sync_job_id(respx_mock, cli, logged_in):
    add_connection("conn_1", alias="acme")
    wrapped = {"data": {k: v for k, v in job("open").items() if k != "id"} | {"sync_job_id": "job1"}}
    route = respx_mock.post("/connections/on-demand-syncs").respond(200, json=wrapped)
    respx_mock.get("/connections/on-demand-syncs/job1").respond(200, json=job("completed"))
    done = cli(
        "connections",
        "backfill",
        "acme",
        "-f",
        "get_orders",
        "--since",
        "2025-01-01",
        "--until",
        "2025-02-01",
        "--wait",
        "--interval",
        "0.2",
        "--json",
    )
    assert done.exit_code == 0, done.stderr
    assert done.json()["status"] == "completed"
    sent = route.calls.last.request
    assert sent.headers["x-trackstar-access-token"] == TOKEN
    assert json.loads(sent.content) == {
        "function_name": "get_orders",
        "start_time": "2025-01-01T00:00:00Z",
        "end_time": "2025-02-01T00:00:00Z",
    }
    assert len(route.calls) == 1  # a POST that starts a job is never repeated
    assert [j["id"] for j in cli("connections", "jobs", "--json").json()] == ["job1"]


@respx.mock(base_url=BASE)
def test_backfill_reply_without_a_job_id_is_malformed(respx_mock, cli, logged_in):
    add_connection("conn_1")
    respx_mock.post("/connections/on-demand-syncs").respond(200, json={"ok": True})
    bad = cli("connections", "backfill", "-f", "get_orders", "--since", "7d")
    assert bad.exit_code == ExitCode.NETWORK and bad.stderr.startswith("error: the reply to POST")


@respx.mock(base_url=BASE)
def test_wait_reads_a_single_object_connection_and_historical_sync_completed(respx_mock, cli, logged_in):
    add_connection("conn_1", alias="acme")
    pending = {
        "sync_schedules": [sched("get_inventory", "enabled")],
        "historical_sync_completed": {"get_inventory": False},
    }
    done = {"sync_schedules": [sched("get_inventory", "enabled")], "historical_sync_completed": {"get_inventory": True}}
    route = respx_mock.get("/connections/conn_1")
    route.side_effect = [
        respx.MockResponse(200, json={"data": pending}),
        respx.MockResponse(200, json={"data": done}),
    ]
    waited = cli("connections", "wait", "acme", "--interval", "0.2", "--json")
    assert waited.exit_code == 0, waited.stderr
    assert len(route.calls) == 2  # the first answer still said the history was not synced
    assert "0/1 resources done" in waited.stderr and "1/1 resources done" in waited.stderr


@respx.mock(base_url=BASE)
def test_wait_exits_11_when_a_schedule_ends_in_error(respx_mock, cli, logged_in):
    add_connection("conn_1")
    body = {"data": [{"sync_schedules": [sched("get_inventory", "enabled"), sched("get_orders", "error")]}]}
    respx_mock.get("/connections/conn_1").respond(200, json=body)
    failed = cli("connections", "wait", "--interval", "0.2")
    assert failed.exit_code == ExitCode.SYNC_FAILED
    assert "error: the sync of conn_1 ended in error for get_orders" in failed.stderr


@respx.mock(base_url=BASE)
def test_the_real_api_gives_no_magic_link_url(respx_mock, cli, logged_in):
    link = {
        "id": "c0a4fef52f664ecf9e766c16811c3289",
        "expires_at": "2025-09-17T15:01:41Z",
        "integration_type": "wms",
        "integration_allow_list": [],
        "integration_block_list": ["shipbob"],
        "integrations_with_endpoints": [],
        "customer_id": None,
    }
    route = respx_mock.post("/magic-links").respond(200, json={"magic_link": link})
    made = cli("magic-links", "create", "--block", "shipbob", "--days", "3", "--json")
    assert made.exit_code == 0, made.stderr
    assert made.json() == {**link, "url": None}
    assert json.loads(route.calls.last.request.content) == {
        "integration_type": "wms",
        "link_duration": 3,
        "integration_block_list": ["shipbob"],
    }
    table = cli("magic-links", "create", "-o", "table")
    assert "copy it from the Trackstar dashboard" in table.stdout


@respx.mock(base_url=BASE)
def test_magic_link_reply_that_is_not_one_is_malformed(respx_mock, cli, logged_in):
    respx_mock.get("/magic-links").respond(200, json={"links": []})
    bad = cli("magic-links", "list")
    assert bad.exit_code == ExitCode.NETWORK and "no 'magic_links' list" in bad.stderr


@respx.mock(base_url=BASE)
def test_schedule_toggle_that_is_not_confirmed_is_an_error(respx_mock, cli, logged_in):
    add_connection("conn_1")
    respx_mock.patch("/schedules/get_orders/toggle").respond(200, json={"updated": False})
    bad = cli("schedules", "pause", "get_orders")
    assert bad.exit_code == ExitCode.NETWORK and "did not confirm" in bad.stderr
