"""The organisation API key: log in (check, then keep in the keyring), show where it comes from, log out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trackstar_cli import credentials
from trackstar_cli.config import redact_url, save_profile_config
from trackstar_cli.errors import AuthenticationError, CredentialsError, UsageError
from trackstar_cli.models import mask
from trackstar_cli.service.core import Services

__all__ = ["AuthStatus", "auth_status", "login", "logout"]


@dataclass(frozen=True)
class AuthStatus:
    profile: str
    base_url: str
    base_url_source: str
    key_source: str | None  # "env" or "keyring", None when there is no key
    masked_key: str
    keyring_backend: str | None
    keyring_error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "base_url": self.base_url,
            "base_url_source": self.base_url_source,
            "logged_in": self.key_source is not None,
            "key_source": self.key_source,
            "api_key": self.masked_key or None,
            "keyring_backend": self.keyring_backend,
            "keyring_error": self.keyring_error,
        }


def login(svc: Services, api_key: str, *, verify: bool = True) -> str:
    """Check the key against the API (unless told not to), store it in the keyring, remember a non-default
    base URL for the profile. Returns the keyring backend's name."""
    api_key = api_key.strip()
    if not api_key or any(c.isspace() for c in api_key):
        raise UsageError("the API key is empty or contains white space")
    settings = svc.settings
    if verify:
        with svc.client(api_key) as probe:
            try:
                probe.request("GET", "/connections")
            except AuthenticationError as exc:
                exc.message = "Trackstar rejected this API key; it was not saved"
                exc.hint = "copy the key again from https://dashboard.trackstarhq.com/settings/api-keys"
                raise
    credentials.set_api_key(settings.profile, api_key)
    if settings.base_url_source in {"flag", "env"}:
        save_profile_config(settings.paths, settings.profile, {"base_url": settings.base_url})
    return credentials.backend_name()


def auth_status(svc: Services) -> AuthStatus:
    """Where the key comes from (TRACKSTAR_API_KEY wins over the keyring), masked; keyring trouble as data."""
    settings = svc.settings
    backend: str | None = None
    error: str | None = None
    key: str | None = None
    source: str | None = None
    if settings.api_key_env:
        key, source = settings.api_key_env, "env"
    try:
        backend = credentials.backend_name()
        if key is None:
            key = credentials.get_api_key(settings.profile)
            source = "keyring" if key else None
    except CredentialsError as exc:
        error = exc.message
    return AuthStatus(
        profile=settings.profile,
        base_url=redact_url(settings.base_url),  # never a user:password@ part on the screen
        base_url_source=settings.base_url_source,
        key_source=source,
        masked_key=mask(key),
        keyring_backend=backend,
        keyring_error=error,
    )


def logout(svc: Services) -> bool:
    """Remove the profile's key from the keyring; False when there was none."""
    return credentials.delete_api_key(svc.settings.profile)
