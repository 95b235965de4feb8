"""Candidates for shell completion, from local files only (no network, no keyring): the stored connections of
a profile and the known profile names. The CLI's completion callbacks swallow every error: a completion that
fails must leave the shell as it was, never print a traceback into the command line."""

from __future__ import annotations

from trackstar_cli.service.core import Services
from trackstar_cli.service.profiles import known_profiles

__all__ = ["connection_candidates", "profile_candidates"]


def connection_candidates(svc: Services) -> list[tuple[str, str, str]]:
    """(value, description, connection id) for every stored connection of the profile: its alias, then its id."""
    if not svc.settings.paths.database.exists():  # completing must not create the store
        return []
    found: list[tuple[str, str, str]] = []
    for conn in svc.store.list_connections(svc.profile):
        what = f"{conn.integration_name}{' (default)' if conn.is_default else ''}"
        if conn.alias:
            found.append((conn.alias, f"{what} {conn.connection_id}", conn.connection_id))
        found.append((conn.connection_id, f"{what} {conn.alias or ''}".strip(), conn.connection_id))
    return found


def profile_candidates(svc: Services) -> list[tuple[str, str]]:
    return [(name, "current" if name == svc.profile else "") for name in known_profiles(svc)]
