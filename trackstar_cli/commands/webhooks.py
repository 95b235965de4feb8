"""`trackstar webhooks …`: the endpoint secret, verify, listen, stored events, replay, trigger, types."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import queue
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, confirm, fmt_of, read_secret, services, stdin_is_tty
from trackstar_cli.commands.views import EVENT_COLUMNS, TYPE_COLUMNS
from trackstar_cli.errors import TrackstarError, UsageError
from trackstar_cli.output import Format, View, is_human

__all__ = ["app", "build"]

app = typer.Typer(
    help="Receive, verify, store, replay and trigger Trackstar's Svix-signed webhooks.",
    no_args_is_help=True,
    add_completion=False,
)
secret_app = typer.Typer(
    help="The webhook endpoint's signing secret (whsec_…), kept in the OS keyring.", no_args_is_help=True
)
events_app = typer.Typer(help="Deliveries stored by `trackstar webhooks listen`.", no_args_is_help=True)
app.add_typer(secret_app, name="secret")
app.add_typer(events_app, name="events")


def _safe(value: Any) -> str:
    """Untrusted text for a terminal, on one line (output.safe)."""
    return output.safe(str(value), one_line=True)


# -- secret ------------------------------------------------------------------------------------------------


@secret_app.command("set")
def secret_set(
    ctx: typer.Context,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the secret from standard input (for scripts).")] = False,
) -> None:
    """Save the endpoint's signing secret (whsec_…) in the OS keyring for the current profile.

    Copy it from the webhook endpoint's page in the Trackstar dashboard. It is never taken as an argument,
    so it cannot end up in your shell history; TRACKSTAR_WEBHOOK_SECRET, when set, wins over it.

    Examples:

        trackstar webhooks secret set                 # prompts, input hidden

        printf %s "$WHSEC" | trackstar webhooks secret set --stdin
    """
    from trackstar_cli.service import webhooks

    svc = services(ctx)
    webhooks.save_secret(svc, read_secret(use_stdin=stdin, prompt="Webhook secret (whsec_…)", flag="--stdin"))
    output.info(f"Saved the webhook secret for profile '{svc.settings.profile}' in the keyring.")
    if svc.settings.webhook_secret_env:
        output.warn("TRACKSTAR_WEBHOOK_SECRET is set and takes precedence over the stored secret.")


@secret_app.command("show")
def secret_show(ctx: typer.Context, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Show where the webhook secret comes from, masked (never in full). Exits 3 when there is none.

    Example:

        trackstar webhooks secret show
    """
    from trackstar_cli.models import mask
    from trackstar_cli.service import webhooks

    secret, source = webhooks.resolve_secret(services(ctx))
    data = {"secret": mask(secret), "source": source}
    fmt_name = fmt_of(fmt, json_)
    output.emit_object(data, fmt_name if is_human(fmt_name) else Format.json)


@secret_app.command("remove")
def secret_remove(ctx: typer.Context) -> None:
    """Remove the current profile's webhook secret from the keyring.

    Example:

        trackstar webhooks secret remove --profile staging
    """
    from trackstar_cli.service import webhooks

    svc = services(ctx)
    removed = webhooks.remove_secret(svc)
    profile = svc.settings.profile
    output.info(
        f"Removed the webhook secret of profile '{profile}'."
        if removed
        else f"No webhook secret was stored for profile '{profile}'."
    )


# -- verify ------------------------------------------------------------------------------------------------


def _read_body(body: str | None) -> bytes:
    if body in (None, "-"):
        if body is None and stdin_is_tty():
            raise UsageError("no body to verify", hint="pass --body FILE, pipe the raw body in, or use --delivery ID")
        return sys.stdin.buffer.read()
    try:
        return Path(str(body)).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read --body {body}: {exc.strerror or exc}") from None


