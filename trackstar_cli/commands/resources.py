"""Read commands for the WMS resources, generated from `spec.RESOURCES` and `views` rather than copy-pasted.

Each resource gets `list` and (where the API has one) `get ID`, with the shared options (connection,
filters, dates, limits, formats) and a few resource-specific shortcuts that become API filters. The options
are bound into one typed `ListArgs` (commands/_listing.py) before anything else happens.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import inspect
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import ConnectionOpt, FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands._complete import complete_connections
from trackstar_cli.commands._listing import (
    ListArgs,
    fan_out,
    finish_fan_out,
    page_footer,
    shortcut_help,
    shortcuts_of,
    with_connection_label,
)
from trackstar_cli.commands.views import (
    BY_WAREHOUSE_COLUMNS,
    COLUMNS,
    CONNECTION_COLUMN,
    GROUP_HELP,
    PLACEMENT,
)
from trackstar_cli.models import ListMeta
from trackstar_cli.output import Rows, View
from trackstar_cli.service.connections import resolve_connection
from trackstar_cli.service.query import warehouse_rows
from trackstar_cli.service.wms import get_item, iter_items
from trackstar_cli.spec import RESOURCES, Resource

__all__ = ["build"]


def _opt(annotation: Any, default: Any, *decls: str, **kw: Any) -> tuple[Any, Any]:
    return Annotated[annotation, typer.Option(*decls, **kw)], default


def _common_list_params(resource: Resource) -> list[tuple[str, Any, Any]]:
    """(name, annotation, default) of the options every list command has, in help order."""
    params: list[tuple[str, Any, Any]] = [("connection", ConnectionOpt, None)]
    for sc in shortcuts_of(resource):
        kind = list[str] | None if sc.op == "in" else str | None
        params.append((sc.param, *_opt(kind, None, sc.option, help=shortcut_help(resource, sc))))
    params += [
        (
            "all_connections",
            *_opt(bool, False, "--all-connections", "-A", help="Query every stored connection of the profile at once."),
        ),
        (
            "connections",
            *_opt(
                str | None,
                None,
                "--connections",
                help="Query these connections at once: ids or aliases, A,B,…",
                autocompletion=complete_connections,
            ),
        ),
        ("ids", *_opt(str | None, None, "--ids", help="Only these ids, comma-separated (overrides other filters).")),
        (
            "filter_",
            *_opt(
                list[str] | None,
                None,
                "--filter",
                "-f",
                help="API filter 'field\\[op]=value' (repeatable), e.g. 'sku\\[contains]=TEE'.",
            ),
        ),
        (
            "limit",
            *_opt(
                int | None,
                None,
                "--limit",
                "-n",
                min=0,
                help="Print at most N items (default: all; 30 in a table on a terminal).",
            ),
        ),
        ("all_items", *_opt(bool, False, "--all", help="Every item, also in a table on a terminal (it streams).")),
        (
            "page_size",
            *_opt(
                int | None,
                None,
                "--page-size",
                min=1,
                max=1000,
                help="Items per API request, 1-1000 (default: the API's 1000).",
            ),
        ),
        ("fmt", FormatOpt, None),
        ("json_", JsonOpt, False),
        ("wide", *_opt(bool, False, "--wide", help="Table: every column at full width, even past the terminal.")),
    ]
    if resource.name == "inventory":
        params.append(
            (
                "by_warehouse",
                *_opt(
                    bool,
                    False,
                    "--by-warehouse",
                    help="Table/CSV: one row per warehouse (from inventory_by_warehouse_id).",
                ),
            )
        )
    return params


def _with_signature(fn: Callable[..., None], params: list[tuple[str, Any, Any]]) -> Callable[..., None]:
    sig_params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)]
    sig_params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, annotation=a, default=d) for n, a, d in params]
    fn.__signature__ = inspect.Signature(sig_params)  # type: ignore[attr-defined]
    fn.__annotations__ = {p.name: p.annotation for p in sig_params}
    return fn


def _list_command(resource: Resource) -> Callable[..., None]:
    params = _common_list_params(resource)
    if resource.parent:
        parent_help = f"The {resource.parent.replace('_', ' ')} the items belong to."
        metavar = resource.parent.upper()
        params.insert(0, ("parent_id", Annotated[str, typer.Argument(metavar=metavar, help=parent_help)], ...))

    def command(ctx: typer.Context, **params: Any) -> None:
        _list(services(ctx), resource, ListArgs.from_params(resource, params))

    command.__doc__ = _list_doc(resource)
    return _with_signature(command, params)


def _get_command(resource: Resource) -> Callable[..., None]:
    id_words = resource.id_param.replace("_", " ")
    params: list[tuple[str, Any, Any]] = []
    if resource.parent:
        parent_help = f"The {resource.parent.replace('_', ' ')} the item belongs to."
        argument = typer.Argument(metavar=resource.parent.upper(), help=parent_help)
        params.append(("parent_id", Annotated[str, argument], ...))
    params += [
        (
            "item_id",
            Annotated[str, typer.Argument(metavar=resource.id_param.upper(), help=f"The {id_words}.")],
            ...,
        ),
        ("connection", ConnectionOpt, None),
        ("fmt", FormatOpt, None),
        ("json_", JsonOpt, False),
    ]

    def command(ctx: typer.Context, item_id: str, parent_id: str | None = None, **common: Any) -> None:
        svc = services(ctx)
        conn = resolve_connection(svc, common["connection"])
        item = get_item(svc, resource, conn, item_id, parent_id=parent_id)
        output.emit_object(item, fmt_of(common["fmt"], common["json_"]))

    command.__doc__ = (
        f"Show one item of {resource.name} by id (GET {resource.path}/{{id}}).\n\n"
        f"Example:\n\n    trackstar {_cli_path(resource)} get ID --json"
    )
    return _with_signature(command, params)


def _list(svc: Any, resource: Resource, given: ListArgs) -> None:
    fmt = fmt_of(given.fmt, given.json_)
    args = given.paged(fmt)
    meta = ListMeta()
    columns = BY_WAREHOUSE_COLUMNS if args.by_warehouse else COLUMNS[resource.name]
    expand: Rows | None = warehouse_rows if args.by_warehouse else None
    fan = fan_out(svc, resource, args)
    items: Iterable[dict[str, Any]]
    if fan is not None:
        columns = (CONNECTION_COLUMN, *columns)
        expand = with_connection_label(fan.connections, expand)
        items = fan
    else:
        conn = resolve_connection(svc, args.connection)
        items = iter_items(svc, resource, conn, args.query, parent_id=args.parent_id, meta=meta)
    view = View(
        columns,
        empty=f"No {resource.name} found.",
        rows=expand,
        wide=args.wide,
        pager=svc.settings.pager,
        wide_flag=True,
    )
    shown = output.emit(
        view, output.with_progress(items, f"Fetching {resource.name}", enabled=svc.settings.progress), fmt
    )
    footer = page_footer(shown, args, None if fan is not None else meta)
    if footer:
        output.note(footer)
    if fan is not None:
        finish_fan_out(fan.outcomes)


def _cli_path(resource: Resource) -> str:
    group, sub = PLACEMENT[resource.name]
    return f"{group} {sub}" if sub else group


def _list_doc(resource: Resource) -> str:
    path = _cli_path(resource)
    parent = " WAREHOUSE_ID" if resource.parent else ""
    lines = [
        f"List {resource.name} (GET {resource.path}), following every page.",
        "",
        "Filters are repeated on every page; --filter passes any API filter through.",
        "",
        "Examples:",
        "",
        f"    trackstar {path}{' list' if not PLACEMENT[resource.name][1] else ''}{parent} --limit 20",
        "",
        f"    trackstar {path}{' list' if not PLACEMENT[resource.name][1] else ''}{parent} --json | jq length",
    ]
    if resource.name == "inventory":
        lines += [
            "",
            "    trackstar inventory list --sku A1 --sku B2 --by-warehouse",
            "",
            "    trackstar inventory list --filter 'sku\\[contains]=TEE' -o csv > tees.csv",
        ]
    return "\n".join(lines)


def build(group: str) -> typer.Typer:
    """The Typer app of one resource group (e.g. `inventory` with list, get and ledger)."""
    app = typer.Typer(help=GROUP_HELP[group], no_args_is_help=True, add_completion=False)
    for name, (where, sub) in PLACEMENT.items():
        if where != group:
            continue
        resource = RESOURCES[name]
        if sub is None:
            app.command("list")(_list_command(resource))
            if resource.has_get:
                app.command("get")(_get_command(resource))
        else:
            # e.g. `warehouses locations WID` lists, `warehouses location WID LID` shows one
            app.command(sub)(_list_command(resource))
            if resource.has_get:
                app.command(sub.rstrip("s"))(_get_command(resource))
    from trackstar_cli.commands import summary, writes

    summary.add_commands(group, app)
    writes.add_commands(group, app)
    return app
