"""Magic links: POST/GET/DELETE /magic-links (the spec's shapes) and the hosted page a customer opens.

Trackstar's reply carries no URL (api-notes §2.3); the emulator serves each link's page at
`/_emulator/magic-links/{id}` (no API key, like the Link page). The page lists the integrations the link
allows; picking one (a POST to the same URL with `{"integration_name"}`) creates the connection with the
link's customer id, or reinstalls the link's `connection_id`, as finishing Link would. The access token is
not shown: Trackstar sends it in the `connection.created` webhook.

Decisions where the docs are silent: a link works until it expires or is deleted, for any number of
customers; an expired link's page is a 410; `integration_allow_list` with `integration_block_list` or
`integrations_with_endpoints` is a 422 (the spec calls them mutually exclusive); `link_duration` is 1..365 days.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from typing import Any

from ..spec import INTEGRATION_TYPES
from .catalog import INTEGRATIONS, Integration
from .core import ApiError, Json, Reply, Request, error_body, iso, validation_error
from .routes import Route

__all__ = ["PAGE_PATH", "MagicLink", "routes"]

PAGE_PATH = "/_emulator/magic-links/{magic_link_id}"
_TYPES = INTEGRATION_TYPES
_LISTS = ("integration_allow_list", "integration_block_list", "integrations_with_endpoints")
MAX_DAYS = 365


@dataclass
class MagicLink:
    id: str
    expires_at: float
    integration_type: str = "wms"
    integration_allow_list: list[str] = field(default_factory=list)
    integration_block_list: list[str] = field(default_factory=list)
    integrations_with_endpoints: list[str] = field(default_factory=list)
    customer_id: str | None = None
    connection_id: str | None = None  # a reinstall

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "expires_at": iso(self.expires_at),
            "integration_type": self.integration_type,
            "integration_allow_list": list(self.integration_allow_list),
            "integration_block_list": list(self.integration_block_list),
            "integrations_with_endpoints": list(self.integrations_with_endpoints),
            "customer_id": self.customer_id,
        }

    def offers(self, integ: Integration) -> bool:
        if self.integration_type != "wms":
            return False  # the emulator's integrations are all WMS
        if self.integration_allow_list and integ.name not in self.integration_allow_list:
            return False
        if integ.name in self.integration_block_list:
            return False
        return all(action in integ.actions for action in self.integrations_with_endpoints)


def _parse(body: Json) -> Json:
    problems: dict[str, list[str]] = {}
    for key, value in body.items():
        if key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems[key] = ["Not a valid list of strings."]
        elif key in ("connection_id", "customer_id"):
            if value is not None and not isinstance(value, str):
                problems[key] = ["Not a valid string."]
        elif key == "integration_type":
            if value not in _TYPES:
                problems[key] = [f"Must be one of: {', '.join(_TYPES)}."]
        elif key == "link_duration":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DAYS:
                problems[key] = [f"Must be an integer from 1 to {MAX_DAYS}."]
        else:
            problems[key] = ["Unknown field."]
    if body.get("integration_allow_list") and (
        body.get("integration_block_list") or body.get("integrations_with_endpoints")
    ):
        problems["integration_allow_list"] = [
            "Mutually exclusive with integration_block_list and integrations_with_endpoints."
        ]
    if problems:
        raise validation_error("json", problems)
    return body


def create(req: Request) -> Reply:
    body = _parse(req.json_object())
    state = req.state
    cid = body.get("connection_id")
    if cid is not None and cid not in state.connections:
        raise validation_error("json", {"connection_id": [f"Unknown connection {cid}."]})
    link = MagicLink(
        secrets.token_hex(16),
        state.clock() + 86400 * int(body.get("link_duration", 7)),
        str(body.get("integration_type", "wms")),
        list(body.get("integration_allow_list") or []),
        list(body.get("integration_block_list") or []),
        list(body.get("integrations_with_endpoints") or []),
        customer_id=body.get("customer_id"),
        connection_id=cid,
    )
    state.magic_links[link.id] = link
    return Reply(body={"magic_link": link.to_json()})


def _find(req: Request) -> MagicLink:
    link_id = req.params["magic_link_id"]
    link: MagicLink | None = req.state.magic_links.get(link_id)
    if link is None:
        raise ApiError(404, error_body(f"Magic link {link_id} not found", id=link_id))
    return link


def list_links(req: Request) -> Reply:
    return Reply(body={"magic_links": [link.to_json() for link in req.state.magic_links.values()]})


def get_link(req: Request) -> Reply:
    return Reply(body={"magic_link": _find(req).to_json()})


def delete_link(req: Request) -> Reply:
    link = _find(req)
    del req.state.magic_links[link.id]
    return Reply(body={"id": link.id, "object": "magic_link", "deleted": True})


# -- the hosted page -------------------------------------------------------------------------------------


def _offered(req: Request, link: MagicLink) -> list[Integration]:
    if link.connection_id and link.connection_id in req.state.connections:
        return [INTEGRATIONS[req.state.connections[link.connection_id].integration_name]]
    return [i for i in INTEGRATIONS.values() if link.offers(i)]


def _live(req: Request) -> MagicLink:
    with req.state.lock:
        link = _find(req)
        if link.expires_at < req.state.clock():
            raise ApiError.plain(410, f"Magic link {link.id} has expired")
        return link


def page(req: Request) -> Reply:
    try:
        link = _live(req)
    except ApiError as exc:
        text = html.escape(str(exc.body.get("error")))
        return Reply(exc.status, raw=_html(f"<p class=error>{text}</p>"), content_type="text/html; charset=utf-8")
    with req.state.lock:
        offered = _offered(req, link)
    buttons = "".join(
        f'<li><button data-name="{html.escape(i.name)}">{html.escape(i.display_name)}</button></li>' for i in offered
    )
    body = f"<h1>Connect your WMS</h1><ul>{buttons or '<li>No integration is available.</li>'}</ul><p id=result></p>"
    return Reply(raw=_html(body + _SCRIPT), content_type="text/html; charset=utf-8")


def complete(req: Request) -> Reply:
    """What finishing the hosted modal does: the connection exists (the token goes out by webhook)."""
    link = _live(req)
    name = req.json_object().get("integration_name")
    with req.state.lock:
        if name not in {i.name for i in _offered(req, link)}:
            raise validation_error("json", {"integration_name": ["Not offered by this magic link."]})
        old = req.state.connections.get(link.connection_id or "")
        if old is not None:
            if link.customer_id is not None:
                old.customer_id = link.customer_id
            conn = old
        else:
            conn = req.state._new_connection(str(name), link.customer_id)
        return Reply(
            body={"connection_id": conn.connection_id, "integration_name": conn.integration_name, "connected": True}
        )


_SCRIPT = """<script>
for (const b of document.querySelectorAll("button")) b.onclick = async () => {
  const r = await fetch(location.pathname, {method: "POST", headers: {"content-type": "application/json"},
    body: JSON.stringify({integration_name: b.dataset.name})});
  const j = await r.json();
  document.getElementById("result").textContent = r.ok ? "Connected. You can close this page." : j.error;
};
</script>"""


def _html(body: str) -> bytes:
    head = "<!doctype html><html lang=en><meta charset=utf-8><title>Trackstar magic link (emulator)</title>"
    return (head + f"<body>{body}</body></html>").encode()


def routes() -> list[Route]:
    key: dict[str, Any] = {"scope": "key"}
    return [
        Route("POST", "/magic-links", create, **key),
        Route("GET", "/magic-links", list_links, **key),
        Route("GET", "/magic-links/{magic_link_id}", get_link, **key),
        Route("DELETE", "/magic-links/{magic_link_id}", delete_link, **key),
        Route("GET", PAGE_PATH, page, scope="public"),
        Route("POST", PAGE_PATH, complete, scope="public"),
    ]
