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
    "active_backend",
    "backend_label",
    "backend_name",
    "delete_api_key",
    "delete_webhook_secret",
    "get_api_key",
    "get_webhook_secret",
    "probe",
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
        why = backend_label(backend).removeprefix("none: ")
        raise CredentialsError(f"the OS keyring failed to {what}: {why}", hint=_HINT)
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
            raise CredentialsError(
                f"the OS keyring failed to store the API key: {backend_label(backend)} did not keep it, "
                "so it was not saved",
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
    """The active keyring backend in plain words (never a Python class name), for `auth status`."""

    def name() -> str:
        return backend_label(_usable_keyring("find a keyring backend"))

    return _call(name, "find a keyring backend", timeout)


def active_backend(*, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> tuple[str, bool]:
    """(the active backend in plain words, whether it can keep anything): for `auth status`, never raises for
    the null and fail backends."""

    def which() -> tuple[str, bool]:
        import keyring

        backend = keyring.get_keyring()
        return backend_label(backend), not type(backend).__module__.startswith(_NO_KEYRING_BACKENDS)

    return _call(which, "find a keyring backend", timeout)


# Backend module -> what a person calls it. keyring's own class names (keyring.backends.fail.Keyring) mean
# nothing to someone who has never read its source.
_BACKEND_WORDS = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring, KeePassXC, …)",
    "keyring.backends.libsecret": "Secret Service (through libsecret)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.chainer": "the first usable of several keyrings",
    "keyring.backends.fail": "none: no Secret Service on this machine",
    "keyring.backends.null": "none: the keyring is disabled (keyring --disable or PYTHON_KEYRING_BACKEND)",
    "keyrings.alt.file": "a file encrypted by keyrings.alt",
}


def backend_label(backend: Any) -> str:
    """A keyring backend in plain words: `keyring.backends.fail.Keyring` -> "none: no Secret Service …"."""
    module = type(backend).__module__
    for prefix, words in _BACKEND_WORDS.items():
        if module == prefix or module.startswith(prefix + "."):
            return words
    name = getattr(backend, "name", "") or type(backend).__name__
    return f"other: {name}"


def probe(*, timeout: float = DEFAULT_KEYRING_TIMEOUT) -> str:
    """Check that the keyring can keep a secret (write, read back and delete a throw-away entry) before
    anyone types one. Returns the backend in plain words; CredentialsError when it cannot."""
    import secrets

    username = f"probe:{secrets.token_hex(6)}"
    value = secrets.token_hex(8)

    def check() -> str:
        backend = _usable_keyring("store the API key")
        backend.set_password(SERVICE_NAME, username, value)
        try:
            if backend.get_password(SERVICE_NAME, username) != value:
                raise CredentialsError(
                    f"the OS keyring cannot store the API key: {backend_label(backend)} did not keep a test entry",
                    hint=_HINT,
                )
        finally:
            try:
                backend.delete_password(SERVICE_NAME, username)
            except Exception:  # noqa: BLE001 - a leftover throw-away entry holds nothing secret
                pass
        return backend_label(backend)

    return _call(check, "store the API key", timeout)


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
