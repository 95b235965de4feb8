"""`trackstar api`: raw requests. respx at the unit level, then end to end against an in-process emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.conftest import API_KEY, BASE, TOKEN, add_connection, connect
from trackstar_cli.service.api import needs_access_token, prepare

INVENTORY = {"data": [{"id": "inv_1", "sku": "A"}], "next_token": None, "total_count": 1}


@pytest.fixture
def ready(logged_in):
    add_connection(alias="acme")


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)


def sent(route: respx.Route, n: int = -1) -> httpx.Request:
    return route.calls[n].request


def body_of(route: respx.Route, n: int = -1) -> Any:
    return json.loads(sent(route, n).content)


# -- which headers ---------------------------------------------------------------------------------------


@respx.mock(base_url=BASE, assert_all_called=True)
def test_key_only_path_needs_no_connection(respx_mock, cli, logged_in):
    reply = {"data": [{"connection_id": "c1"}], "next_token": None, "total_count": 1}
    route = respx_mock.get("/connections").respond(200, json=reply)
    r = cli("api", "GET", "/connections")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == json.dumps(reply, indent=2) + "\n"  # pretty, and the API's body unchanged
    assert sent(route).headers["x-trackstar-api-key"] == API_KEY
    assert "x-trackstar-access-token" not in sent(route).headers


@respx.mock(base_url=BASE, assert_all_called=True)
def test_connection_scoped_path_gets_the_token(respx_mock, cli, ready):
    route = respx_mock.get("/wms/inventory").respond(200, json=INVENTORY)
    r = cli("api", "wms/inventory")  # no leading slash, METHOD defaults to GET
    assert r.exit_code == 0, r.stderr
    assert r.json() == INVENTORY
    assert sent(route).headers["x-trackstar-access-token"] == TOKEN
    assert sent(route).headers["x-trackstar-api-key"] == API_KEY


def test_connection_scoped_path_without_connection_is_exit_4(cli, logged_in):
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.get("/wms/inventory").respond(200, json=INVENTORY)
        r = cli("api", "/wms/inventory")
    assert r.exit_code == 4
    assert "error: no connections stored" in r.stderr and "hint:" in r.stderr
    assert route.call_count == 0


@respx.mock(base_url=BASE, assert_all_called=True)
def test_explicit_connection_sends_the_token_anywhere(respx_mock, cli, ready):
    route = respx_mock.post("/link/token").respond(200, json={"link_token": "lt"})
    r = cli("api", "POST", "/link/token", "-c", "acme")
    assert r.exit_code == 0, r.stderr
    assert sent(route).headers["x-trackstar-access-token"] == TOKEN


@respx.mock(base_url=BASE, assert_all_called=True)
def test_connection_from_env_is_used_only_where_needed(respx_mock, cli, ready):
    keyed = respx_mock.get("/connections").respond(200, json={"data": []})
    scoped = respx_mock.get("/wms/warehouses").respond(200, json={"data": []})
    env = {"TRACKSTAR_CONNECTION": "acme"}
    assert cli("api", "/connections", env=env).exit_code == 0
    assert "x-trackstar-access-token" not in sent(keyed).headers
    assert cli("api", "/wms/warehouses", env=env).exit_code == 0
    assert sent(scoped).headers["x-trackstar-access-token"] == TOKEN
    # an unknown connection in the environment does not break an API-key-only call
    assert cli("api", "/connections", env={"TRACKSTAR_CONNECTION": "nope"}).exit_code == 0


@pytest.mark.parametrize(
    ("method", "path", "scoped"),
    [
        ("GET", "/wms/inventory", True),
        ("GET", "/wms/inventory/inv_1", True),
        ("PUT", "/wms/orders/o1/cancel", True),
        ("GET", "/cart/orders", True),
        ("GET", "/freight/shipments", True),
        ("GET", "/wms/orders/meta", True),
        ("GET", "/wms/orders/meta/shipbob", False),
        ("GET", "/wms/integrations", False),
        ("GET", "/integrations/wms/shipbob", False),
        ("POST", "/link/token", False),
        ("POST", "/link/exchange", False),
        ("GET", "/connections", False),
        ("GET", "/connections/conn_1", False),
        ("PATCH", "/connections", True),
        ("DELETE", "/connections", True),
        ("POST", "/connections/sync", True),
        ("POST", "/sandbox/generate-sandbox/wms", False),
        ("PUT", "/sandbox/simulate/orders/o1/fulfill", False),
        ("GET", "/magic-links", False),
        ("GET", "/something-new", False),
    ],
)
def test_which_paths_need_the_access_token(method, path, scoped):
    assert needs_access_token(method, path) is scoped


# -- fields, query and body ------------------------------------------------------------------------------


@respx.mock(base_url=BASE, assert_all_called=True)
def test_fields_of_a_get_are_query_parameters(respx_mock, cli, ready):
    route = respx_mock.get("/wms/inventory").respond(200, json=INVENTORY)
    r = cli("api", "GET", "/wms/inventory?limit=5", "-f", "sku[in]=A,B", "-F", "active=true")
    assert r.exit_code == 0, r.stderr
    assert dict(sent(route).url.params) == {"limit": "5", "sku[in]": "A,B", "active": "true"}
    assert sent(route).content == b""


@respx.mock(base_url=BASE, assert_all_called=True)
def test_typed_fields_build_a_json_body(respx_mock, cli, ready, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("fragile\n")
    route = respx_mock.post("/wms/orders").respond(200, json={"id": "ord_1"})
    args = ["-F", "n=3", "-F", "price=1.5", "-F", "rush=true", "-F", "gift=false", "-F", "memo=null"]
    args += ["-f", "order_number=007", "-F", "zip=0123", "-F", "ship_to[name]=Ada", "-F", "ship_to[geo][lat]=1"]
    args += ["-F", "tags[]=a", "-F", "tags[]=b", "-F", "line_items[][sku]=A", "-F", "line_items[][quantity]=2"]
    args += ["-F", "line_items[][sku]=B", "-F", f"notes=@{note}"]
    r = cli("api", "POST", "/wms/orders", *args)
    assert r.exit_code == 0, r.stderr
    assert sent(route).headers["content-type"] == "application/json"
    assert body_of(route) == {
        "n": 3,
        "price": 1.5,
        "rush": True,
        "gift": False,
        "memo": None,
        "order_number": "007",
        "zip": "0123",
        "ship_to": {"name": "Ada", "geo": {"lat": 1}},
        "tags": ["a", "b"],
        "line_items": [{"sku": "A", "quantity": 2}, {"sku": "B"}],
        "notes": "fragile\n",
    }


@respx.mock(base_url=BASE, assert_all_called=True)
def test_fields_alone_keep_the_default_get(respx_mock, cli, ready):
    route = respx_mock.get("/wms/orders").respond(200, json={"data": []})
    r = cli("api", "/wms/orders", "-f", "status=open", "-F", "limit=10")
    assert r.exit_code == 0, r.stderr
    assert dict(sent(route).url.params) == {"status": "open", "limit": "10"}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_field_from_stdin(respx_mock, cli, ready):
    route = respx_mock.put("/wms/products/p1").respond(200, json={"id": "p1"})
    r = cli("api", "PUT", "/wms/products/p1", "-F", "name=@-", input="Blue mug")
    assert r.exit_code == 0, r.stderr
    assert body_of(route) == {"name": "Blue mug"}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_input_from_stdin_is_the_body_and_fields_go_to_the_query(respx_mock, cli, ready):
    route = respx_mock.post("/wms/orders").respond(200, json={"id": "ord_1"})
    order = {"order_number": "1001", "line_items": [{"sku": "A", "quantity": 1}], "weight": 1.25}
    r = cli("api", "/wms/orders", "--input", "-", "-f", "dry=1", input=json.dumps(order))
    assert r.exit_code == 0, r.stderr
    assert sent(route).method == "POST"
    assert body_of(route) == order
    assert dict(sent(route).url.params) == {"dry": "1"}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_input_file_with_explicit_method(respx_mock, cli, ready, tmp_path):
    path = tmp_path / "patch.json"
    path.write_text('{"webhooks_disabled": true}')
    route = respx_mock.patch("/connections").respond(200, json={"id": "conn_1", "updated": True})
    r = cli("api", "patch", "/connections", "--input", str(path))
    assert r.exit_code == 0, r.stderr
    assert body_of(route) == {"webhooks_disabled": True}
    assert sent(route).headers["x-trackstar-access-token"] == TOKEN


@respx.mock(base_url=BASE, assert_all_called=True)
def test_full_url_under_the_base_url_is_accepted(respx_mock, cli, logged_in):
    route = respx_mock.get("/connections").respond(200, json={"data": []})
    r = cli("api", f"{BASE}/connections?page_token=abc")
    assert r.exit_code == 0, r.stderr
    assert dict(sent(route).url.params) == {"page_token": "abc"}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_extra_headers_and_empty_replies(respx_mock, cli, logged_in):
    route = respx_mock.delete("/magic-links/ml_1").respond(204)
    r = cli("api", "DELETE", "/magic-links/ml_1", "-H", "X-Trace: abc 1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert sent(route).headers["x-trace"] == "abc 1"


@respx.mock(base_url=BASE, assert_all_called=True)
def test_ndjson_of_a_single_reply_is_one_line(respx_mock, cli, logged_in):
    respx_mock.get("/connections").respond(200, json={"data": [{"a": 1}]})
    r = cli("api", "/connections", "-o", "ndjson")
    assert r.stdout.count("\n") == 1 and json.loads(r.stdout) == {"data": [{"a": 1}]}


# -- pagination ------------------------------------------------------------------------------------------


def _two_pages(respx_mock):
    return respx_mock.get("/wms/inventory").mock(
        side_effect=[
            httpx.Response(200, json={"data": [{"id": "a"}, {"id": "b"}], "next_token": "p2", "total_count": 2}),
            httpx.Response(200, json={"data": [{"id": "c"}], "next_token": None, "total_count": 1}),
        ]
    )


@respx.mock(base_url=BASE, assert_all_called=True)
def test_paginate_repeats_params_and_prints_one_array(respx_mock, cli, ready):
    route = _two_pages(respx_mock)
    r = cli("api", "/wms/inventory", "-f", "sku[in]=A,B", "-f", "limit=2", "--paginate")
    assert r.exit_code == 0, r.stderr
    assert r.json() == [{"id": "a"}, {"id": "b"}, {"id": "c"}]
    assert [sent(route, i).method for i in range(2)] == ["GET", "GET"]  # -f with --paginate stays a GET
    assert dict(sent(route, 0).url.params) == {"sku[in]": "A,B", "limit": "2"}
    assert dict(sent(route, 1).url.params) == {"sku[in]": "A,B", "limit": "2", "page_token": "p2"}


@respx.mock(base_url=BASE, assert_all_called=True)
def test_paginate_ndjson(respx_mock, cli, ready):
    _two_pages(respx_mock)
    r = cli("api", "/wms/inventory", "--paginate", "-o", "ndjson")
    assert [json.loads(line) for line in r.stdout.splitlines()] == [{"id": "a"}, {"id": "b"}, {"id": "c"}]


@respx.mock(base_url=BASE, assert_all_called=True)
def test_paginate_a_reply_without_data_is_exit_8(respx_mock, cli, logged_in):
    respx_mock.get("/integrations/wms").respond(200, json={"integrations": []})
    r = cli("api", "/integrations/wms", "--paginate")
    assert r.exit_code == 8 and r.stdout == ""
    assert "no 'data' list" in r.stderr and "drop --paginate" in r.stderr


# -- retries and Idempotency-Key -------------------------------------------------------------------------


@respx.mock(base_url=BASE)
def test_connection_writes_get_an_idempotency_key_and_are_retried_with_it(respx_mock, cli, ready, no_sleep):
    route = respx_mock.put("/wms/inventory/inv_1/trackstar-tags").mock(
        side_effect=[httpx.Response(503, headers={"retry-after": "0"}), httpx.Response(200, json={"id": "inv_1"})]
    )
    r = cli("api", "PUT", "/wms/inventory/inv_1/trackstar-tags", "-F", "trackstar_tags[]=hold")
    assert r.exit_code == 0, r.stderr
    assert route.call_count == 2
    keys = {sent(route, i).headers["idempotency-key"] for i in range(2)}
    assert len(keys) == 1 and len(keys.pop()) == 36  # one UUID, the same on the retry


@respx.mock(base_url=BASE)
def test_given_idempotency_key_wins(respx_mock, cli, ready):
    route = respx_mock.post("/wms/orders").respond(200, json={"id": "o"})
    r = cli("api", "POST", "/wms/orders", "-f", "a=b", "-H", "Idempotency-Key: mine-1")
    assert r.exit_code == 0, r.stderr
    assert sent(route).headers.get_list("idempotency-key") == ["mine-1"]


@respx.mock(base_url=BASE)
def test_key_only_writes_are_not_repeated(respx_mock, cli, logged_in, no_sleep):
    route = respx_mock.post("/link/exchange").respond(503, json={"error": "busy"}, headers={"retry-after": "0"})
    r = cli("api", "POST", "/link/exchange", "-f", "auth_code=code_1")
    assert r.exit_code == 8
    assert route.call_count == 1  # a single-use code must not be spent twice
    assert "idempotency-key" not in sent(route).headers


@respx.mock(base_url=BASE)
def test_get_is_retried(respx_mock, cli, logged_in, no_sleep):
    route = respx_mock.get("/connections").mock(
        side_effect=[httpx.Response(429, headers={"retry-after": "0"}), httpx.Response(200, json={"data": []})]
    )
    assert cli("api", "/connections").exit_code == 0 and route.call_count == 2


# -- errors ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (401, {"error": "Invalid API key", "origin": "trackstar"}, 3),
        (404, {"error": "not found", "id": "x"}, 4),
        (422, {"error": "Invalid query", "detail": {"query": {"foo[eq]": ["Unknown field."]}}}, 6),
        (501, {"error": "Endpoint get_returns is not implemented for Cool WMS", "origin": "trackstar"}, 7),
        (400, {"error": "WMS timed out", "origin": "integration"}, 7),
        (429, {"error": "Too many requests", "origin": "trackstar"}, 5),
        (500, {"error": "boom", "origin": "trackstar"}, 8),
    ],
)
def test_status_to_exit_code(cli, ready, no_sleep, status, body, code):
    with respx.mock(base_url=BASE) as mock:
        mock.get("/wms/returns").respond(status, json=body, headers={"x-request-id": "req_7", "retry-after": "0"})
        r = cli("api", "/wms/returns")
    assert r.exit_code == code
    assert r.stderr.startswith("error: ") and "req_7" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_405_after_an_implied_post_explains_why(cli, ready):
    with respx.mock(base_url=BASE) as mock:
        mock.post("/wms/orders/o1").respond(405, json={"error": "Method POST not allowed on /wms/orders/o1"})
        r = cli("api", "/wms/orders/o1", "--input", "-", input='{"status": "open"}')
    assert r.exit_code == 6
    assert "hint: the METHOD defaulted to POST because of --input" in r.stderr


def test_verbose_redacts_secrets(cli, ready):
    with respx.mock(base_url=BASE) as mock:
        mock.get("/wms/inventory").respond(200, json=INVENTORY)
        r = cli("api", "/wms/inventory", "--verbose")
    assert r.exit_code == 0, r.stderr
    assert "x-trackstar-access-token: ***" in r.stderr
    assert API_KEY not in r.stderr and TOKEN not in r.stderr and TOKEN not in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["FETCH", "/wms/inventory"], "unknown METHOD 'FETCH'"),
        (["POST"], "missing the PATH after POST"),
        (["GET", "/a", "/b"], "expected [METHOD] PATH, got 3 arguments"),
        (["/wms/orders", "-f", "no-equals-sign"], "invalid field 'no-equals-sign' for -f"),
        (["/wms/orders", "-F", "=1"], "invalid field '=1' for -F"),
        (["POST", "/wms/orders", "-F", "a]b=1"], "invalid field name 'a]b'"),
        (["POST", "/wms/orders", "-F", "a=1", "-F", "a[b]=2"], "conflicts with another -f/-F"),
        (["PUT", "/wms/orders/o", "-F", "a=1", "-f", "a=2"], "field 'a' given twice"),
        (["/wms/orders", "-f", "x=1", "-F", "x=2"], "query parameter x given twice"),
        (["/wms/orders?x=1", "-f", "x=2"], "query parameter x given twice"),
        (["/wms/orders", "-F", "a=@/nonexistent/file"], "cannot read /nonexistent/file for -F a"),
        (["/wms/orders", "-F", "a=@"], "no file name after @"),
        (["POST", "/wms/orders", "--input", "/nonexistent.json"], "cannot read /nonexistent.json for --input"),
        (["GET", "/wms/orders", "--input", "-"], "a GET has none"),
        (["POST", "/wms/orders", "--paginate"], "--paginate follows pages of a GET, not of a POST"),
        (["/wms/orders", "-H", "no colon"], "invalid header 'no colon'"),
        (["/connections", "-H", "x-trackstar-api-key: sk_x"], "is not taken on the command line"),
        (["https://evil.example/connections"], "refusing to send the API key to https://evil.example/connections"),
        ([f"{BASE}:8443/connections"], "refusing to send the API key"),
        (["/"], "no endpoint in PATH '/'"),
        (["/wms/orders", "-o", "csv"], "'csv' is not one of"),
    ],
)
def test_bad_input_is_exit_2_without_a_request(cli, ready, args, message):
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.route().respond(200, json={})
        r = cli("api", *args)
    assert r.exit_code == 2, r.stderr
    assert r.stderr.startswith("error: ") and message in r.stderr, r.stderr
    assert "hint: " in r.stderr or "Invalid value" in r.stderr
    assert "Traceback" not in r.stderr and route.call_count == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [("{not json", "--input - (standard input) is not valid JSON: Expecting property name"), ("  \n", "is empty")],
)
def test_bad_json_input_is_exit_2(cli, ready, text, message):
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        route = mock.route().respond(200, json={})
        r = cli("api", "POST", "/wms/orders", "--input", "-", input=text)
    assert r.exit_code == 2 and message in r.stderr and "hint: " in r.stderr
    assert route.call_count == 0


def test_stdin_is_read_once(cli, ready):
    r = cli("api", "POST", "/wms/orders", "--input", "-", "-F", "a=@-", input="{}")
    assert r.exit_code == 2 and "standard input can be read only once" in r.stderr


def test_prepare_adds_no_key_to_deletes_or_passthrough():
    assert "Idempotency-Key" not in prepare(["DELETE", "/connections"], base_url=BASE).headers
    assert "Idempotency-Key" not in prepare(["POST", "/wms/passthrough"], base_url=BASE).headers
    assert "Idempotency-Key" in prepare(["PATCH", "/connections"], base_url=BASE).headers


# -- end to end against the emulator ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    from trackstar_cli.emulator import Emulator

    with Emulator(port=0, size=23) as emu:
        yield emu


def test_e2e_key_only_calls_work_without_a_connection(cli, emu):
    r = cli("api", "GET", "/connections")
    assert r.exit_code == 0, r.stderr
    assert r.json()["data"]  # the emulator's WMS sandbox
    r = cli("api", "POST", "/link/token")
    assert r.exit_code == 0, r.stderr
    assert r.json()["link_token"]
    r = cli("api", "/wms/integrations")
    assert r.exit_code == 0, r.stderr


def test_e2e_paginate_and_filters(cli, emu):
    connect(cli, emu)
    everything = cli("inventory", "list", "--json").json()
    r = cli("api", "/wms/inventory", "-f", "limit=5", "--paginate")
    assert r.exit_code == 0, r.stderr
    assert r.json() == everything and len(everything) == 23
    skus = [everything[3]["sku"], everything[17]["sku"]]
    r = cli("api", "/wms/inventory", "-f", f"sku[in]={','.join(skus)}", "-f", "limit=1", "--paginate")
    assert [item["sku"] for item in r.json()] == skus
    one = cli("api", f"{emu.url}/wms/inventory/{everything[0]['id']}")
    assert one.json()["data"] == everything[0]


def test_e2e_writes_are_retried_with_their_idempotency_key(cli, emu, no_sleep):
    connect(cli, emu)
    item = cli("api", "/wms/inventory", "-f", "limit=1").json()["data"][0]
    path = f"/wms/inventory/{item['id']}/trackstar-tags"
    queued = cli("api", "POST", "/_emulator/faults", "-f", "kind=503", "-F", "count=1", "-f", f"path={path}")
    assert queued.exit_code == 0, queued.stderr  # -F count=1 is a JSON number, as the emulator requires
    r = cli("api", "PUT", path, "-F", "trackstar_tags[]=hold", "-F", "trackstar_tags[][owner]=ops", "--verbose")
    assert r.exit_code == 0, r.stderr
    assert "< 503" in r.stderr and "retrying" in r.stderr
    keys = [line for line in r.stderr.splitlines() if line.lower().startswith("> idempotency-key:")]
    assert len(keys) == 2 and keys[0] == keys[1]  # the retry carries the same key
    assert r.json()["data"]["trackstar_tags"] == ["hold", {"owner": "ops"}]
    # the same Idempotency-Key again: Trackstar replays the first answer instead of writing twice
    again = cli("api", "PUT", path, "-F", "trackstar_tags[]=other", "-H", "Idempotency-Key: k1", "--verbose")
    replay = cli("api", "PUT", path, "-F", "trackstar_tags[]=other", "-H", "Idempotency-Key: k1", "--verbose")
    assert again.exit_code == replay.exit_code == 0
    assert "idempotent-replayed: true" in replay.stderr.lower()
    assert replay.json() == again.json()


def test_e2e_errors_and_exit_codes(cli, emu):
    connect(cli, emu, "extensiv-3pl-central", name="ext")
    r = cli("api", "/wms/returns")
    assert r.exit_code == 7 and "not implemented" in r.stderr
    r = cli("api", "/wms/inventory/inv_99999999")
    assert r.exit_code == 4
    r = cli("api", "/wms/inventory", "-f", "limit=5000", "--paginate")
    assert r.exit_code == 6 and r.stdout == ""
    # --input implies POST, which this path lacks (--yes: a write to a live WMS is confirmed first)
    r = cli("api", "/wms/inventory", "--input", "-", "--yes", input="{}")
    assert r.exit_code == 6 and "defaulted to POST" in r.stderr


def test_e2e_a_write_to_a_live_wms_is_confirmed_and_dry_run_sends_nothing(cli, emu):
    connect(cli, emu, "shipbob", name="sb")
    path = "/wms/orders/ord_00000001/trackstar-tags"
    r = cli("api", "PUT", path, "-F", "trackstar_tags[]=hold")
    assert r.exit_code == 2 and "a live WMS" in r.stderr and "--yes" in r.stderr
    r = cli("api", "PUT", path, "-F", "trackstar_tags[]=hold", "--dry-run")
    assert r.exit_code == 0 and "Dry run: nothing was sent." in r.stderr
    described = r.json()
    assert described["method"] == "PUT" and described["body"] == {"trackstar_tags": ["hold"]}
    assert described["headers"]["x-trackstar-access-token"] == "***"
    before = cli("api", "/wms/orders/ord_00000001").json()["data"]["trackstar_tags"]
    assert "hold" not in before  # neither the refused nor the dry run wrote anything
    r = cli("api", "PUT", path, "-F", "trackstar_tags[]=hold", "--yes")
    assert r.exit_code == 0 and r.json()["data"]["trackstar_tags"] == ["hold"]
    assert cli("api", "GET", "/wms/orders").exit_code == 0  # reads are never asked about


def test_e2e_connection_writes_with_stdin_body(cli, emu):
    connect(cli, emu)
    r = cli("api", "PATCH", "/connections", "--input", "-", input='{"customer_id": "cust_9"}')
    assert r.exit_code == 0, r.stderr
    conn_id = cli("connections", "list", "--json").json()[0]["connection_id"]
    shown = cli("api", f"/connections/{conn_id}").json()["data"]
    shown = shown[0] if isinstance(shown, list) else shown
    assert shown["customer_id"] == "cust_9"


def test_readme_documents_the_command():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert "### `trackstar api`" in readme
