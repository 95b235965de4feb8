"""`trackstar webhooks listen` as a real process on 127.0.0.1: fed by the emulator (with a forced failure
that the Svix-style retry delivers exactly once into the store), by `trigger` and by `replay`, and
forwarding to an app with `--forward-to`."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import connect

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent / "trackstar"
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"
WRONG = "whsec_" + "WllYV1ZVVFNSUVBPTk1MS0pJSEdGRURD"


class Listener:
    """`trackstar webhooks listen --port 0 …` in a subprocess; stdout lines arrive on a queue."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKSTAR_")}
        env.update(TRACKSTAR_HOME=str(home), TRACKSTAR_WEBHOOK_SECRET=SECRET, NO_COLOR="1")
        self.proc = subprocess.Popen(
            [str(BIN), "webhooks", "listen", "--port", "0", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stderr is not None and self.proc.stdout is not None
        first = self.proc.stderr.readline()
        assert "Listening for webhooks on http://127.0.0.1:" in first, first + self.proc.stderr.read()
        self.url = first.split(" on ")[1].split()[0].rstrip("/") + "/webhooks"
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def line(self, containing: str, timeout: float = 15) -> str:
        """The next stdout line that contains `containing` (a bound on waiting, not a timed assertion)."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if containing in line:
                return line
            seen.append(line)
        raise AssertionError(f"no line with {containing!r}; saw {seen}")

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(10) == 0
        assert self.proc.stderr is not None
        return self.proc.stderr.read()


class App:
    """The user's own app on 127.0.0.1: records requests, answers `status`; `lose_first` forwards the first
    delivery of that event type to `forward_to` and then answers 500, as if the reply had been lost."""

    def __init__(self, status: int = 204, forward_to: str | None = None, lose_first: str | None = None) -> None:
        self.requests: list[tuple[list[tuple[str, str]], bytes]] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                app.requests.append((list(self.headers.items()), body))
                code = status
                if forward_to:
                    keep = {k: v for k, v in self.headers.items() if k.lower().startswith(("svix-", "content-type"))}
                    code = httpx.post(forward_to, content=body, headers=keep).status_code
                    if lose_first and json.loads(body)["event_type"] == lose_first:
                        app.lost = getattr(app, "lost", 0) + 1
                        code = 500 if app.lost == 1 else code
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener(home: Path) -> Iterator[Listener]:
    assert BIN.exists(), f"{BIN} is not installed (pip install -e .)"
    lis = Listener(home)
    yield lis
    if lis.proc.poll() is None:
        lis.stop()


def _events(cli: Any, *args: str) -> list[dict[str, Any]]:
    done = cli("webhooks", "events", "list", "--json", *args)
    assert done.exit_code == 0, done.stderr
    return list(done.json())


def test_emulator_events_reach_listen_and_a_lost_reply_is_stored_once(
    cli: Any, home: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trackstar_cli.emulator import Emulator

    proxy = App(forward_to=listener.url, lose_first="order.updated")
    emu = Emulator(port=0, seed=5, webhook_url=proxy.url, webhook_secret=SECRET, webhook_time_scale=0.001).start()
    try:
        monkeypatch.setenv("TRACKSTAR_BASE_URL", emu.url)
        monkeypatch.setenv("TRACKSTAR_API_KEY", emu.api_key)
        conn = connect(cli, emu, name="acme")
        created = listener.line("connection.created")
        assert conn["connection_id"] in created or "  acme  " in created  # alias once `exchange` stored it
        orders = cli("orders", "list", "--status", "open", "-n", "1", "--json").json()
        assert cli("orders", "cancel", orders[0]["id"]).exit_code == 0
        line = listener.line("order.updated")
        assert f"acme  {orders[0]['id']}" in line and "status open → cancelled" in line
        assert "repeat (attempt 2, stored once)" in listener.line("order.updated")
        deliveries = httpx.get(f"{emu.url}/_emulator/webhooks/deliveries").json()["data"]
        sent = next(d for d in deliveries if d["event_type"] == "order.updated")
        assert [a["status"] for a in sent["attempts"]] == [500, 200]
    finally:
        emu.stop()
        proxy.close()
    stored = _events(cli, "--type", "order.*")
    assert len(stored) == 1
    assert stored[0]["svix_id"] == sent["id"] and stored[0]["attempts"] == 2 and stored[0]["verified"] is True
    shown = cli("webhooks", "events", "show", str(stored[0]["id"]), "--json").json()
    assert shown["body"]["data"]["status"] == "cancelled"
    assert ["svix-id", sent["id"]] in [[k.lower(), v] for k, v in shown["headers"]]
    assert "Stopped" in listener.stop()


def test_trigger_and_replay_are_received_by_listen(cli: Any, listener: Listener) -> None:
    env = {"TRACKSTAR_WEBHOOK_SECRET": SECRET}
    sent = cli("webhooks", "trigger", "order.updated", "--to", listener.url, "--set", "data.status=cancelled", env=env)
    assert sent.exit_code == 0, sent.stderr
    assert "200" in sent.stdout
    assert "→ cancelled" in listener.line("order.updated")
    stored = _events(cli)
    assert len(stored) == 1 and stored[0]["verified"] and stored[0]["connection_id"] == "conn_sample"
    checked = cli("webhooks", "verify", "--delivery", str(stored[0]["id"]), "--json", env=env)
    assert checked.exit_code == 0 and checked.json()["svix_id"] == stored[0]["svix_id"]
    later = cli("webhooks", "verify", "--delivery", stored[0]["svix_id"], "--now", str(int(time.time()) + 900), env=env)
    assert later.exit_code == 12  # the same delivery checked 15 minutes on is stale

    again = cli("webhooks", "replay", str(stored[0]["id"]), "--to", listener.url, "--resign", env=env)
    assert again.exit_code == 0, again.stderr
    assert "repeat (attempt 2" in listener.line("order.updated")

    app = App()
    try:
        raw = cli("webhooks", "replay", stored[0]["svix_id"], "--to", app.url, "--json", env=env)
        assert raw.exit_code == 0 and json.loads(raw.stdout)["status"] == 204
        shown = cli("webhooks", "events", "show", stored[0]["svix_id"], "--json").json()
        headers, body = app.requests[0]
        assert json.loads(body) == shown["body"]
        original = {k.lower(): v for k, v in shown["headers"]}
        received = {k.lower(): v for k, v in headers}
        assert all(received[h] == original[h] for h in ("svix-id", "svix-timestamp", "svix-signature"))
    finally:
        app.close()


def test_a_wrongly_signed_delivery_is_refused_and_stored_as_failed(cli: Any, listener: Listener) -> None:
    sent = cli(
        "webhooks", "trigger", "inventory.updated", "--to", listener.url, env={"TRACKSTAR_WEBHOOK_SECRET": WRONG}
    )
    assert sent.exit_code == 1 and "401" in sent.stdout
    assert "REJECTED 401 (bad_signature" in listener.line("inventory.updated")
    failed = _events(cli, "--failed")
    assert len(failed) == 1 and failed[0]["verified"] is False and failed[0]["reason"].startswith("bad_signature")
    too_big = httpx.post(listener.url, content=b"x" * (1024 * 1024 + 1))
    assert too_big.status_code == 413
    assert httpx.post(listener.url, content=b"{}").status_code == 400  # no svix headers
    assert httpx.get(listener.url).status_code == 405


def test_forward_to_resends_body_and_headers_and_records_the_status(cli: Any, home: Path) -> None:
    app = App(status=202)
    lis = Listener(home, "--forward-to", app.url, "--events", "order.*")
    try:
        env = {"TRACKSTAR_WEBHOOK_SECRET": SECRET}
        assert cli("webhooks", "trigger", "product.created", "--to", lis.url, env=env).exit_code == 0
        assert cli("webhooks", "trigger", "order.created", "--to", lis.url, env=env).exit_code == 0
        assert f"→ {app.url} 202" in lis.line("order.created")
    finally:
        lis.stop()
        app.close()
    assert len(app.requests) == 1  # product.created is stored, not shown or forwarded
    headers, body = app.requests[0]
    stored = {d["event_type"]: d for d in _events(cli)}
    assert set(stored) == {"order.created", "product.created"} and stored["order.created"]["forward_status"] == 202
    shown = cli("webhooks", "events", "show", str(stored["order.created"]["id"]), "--json").json()
    assert json.loads(body) == shown["body"]
    svix = {k.lower(): v for k, v in headers if k.lower().startswith("svix-")}
    assert svix == {k.lower(): v for k, v in shown["headers"] if k.lower().startswith("svix-")}


def test_connection_created_can_be_stored_from_the_event(cli: Any, home: Path, listener: Listener) -> None:
    env = {"TRACKSTAR_WEBHOOK_SECRET": SECRET}
    sets = ["--set", "connection_id=conn_magic", "--set", "data.access_token=tok_from_event_1234"]
    assert cli("webhooks", "trigger", "connection.created", "--to", listener.url, *sets, env=env).exit_code == 0
    listener.line("connection.created")
    assert "conn_magic" not in cli("connections", "list", "--json").stdout
    stored = _events(cli, "--type", "connection.created")
    done = cli("webhooks", "events", "store-connection", str(stored[0]["id"]))
    assert done.exit_code == 0, done.stderr
    conns = cli("connections", "list", "--json").json()
    assert [c["connection_id"] for c in conns] == ["conn_magic"]
    assert "tok_from_event" not in done.stdout + done.stderr

    auto = Listener(home, "--store-connections")
    try:
        sets = ["--set", "connection_id=conn_auto", "--set", "data.access_token=tok_auto_5678"]
        assert cli("webhooks", "trigger", "connection.created", "--to", auto.url, *sets, env=env).exit_code == 0
        assert "stored connection conn_auto" in auto.line("connection.created")
    finally:
        auto.stop()
    assert "conn_auto" in cli("connections", "list", "--json").stdout
