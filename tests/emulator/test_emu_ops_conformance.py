"""Conformance of the emulator's magic links, on-demand sync jobs, schedule toggles and sync statuses.

Magic links and connections are checked against Trackstar's OpenAPI spec (read from ../shared, skipped when
absent) with the machinery of test_emu_conformance. On-demand syncs and schedules are not in the 2025-10 spec:
their replies are checked against the shapes api-notes §3.6-3.7 give (the toggle reply is the spec's
UpdateResponseSchema, as the reference page says).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from emu_helpers import VERIFY
from test_emu_conformance import _GENERIC_ERROR, SPEC_PATH, Spec

from trackstar_cli.emulator import Emulator

JOB_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "id",
        "connection_id",
        "function_name",
        "status",
        "requested_start_time",
        "requested_end_time",
        "created_at",
    ],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "connection_id": {"type": "string"},
        "function_name": {"type": "string"},
        "status": {"enum": ["open", "completed", "cancelled", "stuck"]},
        "requested_start_time": {"type": "string", "format": "date-time"},
        "requested_end_time": {"type": "string", "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}


@pytest.fixture(scope="module")
def spec() -> Spec:
    if not SPEC_PATH.is_file():
        pytest.skip(f"Trackstar's openapi.json not found at {SPEC_PATH}")
    return Spec(json.loads(SPEC_PATH.read_text()))


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(port=0, seed=5, size="small", rate_limit=False) as emulator:
        emulator.state.first_sync_seconds = 3600.0  # new connections stay in their first sync
        emulator.state.sync_seconds = 3600.0  # and a force sync stays in progress
        yield emulator


@pytest.fixture(scope="module")
def api(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.url, headers={"x-trackstar-api-key": emu.api_key}, verify=VERIFY) as client:
        yield client


def _validate(schema: dict[str, Any], body: Any, spec: Spec) -> None:
    validator = jsonschema.Draft4Validator({**schema, **spec.root}, format_checker=spec.formats)
    errors = list(validator.iter_errors(body))
    assert not errors, "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5])


def _check(spec: Spec, reply: httpx.Response, status: int, schema: dict[str, Any]) -> Any:
    assert reply.status_code == status, reply.text[:300]
    assert reply.headers["content-type"] == "application/json"
    _validate(schema, reply.json(), spec)
    return reply.json()


def test_magic_links_conform(spec: Spec, api: httpx.Client, emu: Emulator) -> None:
    body = {"customer_id": "c1", "integration_allow_list": ["shipbob"], "link_duration": 2, "integration_type": "wms"}
    made = spec.check("POST", "/magic-links", api.post("/magic-links", json=body), 200)["magic_link"]
    spec.check("POST", "/magic-links", api.post("/magic-links"), 200)  # every field is optional
    spec.check("POST", "/magic-links", api.post("/magic-links", json={"connection_id": emu.state.sandbox_id}), 200)
    for bad in (
        {"link_duration": "7"},
        {"integration_type": "erp"},
        {"integration_allow_list": ["a"], "integration_block_list": ["b"]},
        {"connection_id": "nope"},
        {"surprise": 1},
    ):
        spec.check("POST", "/magic-links", api.post("/magic-links", json=bad), 422)
    assert len(made["id"]) == 32 and made["customer_id"] == "c1" and made["integration_allow_list"] == ["shipbob"]
    spec.check("GET", "/magic-links", api.get("/magic-links"), 200)
    spec.check("GET", "/magic-links/{magic_link_id}", api.get(f"/magic-links/{made['id']}"), 200)
    spec.check("GET", "/magic-links/{magic_link_id}", api.get("/magic-links/nope"), 404)
    spec.check("DELETE", "/magic-links/{magic_link_id}", api.delete(f"/magic-links/{made['id']}"), 200)
    spec.check("DELETE", "/magic-links/{magic_link_id}", api.delete(f"/magic-links/{made['id']}"), 404)


def test_the_hosted_page_connects_with_the_links_customer(spec: Spec, api: httpx.Client, emu: Emulator) -> None:
    body = {"customer_id": "cust_page", "integrations_with_endpoints": ["get_returns"]}
    link = api.post("/magic-links", json=body).json()["magic_link"]
    page = httpx.get(f"{emu.url}/_emulator/magic-links/{link['id']}", verify=VERIFY)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "ShipBob" in page.text and "Extensiv" not in page.text  # Extensiv has no get_returns
    refused = httpx.post(
        f"{emu.url}/_emulator/magic-links/{link['id']}", json={"integration_name": "extensiv-3pl-central"}
    )
    assert refused.status_code == 422
    done = httpx.post(f"{emu.url}/_emulator/magic-links/{link['id']}", json={"integration_name": "shipbob"})
    assert done.status_code == 200
    cid = done.json()["connection_id"]
    item = spec.check("GET", "/connections/{connection_id}", api.get(f"/connections/{cid}"), 200)["data"][0]
    assert item["customer_id"] == "cust_page" and item["integration_name"] == "shipbob"
    assert {s["sync_status"] for s in item["sync_schedules"]} == {"first_sync_in_progress"}
    assert all(s["last_crawl_end"] is None for s in item["sync_schedules"])
    emu.state.clock, real = (lambda: 1e12), emu.state.clock
    try:
        assert httpx.get(f"{emu.url}/_emulator/magic-links/{link['id']}").status_code == 410
    finally:
        emu.state.clock = real


def test_sync_jobs_and_schedules(spec: Spec, api: httpx.Client, emu: Emulator) -> None:
    token = {"x-trackstar-access-token": api.post("/sandbox/generate-sandbox/wms").json()["access_token"]}
    window = {"start_time": "2025-01-01T00:00:00Z", "end_time": "2025-03-01T00:00:00Z"}
    job = _check(
        spec,
        api.post("/connections/on-demand-syncs", json={**window, "function_name": "get_orders"}, headers=token),
        200,
        JOB_SCHEMA,
    )
    assert job["status"] == "open"
    path = f"/connections/on-demand-syncs/{job['id']}"
    _check(spec, api.get(path, headers=token), 200, JOB_SCHEMA)
    assert _check(spec, api.post(f"{path}/cancel", headers=token), 200, JOB_SCHEMA)["status"] == "cancelled"
    _check(spec, api.post(f"{path}/cancel", headers=token), 400, _GENERIC_ERROR)
    _check(spec, api.get("/connections/on-demand-syncs/nope", headers=token), 404, _GENERIC_ERROR)
    refused = api.post("/connections/on-demand-syncs", json={**window, "function_name": "get_inventory"}, headers=token)
    assert (
        _check(spec, refused, 400, _GENERIC_ERROR)["error"] == "On-demand sync is not enabled for sandbox get_inventory"
    )
    _check(
        spec,
        api.post("/connections/on-demand-syncs", json={"function_name": "get_orders"}, headers=token),
        422,
        _GENERIC_ERROR,
    )
    stuck = api.post(
        "/connections/on-demand-syncs", json={**window, "function_name": "get_bills"}, headers=token
    ).json()
    httpx.post(f"{emu.url}/_emulator/sync-jobs/{stuck['id']}", json={"status": "stuck"})
    assert (
        _check(spec, api.get(f"/connections/on-demand-syncs/{stuck['id']}", headers=token), 200, JOB_SCHEMA)["status"]
        == "stuck"
    )

    updated = {"$ref": "#/components/schemas/UpdateResponseSchema"}
    _check(spec, api.patch("/schedules/get_orders/toggle", json={"paused": True}, headers=token), 200, updated)
    _check(spec, api.patch("/schedules/get_orders/toggle", json={}, headers=token), 422, _GENERIC_ERROR)
    _check(spec, api.patch("/schedules/get_nothing/toggle", json={"paused": True}, headers=token), 404, _GENERIC_ERROR)
    spec.check("POST", "/connections/sync", api.post("/connections/sync", headers=token), 200)
    item = spec.check("GET", "/connections", api.get("/connections"), 200)["data"][0]
    states = {s["function_name"]: s["sync_status"] for s in item["sync_schedules"]}
    assert states["get_orders"] == "disabled" and states["get_inventory"] == "sync_in_progress"
    _check(spec, api.patch("/schedules/toggle-all", json={"paused": False}, headers=token), 200, updated)
