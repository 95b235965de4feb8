"""Emulator-only endpoints under /_emulator (no API key): the Link modal stand-in, health, fault control."""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

from ..spec import SANDBOX
from .catalog import INTEGRATIONS, Integration
from .core import ApiError, Json, Reply, Request, validation_error
from .faults import FaultPlan, parse_kind
from .routes import Route

__all__ = ["render_page", "routes"]

_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


def _body(req: Request, required: tuple[str, ...]) -> Json:
    body = req.json_object()
    missing = {k: ["Missing data for required field."] for k in required if k not in body}
    if missing:
        raise validation_error("json", missing)
    return body


def health(req: Request) -> Reply:
    return Reply(body={"ok": True})


def auth_code(req: Request) -> Reply:
    body = _body(req, ("link_token",))
    with req.state.lock:
        code = req.state.issue_auth_code(str(body["link_token"]), str(body.get("integration_name", "sandbox")))
    return Reply(body={"auth_code": code})


def render_page(req: Request) -> Reply:
    """The Link modal as a self-contained page: pick an integration, get an auth code to exchange.

    Standalone (`?link_token=T`) it shows the code and the `trackstar exchange` command. Embedded by the
    emulator's main.js (`&embed=1&parent_origin=O`) it posts the code to the parent window at origin O instead,
    and offers the integrations the script's options allow (`sandbox`, `integration_allow_list`, …).
    """
    query = dict(req.query)
    token = query.get("link_token", "")
    embed = query.get("embed") == "1"
    parent_origin = query.get("parent_origin", "")
    error, offered = "", list(INTEGRATIONS.values())
    with req.state.lock:
        try:
            grant = req.state.link_grant(token)
            if grant.connection_id:  # a reinstall offers only the connection's own integration
                offered = [INTEGRATIONS[req.state.connections[grant.connection_id].integration_name]]
            else:
                offered = _filtered(offered, query)
        except ApiError:
            error, offered = "This link token is unknown or has expired. Create a new one with POST /link/token.", []
    if embed and not _ORIGIN_RE.match(parent_origin):
        error, offered, parent_origin = "parent_origin must be an origin such as http://127.0.0.1:8000.", [], ""
    listing = [
        {"integration_name": i.name, "display_name": i.display_name, "available_actions": list(i.actions)}
        for i in offered
    ]
    page = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    for marker, value in (
        ("{{LINK_TOKEN_SHORT}}", html.escape(token[:18] + ("…" if len(token) > 18 else ""))),
        ("{{ERROR}}", html.escape(error)),
        ("{{LINK_TOKEN_JSON}}", _script_json(token)),
        ("{{INTEGRATIONS_JSON}}", _script_json(listing)),
        ("{{EMBED_JSON}}", _script_json({"embed": embed, "parent_origin": parent_origin})),
    ):
        page = page.replace(marker, value)
    return Reply(400 if error else 200, raw=page.encode(), content_type="text/html; charset=utf-8")


def _names(query: dict[str, str], key: str) -> list[str]:
    return [name for name in (part.strip() for part in query.get(key, "").split(",")) if name]


def _filtered(offered: list[Integration], query: dict[str, str]) -> list[Integration]:
    """The Link script's filters, as Trackstar documents them: allow and block lists are mutually exclusive
    ("if both props are given values, all integrations will be displayed"); integrations_with_endpoints keeps
    those with every listed action; `sandbox=false` hides the Sandbox unless the allow list names it (a page
    opened without the parameter, by hand, offers it)."""
    allow, block = _names(query, "integration_allow_list"), _names(query, "integration_block_list")
    if allow and block:
        allow, block = [], []
    needs = set(_names(query, "integrations_with_endpoints"))
    hide_sandbox = query.get("sandbox") == "false" and SANDBOX not in allow
    return [
        i
        for i in offered
        if (not allow or i.name in allow)
        and i.name not in block
        and needs <= set(i.actions)
        and not (hide_sandbox and i.name == SANDBOX)
    ]


def link_script(req: Request) -> Reply:
    """The emulator's window.Trackstar script (the stand-in for https://link.trackstarhq.com/main.js)."""
    script = resources.files(__package__).joinpath("main.js").read_bytes()
    return Reply(raw=script, content_type="text/javascript; charset=utf-8", headers={"Cache-Control": "no-cache"})


def _script_json(value: Any) -> str:
    """JSON safe inside <script>: no "</script>" or HTML comment can be formed."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def disable_functions(req: Request) -> Reply:
    body = _body(req, ("connection_id", "functions"))
    functions = body["functions"]
    if not isinstance(functions, list) or not all(isinstance(f, str) for f in functions):
        raise validation_error("json", {"functions": ["Not a valid list of strings."]})
    with req.state.lock:
        conn = req.state.disable(str(body["connection_id"]), functions)
        return Reply(
            body={
                "connection_id": conn.connection_id,
                "disabled_functions": sorted(conn.disabled),
                "available_actions": conn.actions,
            }
        )


def _fault_routes(plan: FaultPlan) -> list[Route]:
    def show(req: Request) -> Reply:
        return Reply(body=plan.describe())

    def queue(req: Request) -> Reply:
        body = _body(req, ("kind",))
        count, prefix = body.get("count", 1), body.get("path", "")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1 or not isinstance(prefix, str):
            raise validation_error("json", {"count": ["Must be a positive integer; path a string."]})
        try:
            fault = parse_kind(str(body["kind"]))
        except ValueError as exc:
            raise validation_error("json", {"kind": [str(exc)]}) from None
        plan.enqueue(fault, count, prefix)
        return Reply(body=plan.describe())

    def clear(req: Request) -> Reply:
        plan.clear()
        return Reply(body=plan.describe())

    return [
        Route("GET", "/_emulator/faults", show, scope="public"),
        Route("POST", "/_emulator/faults", queue, scope="public"),
        Route("DELETE", "/_emulator/faults", clear, scope="public"),
    ]


def routes(plan: FaultPlan) -> list[Route]:
    def info(req: Request) -> Reply:
        with req.state.lock:
            return Reply(body={**req.state.info(), "faults": plan.describe()})

    return [
        Route("GET", "/_emulator/health", health, scope="public"),
        Route("GET", "/_emulator/info", info, scope="public"),
        Route("POST", "/_emulator/auth-code", auth_code, scope="public"),
        Route("GET", "/_emulator/link", render_page, scope="public"),
        Route("GET", "/_emulator/main.js", link_script, scope="public"),
        Route("POST", "/_emulator/disabled-functions", disable_functions, scope="public"),
        *_fault_routes(plan),
    ]
