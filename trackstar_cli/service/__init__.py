"""The service layer: use cases that join settings, credentials, the store and the HTTP client.

Nothing here prints, prompts or exits; it returns data or raises a TrackstarError. `core` holds `Services`
(one per command run) and the basic use cases; the other modules add use cases that take a `Services`.
"""

from __future__ import annotations

from trackstar_cli.service.core import ExchangeResult, Services, mask
from trackstar_cli.service.query import MAX_PAGE_SIZE, ListQuery, parse_since, warehouse_rows
from trackstar_cli.store import Connection

__all__ = [
    "MAX_PAGE_SIZE",
    "Connection",
    "ExchangeResult",
    "ListQuery",
    "Services",
    "mask",
    "parse_since",
    "warehouse_rows",
]
