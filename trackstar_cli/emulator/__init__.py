"""A local Trackstar API emulator: stdlib only, seeded data, Link without the modal, fault injection.

    from trackstar_cli.emulator import Emulator
    with Emulator(port=0, seed=1, size="small") as emu:      # emu.url, emu.api_key, emu.state
        code = emu.issue_auth_code(link_token, "shipbob")    # what the Link modal does
    emu.start(); emu.wait(); emu.stop()                      # background thread; wait() returns on shutdown()
    emu.serve_forever()                                      # foreground; returns on Ctrl-C, SIGTERM, shutdown()

`size` is "small" (200 inventory items per connection), "medium" (2,000), "large" (20,000) or an int. Items are
built lazily, one at a time, when first read, so even 100,000 items cost nothing until paged through; list
filters probe cheap per-item facts instead of building every item.

Endpoints (shapes from Trackstar's OpenAPI spec, 2025-10):

    POST   /link/token                      API key           {"link_token"}; {"connection_id"} = reinstall,
                                                              {"customer_id"} is used when the exchange has none
    POST   /link/exchange                   API key           {"auth_code", "customer_id"?} -> access token &c.
    GET    /connections[?page_token]        API key           {"data", "next_token", "total_count"} (100/page)
    GET    /connections/{connection_id}     API key           list envelope with one connection (as the spec)
    PATCH  /connections                     key + token       {"customer_id", "webhooks_disabled"}
    DELETE /connections                     key + token       the token is 401 afterwards
    POST   /connections/sync                key + token       {"functions_to_sync"?}; skips paused/running ones
    POST   /connections/on-demand-syncs     key + token       {"function_name", "start_time", "end_time"} -> job
    GET    /connections/on-demand-syncs/{id}  POST …/{id}/cancel   a job: open -> completed | cancelled | stuck
    PATCH  /schedules/{function}/toggle  PATCH /schedules/toggle-all   {"paused": bool} (syncs.py)
    POST   /magic-links  GET /magic-links[/{id}]  DELETE /magic-links/{id}   API key (magic.py)
    POST   /sandbox/generate-sandbox/wms    API key           same connection id and token each time; data reset
    GET    /integrations/{type}[/{name}]    API key (+token)  also /{type}/integrations[/{name}]
    GET    every list/get in spec.RESOURCES, and GET /wms/orders/{id}/packs       key + token
    POST   /wms/orders  PUT /wms/orders/{id}  PUT /wms/orders/{id}/cancel  POST /wms/orders/{id}/shipments
    POST   /wms/products  PUT /wms/products/{id}  PUT /wms/inventory/{id}/adjust
    POST   /wms/inbound-shipments  PUT /wms/inbound-shipments/{id}/receive  POST /wms/returns
    PUT    /wms/{inventory|products|orders|inbound-shipments|returns|warehouses}/{id}/trackstar-tags

Emulator-only, under /_emulator (no API key; faults never apply there):

    GET  /_emulator/health                  {"ok": true}
    GET  /_emulator/info                    seed, size, connection count, sandbox id, fault rules
    GET  /_emulator/link?link_token=T       self-contained HTML Link modal: pick an integration, get a code
                                            (400 page for an unknown or expired token)
    GET  /_emulator/main.js                 window.Trackstar (init/open/close/state), the stand-in for Trackstar's
                                            Link script, over /_emulator/link?embed=1 in an iframe (postMessage)
    POST /_emulator/auth-code               {"link_token", "integration_name"?="sandbox"} -> {"auth_code"}
    POST /_emulator/disabled-functions      {"connection_id", "functions": [...]}: those answer 403
    GET|POST /_emulator/magic-links/{id}    a magic link's hosted page; POST {"integration_name"} connects
    POST /_emulator/sync-jobs/{id}          {"status": "stuck"|"completed"|"cancelled"}: end a backfill job now
    GET|POST|DELETE /_emulator/faults       show / queue {"kind", "count"?=1, "path"?} / clear everything
    GET|POST /_emulator/webhooks            webhook endpoints: list / add {"url", "secret"?, "event_types"?}
    DELETE /_emulator/webhooks/{id}         (Emulator(webhook_url=…) adds one at start; see webhooks.py)
    GET  /_emulator/webhooks/deliveries     every Svix-signed delivery with its attempts

Faults: start-up spec `Emulator(faults="latency=50ms,rate=0.1:500,storm429=3")` — the grammar is in
faults.py (`latency=DUR`, `rate=P:KIND`, `first=N:KIND`, `every=N:KIND`, `storm429=N`, each `@PREFIX`-able);
per request with header `x-emulator-fault: KIND`; or queued with POST /_emulator/faults. KIND is
`latency:<ms>`, `429`, `500`, `502`, `503`, `malformed` (the real reply, cut in half), `hang` (no answer
until the client hangs up or the server stops) or `drop` (TCP reset, no response).
Apart from `malformed`, faults fire before the request is handled, so the request has no effect.

Integrations: sandbox (Sandbox; every action), shipbob (ShipBob; no labor/locations reads, no ship/adjust/
receive; create_order needs integration-specific `warehouse_id`), extensiv-3pl-central (Extensiv (3PL
Central); no returns, bills, labor, create_return, adjust), shiphero (ShipHero; no ledger, labor, receive).
Missing actions answer 501 `Endpoint <action> is not implemented for <Display Name>`.

Decisions where the spec and notes are silent or disagree (each documented in the module that does it):

* Errors are `{"error", "origin": "trackstar"}`; 404s add `"id"` (spec HTTPError); 422s add
  `"detail": {"query"|"json"|"path": {field: [messages]}}` (spec ValidationError, marshmallow-style).
* A bad, expired or reused auth code is a 422 ValidationError on `auth_code`: the spec documents only 200
  and 422 for /link/exchange, so a spec-driven client already handles it. Unknown link tokens are 422 too.
  Link tokens live 30 minutes, auth codes 10 minutes and are single use (State.*_ttl; tests can shorten).
* Writes need `Content-Type: application/json` when they carry a body, else 415. Invalid JSON is 400.
  Null, "", and null-like strings ("null", "None", "nil", "undefined", "NaN") anywhere in a WMS write body
  are 422; unknown fields go to `unused_fields`. Management bodies (link, connections) reject unknown fields.
* Required write fields follow the spec's "WMS Sandbox" variants for every integration. Action names the
  docs don't give: ship_order, adjust_inventory, receive_inbound_shipment. Tag writes are gated by the
  resource's read action (tags live in Trackstar, not the WMS).
* Idempotency-Key: scoped to the connection, fingerprint = method + path + body; replay within 24 h with
  `Idempotent-Replayed: true`; a different body or endpoint is 400; a failed first attempt frees the key.
* Lists: `limit` 1..1000 (else 422), `total_count` = items in this page (the spec's wording), order = id
  order (ids are `<prefix>_<8 digits>`, creation order), `next_token` is null exactly on the last page,
  `ids[in]` ignores every other filter but still pages; unknown params (including `next_token`) are 422.
* Rate limits count per access token in a sliding one-second window (10 GET, 50 writes); API-key-only
  endpoints are not limited (the docs give no figure; the 1/min integrations limit is not emulated).
* The WMS sandbox exists from the start (Trackstar creates it at sign-up), so GET /connections lists it.
* Writes move stock consistently: a new order reserves (fulfillable -> committed) in its warehouse, a cancel
  releases, a shipment consumes (onhand and committed down), adjust/receive move onhand and fulfillable; the
  warehouse's locations and lots follow, and each movement appends an inventory-ledger entry.
* Data is dated before 2025-10-01T00:00:00Z and derived from (seed, connection id); writes stamp wall-clock
  times. Connection ids and access tokens come from the seeded RNG; link tokens and auth codes from secrets.

Not emulated: kits, meta and write-info endpoints, order file attachments, PUT of inbound shipments and
returns, sandbox simulate-* endpoints, Cart/Carrier/Freight (webhooks are sent: emulator/webhooks.py).

Syncs take simulated time (State.first_sync_seconds, sync_seconds, job_seconds; tests shrink them): a new
connection's schedules are `first_sync_in_progress` until its historical sync is done (syncs.py).
"""

from __future__ import annotations

from .server import DEFAULT_API_KEY, DEFAULT_PORT, SIZES, Emulator, parse_size
from .state import State

__all__ = ["DEFAULT_API_KEY", "DEFAULT_PORT", "SIZES", "Emulator", "State", "parse_size"]
