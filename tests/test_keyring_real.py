"""The API key in a real Secret Service: gnome-keyring in a private D-Bus session started by the test.

The bus config has no service auto-activation, so a daemon that dies makes clients fail fast instead of
auto-starting a locked keyring that would hang on a prompt. The installed `trackstar` runs as a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.keyring

BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>
</policy></busconfig>"""
KEY = "sk_real_keyring~4d1f0b77"


def _missing(reason: str) -> None:
    # In CI the packages are installed by .ci/run, so a missing one is a failure there, not a skip.
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    for exe in ("dbus-daemon", "gnome-keyring-daemon", "dbus-send"):
        if not shutil.which(exe):
            _missing(f"{exe} is missing: apt-get install gnome-keyring dbus")
    root = tmp_path_factory.mktemp("secret-service")
    (root / "run").mkdir(mode=0o700)
    (root / "bus.conf").write_text(BUS_CONF)
    env = dict(os.environ, HOME=str(root), XDG_DATA_HOME=str(root / "data"), XDG_RUNTIME_DIR=str(root / "run"))
    env.pop("PYTHON_KEYRING_BACKEND", None)
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={root / 'bus.conf'}", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert bus.stdout is not None
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
    gkd = subprocess.Popen(
        ["gnome-keyring-daemon", "--unlock", "--foreground", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert gkd.stdin is not None
    gkd.stdin.write("test-only-password")
    gkd.stdin.close()
    deadline = time.monotonic() + 10
    try:
        while True:
            out = subprocess.run(
                [
                    "dbus-send",
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ],
                env=env,
                capture_output=True,
                text=True,
            ).stdout
            if "boolean true" in out:
                break
            if time.monotonic() > deadline or gkd.poll() is not None:
                pytest.fail("gnome-keyring-daemon did not come up")
            time.sleep(0.05)
        yield env
    finally:
        gkd.terminate()
        bus.terminate()
        gkd.wait(10)
        bus.wait(10)


def trackstar(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackstar_cli", *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_login_status_use_logout_with_a_real_secret_service(secret_service, tmp_path: Path):
    from trackstar_cli.emulator import Emulator

    with Emulator(port=0, api_key=KEY) as emu:
        env = dict(secret_service, TRACKSTAR_HOME=str(tmp_path / "home"), TRACKSTAR_BASE_URL=emu.url)
        for name in ("TRACKSTAR_API_KEY", "TRACKSTAR_PROFILE"):
            env.pop(name, None)

        r = trackstar(env, "auth", "login", "--stdin", input=KEY)  # verified against the emulator
        assert r.returncode == 0, r.stderr
        assert "keyring (Secret Service" in r.stderr  # in plain words, not keyring.backends.SecretService
        lookup = (
            subprocess.run(
                ["secret-tool", "lookup", "service", "trackstar-cli", "username", "api-key:default"],
                env=env,
                capture_output=True,
                text=True,
            )
            if shutil.which("secret-tool")
            else None
        )
        if lookup is not None:
            assert lookup.stdout == KEY  # really in the Secret Service, not in a file

        r = trackstar(env, "auth", "status", "--json")
        assert r.returncode == 0, r.stderr
        assert '"key_source": "keyring"' in r.stdout and KEY not in r.stdout

        r = trackstar(env, "link-token")  # a later command reads the key from the keyring
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip()

        r = trackstar(env, "auth", "logout")
        assert r.returncode == 0 and "Removed the API key" in r.stderr
        r = trackstar(env, "link-token")
        assert r.returncode == 3 and "no API key" in r.stderr
    assert KEY not in "".join(str(p) for p in (tmp_path / "home").rglob("*"))
    for path in (tmp_path / "home").rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes()


def test_dead_secret_service_fails_fast_with_a_clear_error(secret_service, tmp_path: Path):
    env = dict(secret_service, TRACKSTAR_HOME=str(tmp_path / "home"), DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent")
    started = time.monotonic()
    r = trackstar(env, "auth", "login", "--stdin", "--no-verify", input=KEY)
    assert time.monotonic() - started < 15
    assert r.returncode == 3
    assert r.stderr.startswith("error: the OS keyring")
    assert "TRACKSTAR_API_KEY" in r.stderr
    assert "Traceback" not in r.stderr and KEY not in r.stderr
