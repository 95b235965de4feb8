"""`trackstar emulator serve | auth-code`: the local Trackstar emulator."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import json
import signal
import threading
from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import services
from trackstar_cli.errors import TrackstarError, UsageError
from trackstar_cli.service import link as link_service

__all__ = ["app", "build"]

app = typer.Typer(
    help="Run the local Trackstar emulator (offline, on 127.0.0.1) and play the Link modal against it.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("serve")
def emulator_serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port; 0 picks a free one.")] = 8787,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated data (same seed, same data).")] = 1,
    size: Annotated[
        str, typer.Option("--size", help="Inventory items per connection: small, medium, large or a number.")
    ] = "small",
    faults: Annotated[
        str | None, typer.Option("--faults", help="Faults to inject, e.g. 'latency=200ms,rate=0.1:503'.")
    ] = None,
    no_rate_limit: Annotated[
        bool, typer.Option("--no-rate-limit", help="Do not enforce the 10 GET/s per token limit.")
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help='Print one line {"url": …, "api_key": …} on stdout.')] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Do not print a line on stderr for every request served.")
    ] = False,
    webhook_url: Annotated[
        str | None, typer.Option("--webhook-url", help="Send Svix-signed webhooks for every write to this URL.")
    ] = None,
    webhook_secret: Annotated[
        str | None, typer.Option("--webhook-secret", help="Their signing secret (whsec_…); default: a new one.")
    ] = None,
    webhook_time_scale: Annotated[
        float, typer.Option("--webhook-time-scale", min=0.0, help="Multiply Svix's retry delays (0.01: 5 min → 3 s).")
    ] = 1.0,
) -> None:
    """Serve a Trackstar-compatible API until Ctrl-C (or SIGTERM).

    Prints the URL and the API key it accepts once it accepts connections, then one line per request it
    serves on stderr (method, path, status, milliseconds; --quiet stops them). Its state lives in memory:
    connections stored against an earlier run get 401 from this one.

    Examples:

        trackstar emulator serve

        trackstar emulator serve --port 0 --json --quiet > emulator.json &

        trackstar emulator serve --webhook-url http://127.0.0.1:8788/ --webhook-secret "$WHSEC"

        export TRACKSTAR_PROFILE=emulator TRACKSTAR_BASE_URL=http://127.0.0.1:8787

        export TRACKSTAR_API_KEY=sk_emulator_0000000000000000
    """
    from trackstar_cli.emulator import Emulator, parse_size

    try:
        emu = Emulator(
            host=host,
            port=port,
            seed=seed,
            size=parse_size(size),
            faults=faults,
            rate_limit=not no_rate_limit,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_time_scale=webhook_time_scale,
            log_requests=not quiet,
        )
        emu.start()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise TrackstarError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", hint="pass --port 0 to pick a free port"
        ) from None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    hooks = [e.to_json() for e in emu.webhooks.endpoints.values()]
    if json_:
        info = {"url": emu.url, "api_key": emu.api_key}
        if hooks:
            info["webhook_url"], info["webhook_secret"] = hooks[0]["url"], hooks[0]["secret"]
        output.render_text(json.dumps(info))
    else:
        output.info(f"Trackstar emulator listening on {emu.url}")
        output.info(f"  API key:     {emu.api_key}")
        output.info(f"  Link modal:  {emu.url}/_emulator/link?link_token=<token from `trackstar link-token`>")
        for hook in hooks:
            output.info(f"  Webhooks to: {hook['url']} (deliveries: {emu.url}/_emulator/webhooks/deliveries)")
            if not webhook_secret:  # one we made up: the receiver needs it
                output.info(f"  Webhook secret: {hook['secret']}")
        output.info("Point the CLI at it (in another terminal):")
        env = f"TRACKSTAR_PROFILE=emulator TRACKSTAR_BASE_URL={emu.url} TRACKSTAR_API_KEY={emu.api_key}"
        output.info(f"  export {env}")
        output.info(
            "Its state lives in memory and starts afresh each run: connections stored against an earlier run "
            "get 401 here (`trackstar connections remove ID`, then connect again)."
        )
        output.info("Press Ctrl-C to stop." + ("" if quiet else " Each request served is logged below (--quiet: not)."))
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
        output.info("Emulator stopped.")


@app.command("auth-code")
def emulator_auth_code(
    ctx: typer.Context,
    link_token: Annotated[str, typer.Option("--link-token", help="The token from `trackstar link-token`.")],
    integration: Annotated[
        str, typer.Option("--integration", help="The WMS the customer picks, e.g. sandbox, shipbob.")
    ] = "sandbox",
) -> None:
    """Finish the Link modal as a customer would, on the emulator at TRACKSTAR_BASE_URL; prints the auth code.

    Example:

        CODE=$(trackstar emulator auth-code --link-token "$(trackstar link-token)" --integration shipbob)

        trackstar exchange "$CODE"
    """
    code = link_service.emulator_auth_code(services(ctx), link_token, integration)
    output.render_text(code)


def build(name: str) -> typer.Typer:
    return app
