"""`trackstar config list | get | set | unset`: the per-profile settings kept in the config file, and
`trackstar profiles list`."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated, Any

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, services
from trackstar_cli.config import PROFILE_SETTINGS, redact_url
from trackstar_cli.output import Column, Format, View
from trackstar_cli.service import profiles as profile_service

__all__ = ["build"]

_KEYS = ", ".join(PROFILE_SETTINGS)
KeyArg = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        help=f"One of: {_KEYS}.",
        autocompletion=lambda incomplete: [k for k in PROFILE_SETTINGS if k.startswith(incomplete)],
    ),
]
CONFIG_VIEW = View(
    (
        Column("key", "key", priority=0),
        Column("value", "value", priority=0),
        Column("source", "source", priority=0),
        Column("meaning", "help", kind="text", priority=2),
    ),
    empty="No settings.",
)
PROFILES_VIEW = View(
    (
        Column("", "marker", priority=0),
        Column("profile", "name", priority=0),
        Column("base_url", "base_url", priority=0),
        Column("api_key", "api_key", priority=1),
        Column("connections", "connections", numeric=True, priority=1),
    ),
    empty="No profiles.",
)


def _shown(key: str, value: Any) -> Any:
    return redact_url(str(value)) if key == "base_url" and value else value  # never a password on the screen


def _row(row: profile_service.SettingRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "value": _shown(row.key, row.value),
        "source": row.source,
        "stored": _shown(row.key, row.stored),
        "help": row.help,
    }


config_app = typer.Typer(
    help="The current profile's settings in the config file: base_url, timeout, ca_bundle, max_response_bytes.",
    no_args_is_help=True,
    add_completion=False,
)


@config_app.command("list")
def config_list(ctx: typer.Context, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Show every per-profile setting: the value in effect and where it comes from (flag, env, config, default).

    Examples:

        trackstar config list

        trackstar --profile staging config list --json | jq -r '.[] | select(.source == "config") | .key'
    """
    svc = services(ctx)
    output.emit(CONFIG_VIEW, [_row(r) for r in profile_service.config_list(svc)], fmt_of(fmt, json_))


@config_app.command("get")
def config_get(ctx: typer.Context, key: KeyArg, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """Print the value of one setting in effect for the current profile (nothing when it has none).

    Examples:

        trackstar config get base_url

        trackstar --profile staging config get timeout --json
    """
    row = profile_service.config_get(services(ctx), key)
    fmt_name = fmt_of(fmt, json_) if (fmt or json_) else Format.table
    if fmt_name in (Format.json, Format.ndjson):
        output.emit_object(_row(row), fmt_name)
    elif row.value is not None:
        output.render_text(str(_shown(row.key, row.value)))
    if row.value is None:
        output.note(f"{row.key} is not set")


@config_app.command("set")
def config_set(
    ctx: typer.Context, key: KeyArg, value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")]
) -> None:
    """Keep a setting for the current profile (created if new) in the config file, checked first.

    Values are checked by the same code that reads them back, so a bad one is refused here. Secrets never go
    in the config file: the API key is kept by `trackstar auth login`.

    Examples:

        trackstar --profile staging config set base_url https://staging.example.com

        trackstar config set timeout 60
    """
    svc = services(ctx)
    stored = profile_service.config_set(svc, key, value)
    where = svc.settings.paths.config_file
    output.info(f"Set {key} = {_shown(key, stored)} for profile '{svc.profile}' in {where}.")
    source = svc.settings.sources.get(key)
    if source in ("flag", "env"):
        output.warn(
            f"this run's {key} comes from the {'command line' if source == 'flag' else 'environment'}, "
            "which still takes precedence over the config file"
        )


@config_app.command("unset")
def config_unset(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a setting from the current profile in the config file (it falls back to its default).

    Example:

        trackstar config unset timeout --profile staging
    """
    svc = services(ctx)
    removed = profile_service.config_unset(svc, key)
    output.info(
        f"Removed {key} from profile '{svc.profile}'." if removed else f"{key} was not set for profile '{svc.profile}'."
    )


profiles_app = typer.Typer(
    help="The profiles on this machine (config file, keyring and stored connections).",
    no_args_is_help=True,
    add_completion=False,
)


@profiles_app.callback()
def _profiles() -> None:
    """The profiles on this machine (config file, keyring and stored connections)."""  # a group, not one command


@profiles_app.command("list")
def profiles_list(ctx: typer.Context, fmt: FormatOpt = None, json_: JsonOpt = False) -> None:
    """List the profiles in the config file and in the store, marking the current one with *.

    A profile exists once `auth login`, `config set` or a stored connection made it; `--profile NAME` with any
    other name is an error that lists these. The API key column asks the keyring for each profile.

    Examples:

        trackstar profiles list

        trackstar profiles list --json | jq -r '.[].name'
    """
    infos = profile_service.list_profiles(services(ctx))
    rows = [
        {
            "marker": "*" if p.current else "",
            "name": p.name,
            "current": p.current,
            "base_url": redact_url(p.base_url),
            "in_config": p.in_config,
            "connections": p.connections,
            "api_key": p.api_key,
        }
        for p in infos
    ]
    fmt_name = fmt_of(fmt, json_)
    if fmt_name in (Format.json, Format.ndjson):
        rows = [{k: v for k, v in r.items() if k != "marker"} for r in rows]
    output.emit(PROFILES_VIEW, rows, fmt_name)


def build(name: str) -> typer.Typer:
    return config_app if name == "config" else profiles_app
