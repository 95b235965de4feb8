"""What list commands share: the typed arguments of a list (`ListArgs`), their query, and the fan-out report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from trackstar_cli import output
from trackstar_cli.errors import ExitCode, TrackstarError, UsageError
from trackstar_cli.models import Connection, Filter, ListMeta
from trackstar_cli.output import Format, Rows
from trackstar_cli.service.core import Services
from trackstar_cli.service.fanout import ConnectionOutcome, FanOut, select_connections
from trackstar_cli.service.query import ListQuery, parse_filter, parse_since
from trackstar_cli.spec import Resource

__all__ = ["DATES", "SHORTCUTS", "ListArgs", "Shortcut", "fan_out", "finish_fan_out", "with_connection_label"]


@dataclass(frozen=True)
class Shortcut:
    """An option that stands for an API filter: repeatable values become `field[in]=a,b`."""

    option: str
    field: str
    help: str
    op: str = "in"  # "in" (repeatable), "eq", "gte" or "lte" (dates)

    @property
    def param(self) -> str:
        """The command function's parameter name: --order-number → order_number."""
        return self.option.lstrip("-").replace("-", "_")

    def filter(self, value: str | Sequence[str], choices: Sequence[str] = ()) -> Filter:
        for one in [value] if isinstance(value, str) else value:
            if choices and one not in choices:
                raise UsageError(f"invalid {self.option} {one!r}: {did_you_mean(one, choices)}")
        if isinstance(value, str):
            if self.op in ("gte", "lte"):
                return Filter(self.field, parse_since(value), self.op)
            return Filter(self.field, value, None if self.op == "eq" else self.op)
        return Filter(self.field, value[0]) if len(value) == 1 else Filter(self.field, ",".join(value), "in")


DATES = (
    Shortcut("--created-since", "created_date", "Only items created at or after this date or age (7d, 12h).", "gte"),
    Shortcut("--created-until", "created_date", "Only items created at or before this date.", "lte"),
    Shortcut("--updated-since", "updated_date", "Only items updated at or after this date or age (7d, 12h).", "gte"),
    Shortcut("--updated-until", "updated_date", "Only items updated at or before this date.", "lte"),
)
_STATUS = Shortcut("--status", "status", "Only these statuses (repeatable).")

SHORTCUTS: dict[str, tuple[Shortcut, ...]] = {
    "inventory": (Shortcut("--sku", "sku", "Only these SKUs (repeatable)."),),
    "products": (Shortcut("--sku", "sku", "Only these SKUs (repeatable)."),),
    "orders": (
        _STATUS,
        Shortcut("--order-number", "order_number", "Only these order numbers (repeatable)."),
        Shortcut("--type", "type", "Only these order types (repeatable)."),
    ),
    "inbound-shipments": (
        _STATUS,
        Shortcut("--warehouse", "warehouse_id", "Only this warehouse id.", "eq"),
        Shortcut("--po", "purchase_order_number", "Only these purchase order numbers (repeatable)."),
    ),
    "returns": (_STATUS,),
    "inventory-ledger": (Shortcut("--event-type", "event_type", "Only these event types (repeatable)."),),
    "warehouse-locations": (Shortcut("--type", "type", "Only these location types (repeatable)."),),
    "labor-activities": (
        Shortcut("--activity-type", "activity_type", "Only this activity type.", "eq"),
        Shortcut("--warehouse", "warehouse_id", "Only this warehouse id.", "eq"),
        Shortcut("--user", "user_id", "Only this user id.", "eq"),
    ),
}


def did_you_mean(value: str, choices: Sequence[str]) -> str:
    """`choose from a, b, c` and, when one is close, `(did you mean 'b'?)`."""
    import difflib

    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return "choose from " + ", ".join(choices) + (f" (did you mean {close[0]!r}?)" if close else "")


def shortcut_help(resource: Resource, sc: Shortcut) -> str:
    values = resource.enums.get(sc.field)
    return f"{sc.help} One of: {', '.join(values)}." if values else sc.help


def shortcuts_of(resource: Resource) -> tuple[Shortcut, ...]:
    dates = DATES if all(f in resource.filters for f in ("created_date", "updated_date")) else ()
    return (*SHORTCUTS.get(resource.name, ()), *dates)


