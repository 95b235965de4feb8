"""credentials.py: the keyring wrapper. Round trips, a hanging backend, and failing backends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError

from trackstar_cli import credentials
from trackstar_cli.credentials import backend_name, delete_api_key, get_api_key, set_api_key
from trackstar_cli.errors import CredentialsError, ExitCode

from .conftest import API_KEY, MemoryKeyring


def test_round_trip_set_get_delete(isolated: MemoryKeyring) -> None:
    set_api_key("default", API_KEY)
    # Stored where other tools (and `keyring get trackstar-cli api-key:default`) can find it.
    assert isolated.items == {("trackstar-cli", "api-key:default"): API_KEY}
    assert get_api_key("default") == API_KEY
    assert delete_api_key("default") is True
    assert get_api_key("default") is None
    assert isolated.items == {}


def test_profiles_have_separate_keys() -> None:
    set_api_key("default", API_KEY)
    set_api_key("staging", "sk_test_other")
    assert get_api_key("default") == API_KEY
    assert get_api_key("staging") == "sk_test_other"
    assert get_api_key("prod") is None
    delete_api_key("staging")
    assert get_api_key("default") == API_KEY


def test_set_twice_replaces() -> None:
    set_api_key("default", "sk_old")
    set_api_key("default", API_KEY)
    assert get_api_key("default") == API_KEY


def test_delete_when_nothing_stored_is_false() -> None:
    assert delete_api_key("default") is False


def test_backend_name_names_the_active_backend() -> None:
    assert backend_name().endswith("MemoryKeyring")


# -- a backend that never answers ------------------------------------------------------------------


class HangingKeyring(KeyringBackend):
    """Like a locked Secret Service waiting on a prompt that no one will ever see."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(60)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(60)


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    ring = HangingKeyring()
    keyring.set_keyring(ring)
    yield ring
    ring.release.set()  # let the abandoned worker threads finish


@pytest.mark.parametrize(
    "call",
    [
        lambda: get_api_key("default", timeout=0.2),
        lambda: set_api_key("default", API_KEY, timeout=0.2),
        lambda: delete_api_key("default", timeout=0.2),
    ],
    ids=["get", "set", "delete"],
)
def test_hanging_backend_times_out(hanging: HangingKeyring, call: object) -> None:
    started = time.monotonic()
    with pytest.raises(CredentialsError) as info:
        call()  # type: ignore[operator]
    elapsed = time.monotonic() - started
    assert 0.15 <= elapsed < 2.0
    assert "did not answer within 0.2s" in info.value.message
    assert info.value.exit_code == ExitCode.AUTH
    assert info.value.hint and "TRACKSTAR_API_KEY" in info.value.hint
    assert API_KEY not in info.value.message


def test_default_timeout_is_bounded() -> None:
    # A keyring call must never be allowed to block a CLI run indefinitely.
    assert 0 < credentials.DEFAULT_KEYRING_TIMEOUT <= 10


# -- backends that fail ----------------------------------------------------------------------------


class ItemNotFoundException(Exception):
    """Stands in for secretstorage's exception, which is not a KeyringError and leaks through keyring."""


class RaisingKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    def get_password(self, service: str, username: str) -> str | None:
        raise self.exc

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.exc

    def delete_password(self, service: str, username: str) -> None:
        raise self.exc


FAILURES = [
    pytest.param(lambda: RaisingKeyring(RuntimeError("D-Bus connection closed")), id="RuntimeError"),
    pytest.param(lambda: RaisingKeyring(KeyringLocked("Failed to unlock the collection!")), id="KeyringLocked"),
    pytest.param(lambda: RaisingKeyring(ItemNotFoundException("Item does not exist!")), id="secretstorage"),
    pytest.param(lambda: RaisingKeyring(ModuleNotFoundError("No module named 'no'")), id="bad-backend-env"),
    pytest.param(lambda: RaisingKeyring(NoKeyringError("No recommended backend was available.")), id="NoKeyring"),
    pytest.param(fail.Keyring, id="fail.Keyring"),
]
CALLS = [
    pytest.param(lambda: get_api_key("default"), id="get"),
    pytest.param(lambda: set_api_key("default", API_KEY), id="set"),
    pytest.param(lambda: delete_api_key("default"), id="delete"),
]


@pytest.mark.parametrize("make_backend", FAILURES)
@pytest.mark.parametrize("call", CALLS)
def test_any_backend_failure_becomes_credentials_error(make_backend: object, call: object) -> None:
    keyring.set_keyring(make_backend())  # type: ignore[operator]
    with pytest.raises(CredentialsError) as info:
        call()  # type: ignore[operator]
    exc = info.value
    assert exc.exit_code == ExitCode.AUTH
    assert exc.hint and "TRACKSTAR_API_KEY" in exc.hint
    assert API_KEY not in exc.message and API_KEY not in str(exc)
    assert exc.message.startswith("the OS keyring failed to ")


def test_no_backend_is_explained_in_plain_words() -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialsError) as info:
        get_api_key("default")
    assert (
        info.value.message
        == "the OS keyring failed to read the API key: no keyring backend is available on this machine"
    )


def test_backend_error_text_is_shown() -> None:
    keyring.set_keyring(RaisingKeyring(KeyringLocked("Failed to unlock the collection!")))
    with pytest.raises(CredentialsError) as info:
        get_api_key("default")
    assert "KeyringLocked: Failed to unlock the collection!" in info.value.message


class EchoingKeyring(KeyringBackend):
    """A backend whose error message repeats what it was given, secret included."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("unused")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("unused")


def test_secret_in_backend_error_is_not_repeated() -> None:
    keyring.set_keyring(EchoingKeyring())
    with pytest.raises(CredentialsError) as info:
        set_api_key("default", API_KEY)
    assert API_KEY not in info.value.message
    assert API_KEY not in str(info.value)
    assert "***" in info.value.message


def test_password_delete_error_means_nothing_was_stored() -> None:
    keyring.set_keyring(RaisingKeyring(PasswordDeleteError("No such password!")))
    assert delete_api_key("default") is False
