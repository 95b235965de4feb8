"""The service layer on its own, without CliRunner: use cases over real HTTP to the emulator, with a real
store, taking typed options and returning data (fan-out, write planning, filter parsing, exchange)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from trackstar_cli.config import resolve_settings
from trackstar_cli.errors import NoConnectionError, UsageError
from trackstar_cli.models import Filter
from trackstar_cli.service import Services
from trackstar_cli.service.connections import list_connections, resolve_connection
from trackstar_cli.service.fanout import FanOut, select_connections
from trackstar_cli.service.link import ExchangeOptions, create_link_token, exchange
from trackstar_cli.service.query import ListQuery, parse_filter, parse_since
from trackstar_cli.service.wms import get_item, iter_items
from trackstar_cli.service.writes import ConfirmationRequiredError, WriteOptions, plan_write, send_write
from trackstar_cli.spec import RESOURCES


@pytest.fixture
def svc(emu: Any) -> Iterator[Services]:
    services = Services(resolve_settings())
    yield services
    services.close()


def _link(svc: Services, emu: Any, integration: str, alias: str) -> Any:
    code = emu.issue_auth_code(create_link_token(svc), integration)
    return exchange(svc, ExchangeOptions(code, alias=alias)).connection


def test_exchange_stores_the_connection_and_resolve_picks_the_only_one(svc: Services, emu: Any) -> None:
    with pytest.raises(NoConnectionError):
        resolve_connection(svc, None)
    conn = _link(svc, emu, "sandbox", "sb")
    assert [c.connection_id for c in list_connections(svc)] == [conn.connection_id]
    assert resolve_connection(svc, None).alias == "sb"
    assert resolve_connection(svc, "sb") == resolve_connection(svc, conn.connection_id)


def test_items_stream_with_filters_and_a_limit(svc: Services, emu: Any) -> None:
    conn = _link(svc, emu, "sandbox", "sb")
    inventory = RESOURCES["inventory"]
    first = list(iter_items(svc, inventory, conn, ListQuery(limit=3)))
    assert len(first) == 3
    sku = first[0]["sku"]
    query = ListQuery(filters=(Filter("sku", sku, "in"),))
    assert [i["sku"] for i in iter_items(svc, inventory, conn, query)] == [sku]
    assert get_item(svc, inventory, conn, first[0]["id"])["sku"] == sku
    with pytest.raises(UsageError):
        get_item(svc, inventory, conn, "..")


def test_fan_out_merges_connections_and_records_unsupported_ones(svc: Services, emu: Any) -> None:
    _link(svc, emu, "sandbox", "sb")
    _link(svc, emu, "extensiv-3pl-central", "ext")  # Extensiv has no returns
    conns = select_connections(svc, refs=None, all_connections=True)
    fan = FanOut(svc, RESOURCES["returns"], conns, ListQuery())
    items = list(fan)
    assert items and {i["integration_name"] for i in items} == {"sandbox"}
    by_alias = {o.connection.alias: o for o in fan.outcomes}
    assert by_alias["ext"].unsupported and not by_alias["ext"].failed
    assert by_alias["sb"].items == len(items)


def test_plan_write_builds_the_body_and_sending_a_live_write_needs_confirmation(svc: Services, emu: Any) -> None:
    _link(svc, emu, "shiphero", "sh")  # ShipHero has an adjust variant; ShipBob has none
    opts = WriteOptions(
        endpoint="adjust_inventory",
        item_id="inv_1",
        data='{"warehouse_id": "wh_1"}',
        fields={"quantity": -4, "reason": None},
    )
    plan = plan_write(svc, opts)
    assert plan.variant_source == "write-info"
    assert plan.path == "/wms/inventory/inv_1/adjust" and plan.op.method == "PUT"
    assert plan.body == {"warehouse_id": "wh_1", "quantity": 4, "adjustment_type": "decrease"}
    assert plan.needs_confirmation
    with pytest.raises(ConfirmationRequiredError):
        send_write(svc, plan, confirmed=False)


def test_plan_write_refuses_null_literals_before_anything_is_sent(svc: Services, emu: Any) -> None:
    _link(svc, emu, "sandbox", "sb")
    with pytest.raises(UsageError, match="name"):
        plan_write(svc, WriteOptions(endpoint="create_product", data='{"sku": "A", "name": "null"}'))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sku=A1", Filter("sku", "A1")),
        ("sku[in]=A1,B2", Filter("sku", "A1,B2", "in")),
        ("order_number[eq-insensitive]=x=y", Filter("order_number", "x=y", "eq-insensitive")),
    ],
)
def test_filters_parse_once_into_values(raw: str, expected: Filter) -> None:
    assert parse_filter(raw) == expected
    assert ListQuery(filters=(expected,)).params() == {expected.key: expected.value}


@pytest.mark.parametrize("raw", ["sku", "[in]=a", "sku[like]=a"])
def test_bad_filters_are_usage_errors(raw: str) -> None:
    with pytest.raises(UsageError):
        parse_filter(raw)


@pytest.mark.parametrize("raw", ["99999999999d", "9999-12-31T23:59:59-23:59", "not a date"])
def test_dates_out_of_range_or_malformed_are_usage_errors(raw: str) -> None:
    with pytest.raises(UsageError):
        parse_since(raw)
