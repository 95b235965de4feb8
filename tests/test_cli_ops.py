"""Operating connections through the real CLI over real HTTP to the in-process emulator: magic links (and
waiting for the customer), waiting for the first sync, force sync --wait, backfill jobs (completed, stuck,
cancelled, timed out, refused), schedules pause/resume and connection settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import connect
from trackstar_cli.commands.magic_links import IntegrationType
from trackstar_cli.errors import ExitCode
from trackstar_cli.service import backfills as backfill_service
from trackstar_cli.service import magic_links as magic_service

FAST = ("--interval", "0.2")


@pytest.fixture
def ops(emu: Any) -> Iterator[Any]:
    """The module's emulator with short simulated durations, restored afterwards."""
    state = emu.state
    saved = (state.first_sync_seconds, state.sync_seconds, state.job_seconds)
    state.first_sync_seconds, state.sync_seconds, state.job_seconds = 0.6, 0.4, 0.4
    yield emu
    state.first_sync_seconds, state.sync_seconds, state.job_seconds = saved


def in_background(action: Callable[[], None]) -> threading.Thread:
    """Run what the customer (or Trackstar) does while the CLI waits in the foreground."""
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    return thread


def until(found: Callable[[], Any], limit: float = 20.0) -> Any:
    """Spin (bounded) until `found()` is truthy; used by background actions, never for assertions."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.05)
    return None


def remote(emu: Any, cid: str) -> dict[str, Any]:
    reply = httpx.get(f"{emu.url}/connections/{cid}", headers={"x-trackstar-api-key": emu.api_key})
    return dict(reply.json()["data"][0])


def statuses(emu: Any, cid: str) -> dict[str, str]:
    return {s["function_name"]: s["sync_status"] for s in remote(emu, cid)["sync_schedules"]}


def schedule(emu: Any, cid: str, name: str) -> dict[str, Any]:
    return next(s for s in remote(emu, cid)["sync_schedules"] if s["function_name"] == name)


def ready(cli: Any, emu: Any, integration: str = "sandbox", name: str = "sb") -> str:
    """Connect a WMS and wait for its first sync; returns the connection id."""
    cid = str(connect(cli, emu, integration, name=name)["connection_id"])
    waited = cli("connections", "wait", name, "--wait-timeout", "30", *FAST)
    assert waited.exit_code == 0, waited.stderr
    return cid


def test_integration_type_enum_matches_the_service():
    assert tuple(t.value for t in IntegrationType) == magic_service.MAGIC_LINK_TYPES


# -- magic links -----------------------------------------------------------------------------------------


def test_magic_links_create_list_show_delete(cli, ops):
    made = cli(
        "magic-links", "create", "--customer-id", "cust_ml1", "--allow", "shipbob,shiphero", "--days", "3", "--json"
    )
    assert made.exit_code == 0, made.stderr
    link = made.json()
    assert link["customer_id"] == "cust_ml1" and link["integration_allow_list"] == ["shipbob", "shiphero"]
    assert link["url"] == f"{ops.url}/_emulator/magic-links/{link['id']}"
    page = httpx.get(link["url"])
    assert (
        page.status_code == 200 and "ShipBob" in page.text and "ShipHero" in page.text and "Extensiv" not in page.text
    )

    listed = cli("magic-links", "list", "--json")
    assert listed.exit_code == 0 and link["id"] in [item["id"] for item in listed.json()]
    shown = cli("magic-links", "show", link["id"], "--json")
    assert shown.exit_code == 0 and shown.json()["expires_at"] == link["expires_at"]

    gone = cli("magic-links", "delete", link["id"], "-o", "table")
    assert gone.exit_code == 0 and f"Deleted magic link {link['id']}" in gone.stderr
    missing = cli("magic-links", "show", link["id"])
    assert missing.exit_code == ExitCode.NOT_FOUND
    assert missing.stderr.startswith("error: Magic link") and "magic-links list" in missing.stderr
    assert httpx.get(link["url"]).status_code == 404


def test_magic_link_options_that_cannot_work_are_refused_before_sending(cli, ops):
    before = len(ops.state.magic_links)
    both = cli("magic-links", "create", "--allow", "shipbob", "--block", "shiphero")
    assert both.exit_code == ExitCode.USAGE and both.stderr.startswith("error: --allow and --block")
    reinstall_wait = cli("magic-links", "create", "--connection-id", ops.state.sandbox_id, "--wait")
    assert reinstall_wait.exit_code == ExitCode.USAGE and "reinstall" in reinstall_wait.stderr
    assert len(ops.state.magic_links) == before


def test_magic_link_wait_ends_when_the_customer_connects_and_says_how_to_store_the_token(cli, ops):
    def customer() -> None:
        link = until(lambda: next((m for m in ops.state.magic_links.values() if m.customer_id == "cust_wait"), None))
        if link is not None:  # what a click on ShipBob on the hosted page sends
            httpx.post(f"{ops.url}/_emulator/magic-links/{link.id}", json={"integration_name": "shipbob"})

    in_background(customer)
    done = cli("magic-links", "create", "--customer-id", "cust_wait", "--wait", "--wait-timeout", "30", *FAST, "--json")
    assert done.exit_code == 0, done.stderr
    conn = done.json()["connection"]
    assert conn["customer_id"] == "cust_wait" and conn["integration_name"] == "shipbob"
    assert done.json()["stored"] is False
    cid = conn["connection_id"]
    assert f"trackstar connections add --connection-id {cid} --access-token-stdin" in done.stderr
    assert "connection.created" in done.stderr


def test_magic_link_wait_ignores_connections_of_other_customers_and_times_out(cli, ops):
    def someone_else() -> None:
        link = until(lambda: next((m for m in ops.state.magic_links.values() if m.customer_id == "cust_slow"), None))
        if link is not None:
            with ops.state.lock:
                ops.state._new_connection("shiphero", "cust_other")

    in_background(someone_else)
    late = cli("magic-links", "create", "--customer-id", "cust_slow", "--wait", "--wait-timeout", "1", *FAST)
    assert late.exit_code == ExitCode.TIMED_OUT
    assert "error: timed out after 1s waiting for a connection made with the magic link" in late.stderr
    assert "waiting for customer cust_slow to connect" in late.stderr  # the progress line


def test_hostile_magic_link_text_is_escaped_in_tables(cli, ops):
    made = cli("magic-links", "create", "--customer-id", "evil\x1b[2J[red]x[/red]\u202e", "--json")
    assert made.exit_code == 0, made.stderr
    table = cli("magic-links", "list", "-o", "table")
    assert table.exit_code == 0
    assert "\x1b" not in table.stdout and "\u202e" not in table.stdout
    assert "evil\\x1b[2J[red]x[/red]\\u202e" in table.stdout
    raw = cli("magic-links", "show", made.json()["id"], "--json")
    assert raw.json()["customer_id"] == "evil\x1b[2J[red]x[/red]\u202e"  # machine formats keep the data exact


# -- first sync and force sync ---------------------------------------------------------------------------


def test_connections_wait_returns_when_the_first_sync_is_done(cli, ops):
    ops.state.first_sync_seconds = 1.5
    cid = connect(cli, ops, "shipbob", name="fresh")["connection_id"]
    assert "first_sync_in_progress" in statuses(ops, cid).values()
    waited = cli("connections", "wait", "fresh", "--wait-timeout", "30", *FAST, "--json")
    assert waited.exit_code == 0, waited.stderr
    rows = waited.json()
    assert rows and {r["sync_status"] for r in rows} == {"enabled"}
    assert set(statuses(ops, cid).values()) == {"enabled"}
    assert "resources done" in waited.stderr


def test_connections_wait_accepts_an_id_that_is_not_stored(cli, ops):
    with ops.state.lock:
        cid = ops.state._new_connection("shiphero", "cust_unstored").connection_id
    waited = cli("connections", "wait", cid, "--wait-timeout", "30", *FAST, "--json")
    assert waited.exit_code == 0, waited.stderr
    assert [r["function_name"] for r in waited.json()]


def test_connections_wait_times_out_with_its_exit_code(cli, ops):
    ops.state.first_sync_seconds = 3600
    connect(cli, ops, "shipbob", name="slow")
    late = cli("connections", "wait", "slow", "--wait-timeout", "0.6", *FAST)
    assert late.exit_code == ExitCode.TIMED_OUT == 14
    assert "error: timed out after 0.6s waiting for the first sync" in late.stderr
    assert "trackstar connections wait slow" in late.stderr  # the hint says how to wait again


def test_bad_timeout_is_a_usage_error(cli, ops):
    bad = cli("connections", "wait", "--wait-timeout", "99999999")
    assert bad.exit_code == ExitCode.USAGE and bad.stderr.startswith("error: --wait-timeout")


def test_sync_wait_waits_for_a_new_crawl_of_each_function(cli, ops):
    cid = ready(cli, ops)
    crawls = ops.state.connections[cid].crawls
    before = {name: crawls[name].start for name in ("get_orders", "get_inventory")}
    ops.state.sync_seconds = 1.2
    done = cli("connections", "sync", "sb", "--functions", "get_orders,get_inventory", "--wait", *FAST, "--json")
    assert done.exit_code == 0, done.stderr
    now = ops.state.clock()
    for name, started in before.items():  # a new crawl of each ran, and had ended when the command returned
        assert crawls[name].start > started and crawls[name].end <= now
    rows = {r["function_name"]: r for r in done.json()}
    assert set(rows) == {"get_orders", "get_inventory"} and {r["sync_status"] for r in rows.values()} == {"enabled"}
    assert "0/2 functions done" in done.stderr  # the progress line while the crawls ran


# -- backfill jobs ---------------------------------------------------------------------------------------


def test_backfill_wait_completes(cli, ops):
    ready(cli, ops)
    done = cli(
        "connections",
        "backfill",
        "sb",
        "-f",
        "get_orders",
        "--since",
        "2025-01-01",
        "--until",
        "2025-06-30",
        "--wait",
        *FAST,
        "--json",
    )
    assert done.exit_code == 0, done.stderr
    job = done.json()
    assert job["status"] == "completed" and job["function_name"] == "get_orders"
    assert job["requested_start_time"] == "2025-01-01T00:00:00Z"
    assert job["requested_end_time"] == "2025-06-30T00:00:00Z"
    listed = cli("connections", "jobs", "--json")
    assert [j["status"] for j in listed.json() if j["id"] == job["id"]] == ["completed"]


def test_backfill_that_gets_stuck_exits_11(cli, ops):
    ready(cli, ops)
    ops.state.job_seconds = 3600
    known = set(ops.state.sync_jobs)

    def trackstar_gets_stuck() -> None:
        job_id = until(lambda: next(iter(set(ops.state.sync_jobs) - known), None))
        if job_id:
            httpx.post(f"{ops.url}/_emulator/sync-jobs/{job_id}", json={"status": "stuck"})

    in_background(trackstar_gets_stuck)
    stuck = cli(
        "connections", "backfill", "sb", "-f", "get_bills", "--since", "30d", "--wait", "--wait-timeout", "30", *FAST
    )
    assert stuck.exit_code == ExitCode.SYNC_FAILED == 15
    assert "error: backfill job" in stuck.stderr and "ended stuck" in stuck.stderr


def test_backfill_cancel_then_wait_reports_cancelled(cli, ops):
    ready(cli, ops)
    ops.state.job_seconds = 3600
    started = cli("connections", "backfill", "sb", "-f", "get_returns", "--since", "2025-01-01", "--json")
    assert started.exit_code == 0, started.stderr
    job_id = started.json()["id"]
    assert started.json()["status"] == "open"
    cancelled = cli("connections", "backfill", "--cancel", job_id, "--json")
    assert cancelled.exit_code == 0, cancelled.stderr
    assert cancelled.json()["status"] == "cancelled"
    assert ops.state.sync_jobs[job_id].status(ops.state.clock()) == "cancelled"
    again = cli("connections", "backfill", "--cancel", job_id)
    assert again.exit_code == ExitCode.REJECTED and "Only open sync jobs can be cancelled" in again.stderr
    waited = cli("connections", "jobs", job_id, "--wait", *FAST)
    assert waited.exit_code == ExitCode.SYNC_FAILED and "ended cancelled" in waited.stderr


def test_backfill_wait_times_out_and_the_job_stays_open(cli, ops):
    ready(cli, ops)
    ops.state.job_seconds = 3600
    late = cli(
        "connections", "backfill", "sb", "-f", "get_products", "--since", "7d", "--wait", "--wait-timeout", "0.5", *FAST
    )
    assert late.exit_code == ExitCode.TIMED_OUT and "error: timed out" in late.stderr
    assert "trackstar connections jobs" in late.stderr and "--wait" in late.stderr
    assert any(
        j.status(ops.state.clock()) == "open" and j.function_name == "get_products"
        for j in ops.state.sync_jobs.values()
    )


def test_backfill_an_integration_cannot_do_is_trackstars_400(cli, ops):
    connect(cli, ops, "extensiv-3pl-central", name="ext")
    refused = cli("connections", "backfill", "ext", "-f", "get_returns", "--since", "2025-01-01")
    assert refused.exit_code == ExitCode.REJECTED
    assert "error: On-demand sync is not enabled for extensiv-3pl-central get_returns (HTTP 400" in refused.stderr
    assert "hint: extensiv-3pl-central cannot backfill get_returns" in refused.stderr


def test_backfill_checks_its_options_before_sending(cli, ops):
    ready(cli, ops)
    count = len(ops.state.sync_jobs)
    for args, text in (
        (("-f", "get_inventory", "--since", "7d"), "cannot be backfilled"),
        (("-f", "get_orders", "--since", "2025-02-01", "--until", "2025-01-01"), "must be before --until"),
        (("-f", "get_orders", "--since", "yesterday"), "invalid date"),
        (
            (
                "-f",
                "get_orders",
            ),
            "--function and --since are required",
        ),
    ):
        bad = cli("connections", "backfill", "sb", *args)
        assert bad.exit_code == ExitCode.USAGE and text in bad.stderr, (args, bad.stderr)
    assert len(ops.state.sync_jobs) == count


def test_on_demand_syncs_path_is_routed_not_405(ops):
    reply = httpx.post(f"{ops.url}/connections/on-demand-syncs", headers={"x-trackstar-api-key": ops.api_key})
    assert reply.status_code == 401  # needs an access token, like every connection-scoped endpoint: not 405


# -- schedules and settings ------------------------------------------------------------------------------


def test_paused_function_is_disabled_and_skipped_by_syncs_until_resumed(cli, ops):
    cid = ready(cli, ops)
    paused = cli("schedules", "pause", "get_orders", "-c", "sb")
    assert paused.exit_code == 0 and "Paused get_orders on sb" in paused.stderr
    assert statuses(ops, cid)["get_orders"] == "disabled"
    frozen = schedule(ops, cid, "get_orders")

    synced = cli("connections", "sync", "sb", "--wait", *FAST, "--json")
    assert synced.exit_code == 0, synced.stderr
    assert "get_orders" not in {r["function_name"] for r in synced.json()}
    assert "get_inventory" in {r["function_name"] for r in synced.json()}
    assert schedule(ops, cid, "get_orders") == frozen  # what Trackstar has for it stopped changing

    listed = cli("schedules", "list", "-c", "sb", "--json")
    assert {r["function_name"]: r["sync_status"] for r in listed.json()}["get_orders"] == "disabled"
    assert cli("schedules", "resume", "get_orders", "-c", "sb").exit_code == 0
    assert statuses(ops, cid)["get_orders"] == "enabled"

    assert cli("schedules", "pause", "--all", "-c", "sb").exit_code == 0
    assert set(statuses(ops, cid).values()) == {"disabled"}
    assert cli("schedules", "resume", "--all", "-c", "sb").exit_code == 0
    assert "disabled" not in statuses(ops, cid).values()


def test_schedules_need_functions_or_all(cli, ops):
    ready(cli, ops)
    for args in ((), ("get_orders", "--all"), ("get_everything",)):
        bad = cli("schedules", "pause", *args, "-c", "sb")
        assert bad.exit_code == ExitCode.USAGE and bad.stderr.startswith("error: "), args


def test_connections_update_sets_customer_id_and_mutes_webhooks(cli, ops):
    cid = connect(cli, ops, "shiphero", name="hero")["connection_id"]
    done = cli("connections", "update", "hero", "--customer-id", "cust_77", "--webhooks", "off", "--json")
    assert done.exit_code == 0, done.stderr
    assert done.json() == {"id": cid, "object": "connection", "updated": True}
    conn = ops.state.connections[cid]
    assert conn.customer_id == "cust_77" and conn.webhooks_disabled is True
    assert cli("connections", "show", "hero", "--json").json()["customer_id"] == "cust_77"
    assert cli("connections", "update", "hero", "--webhooks", "on").exit_code == 0
    assert ops.state.connections[cid].webhooks_disabled is False
    nothing = cli("connections", "update", "hero")
    assert nothing.exit_code == ExitCode.USAGE and "nothing to update" in nothing.stderr


def test_the_on_demand_functions_match_the_emulator():
    from trackstar_cli.emulator import syncs as emulator_syncs

    assert backfill_service.ON_DEMAND_FUNCTIONS == emulator_syncs.ON_DEMAND_FUNCTIONS
