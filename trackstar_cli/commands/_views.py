"""Renderings shared by a Typer command and the Typer-free fast path (`trackstar_cli._fast`): no typer here."""

from __future__ import annotations

from trackstar_cli import output
from trackstar_cli.resources import Column
from trackstar_cli.service import Services

__all__ = ["CONNECTION_COLUMNS", "render_local_connections"]

CONNECTION_COLUMNS = (
    Column("default", "default_mark"),
    Column("connection_id", "connection_id"),
    Column("alias", "alias"),
    Column("integration", "integration_name"),
    Column("customer_id", "customer_id"),
    Column("created_at", "created_at"),
)


def render_local_connections(svc: Services, fmt_name: str) -> None:
    """`trackstar connections list`: the stored connections of the profile, tokens never shown."""
    conns = [c.to_public_dict() for c in svc.list_connections()]
    if fmt_name in ("table", "csv"):
        for row in conns:
            row["default_mark"] = "*" if row["default"] else ""
    output.render_items(
        conns,
        fmt_name,
        CONNECTION_COLUMNS,
        empty_message=f"No connections in profile '{svc.settings.profile}'. Add one with `trackstar exchange CODE`.",
    )
