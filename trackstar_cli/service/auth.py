"""The organisation API key: log in (check, then keep in the keyring), show where it comes from and whether the
server accepts it, log out. Login and status check the key with the same call (`GET /connections`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trackstar_cli import credentials
from trackstar_cli.config import redact_url, save_profile_config
from trackstar_cli.errors import (
    AuthenticationError,
    CredentialsError,
    PermissionDeniedError,
    TrackstarError,
    UsageError,
)
from trackstar_cli.models import mask
from trackstar_cli.service.core import Services

__all__ = ["AuthStatus", "LoginResult", "auth_status", "check_keyring", "login", "logout"]

CHECK_PATH = "/connections"  # the one call that proves a key (login and status)
_NEW_KEY_HINT = "copy the key again from https://dashboard.trackstarhq.com/settings/api-keys"


@dataclass(frozen=True)
class LoginResult:
    backend: str  # the keyring, in plain words
    server: str  # the base URL the key is for (redacted)
    checked: bool  # False with --no-verify
    base_url_kept: str  # the config file's path, or "default" when the profile uses the default URL


@dataclass(frozen=True)
class AuthStatus:
    profile: str
    base_url: str
    base_url_source: str
    key_source: str | None  # "env" or "keyring", None when there is no key
    masked_key: str
    keyring_backend: str | None
    keyring_error: str | None
    key_valid: bool | None = None  # None: not checked (--offline, no key, or the check failed)
    checked_url: str | None = None
    check_error: TrackstarError | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "base_url": self.base_url,
            "base_url_source": self.base_url_source,
            "logged_in": self.key_source is not None,
            "key_source": self.key_source,
            "api_key": self.masked_key or None,
            "key_valid": self.key_valid,
            "checked_url": self.checked_url,
            "check_error": self.check_error.message if self.check_error else None,
            "keyring_backend": self.keyring_backend,
            "keyring_error": self.keyring_error,
        }


def check_keyring(svc: Services) -> str:
    """Prove the keyring can keep a secret before anyone types one (skipped: nothing to prove)."""
    return credentials.probe()


def _check_key(svc: Services, api_key: str) -> None:
    """The call that proves a key; a 401/403 stays an AuthenticationError/PermissionDeniedError naming the URL."""
    with svc.client(api_key) as probe:
        probe.request("GET", CHECK_PATH)


def login(svc: Services, api_key: str, *, verify: bool = True) -> LoginResult:
    """Check the key against the API (unless told not to), store it in the keyring, and record the profile in
    the config file (with a base URL given by flag or environment, so later commands use the same server)."""
    api_key = api_key.strip()
    if not api_key or any(c.isspace() for c in api_key):
        raise UsageError("the API key is empty or contains white space")
    settings = svc.settings
    server = redact_url(settings.base_url)
    if verify:
        try:
            _check_key(svc, api_key)
        except (AuthenticationError, PermissionDeniedError) as exc:
            exc.message = f"Trackstar rejected this API key; it was not saved: {exc.message}"
            exc.hint = f"{_NEW_KEY_HINT}, or pass --base-url if the key is for another server"
            raise
    credentials.set_api_key(settings.profile, api_key)
    keep = settings.base_url_source in {"flag", "env"}
    save_profile_config(settings.paths, settings.profile, {"base_url": settings.base_url} if keep else {})
    kept = str(settings.paths.config_file) if keep or settings.base_url_source == "config" else "default"
    return LoginResult(credentials.backend_name(), server, verify, kept)


def auth_status(svc: Services, *, check: bool = True) -> AuthStatus:
    """Where the key comes from (TRACKSTAR_API_KEY wins over the keyring), masked, and — unless `check` is
    False — whether the server accepts it. Keyring trouble and a failed check are data, not exceptions."""
    settings = svc.settings
    backend: str | None = None
    error: str | None = None
    key: str | None = None
    source: str | None = None
    if settings.api_key_env:
        key, source = settings.api_key_env, "env"
    try:
        backend, usable = credentials.active_backend()
        if not usable:
            error = f"nothing can be stored ({backend})"
        elif key is None:
            key = credentials.get_api_key(settings.profile)
            source = "keyring" if key else None
    except CredentialsError as exc:
        error = exc.message
    valid: bool | None = None
    problem: TrackstarError | None = None
    server = redact_url(settings.base_url)  # never a user:password@ part on the screen
    if key and check:
        try:
            _check_key(svc, key)
            valid = True
        except (AuthenticationError, PermissionDeniedError) as exc:
            valid, problem = False, exc
            exc.message = f"the API key of profile {settings.profile!r} was rejected: {exc.message}"
            exc.hint = f"store a new one with `trackstar auth login` ({_NEW_KEY_HINT})"
        except TrackstarError as exc:  # no answer (network, TLS, deadline) or one not about the key
            problem = exc
    return AuthStatus(
        profile=settings.profile,
        base_url=server,
        base_url_source=settings.base_url_source,
        key_source=source,
        masked_key=mask(key),
        keyring_backend=backend,
        keyring_error=error,
        key_valid=valid,
        checked_url=f"{server}{CHECK_PATH}" if key and check else None,
        check_error=problem,
    )


def logout(svc: Services) -> bool:
    """Remove the profile's key from the keyring; False when there was none."""
    return credentials.delete_api_key(svc.settings.profile)
