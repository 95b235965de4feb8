"""What every write command shares: its options, reading --data, the confirmation, sending and rendering.

The commands themselves are in commands/writes.py and commands/write_*.py.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, confirm, fmt_of, services, stdin_is_tty
from trackstar_cli.commands.views import HELP_FIELD_COLUMNS, WRITE_COMMANDS, WRITE_OPTION_FIELDS, WRITE_SUMMARY
from trackstar_cli.errors import APIConnectionError, APIError, ExitCode, MalformedResponseError, ServerError, UsageError
from trackstar_cli.output import Format, View

if TYPE_CHECKING:
    from trackstar_cli.service.writes import WritePlan, WriteResult

__all__ = [
    "DataOpt",
    "DryRunOpt",
    "HelpFieldsOpt",
    "MeasureOpt",
    "RefOpt",
    "WeightOpt",
    "IdArg",
    "KeyOpt",
    "LineOpt",
    "OrderLineOpt",
    "WarehouseOpt",
    "YesOpt",
    "WriteFlags",
    "measure",
    "opt",
    "run_write",
    "stdin_is_tty",
    "write_command",
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
RefOpt = Annotated[
    str | None,
    typer.Option("--reference-id", help="reference_id (Extensiv: reference_num on returns, reference_number inbound)."),
]
MeasureOpt = Annotated[
    str | None,
    typer.Option("--measurements", metavar="LxWxH(cm|in)", help="measurements length, width, height: 30x20x10cm."),
]
WeightOpt = Annotated[
    str | None, typer.Option("--weight", metavar="N(kg|oz|lb)", help="measurements weight and unit: 1.2kg.")
]
HelpFieldsOpt = Annotated[
    bool,
    typer.Option(
        "--help-fields", help="List the fields the connection's integration takes for this write, and send nothing."
    ),
]

# Body fields that an option of many write commands sets (messages name the option, not the field).
_LINE_OPTIONS = {
    "line_items": "--line",
    "line_items.sku": "--line",
    "line_items.product_id": "--line",
    "line_items.inventory_item_id": "--line",
    "line_items.quantity": "--line",
    "line_items.expected_quantity": "--line",
    "line_items.unit_price": "--line SKU:QTY@PRICE",
    "line_items.unit_cost": "--line SKU:QTY@COST",
    "boxes": "--line",
    "boxes.line_items": "--line",
    "boxes.tracking_number": "--tracking-number",
}
_MEASURE_OPTIONS = {
    "measurements": "--measurements/--weight",
    **{f"measurements.{k}": "--measurements" for k in ("length", "width", "height", "unit")},
    **{f"measurements.{k}": "--weight" for k in ("weight", "weight_unit")},
}


def opt(*decls: str, help: str, **kw: Any) -> Any:
    return typer.Option(*decls, help=help, **kw)


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
    if not confirm(question):
        output.info("Not confirmed: nothing was sent.")
        raise typer.Exit(int(ExitCode.ERROR))
    return True


@dataclass(frozen=True)
class WriteFlags:
    """The options every write command has, passed on as one typed value."""

    data: str | None
    connection: str | None
    idempotency_key: str | None
    dry_run: bool
    yes: bool
    fmt: Format | None
    json_: bool
    help_fields: bool = False


def run_write(
    ctx: typer.Context,
    command: str,
    flags: WriteFlags,
    *,
    item_id: str | None = None,
    fields: dict[str, tuple[str, Any]] | None = None,
    lines: list[str] | None = None,
    tags: list[str] | None = None,
    components: list[str] | None = None,
    upload: Path | None = None,
) -> None:
    from trackstar_cli.service import writes as ws

    fmt_name = fmt_of(flags.fmt, flags.json_)
    svc = services(ctx)
    endpoint, done = WRITE_COMMANDS[command]
    given = dict(fields or {})
    measure = given.pop("measurements", ("", None))[1]
    options = {name: option for name, (option, _) in given.items()}
    if lines is not None:
        options.update(_LINE_OPTIONS)
    if "measurements" in (fields or {}):
        options.update(_MEASURE_OPTIONS)
    if components is not None:
        options.update({"inventory_items": "--component", "inventory_items.sku": "--component"})
        options["inventory_items.unit_quantity"] = "--component"
    if tags is not None:
        options["trackstar_tags"] = "TAG"
    if flags.help_fields:
        rows = ws.help_fields(svc, endpoint, flags.connection, options)
        unknown = (
            f"nothing is known here about {rows.integration}'s fields for {command} (no write-info, not in the table)"
        )
        view = View(HELP_FIELD_COLUMNS, empty=unknown, title=f"{command}: {rows.integration} ({rows.source})")
        output.emit(view, rows.rows, fmt_name)
        return
    text, source = _read_data(flags.data)
    opts = ws.WriteOptions(
        endpoint=endpoint,
        connection=flags.connection,
        item_id=item_id,
        data=text,
        data_source=source,
        fields={name: value for name, (_, value) in given.items()},
        lines=lines or (),
        tags=tags,
        idempotency_key=flags.idempotency_key,
        command=command,
        options=options,
        upload=_read_upload(upload),
        components=components or (),
        measurements=measure,
    )
    plan = ws.plan_write(svc, opts)
    if flags.dry_run:
        described = ws.describe_write(svc, plan)
        output.emit_object(described, Format.ndjson if fmt_name is Format.ndjson else Format.json)
        output.info("Dry run: nothing was sent.")
        return
    try:
        result = ws.send_write(svc, plan, confirmed=flags.yes or _confirm(plan))
    except ws.ConfirmationRequiredError as exc:
        exc.hint = "pass --yes to confirm (nothing was sent; --dry-run shows the request)"
        raise
    except (APIConnectionError, ServerError, MalformedResponseError) as exc:
        # We cannot know whether it was applied; the same key makes a second try safe.
        again = f"repeat it with --idempotency-key {plan.idempotency_key}: Trackstar applies it at most once"
        exc.hint = f"{exc.hint}; {again}" if exc.hint else f"the write may or may not have been applied; {again}"
        raise
    except APIError as exc:
        if exc.status_code == 409:  # the first request with this key is still running at Trackstar
            exc.hint = f"wait a moment, then repeat it with --idempotency-key {plan.idempotency_key}"
        if exc.status_code in (400, 422):
            _name_options(exc)
        raise
    _render(plan, result, fmt_name, command, done)


_FIELD_OPTIONS = {field: option for option, field in WRITE_OPTION_FIELDS.items()} | {
    "warehouse_location_id": "--location",
    "trackstar_tags": "TAG",
}


def _name_options(exc: APIError) -> None:
    """Rewrite a 422's field list so it names our options: `missing --type (adjustment_type)`; fields without an
    option are named as the API does (they go in --data)."""
    detail = exc.body.get("detail") if isinstance(exc.body, dict) else None
    fields = detail.get("json") if isinstance(detail, dict) else None
    if not isinstance(fields, dict) or not fields:
        return
    parts: list[str] = []
    for field, messages in fields.items():
        text = "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
        option = _FIELD_OPTIONS.get(str(field))
        if field == "_schema":
            parts.append(text)
        elif "missing" in text.lower() and "required" in text.lower():
            parts.append(f"missing {option} ({field})" if option else f"missing {field} (in --data)")
        else:
            parts.append(f"{option} ({field}): {text}" if option else f"{field}: {text}")
    head = str(exc.body.get("error") or "the API refused the body") if isinstance(exc.body, dict) else exc.message
    exc.message = f"{head}: {', '.join(parts)}"


_MAX_UPLOAD = 50 * 1024 * 1024  # bytes read into memory for one multipart upload


def write_command(
    *, data: bool = True, help_fields: bool = True
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a write command the options every write takes, after its own: [--data], --connection,
    --idempotency-key, --dry-run, --yes, --output, --json[, --help-fields]. The command declares a keyword-only
    `flags: WriteFlags` and receives them in it (Typer sees the options, never `flags`)."""
    common: list[tuple[str, Any, Any]] = [("data", DataOpt, None)] if data else []
    common += [
        ("connection", ConnectionOpt, None),
        ("idempotency_key", KeyOpt, None),
        ("dry_run", DryRunOpt, False),
        ("yes", YesOpt, False),
        ("fmt", FormatOpt, None),
        ("json_", JsonOpt, False),
    ]
    if help_fields:
        common.append(("help_fields", HelpFieldsOpt, False))
    names = [name for name, _, _ in common]

    def wrap(fn: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(fn).parameters.values() if p.name != "flags"]

        @functools.wraps(fn)
        def command(*args: Any, **kwargs: Any) -> None:
            given = {name: kwargs.pop(name) for name in names}
            fn(*args, **kwargs, flags=WriteFlags(**{"data": None, "help_fields": False, **given}))

        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        params = own + [inspect.Parameter(n, kind, annotation=a, default=d) for n, a, d in common]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        return command

    return wrap


