"""`trackstar demo`: the Getting Started flow on the built-in emulator, with nothing to set up.

It starts the emulator in-process on a free loopback port and works in a throw-away home with the
emulator's key in memory, so it never reads or writes the user's profiles, keyring or connections.
Step titles and explanations go to stderr, the data each step returns to stdout, like every command.
"""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

import queue
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands.views import COLUMNS, render_local_connections
from trackstar_cli.config import Paths, Settings
from trackstar_cli.models import mask
from trackstar_cli.output import Format, View
from trackstar_cli.service import Services
from trackstar_cli.service.link import ExchangeOptions, create_link_token, emulator_auth_code, exchange
from trackstar_cli.service.query import ListQuery
from trackstar_cli.service.wms import iter_items
from trackstar_cli.spec import RESOURCES

__all__ = ["build", "demo"]


def _step(number: int, title: str, explanation: str) -> None:
    output.info("")
    output.info(f"Step {number}. {title}")
    output.info(f"  {explanation}")


def demo(
    integration: Annotated[
        str, typer.Option("--integration", help="The WMS the pretend customer connects: sandbox, shipbob, …")
    ] = "sandbox",
    items: Annotated[int, typer.Option("--items", min=1, max=1000, help="Inventory rows to show.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the emulator's data.")] = 1,
) -> None:
    """Walk through Trackstar's Getting Started flow on the built-in emulator: no key, no network, no set-up.

    link token → the customer connects a WMS → exchange and store → connections → inventory.
    Nothing of your own profiles, keyring or connections is read or changed.

    Examples:

        trackstar demo

        trackstar demo --integration shipbob --items 5
    """
    from trackstar_cli.emulator import Emulator
    from trackstar_cli.service.webhook_receiver import ListenOptions, Receiver
    from trackstar_cli.service.webhooks import generate_secret

    with Emulator(port=0, seed=seed) as emu, tempfile.TemporaryDirectory(prefix="trackstar-demo-") as tmp:
        secret = generate_secret()
        settings = Settings(
            profile="demo",
            base_url=emu.url,
            base_url_source="demo",
            timeout=30.0,
            paths=Paths(config_file=Path(tmp) / "config.json", database=Path(tmp) / "trackstar.db"),
            api_key_env=emu.api_key,
            webhook_secret_env=secret,
        )
        svc = Services(settings)
        inbox: queue.Queue[Any] = queue.Queue()
        receiver = Receiver(svc, ListenOptions(), inbox.put).start()  # `trackstar webhooks listen`, in-process
        emu.webhooks.add_endpoint(f"{receiver.url}/webhooks", secret)
        try:
            _walk_through(svc, emu.url, integration, items)
            _webhook_arrives(svc, inbox)
        finally:
            receiver.stop()
            svc.close()
    _next_steps()


def _walk_through(svc: Services, url: str, integration: str, items: int) -> None:
    output.info(f"Started a local Trackstar emulator at {url} (it stops when the demo ends).")

    _step(1, "Create a link token", "Your backend calls POST /link/token with the organisation API key.")
    output.info("  $ trackstar link-token")
    link_token = create_link_token(svc)
    output.render_text(link_token)

    _step(2, "The customer connects their WMS", f"In the Link modal they pick {integration} and sign in;")
    output.info("  the modal hands your frontend a single-use auth code.")
    output.info(f"  $ trackstar emulator auth-code --link-token … --integration {integration}")
    code = emulator_auth_code(svc, link_token, integration)
    output.render_text(code)

    _step(3, "Exchange the code and store the connection", "POST /link/exchange returns a permanent access token;")
    output.info("  the CLI stores it with the connection in its local SQLite file.")
    output.info(f"  $ trackstar exchange {code} --name demo")
    conn = exchange(svc, ExchangeOptions(code, customer_id="demo-customer", alias="demo")).connection
    output.emit_object(
        {
            "connection_id": conn.connection_id,
            "integration_name": conn.integration_name,
            "access_token": mask(conn.access_token),
            "available_actions": ", ".join(conn.available_actions),
        },
        Format.table,
    )

    _step(4, "List the stored connections", "Every data command picks one of these (--connection, or the default).")
    output.info("  $ trackstar connections list")
    render_local_connections(svc, Format.table)

    _step(5, "Query the WMS", "GET /wms/inventory with the API key and the connection's access token.")
    output.info(f"  $ trackstar inventory list --limit {items}")
    inventory = RESOURCES["inventory"]
    rows = iter_items(svc, inventory, conn, ListQuery(limit=items))
    output.emit(View(COLUMNS["inventory"], empty="No inventory found."), rows, Format.table)


