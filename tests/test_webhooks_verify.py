"""Webhook signatures: a published Svix test vector, the official svix SDK as an independent verifier, the
emulator's stdlib signer, and `trackstar webhooks verify` / `secret` with each reason's exit code."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from trackstar_cli.emulator import webhooks as emu_webhooks
from trackstar_cli.service import webhook_events, webhooks

# Svix's documented example ("Verifying webhooks manually", docs.svix.com/receiving/verifying-payloads/how-manual).
VECTOR = {
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "body": b'{"test": 2432232314}',
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY"  # 24 bytes
OTHER = "whsec_" + "WllYV1ZVVFNSUVBPTk1MS0pJSEdGRURD"
BODY = b'{"connection_id":"conn_1","event_type":"order.updated","data":{"id":"ord_1","status":"fulfilled"}}'


def _signed(
    secret: str = SECRET, body: bytes = BODY, stamp: int | None = None, msg: str = "msg_test1"
) -> dict[str, str]:
    return webhooks.sign(secret, msg, int(time.time()) if stamp is None else stamp, body)


def test_the_published_svix_vector_verifies_and_we_reproduce_its_signature() -> None:
    v = VECTOR
    headers = {"svix-id": v["id"], "svix-timestamp": str(v["timestamp"]), "svix-signature": v["signature"]}
    result = webhooks.verify(v["secret"], v["body"], headers, now=v["timestamp"] + 10)
    assert result.msg_id == v["id"] and result.skew == 10
    assert webhooks.sign(v["secret"], v["id"], v["timestamp"], v["body"])["svix-signature"] == v["signature"]
    assert emu_webhooks.sign(v["secret"], v["id"], v["timestamp"], v["body"]) == v["signature"]


def test_the_svix_sdk_accepts_our_signatures_and_we_accept_its() -> None:
    from svix.webhooks import Webhook, WebhookVerificationError

    headers = _signed()
    Webhook(SECRET).verify(BODY, headers)  # raises if it disagrees
    with pytest.raises(WebhookVerificationError):
        Webhook(OTHER).verify(BODY, headers)
    stamp = int(time.time())
    theirs = Webhook(SECRET).sign("msg_theirs", datetime_of(stamp), BODY.decode())
    ours = {"svix-id": "msg_theirs", "svix-timestamp": str(stamp), "svix-signature": theirs}
    assert webhooks.verify(SECRET, BODY, ours).msg_id == "msg_theirs"


def datetime_of(stamp: int) -> Any:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def test_the_emulators_stdlib_signer_agrees_with_standardwebhooks() -> None:
    stamp = int(time.time())
    for body in (BODY, b"{}", '{"name":"caf\u00e9 \u2713"}'.encode()):
        assert (
            emu_webhooks.sign(SECRET, "msg_x", stamp, body)
            == _signed(body=body, stamp=stamp, msg="msg_x")["svix-signature"]
        )
    secret = emu_webhooks.new_secret()
    assert webhooks.validate_secret(secret) == secret


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"svix-signature": None}, "missing_header"),
        ({"svix-id": None}, "missing_header"),
        ({"svix-timestamp": "1.7e9"}, "malformed"),
        ({"svix-signature": "v1 abc"}, "malformed"),
        ({"svix-signature": "g0hM9SsE+OTPJTGt"}, "malformed"),
        ({"svix-timestamp": str(int(time.time()) - 3600)}, "stale"),
        ({"svix-timestamp": str(int(time.time()) + 600)}, "stale"),
        ({"svix-id": "msg_other"}, "bad_signature"),
    ],
)
def test_each_reason_is_told_apart(change: dict[str, str | None], reason: str) -> None:
    headers = {k: v for k, v in {**_signed(), **change}.items() if v is not None}
    with pytest.raises(webhooks.WebhookVerificationError) as info:
        webhooks.verify(SECRET, BODY, headers)
    assert info.value.reason == reason


def test_webhook_prefixed_headers_and_any_case_work() -> None:
    signed = _signed()
    headers = {"Webhook-Id": signed["svix-id"], "WEBHOOK-TIMESTAMP": signed["svix-timestamp"]}
    headers["webhook-signature"] = signed["svix-signature"]
    assert webhooks.verify(SECRET, BODY, headers).msg_id == "msg_test1"


# -- the CLI -----------------------------------------------------------------------------------------------


def _verify(cli: Any, tmp_path: Path, body: bytes, headers: dict[str, str], *extra: str) -> Any:
    path = tmp_path / "body.json"
    path.write_bytes(body)
    args = ["webhooks", "verify", "--body", str(path)]
    for name, value in headers.items():
        args += [f"--{name}", value]
    return cli(*args, *extra, env={"TRACKSTAR_WEBHOOK_SECRET": SECRET})


def test_verify_says_valid(cli: Any, tmp_path: Path) -> None:
    done = _verify(cli, tmp_path, BODY, _signed(), "--json")
    assert done.exit_code == 0, done.stderr
    data = done.json()
    assert data["valid"] is True and data["event_type"] == "order.updated" and data["object_id"] == "ord_1"


def test_verify_tampered_body_is_13(cli: Any, tmp_path: Path) -> None:
    done = _verify(cli, tmp_path, BODY.replace(b"fulfilled", b"cancelled"), _signed())
    assert done.exit_code == 13
    assert done.stderr.startswith("error: no signature matches") and done.stdout == ""


def test_verify_stale_is_12_with_the_skew_and_now_reproduces_it(cli: Any, tmp_path: Path) -> None:
    old = int(time.time()) - 7200
    headers = _signed(stamp=old)
    done = _verify(cli, tmp_path, BODY, headers)
    assert done.exit_code == 12
    assert "old (more than 300 s)" in done.stderr and "skew +72" in done.stderr and "--now" in done.stderr
    again = _verify(cli, tmp_path, BODY, headers, "--now", str(old + 5))
    assert again.exit_code == 0, again.stderr
    assert "signed +5 s ago" in again.stdout


def test_verify_accepts_a_rotated_secret_in_either_position(cli: Any, tmp_path: Path) -> None:
    stamp = int(time.time())
    old_sig = _signed(OTHER, stamp=stamp)["svix-signature"]
    new = _signed(SECRET, stamp=stamp)
    for both in (f"{old_sig} {new['svix-signature']}", f"{new['svix-signature']} {old_sig}"):
        done = _verify(cli, tmp_path, BODY, {**new, "svix-signature": both})
        assert done.exit_code == 0, done.stderr
    only_old = _verify(cli, tmp_path, BODY, {**new, "svix-signature": old_sig})
    assert only_old.exit_code == 13 and "(1 checked)" in only_old.stderr


def test_verify_malformed_and_missing_headers(cli: Any, tmp_path: Path) -> None:
    signed = _signed()
    bad = _verify(cli, tmp_path, BODY, {**signed, "svix-signature": "sha256=deadbeef"})
    assert bad.exit_code == 11 and "v1,<base64>" in bad.stderr
    missing = _verify(cli, tmp_path, BODY, {"svix-id": signed["svix-id"]})
    assert missing.exit_code == 10 and "svix-timestamp, svix-signature" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr


def test_verify_without_a_secret_is_3_and_a_bad_secret_is_2(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(BODY)
    args = ["webhooks", "verify", "--body", str(path), *sum((["--" + k, v] for k, v in _signed().items()), [])]
    none = cli(*args)
    assert none.exit_code == 3 and "webhooks secret set" in none.stderr
    wrong = cli(*args, env={"TRACKSTAR_WEBHOOK_SECRET": "sk_live_not_a_webhook_secret"})
    assert wrong.exit_code == 2 and "whsec_" in wrong.stderr and "sk_live" not in wrong.stderr


def test_secret_set_show_remove_never_prints_it(cli: Any, isolated: Any) -> None:
    bad = cli("webhooks", "secret", "set", "--stdin", input="whsec_???\n")
    assert bad.exit_code == 2
    done = cli("webhooks", "secret", "set", "--stdin", input=SECRET + "\n")
    assert done.exit_code == 0, done.stderr
    assert isolated.items[("trackstar-cli", "webhook-secret:default")] == SECRET
    shown = cli("webhooks", "secret", "show", "--json")
    assert shown.exit_code == 0 and shown.json() == {"secret": "****" + SECRET[-4:], "source": "keyring"}
    assert SECRET not in shown.stdout + shown.stderr + done.stdout + done.stderr
    env = cli("webhooks", "secret", "show", "--json", env={"TRACKSTAR_WEBHOOK_SECRET": OTHER})
    assert env.json()["source"] == "env"
    assert cli("webhooks", "secret", "remove").exit_code == 0
    assert cli("webhooks", "secret", "show").exit_code == 3


def test_types_lists_the_39_event_types(cli: Any) -> None:
    done = cli("webhooks", "types", "--json")
    names = [t["event_type"] for t in done.json()]
    assert len(names) == 39 and "order.shipment.created" in names and "connection.historical-sync-completed" in names


# -- sample events -----------------------------------------------------------------------------------------


def test_samples_have_the_shape_of_the_emulators_get(emu: Any, cli: Any) -> None:
    import httpx

    from .conftest import connect

    token = connect(cli, emu)["access_token"]
    headers = {"x-trackstar-api-key": emu.api_key, "x-trackstar-access-token": token}
    for event_type, path in (("order.created", "/wms/orders"), ("inventory.updated", "/wms/inventory")):
        got = httpx.get(emu.url + path, headers=headers, params={"limit": 1}).json()["data"][0]
        assert set(webhook_events.make_event(event_type)["data"]) == set(got)


def test_set_edits_the_sample_and_rejects_bad_paths() -> None:
    event = webhook_events.make_event("order.updated", sets=["data.status=cancelled", "data.line_items.0.quantity=7"])
    assert event["data"]["status"] == "cancelled" and event["data"]["line_items"][0]["quantity"] == 7
    assert event["previous_attributes"]["status"] != "cancelled"
    with pytest.raises(webhooks.UsageError):
        webhook_events.make_event("order.updated", sets=["data.line_items.99.sku=X"])
    with pytest.raises(webhooks.UsageError):
        webhook_events.make_event("order.teleported")


def test_listen_without_a_secret_and_plain_http_targets_are_refused(cli: Any) -> None:
    none = cli("webhooks", "listen", "--port", "0")
    assert none.exit_code == 3 and "no webhook secret" in none.stderr
    env = {"TRACKSTAR_WEBHOOK_SECRET": SECRET}
    remote = cli("webhooks", "trigger", "order.created", "--to", "http://example.com/hooks", env=env)
    assert remote.exit_code == 2 and "refusing plain http" in remote.stderr
    forward = cli("webhooks", "listen", "--port", "0", "--forward-to", "http://10.0.0.1/", env=env)
    assert forward.exit_code == 2
    unknown = cli("webhooks", "trigger", "order.teleported", "--to", "http://127.0.0.1:9/", env=env)
    assert unknown.exit_code == 2 and "webhooks types" in unknown.stderr


def test_events_on_an_empty_store_and_an_unknown_id(cli: Any) -> None:
    assert cli("webhooks", "events", "list", "--json").json() == []
    missing = cli("webhooks", "events", "show", "42")
    assert missing.exit_code == 4 and "no stored webhook delivery" in missing.stderr


def test_untrusted_text_in_a_stored_delivery_reaches_the_terminal_defanged(cli: Any) -> None:
    from trackstar_cli.config import resolve_paths
    from trackstar_cli.store import NewDelivery, Store

    evil = "order.updated\x1b]52;c;aGk=\x07[bold red]x[/]\u202e"
    with Store(resolve_paths().database) as store:
        store.save_delivery(
            "default",
            NewDelivery("msg_evil", "2026-01-01T00:00:00Z", [("svix-id", "msg_evil")], b"{}", False, "x", evil),
        )
    shown = cli("webhooks", "events", "list", "--format", "table")
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "\\x1b]52" in shown.stdout and "[bold red]x[/]" in shown.stdout  # shown, not interpreted
    raw = cli("webhooks", "events", "list", "--json").json()
    assert raw[0]["event_type"] == evil  # machine formats keep the data exact


def test_events_list_filters(cli: Any) -> None:
    from trackstar_cli.config import resolve_paths
    from trackstar_cli.store import NewDelivery, Store

    from .conftest import add_connection

    add_connection("conn_a", alias="acme")
    rows = [
        ("msg_1", "2020-01-01T00:00:00Z", True, "order.created", "conn_a"),
        ("msg_2", "2099-01-01T00:00:00Z", True, "order.updated", "conn_b"),
        ("msg_3", "2099-01-01T00:00:00Z", False, "inventory.updated", "conn_a"),
    ]
    with Store(resolve_paths().database) as store:
        for msg, at, ok, kind, conn in rows:
            store.save_delivery("default", NewDelivery(msg, at, [], b"{}", ok, None if ok else "stale: x", kind, conn))

    def ids(*args: str) -> list[str]:
        return [d["svix_id"] for d in cli("webhooks", "events", "list", "--json", *args).json()]

    assert ids() == ["msg_3", "msg_2", "msg_1"]
    assert ids("--type", "order.*") == ["msg_2", "msg_1"]
    assert ids("--type", "order.created,inventory.*") == ["msg_3", "msg_1"]
    assert ids("--connection", "acme") == ["msg_3", "msg_1"]
    assert ids("--since", "2030-01-01") == ["msg_3", "msg_2"]
    assert ids("--failed") == ["msg_3"]
    assert ids("-n", "1") == ["msg_3"]
    assert cli("webhooks", "events", "list", "--since", "yesterday").exit_code == 2


def test_trigger_with_a_connection_uses_its_id_and_integration(cli: Any) -> None:
    from .conftest import add_connection

    add_connection("conn_real", alias="acme", integration="shipbob")
    event = webhook_events.make_event("order.created", webhooks_connection("acme"))
    assert (event["connection_id"], event["integration_name"]) == ("conn_real", "shipbob")


def webhooks_connection(ref: str) -> Any:
    from trackstar_cli.config import resolve_paths
    from trackstar_cli.store import Store

    with Store(resolve_paths().database) as store:
        return store.get("default", ref)


def test_emulator_serve_refuses_a_bad_webhook_url_or_secret(cli: Any) -> None:
    bad_url = cli("emulator", "serve", "--port", "0", "--webhook-url", "ftp://example.com/")
    assert bad_url.exit_code == 2 and "http://" in bad_url.stderr
    bad_secret = cli(
        "emulator", "serve", "--port", "0", "--webhook-url", "http://127.0.0.1:9/", "--webhook-secret", "x"
    )
    assert bad_secret.exit_code == 2 and "whsec_" in bad_secret.stderr