@dataclass(frozen=True)
class ListArgs:
    """Everything a list command was given, typed; built once from the parsed options (`from_params`)."""

    connection: str | None = None
    parent_id: str | None = None
    filters: tuple[Filter, ...] = ()
    all_connections: bool = False
    connections: tuple[str, ...] = ()
    limit: int | None = None
    page_size: int | None = None
    fmt: Format | None = None
    json_: bool = False
    by_warehouse: bool = False
    wide: bool = False
    all_items: bool = False

    @classmethod
    def from_params(cls, resource: Resource, params: Mapping[str, Any]) -> ListArgs:
        filters = [
            sc.filter(params[sc.param], resource.enums.get(sc.field, ()))
            for sc in shortcuts_of(resource)
            if params.get(sc.param)
        ]
        if params.get("ids"):
            filters.append(Filter("ids", params["ids"], "in"))
        filters.extend(parse_filter(raw) for raw in params.get("filter_") or ())
        return cls(
            connection=params.get("connection"),
            parent_id=params.get("parent_id"),
            filters=tuple(filters),
            all_connections=bool(params.get("all_connections")),
            connections=tuple(r.strip() for r in (params.get("connections") or "").split(",") if r.strip()),
            limit=params.get("limit"),
            page_size=params.get("page_size"),
            fmt=params.get("fmt"),
            json_=bool(params.get("json_")),
            by_warehouse=bool(params.get("by_warehouse")),
            wide=bool(params.get("wide")),
            all_items=bool(params.get("all_items")),
        )

    @property
    def query(self) -> ListQuery:
        return ListQuery(filters=self.filters, page_size=self.page_size, limit=self.limit)

    def paged(self, fmt: Format) -> ListArgs:
        """A person at a terminal who gave no --limit or --all sees the first TERMINAL_PAGE items (as gh does)."""
        if self.all_items and self.limit is not None:
            raise UsageError("--all and --limit exclude each other")
        if self.all_items or self.limit is not None or fmt is not Format.table or not output.stdout_is_terminal():
            return self
        return replace(self, limit=TERMINAL_PAGE)


TERMINAL_PAGE = 30


def page_footer(shown: int, args: ListArgs, meta: ListMeta | None) -> str | None:
    """`showing the first 30; more with --limit N or --all` when a default page left items unread (`meta`
    None: a fan-out, where a full page means there may be more). Trackstar gives no grand total to show."""
    if args.limit != TERMINAL_PAGE or shown < TERMINAL_PAGE or (meta is not None and not meta.more):
        return None
    return f"showing the first {shown:,}; more with --limit N or --all"


def fan_out(svc: Services, resource: Resource, args: ListArgs) -> FanOut | None:
    """The fan-out --connections/--all-connections ask for, or None for a one-connection query."""
    if not args.connections and not args.all_connections:
        return None
    if args.connection:
        raise UsageError("--connection picks one connection; use --connections A,B or --all-connections for several")
    conns = select_connections(svc, refs=list(args.connections), all_connections=args.all_connections)
    return FanOut(svc, resource, conns, args.query, parent_id=args.parent_id)


def with_connection_label(conns: list[Connection], expand: Rows | None) -> Rows:
    labels = {c.connection_id: c.label for c in conns}

    def rows(item: dict[str, Any]) -> list[dict[str, Any]]:
        label = labels.get(str(item.get("connection_id")), "")
        return [{**row, "_connection": label} for row in (expand(item) if expand else [item])]

    return rows


def finish_fan_out(outcomes: list[ConnectionOutcome]) -> None:
    """Report skipped and failed connections on stderr; exit 9 when some failed, their code when all did."""
    import typer

    for o in outcomes:
        label = f"{o.connection.label} ({o.connection.integration_name})"
        if o.unsupported and o.error is not None:
            output.warn(f"{label} skipped: {o.error.message}")
        elif o.failed and o.error is not None:
            output.emit_error(TrackstarError(f"{label}: {o.error}", hint=o.error.hint))
    failed = [o for o in outcomes if o.failed]
    if failed:
        code = failed[0].error.exit_code if len(failed) == len(outcomes) and failed[0].error else ExitCode.PARTIAL
        raise typer.Exit(int(code))
