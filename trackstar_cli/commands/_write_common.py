"""What every write command shares: its options, reading --data, the confirmation, sending and rendering.

The commands themselves are in commands/writes.py.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import fmt_of, services, stdin_is_tty
from trackstar_cli.errors import ExitCode, UsageError
from trackstar_cli.resources import QUANTITY_COLUMNS, Column

if TYPE_CHECKING:
    from trackstar_cli.service.writes import WritePlan, WriteResult

__all__ = [
    "DataOpt",
    "DryRunOpt",
    "IdArg",
    "KeyOpt",
    "LineOpt",
    "OrderLineOpt",
    "WarehouseOpt",
    "YesOpt",
    "common_options",
    "opt",
    "run_write",
    "stdin_is_tty",
]

# -- shared options --------------------------------------------------------------------------------------

DataOpt = Annotated[
    str | None,
    typer.Option(
        "--data",
        "-d",
        metavar="JSON|@FILE|-",
        help="Request body: a JSON object, @file.json, or - for standard input. Options override its keys.",
    ),
]
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        metavar="KEY",
        help="Idempotency-Key to send (default: a new uuid4). Reuse a key to repeat a write safely.",
    ),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the request (secrets redacted) as JSON and send nothing.")
]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask before writing to a connection that is not the sandbox.")
]
LineOpt = Annotated[
    list[str] | None,
    typer.Option("--line", metavar="SKU:QTY", help="A line item (repeatable); replaces line_items of --data."),
]
OrderLineOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--line",
        metavar="SKU_OR_PRODUCT:QTY",
        help="A line item (repeatable): a SKU (looked up to fill product_id) or a product id, and a quantity.",
    ),
]
IdArg = Annotated[str, typer.Argument(metavar="ID", help="The id of the item to write to.")]
WarehouseOpt = Annotated[str | None, typer.Option("--warehouse", help="warehouse_id.")]


def opt(*decls: str, help: str, **kw: Any) -> Any:
    return typer.Option(*decls, help=help, **kw)


# -- what a terminal shows after a write -------------------------------------------------------------------

_SUMMARY: dict[str, tuple[Column, ...]] = {
    "orders": (
        Column("id", "id"),
        Column("order_number", "order_number"),
        Column("status", "status"),
        Column("warehouse_id", "warehouse_id"),
        Column("line_items", "line_items"),
        Column("trackstar_tags", "trackstar_tags"),
    ),
    "products": (Column("id", "id"), Column("sku", "sku"), Column("name", "name"), Column("gtin", "gtin")),
    "inventory": (Column("id", "id"), Column("sku", "sku"), *QUANTITY_COLUMNS),
    "inbound-shipments": (
        Column("id", "id"),
        Column("purchase_order_number", "purchase_order_number"),
        Column("status", "status"),
        Column("warehouse_id", "warehouse_id"),
        Column("line_items", "line_items"),
    ),
    "returns": (Column("id", "id"), Column("order_id", "order_id"), Column("status", "status")),
    "tags": (Column("id", "id"), Column("trackstar_tags", "trackstar_tags")),
}


def _read_data(value: str | None) -> tuple[str | None, str]:
    """--data TEXT, @FILE or - → (text, where it came from)."""
    if value is None:
        return None, "--data"
    if value == "-":
        return sys.stdin.read(), "--data - (standard input)"
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            return path.read_text(encoding="utf-8"), f"--data @{path}"
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read --data file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return value, "--data"


def _confirm(plan: "WritePlan") -> bool:
    """Ask on a terminal; without one the service refuses unless --yes was given."""
    if not plan.needs_confirmation or not stdin_is_tty():
        return False
    conn = plan.connection
    question = (
        f"{plan.op.method} {plan.path} writes to {conn.integration_name} connection {plan.label}, a live WMS. Send it?"
    )
    try:
        confirmed = typer.confirm(question, default=False, err=True)
    except typer.Abort:  # end of input (Ctrl-D) at the question
        output.info("")
        confirmed = False
    if not confirmed:
        output.info("Not confirmed: nothing was sent.")
        raise typer.Exit(int(ExitCode.ERROR))
    return True


def run_write(
    ctx: typer.Context,
    command: str,
    *,
    item_id: str | None = None,
    fields: dict[str, Any] | None = None,
    lines: list[str] | None = None,
    tags: list[str] | None = None,
    data: str | None = None,
    connection: str | None,
    idempotency_key: str | None,
    dry_run: bool,
    yes: bool,
    fmt: Any,
    json_: bool,
) -> None:
    from trackstar_cli.service import writes as ws

    fmt_name = fmt_of(fmt, json_)
    text, source = _read_data(data)
    svc = services(ctx)
    plan = ws.plan_write(
        svc,
        command,
        connection=connection,
        item_id=item_id,
        data=text,
        data_source=source,
        fields=fields,
        lines=lines or (),
        tags=tags,
        idempotency_key=idempotency_key,
    )
    if dry_run:
        output.render_object(ws.describe_write(svc, plan), "ndjson" if fmt_name == "ndjson" else "json")
        output.info("Dry run: nothing was sent.")
        return
    result = ws.send_write(svc, plan, confirmed=yes or _confirm(plan))
    _render(plan, result, fmt_name)


def _render(plan: "WritePlan", result: "WriteResult", fmt_name: str) -> None:
    conn = plan.connection
    if result.replayed:
        output.info(
            f"Trackstar replayed its stored reply for Idempotency-Key {plan.idempotency_key}: "
            "the write was not applied again."
        )
    if result.unused_fields:
        output.warn(f"{conn.integration_name} did not use these fields: {', '.join(result.unused_fields)}")
    if fmt_name in ("json", "ndjson"):
        output.render_object(result.envelope, fmt_name)
        return
    group = plan.op.command.split()[0]
    data: dict[str, Any] = dict(result.data) if isinstance(result.data, dict) else {"id": result.id}
    if isinstance(data.get("line_items"), list):  # a table cell: "TEE-RED x2, MUG x1", not a JSON dump
        data["line_items"] = ", ".join(_line_cell(line) for line in data["line_items"])
    if fmt_name == "table":
        output.info(f"{plan.op.done} {result.id or ''} on connection {plan.label} ({conn.integration_name}).")
    output.render_object(data, fmt_name, _SUMMARY[group])


def _line_cell(line: Any) -> str:
    if not isinstance(line, dict):
        return str(line)
    qty = line.get("quantity", line.get("expected_quantity"))
    return f"{line.get('sku') or line.get('product_id') or '?'} x{qty}"


def common_options(values: dict[str, Any]) -> dict[str, Any]:
    """The options every write shares, picked from a command's locals()."""
    names = ("data", "connection", "idempotency_key", "dry_run", "yes", "fmt", "json_")
    return {n: values[n] for n in names if n in values}
