"""`trackstar connect`: run Trackstar Link in a browser and store the connection it makes."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.commands.link import render_exchanged
from trackstar_cli.service import connect as connect_service

__all__ = ["build"]

_MESSAGES = {
    "page": "The page is open in a browser; waiting for the customer to finish in Trackstar Link…",
    "exchanging": "Got an auth code; exchanging it for an access token…",
}


def connect(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Option("--name", help="A local alias for the connection, e.g. acme-shipbob.")
    ] = None,
    customer_id: Annotated[str | None, typer.Option("--customer-id", help="Your identifier for this customer.")] = None,
    integration: Annotated[
        str | None,
        typer.Option("--integration", help="Offer only this integration (integrationAllowList), e.g. shipbob."),
    ] = None,
    sandbox: Annotated[bool, typer.Option("--sandbox", help="Offer Trackstar's Sandbox integration too.")] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Only print the URL (e.g. over SSH); don't open a browser.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--wait-timeout",
            help="Seconds to wait for the customer to finish (--timeout is the per-request HTTP deadline).",
            show_default=True,
        ),
    ] = connect_service.DEFAULT_CONNECT_TIMEOUT,
    script_url: Annotated[
        str | None,
        typer.Option(
            "--link-script-url",
            envvar="TRACKSTAR_LINK_SCRIPT_URL",
            show_envvar=True,
            help="The Link script to load. Default: Trackstar's, or the emulator's when the base URL is one.",
        ),
    ] = None,
    show_token: Annotated[bool, typer.Option("--show-token", help="Print the access token in full.")] = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Connect a WMS with Trackstar Link in the browser and store the connection: no frontend needed.

    Serves a one-time page on 127.0.0.1 that opens Trackstar Link; the auth code it returns is exchanged and
    the connection stored. The URL is printed on stderr, so over SSH open it in a browser that can reach this
    machine's 127.0.0.1 (e.g. through `ssh -L`). Closing Link without connecting exits 1; running out of
    time exits 14; Ctrl-C exits 130. Output is that of `trackstar exchange`.

    Examples:

        trackstar connect --name acme --customer-id cust_42

        trackstar connect --integration shipbob --no-browser

        trackstar connect --sandbox --json | jq -r .connection_id
    """
    fmt_name = fmt_of(fmt, json_)  # a bad format fails before the customer does any work
    opts = connect_service.ConnectOptions(
        alias=name,
        customer_id=customer_id,
        integration=integration,
        sandbox=sandbox,
        timeout=timeout,
        script_url=script_url,
    )

    def progress(event: connect_service.ConnectEvent) -> None:
        if event.kind == "ready":
            output.info(f"Open this page to connect a WMS with Trackstar Link:\n  {event.url}")
            if not no_browser and _open_browser(event.url):
                output.info("Opened it in your browser.")
            output.info(f"Waiting up to {connect_service.duration_text(timeout)} (Ctrl-C to stop)…")
        elif event.kind in _MESSAGES:
            output.info(_MESSAGES[event.kind])

    result = connect_service.connect(services(ctx), opts, progress)
    render_exchanged(result, show_token=show_token, fmt_name=fmt_name)


def _open_browser(url: str) -> bool:
    """Open the page with `webbrowser` (BROWSER wins). On Linux without a display, don't: webbrowser would
    start a text browser (lynx, w3m) on this very terminal, where Trackstar Link cannot run."""
    import os
    import sys
    import webbrowser

    if sys.platform.startswith("linux") and not any(map(os.environ.get, ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"))):
        output.info("No display here to open a browser on; open the page from a machine that reaches this one.")
        return False
    try:
        return webbrowser.open(url, new=2)
    except webbrowser.Error:
        return False


def build(name: str) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command(name)(connect)
    return app