def _webhook_arrives(svc: Services, inbox: "queue.Queue[Any]") -> None:
    import dataclasses

    from trackstar_cli.commands.webhooks import event_line
    from trackstar_cli.errors import NoConnectionError
    from trackstar_cli.service.connections import get_connection

    _step(6, "A webhook arrives", "Trackstar (through Svix) POSTs signed events to your endpoint;")
    output.info("  `trackstar webhooks listen` verifies each one, stores it once and prints a line:")
    output.info("  $ trackstar webhooks listen")
    try:
        received = inbox.get(timeout=10)
    except queue.Empty:
        output.warn("no webhook arrived within 10 s")
        return
    # The event may have come in while `exchange` was still naming the connection: label it as stored now.
    conn_id = received.delivery.connection_id
    try:
        conn = get_connection(svc, conn_id) if conn_id else None
    except NoConnectionError:
        conn = None
    if conn is not None:
        received = dataclasses.replace(received, connection_label=conn.label)
    output.render_text(event_line(received))


def _next_steps() -> None:
    from trackstar_cli.emulator import DEFAULT_API_KEY, DEFAULT_PORT

    output.info("")
    output.info("Keep exploring on your own emulator:")
    output.info("  trackstar emulator serve            # in another terminal; prints its URL and API key")
    url = f"http://127.0.0.1:{DEFAULT_PORT}"
    output.info(f"  export TRACKSTAR_PROFILE=emulator TRACKSTAR_BASE_URL={url} TRACKSTAR_API_KEY={DEFAULT_API_KEY}")
    output.info('  CODE=$(trackstar emulator auth-code --link-token "$(trackstar link-token)" --integration shipbob)')
    output.info('  trackstar exchange "$CODE" --name acme')
    output.info("  trackstar inventory list --by-warehouse")
    output.info("Against the real API: `trackstar auth login`, then the same commands without the exports.")
    _not_on_path_hint()


def _executable() -> "Path | None":
    """The `trackstar` script that is running: argv[0] for the console script, else the one beside Python
    (`python -m trackstar_cli`)."""
    ran = Path(sys.argv[0])
    if ran.name != "trackstar":
        ran = Path(sys.executable).with_name("trackstar")
    return ran.absolute() if ran.is_file() else None


def _not_on_path_hint() -> None:
    """The README's first command runs `.venv/bin/trackstar demo`: say how to type plain `trackstar` next."""
    ran = _executable()
    found = shutil.which("trackstar")
    if ran is None or (found is not None and Path(found).resolve() == ran.resolve()):
        return
    output.info("")
    if found is None:
        output.info(f"`trackstar` is not on your PATH; this demo ran {ran}. To type `trackstar` from now on:")
    else:
        output.info(f"`trackstar` on your PATH is {found}, not {ran} (which ran this demo). To use this one:")
    output.info(f'  export PATH="{ran.parent}:$PATH"   # this shell; add it to ~/.bashrc or ~/.zshrc to keep it')
    output.info("  or install it for your user: pipx install .   (or: python3 -m pip install --user .)")


def build(name: str) -> typer.Typer:
    app = typer.Typer(add_completion=False)
    app.command(name)(demo)
    return app
