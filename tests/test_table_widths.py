"""Every table at 80 and 120 columns, rendered by the real CLI in a pseudo-terminal against the emulator:
no line is wider than the terminal and no identifier (ids, SKUs, statuses, dates) is split across lines."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import connect
from tests.test_hostile_terminal import run_in_pty

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# (command, JSON command or None, the JSON fields whose values must appear unbroken in the table)
TABLES: list[tuple[tuple[str, ...], tuple[str, ...] | None, tuple[str, ...]]] = [
    (("inventory", "list", "-n", "40"), None, ("sku",)),
    (("inventory", "list", "-n", "20", "--by-warehouse"), ("inventory", "list", "-n", "20"), ("sku",)),
    (("inventory", "ledger", "-n", "20"), None, ("sku", "entry_date")),
    (("inventory", "summary"), None, ("sku",)),
    (("products", "list", "-n", "20"), None, ("id", "sku")),
    (("orders", "list", "-n", "20"), None, ("id", "order_number", "status")),
    (("orders", "channels"), None, ("id",)),
    (("inbound-shipments", "list", "-n", "20"), None, ("id", "purchase_order_number", "status")),
    (("inbound-shipments", "suppliers"), None, ("id",)),
    (("returns", "list", "-n", "20"), None, ("id", "order_id", "status")),
    (("warehouses", "list"), None, ("id",)),
    (("warehouse-customers", "list"), None, ("id",)),
    (("shipping-methods", "list"), None, ("id",)),
    (("bills", "list", "-n", "20"), None, ("id", "charge_type")),
    (("labor-activities", "list", "-n", "20"), None, ("id", "activity_type")),
    (("connections", "list"), None, ("connection_id",)),
    (("connections", "list", "--remote"), None, ("connection_id",)),
    (("connections", "reconcile"), None, ("connection_id", "status")),
    (("integrations", "list"), None, ("integration_name",)),
    (("webhooks", "types"), None, ("event_type",)),
    (("schedules", "list"), None, ("function_name",)),
    (("config", "list"), None, ()),
    (("profiles", "list"), None, ()),
    (("integrations", "write-info", "shiphero"), None, ()),
]


@pytest.fixture(scope="module")
def linked(emulator: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One sandbox connection in a TRACKSTAR_HOME shared by the module's pty runs."""
    home = tmp_path_factory.mktemp("widths")
    return {"TRACKSTAR_HOME": str(home), "TRACKSTAR_BASE_URL": emulator.url, "TRACKSTAR_API_KEY": emulator.api_key}


@pytest.fixture
def env(linked: dict[str, str], cli: Any, emu: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in linked.items():
        monkeypatch.setenv(key, value)
    if cli("connections", "list", "--json").json() == []:
        connect(cli, emu, "sandbox", "sb")
    return linked


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(("command", "json_command", "fields"), TABLES, ids=lambda v: " ".join(v) if v else "")
def test_table_fits_and_never_splits_an_identifier(
    env: dict[str, str], cli: Any, columns: int, command: tuple[str, ...], json_command: Any, fields: tuple[str, ...]
) -> None:
    code, raw = run_in_pty(*command, "--no-pager", columns=columns)
    assert code == 0, raw
    screen = ANSI.sub("", raw.decode("utf-8", "replace")).replace("\r", "")
    lines = [line for line in screen.split("\n") if line]
    assert lines, "no output"
    from rich.cells import cell_len

    # table lines and notes; a suggested command may be longer than the terminal and wraps there as a whole
    too_wide = [line for line in lines if cell_len(line) > columns and "trackstar " not in line]
    assert not too_wide, f"wider than {columns}: {too_wide[:2]}"
    items = cli(*(json_command or command), "--json").json()
    rows = items if isinstance(items, list) else [items]
    table_lines = [line for line in lines if "│" in line]
    for item in rows[:40]:
        for field in fields:
            value = item.get(field)
            if value in (None, ""):
                continue
            value = str(value)
            assert any(value in line for line in table_lines), f"{field} {value!r} is split or missing at {columns}"


def test_hidden_columns_are_named_in_a_footer_and_wide_shows_them(env: dict[str, str]) -> None:
    _, narrow = run_in_pty("inventory", "list", "-n", "5", "--no-pager", columns=80)
    text = ANSI.sub("", narrow.decode())
    assert "hidden to fit: unfulfillable" in text and "--wide" in text
    _, wide = run_in_pty("inventory", "list", "-n", "5", "--no-pager", "--wide", columns=80)
    assert "unfulfillable" in ANSI.sub("", wide.decode()).split("\n")[1]


def test_reconcile_fixes_are_lines_under_the_table(env: dict[str, str], cli: Any) -> None:
    from tests.conftest import add_connection

    add_connection("conn_gone_1", alias="gone")
    _, raw = run_in_pty("connections", "reconcile", "--no-pager", columns=80)
    text = ANSI.sub("", raw.decode()).replace("\r", "")
    assert "To fix:" in text and "  gone: trackstar connections remove gone" in text
    table = [line for line in text.split("\n") if "│" in line]
    assert not any("trackstar connections remove" in line for line in table)
    csv_head = cli("connections", "reconcile", "-o", "csv").stdout.splitlines()[0]
    assert csv_head.endswith(",fix")
    cli("connections", "remove", "gone")


def test_a_long_listing_streams_in_chunks_that_line_up(env: dict[str, str]) -> None:
    _, raw = run_in_pty("inventory", "list", "-n", "150", "--no-pager", columns=100)
    lines = [line for line in ANSI.sub("", raw.decode()).replace("\r", "").split("\n") if line.startswith("│")]
    assert len(lines) == 150  # 150 rows (the header row is drawn with ┃), in two chunks of the renderer
    assert len({len(line) for line in lines}) == 1, "later chunks keep the first chunk's column widths"
    assert raw.count("┏".encode()) == 1 and raw.count("└".encode()) == 1  # one table, one top, one bottom


def test_json_for_the_same_listing_is_unchanged(env: dict[str, str], cli: Any) -> None:
    items = cli("inventory", "list", "-n", "3", "--json").json()
    assert json.loads(json.dumps(items)) == items and len(items) == 3


def test_the_footer_offers_wide_only_where_the_command_has_it(env: dict[str, str]) -> None:
    _, raw = run_in_pty("connections", "list", "--no-pager", columns=60)
    text = ANSI.sub("", raw.decode()).replace("\r", "").replace("\n", " ")
    assert "hidden to fit" in text and "-o json shows all" in text and "--wide" not in text
