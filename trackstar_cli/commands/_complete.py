"""Shell completion callbacks (Typer `autocompletion=`): stored connection aliases and ids of the profile being
completed, and profile names. They read local files only, never the network, and fail silently (an empty
list): the shell must never show a traceback, and the root callback has not run while completing, so the
settings are resolved here from the command line typed so far."""

# No `from __future__ import annotations` here: Typer inspects these callbacks' annotations.

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from trackstar_cli.service import Services

__all__ = ["complete_connection", "complete_connections", "complete_profile"]


def _candidates(ctx: typer.Context, pick: "Callable[[Services], list[Any]]") -> list[Any]:
    try:
        import os

        from trackstar_cli.config import (
            DEFAULT_BASE_URL,
            DEFAULT_PROFILE,
            DEFAULT_TIMEOUT,
            ENV,
            Settings,
            resolve_paths,
        )
        from trackstar_cli.service import Services

        # Only what finding the store needs: a bad base URL or timeout elsewhere must not empty the candidates.
        profile = ctx.find_root().params.get("profile") or os.environ.get(ENV["profile"]) or DEFAULT_PROFILE
        settings = Settings(str(profile), DEFAULT_BASE_URL, "default", DEFAULT_TIMEOUT, resolve_paths())
        svc = Services(settings)
        try:
            return pick(svc)
        finally:
            svc.close()
    except Exception:  # noqa: BLE001 - completion fails silently
        return []


def _connections(svc: "Services") -> list[tuple[str, str, str]]:
    from trackstar_cli.service.completion import connection_candidates

    return connection_candidates(svc)


def _profiles(svc: "Services") -> list[tuple[str, str]]:
    from trackstar_cli.service.completion import profile_candidates

    return profile_candidates(svc)


def complete_connection(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """`-c/--connection` and the ID|ALIAS argument of `connections show|use|remove|…`."""
    return [(v, h) for v, h, _ in _candidates(ctx, _connections) if v.startswith(incomplete)]


def complete_connections(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """`--connections A,B,…`: complete the part after the last comma, leaving out the connections already
    named (by alias or by id)."""
    head, _, last = incomplete.rpartition(",")
    given = set(head.split(",")) if head else set()
    prefix = f"{head}," if head else ""
    candidates = _candidates(ctx, _connections)
    named = {cid for value, _, cid in candidates if value in given}
    return [(prefix + v, h) for v, h, cid in candidates if v.startswith(last) and cid not in named]


def complete_profile(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return [(v, h) for v, h in _candidates(ctx, _profiles) if v.startswith(incomplete)]