def measure(measurements: str | None, weight: str | None) -> tuple[str, Any]:
    return "--measurements/--weight", (measurements, weight) if (measurements or weight) else None


def _read_upload(path: Path | None) -> tuple[str, bytes, str] | None:
    if path is None:
        return None
    import mimetypes

    path = path.expanduser()
    try:
        size = path.stat().st_size
        if size > _MAX_UPLOAD:
            raise UsageError(f"{path} is {size} bytes; the CLI uploads at most {_MAX_UPLOAD} bytes")
        content = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return path.name, content, mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _render(plan: "WritePlan", result: "WriteResult", fmt_name: Format, command: str, done: str) -> None:
    conn = plan.connection
    if result.replayed:
        output.info(
            f"Trackstar replayed its stored reply for Idempotency-Key {plan.idempotency_key}: "
            "the write was not applied again."
        )
    if result.unused_fields:
        output.warn(f"{conn.integration_name} did not use these fields: {', '.join(result.unused_fields)}")
    if fmt_name in (Format.json, Format.ndjson):
        output.emit_object(result.envelope, fmt_name)
        return
    group = command.split()[0]
    if not isinstance(result.data, dict):  # attach-file answers {"data": "success"}
        note = f"{done} {result.id or ''} on connection {plan.label} ({conn.integration_name})."
        output.emit_object({"id": result.id, "result": result.data}, fmt_name, note=note)
        return
    data: dict[str, Any] = dict(result.data)
    if isinstance(data.get("line_items"), list):  # a table cell: "TEE-RED x2, MUG x1", not a JSON dump
        data["line_items"] = ", ".join(_line_cell(line) for line in data["line_items"])
    note = f"{done} {result.id or ''} on connection {plan.label} ({conn.integration_name})."
    output.emit_object(data, fmt_name, WRITE_SUMMARY[group], note=note)


def _line_cell(line: Any) -> str:
    if not isinstance(line, dict):
        return str(line)
    qty = line.get("quantity", line.get("expected_quantity"))
    return f"{line.get('sku') or line.get('product_id') or '?'} x{qty}"
