"""The organisation API key in the OS keyring: one entry per profile, every call bounded in time.

Service name `trackstar-cli`, username `api-key:<profile>`. keyring is imported lazily (its backend scan
costs ~100 ms) and every call runs in a daemon thread with a deadline, because a locked or crashed Secret
Service can block forever on a prompt on a headless machine. Any exception a backend raises (keyring's own,
secretstorage's, D-Bus's, a bad PYTHON_KEYRING_BACKEND) becomes a CredentialsError naming TRACKSTAR_API_KEY.

keyring's null and fail backends (`keyring --disable`, PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring)
count as no keyring, and a stored key is read back: a backend that does not keep it is an error, never "Saved".
Keys are stripped of surrounding white space on the way in and out (a CRLF file would put `\r` in a header).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from trackstar_cli.errors import CredentialsError

__all__ = [
    "DEFAULT_KEYRING_TIMEOUT",
    "SERVICE_NAME",
    "backend_name",
    "delete_api_key",
    "delete_webhook_secret",
    "get_api_key",
    "get_webhook_secret",
    "set_api_key",
    "set_webhook_secret",
]

SERVICE_NAME = "trackstar-cli"
DEFAULT_KEYRING_TIMEOUT = 5.0
_HINT = (
    "set TRACKSTAR_API_KEY in the environment instead (for CI and servers), "
    "or make an OS keyring available (on Linux: a Secret Service such as gnome-keyring)"
)

T = TypeVar("T")


_NO_KEYRING_BACKENDS = ("keyring.backends.null", "keyring.backends.fail")


def _username(profile: str) -> str:
    return f"api-key:{profile}"


def _call(fn: Callable[[], T], what: str, timeout: float, secret: str | None = None) -> T:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            box["error"] = exc

    worker = threading.Thread(target=run, name="trackstar-keyring", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise CredentialsError(
            f"the OS keyring did not answer within {timeout:g}s while trying to {what} "
            "(is it locked or waiting for a password prompt?)",
            hint=_HINT,
        )
    if "error" in box:
        exc = box["error"]
        if isinstance(exc, CredentialsError):
            raise exc
        text = _describe(exc)
        if secret:  # a backend may echo what it was given; the message reaches the terminal
            text = text.replace(secret, "***")
        raise CredentialsError(f"the OS keyring failed to {what}: {text}", hint=_HINT) from exc
    return box.get("value")  # type: ignore[return-value]


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc).strip()
    if name == "NoKeyringError" or "No recommended backend" in text:
        return "no keyring backend is available on this machine"
    return f"{name}: {text}" if text else name


def _usable_keyring(what: str) -> Any:
    """The active backend, or CredentialsError for the null/fail backends (they keep nothing)."""
    import keyring

    backend = keyring.get_keyring()
    if type(backend).__module__.startswith(_NO_KEYRING_BACKENDS):
        raise CredentialsError(
            f"the OS keyring failed to {what}: it is disabled "
            f"(backend {type(backend).__module__}.{type(backend).__name__} keeps nothing)",
            hint=_HINT,
        )
    return backend


def get_api_key(profile: str, *, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> str | None:
    """The stored key for `profile`, or None when there is none (the null backend never has one)."""

    def read() -> str | None:
        import keyring

        value = keyring.get_password(SERVICE_NAME, _username(profile))
        return (value.strip() or None) if isinstance(value, str) else None

    return _call(read, "read the API key", timeout)


def set_api_key(profile: str, api_key: str, *, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> None:
    """Store the key and read it back: a backend that accepts it but keeps nothing is an error."""
    api_key = api_key.strip()

    def write() -> None:
        backend = _usable_keyring("store the API key")
        backend.set_password(SERVICE_NAME, _username(profile), api_key)
        kept = backend.get_password(SERVICE_NAME, _username(profile))
        if kept != api_key:
            name = f"{type(backend).__module__}.{type(backend).__name__}"
            raise CredentialsError(
                f"the OS keyring failed to store the API key: {name} did not keep it, so it was not saved",
                hint=_HINT,
            )

    _call(write, "store the API key", timeout, secret=api_key)


def delete_api_key(profile: str, *, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> bool:
    """Remove the stored key; False when there was none."""

    def delete() -> bool:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(SERVICE_NAME, _username(profile))
        except PasswordDeleteError:
            return False
        return True

    return _call(delete, "remove the API key", timeout)


def backend_name(*, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> str:
    """A readable name of the active keyring backend, for `auth status`."""

    def name() -> str:
        backend = _usable_keyring("find a keyring backend")
        return f"{type(backend).__module__}.{type(backend).__name__}"

    return _call(name, "find a keyring backend", timeout)


# -- the webhook endpoint secret (whsec_…), per profile, beside the API key -----------------------------


def _webhook_username(profile: str) -> str:
    return f"webhook-secret:{profile}"


def get_webhook_secret(profile: str, *, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> str | None:
    """The stored webhook signing secret for `profile`, or None when there is none."""

    def read() -> str | None:
        import keyring

        value: str | None = keyring.get_password(SERVICE_NAME, _webhook_username(profile))
        return value

    return _call(read, "read the webhook secret", timeout)


def set_webhook_secret(profile: str, secret: str, *, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> None:
    def write() -> None:
        import keyring

        keyring.set_password(SERVICE_NAME, _webhook_username(profile), secret)

    _call(write, "store the webhook secret", timeout, secret=secret)


def delete_webhook_secret(profile: str, *, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> bool:
    """Remove the stored webhook secret; False when there was none."""

    def delete() -> bool:
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(SERVICE_NAME, _webhook_username(profile))
        except PasswordDeleteError:
            return False
        return True

    return _call(delete, "remove the webhook secret", timeout)
