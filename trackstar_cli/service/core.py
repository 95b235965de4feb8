"""`Services`, the factory every use case takes: the settings, and the store, the API key and the HTTP client,
each opened on first use. Use cases themselves are module functions in `service/<noun>.py`.

The API key is resolved once, in one order: TRACKSTAR_API_KEY, then the keyring entry of the profile.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from trackstar_cli import credentials
from trackstar_cli.config import Settings
from trackstar_cli.errors import CredentialsError
from trackstar_cli.models import Connection
from trackstar_cli.store import Store

if TYPE_CHECKING:
    from trackstar_cli.client import TrackstarClient
    from trackstar_cli.pacing import SharedPacer

__all__ = ["Services"]


class Services:
    """One per command run: holds the settings and opens the store and the HTTP client on first use."""

    def __init__(
        self,
        settings: Settings,
        *,
        log: Callable[[str], None] | None = None,
        pick: Callable[[list[Connection]], Connection] | None = None,
    ) -> None:
        self.settings = settings
        self._log = log
        # The CLI's picker, when a person at a terminal can choose between several connections (never a prompt here).
        self.pick = pick
        self._store: Store | None = None
        self._client: TrackstarClient | None = None
        self._api_key: tuple[str, str] | None = None
        self._pacer: SharedPacer | None = None

    @property
    def profile(self) -> str:
        return self.settings.profile

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._pacer is not None:
            self._pacer.close()
        if self._store is not None:
            self._store.close()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.paths.database)
        return self._store

    def api_key(self) -> tuple[str, str]:
        """(key, source): TRACKSTAR_API_KEY first, then the profile's keyring entry."""
        if self._api_key is None:
            if self.settings.api_key_env:
                self._api_key = (self.settings.api_key_env, "env")
            else:
                stored = credentials.get_api_key(self.settings.profile)
                if not stored:
                    raise CredentialsError(
                        f"no API key for profile {self.settings.profile!r}",
                        hint="run `trackstar auth login` (or set TRACKSTAR_API_KEY)",
                    )
                self._api_key = (stored, "keyring")
        return self._api_key

    def client(self, api_key: str | None = None) -> TrackstarClient:
        """The process's client; with `api_key`, a separate one for that key (the caller closes it)."""
        if self._client is None or api_key is not None:
            from trackstar_cli.client import GET_RATE_PER_TOKEN, TrackstarClient
            from trackstar_cli.pacing import SharedPacer

            if self._pacer is None:  # per-token pacing shared with the other trackstar processes of this machine
                self._pacer = SharedPacer(self.settings.paths.database.parent / "pacing", GET_RATE_PER_TOKEN)
            client = TrackstarClient(
                api_key or self.api_key()[0],
                base_url=self.settings.base_url,
                timeout=self.settings.timeout,
                ca_bundle=self.settings.ca_bundle,
                max_response_bytes=self.settings.max_response_bytes,
                log=self._log,
                pacer=self._pacer,
            )
            if api_key is not None:
                return client
            self._client = client
        return self._client
