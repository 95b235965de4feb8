"""The service layer: use cases that join settings, credentials, the store and the HTTP client.

Nothing here prints, prompts or exits; it returns data or raises a TrackstarError. `core.Services` is the
factory (settings, store, API key, client) every use case takes; use cases are module functions, one module
per noun (`connections`, `link`, `wms`, `writes`, `fanout`, `integrations`, `remote`, `auth`, `api`), and
take a frozen options dataclass where they need more than an id or two.
"""

from __future__ import annotations

from trackstar_cli.service.core import Services

__all__ = ["Services"]