@app.command("verify")
def webhooks_verify(
    ctx: typer.Context,
    body: Annotated[
        str | None, typer.Option("--body", help="File with the raw request body; - or omitted: standard input.")
    ] = None,
    svix_id: Annotated[str | None, typer.Option("--svix-id", help="The svix-id header.")] = None,
    svix_timestamp: Annotated[str | None, typer.Option("--svix-timestamp", help="The svix-timestamp header.")] = None,
    svix_signature: Annotated[str | None, typer.Option("--svix-signature", help="The svix-signature header.")] = None,
    delivery: Annotated[
        str | None, typer.Option("--delivery", help="Verify a stored delivery (id or svix-id) instead.")
    ] = None,
    now: Annotated[
        int | None, typer.Option("--now", help="Check as of this epoch second (to reproduce an old delivery).")
    ] = None,
    secret_stdin: Annotated[
        bool, typer.Option("--secret-stdin", help="Read the secret from standard input instead of the keyring.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Say whether a delivery is validly signed, or why not, with a distinct exit code for each reason.

    Exit codes: 0 valid, 10 a header is missing, 11 a header is malformed, 12 the timestamp is more than
    5 minutes off (the skew is shown), 13 no signature matches. The secret is the profile's (`webhooks
    secret set`) or TRACKSTAR_WEBHOOK_SECRET.

    Examples:

        trackstar webhooks verify --body body.json --svix-id msg_2L… --svix-timestamp 1733230000 --svix-signature v1,…

        trackstar webhooks verify --delivery 12 --now 1733230000
    """
    from trackstar_cli.service import webhook_events, webhooks

    svc = services(ctx)
    secret = read_secret(use_stdin=True, prompt="", flag="--secret-stdin") if secret_stdin else None
    if delivery:
        if body or svix_id or svix_timestamp or svix_signature:
            raise UsageError("--delivery verifies a stored delivery: it takes no --body or --svix-* options")
        stored = webhook_events.get_event(svc, delivery)
        raw, headers = stored.body, dict(stored.headers)
    else:
        if secret_stdin and body in (None, "-"):
            raise UsageError("--secret-stdin needs the body in a file (--body FILE)")
        raw = _read_body(body)
        given = {"svix-id": svix_id, "svix-timestamp": svix_timestamp, "svix-signature": svix_signature}
        headers = {k: v for k, v in given.items() if v is not None}
    result = webhooks.verify_delivery(svc, webhooks.VerifyOptions(raw, headers, secret, now))
    summary = webhooks.event_summary(result.event)
    data = {"valid": True, "svix_id": result.msg_id, "timestamp": result.timestamp, "skew": result.skew, **summary}
    if json_:
        output.emit_object(data, Format.json)
    else:
        output.render_text(
            f"valid: {result.msg_id} ({summary['event_type'] or 'no event_type'}), signed {result.skew:+d} s ago"
        )


# -- listen ------------------------------------------------------------------------------------------------


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f"[{len(value)}]" if isinstance(value, list) else "{…}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def event_line(r: Any) -> str:
    """time, event type, connection, object, then `status open → received` for updates."""
    s = r.summary
    time_ = r.delivery.received_at[11:19]
    from trackstar_cli.service.webhooks import parse_event

    data = (parse_event(r.delivery.body) or {}).get("data") or {}
    what = s["object_id"] or (data.get("resource") if isinstance(data, dict) else None)
    parts = [time_, s["event_type"] or "?", r.connection_label or "-", str(what or "-")]
    prev = s.get("previous_attributes")
    if isinstance(prev, dict) and prev:
        shown = []
        for key, old in list(prev.items())[:3]:
            new = _lookup(data, key)
            shown.append(f"{key} {_short(old)} → {_short(new)}")
        parts.append(", ".join(shown))
    if not r.delivery.verified:
        parts.append(f"REJECTED {r.status} ({r.delivery.reason})")
    elif not r.new:
        parts.append(f"repeat (attempt {r.delivery.attempts}, stored once)")
    if r.forwarded is not None:
        fwd = r.forwarded
        outcome = fwd.status if fwd.status is not None else f"failed: {fwd.error}"
        parts.append(f"→ {fwd.target} {outcome}")
    if r.stored_connection:
        parts.append(f"stored connection {r.stored_connection}")
    return _safe("  ".join(parts))


def _lookup(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


@app.command("listen")
def webhooks_listen(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port; 0 picks a free one.")] = 8788,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback unless you say).")] = "127.0.0.1",
    forward_to: Annotated[
        str | None, typer.Option("--forward-to", help="Re-send each valid delivery, body and headers unchanged, here.")
    ] = None,
    events: Annotated[
        str | None, typer.Option("--events", help="Only show and forward these, e.g. 'order.*,inventory.*'.")
    ] = None,
    store_connections: Annotated[
        bool,
        typer.Option("--store-connections", help="Store the connection of every connection.created without asking."),
    ] = False,
    max_body: Annotated[int, typer.Option("--max-body", min=1, help="Largest body accepted, in bytes.")] = 1024 * 1024,
) -> None:
    """Receive webhooks: verify each delivery, store it once, print one line per event, optionally forward.

    Answers 200 only for validly signed deliveries and 4xx otherwise, so a sender with the wrong secret
    retries visibly. Run it behind a tunnel (ngrok, cloudflared, `svix listen`) or point the emulator at it.
    A connection.created for a connection you do not have yet is offered for storing (magic links).

    Examples:

        trackstar webhooks listen --port 8788 --forward-to http://127.0.0.1:3000/webhooks

        trackstar emulator serve --webhook-url http://127.0.0.1:8788/ --webhook-secret "$WHSEC"

        trackstar webhooks listen --events 'order.*,inventory.*' --store-connections
    """
    from trackstar_cli.service.webhook_receiver import ListenOptions, Receiver

    svc = services(ctx)
    patterns = tuple(p.strip() for p in (events or "").split(",") if p.strip())
    opts = ListenOptions(host, port, forward_to, patterns, store_connections, max_body)
    inbox: queue.Queue[Any] = queue.Queue()
    receiver = Receiver(svc, opts, inbox.put).start()
    output.info(f"Listening for webhooks on {receiver.url}/ (any path); press Ctrl-C to stop.")
    if host not in ("127.0.0.1", "::1", "localhost"):
        output.warn(f"listening on {host}, not only loopback: anyone who can reach it can send deliveries")
    if forward_to:
        output.info(f"Forwarding valid deliveries to {forward_to}")
    count = 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.is_set():
            try:
                report = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            if not report.shown:
                continue
            count += 1
            output.render_text(event_line(report))
            if report.offer_connection:
                _offer(svc, report)
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()
        output.info(f"Stopped; {count} event{'s' if count != 1 else ''} shown.")


def _offer(svc: Any, report: Any) -> None:
    from trackstar_cli.service import webhook_events

    cid = _safe(report.summary["connection_id"])
    if not stdin_is_tty():
        output.info(
            f"  connection {cid} is not stored: rerun with --store-connections, or "
            f"`trackstar webhooks events store-connection {report.delivery.id}`"
        )
        return
    if confirm(f"  Store connection {cid} from this event?", default=True):
        conn = webhook_events.store_event_connection(svc, report.delivery)
        output.info(f"  Stored connection {_safe(conn.connection_id)} ({_safe(conn.integration_name)}).")


# -- events ------------------------------------------------------------------------------------------------


def _row(d: Any) -> dict[str, Any]:
    from trackstar_cli.service import webhook_events

    row = webhook_events.delivery_to_dict(d)
    row["verified_mark"] = "yes" if d.verified else f"no: {d.reason or ''}"
    if d.forward_status is not None or d.forward_error:
        row["forward"] = d.forward_status if d.forward_status is not None else f"failed: {d.forward_error}"
    return row


@events_app.command("list")
def events_list(
    ctx: typer.Context,
    type_: Annotated[
        str | None, typer.Option("--type", help="Event types, globs allowed: 'order.*,inventory.updated'.")
    ] = None,
    connection: Annotated[str | None, typer.Option("--connection", "-c", help="Connection id or alias.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Received since a date or an age (7d, 12h).")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only unverified deliveries and failed forwards.")] = False,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most N, newest first.")] = None,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """List the stored deliveries, newest first.

    Examples:

        trackstar webhooks events list --type 'order.*' --since 1d

        trackstar webhooks events list --failed --json | jq '.[].svix_id'
    """
    from trackstar_cli.service import webhook_events

    types = tuple(t.strip() for t in (type_ or "").split(",") if t.strip())
    found = webhook_events.list_events(
        services(ctx), webhook_events.EventsQuery(types, connection, since, failed, limit)
    )
    fmt_name = fmt_of(fmt, json_)
    view = View(EVENT_COLUMNS, empty="No stored webhook deliveries. Start `trackstar webhooks listen`.")
    if fmt_name in (Format.json, Format.ndjson):  # the JSON contract of a delivery
        output.emit(view, (webhook_events.delivery_to_dict(d) for d in found), fmt_name)
        return
    output.emit(view, [_row(d) for d in found], fmt_name)


@events_app.command("show")
def events_show(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="ID")], fmt: FormatOpt = None, json_: JsonOpt = False
) -> None:
    """Show one stored delivery: verification, attempts, forward status, headers and body.

    Examples:

        trackstar webhooks events show 12

        trackstar webhooks events show msg_2LkXyz --json | jq .body.data
    """
    from trackstar_cli.service import webhook_events

    d = webhook_events.get_event(services(ctx), ref)
    data = webhook_events.delivery_to_dict(d, full=True)
    if fmt_of(fmt, json_) in (Format.json, Format.ndjson):
        output.emit_object(data, Format.json)
        return
    flat = {k: v for k, v in _row(d).items() if k not in ("verified_mark", "forward")}
    flat["verified"] = "yes" if d.verified else f"no: {d.reason or ''}"
    for name, value in d.headers:
        flat[f"header {name}"] = value
    flat["body"] = d.body.decode("utf-8", "replace")
    output.emit_object(flat, Format.table)


@events_app.command("store-connection")
def events_store_connection(ctx: typer.Context, ref: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Store the connection (and access token) a stored connection.created delivery carries.

    Example:

        trackstar webhooks events store-connection 3
    """
    from trackstar_cli.service import webhook_events

    svc = services(ctx)
    conn = webhook_events.store_event_connection(svc, webhook_events.get_event(svc, ref))
    output.info(f"Stored connection {_safe(conn.connection_id)} ({_safe(conn.integration_name)}).")


# -- replay, trigger, types --------------------------------------------------------------------------------


def _report_send(result: Any, json_: bool) -> None:
    if json_:
        output.render_text(__import__("json").dumps(result.to_dict()))
        return
    what = f"{result.delivery_id} " if result.delivery_id is not None else ""
    label = f"{what}{result.event_type or ''} {result.svix_id or ''}".strip()
    if result.status is None:
        output.render_text(_safe(f"{label} → {result.target}: failed: {result.error}"))
    else:
        output.render_text(_safe(f"{label} → {result.target}: {result.status}"))


@app.command("replay")
def webhooks_replay(
    ctx: typer.Context,
    refs: Annotated[list[str], typer.Argument(metavar="ID...", help="Stored delivery ids or svix-ids.")],
    to: Annotated[str, typer.Option("--to", help="The receiver URL.")],
    resign: Annotated[
        bool, typer.Option("--resign", help="Sign afresh (new svix-timestamp, same svix-id) with the stored secret.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="One JSON line per delivery sent.")] = False,
) -> None:
    """Resend stored deliveries to any URL: byte for byte, or re-signed so a strict receiver accepts them.

    Exits 1 when any receiver did not answer 2xx.

    Examples:

        trackstar webhooks replay 12 13 --to http://127.0.0.1:3000/webhooks --resign

        trackstar webhooks replay msg_2LkXyz --to https://staging.example.com/hooks
    """
    from trackstar_cli.service import webhook_events

    failed = 0
    for result in webhook_events.replay(services(ctx), webhook_events.ReplayOptions(tuple(refs), to, resign)):
        _report_send(result, json_)
        failed += not result.ok
    if failed:
        raise TrackstarError(f"{failed} of {len(refs)} deliveries were not accepted (no 2xx)")


@app.command("trigger")
def webhooks_trigger(
    ctx: typer.Context,
    event_type: Annotated[str, typer.Argument(metavar="EVENT_TYPE", help="One of `trackstar webhooks types`.")],
    to: Annotated[str, typer.Option("--to", help="The receiver URL.")],
    connection: Annotated[
        str | None, typer.Option("--connection", "-c", help="Use this stored connection's id and integration.")
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option("--set", help="path=value into the event (JSON values parse), e.g. data.status=shipped."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Send one spec-valid, Svix-signed sample event of any type, signed with the profile's webhook secret.

    Resource events carry a full sample object of the shape the API's GET returns; *.updated events carry
    previous_attributes. Exits 1 when the receiver does not answer 2xx.

    Examples:

        trackstar webhooks trigger order.updated --to http://127.0.0.1:8788/ --set data.status=fulfilled

        trackstar webhooks trigger connection.created --to http://127.0.0.1:3000/webhooks -c acme
    """
    from trackstar_cli.service import webhook_events

    opts = webhook_events.TriggerOptions(event_type, to, connection, tuple(sets or ()))
    result = webhook_events.trigger(services(ctx), opts)
    _report_send(result, json_)
    if not result.ok:
        raise TrackstarError(f"the receiver did not accept the event ({result.status or result.error})")


@app.command("types")
def webhooks_types(fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """List the 39 webhook event types Trackstar sends (from its OpenAPI spec).

    Example:

        trackstar webhooks types
    """
    from trackstar_cli.service import webhook_events

    rows = [{"event_type": k, "description": v["description"]} for k, v in webhook_events.event_types().items()]
    output.emit(View(TYPE_COLUMNS), rows, fmt_of(fmt, json_))


def build(name: str) -> typer.Typer:
    return app
