"""`trackstar auth login | status | logout`: the organisation API key in the OS keyring."""

# No `from __future__ import annotations` here: Typer would eval() every string annotation at start-up.

from typing import Annotated

import typer

from trackstar_cli import output
from trackstar_cli.commands._common import FormatOpt, JsonOpt, fmt_of, read_secret, services
from trackstar_cli.errors import ExitCode
from trackstar_cli.output import Format, is_human
from trackstar_cli.service import auth as auth_service

__all__ = ["app", "build"]

app = typer.Typer(
    help="Store, check and remove the organisation API key (kept in the OS keyring).", no_args_is_help=True
)


@app.command("login")
def auth_login(
    ctx: typer.Context,
    stdin: Annotated[bool, typer.Option("--stdin", help="Read the API key from standard input (for scripts).")] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Store the key without checking it against the API.")
    ] = False,
) -> None:
    """Save the organisation API key in the OS keyring for the current profile.

    First it checks that the keyring can store a secret (before asking for one), then checks the key against
    the API (GET /connections on the profile's base URL) unless --no-verify is given, and says which server
    that was and where its base URL is kept. The key is never accepted as a command-line argument, so it
    cannot end up in your shell history.

    Examples:

        trackstar auth login                      # prompts, input hidden

        printf %s "$KEY" | trackstar auth login --stdin

        trackstar --profile staging --base-url https://staging.example.com auth login --stdin
    """
    svc = services(ctx)
    auth_service.check_keyring(svc)  # a keyring that cannot keep it fails here, before anyone pastes a key
    key = read_secret(use_stdin=stdin, prompt="Trackstar API key", flag="--stdin")
    done = auth_service.login(svc, key, verify=not no_verify)
    settings = svc.settings
    if done.checked:
        output.info(f"Trackstar at {done.server} accepted the key (GET /connections).")
    else:
        output.info(f"Not checked (--no-verify); the key is for {done.server}.")
    output.info(f"Saved the API key for profile '{settings.profile}' in the keyring ({done.backend}).")
    if done.base_url_kept == "default":
        output.info(f"Base URL: {done.server} (the default; change it with `trackstar config set base_url URL`).")
    else:
        output.info(f"Base URL: {done.server}, kept in {done.base_url_kept}.")
    if settings.api_key_env:
        output.warn("TRACKSTAR_API_KEY is set and takes precedence over the stored key.")


@app.command("status")
def auth_status(
    ctx: typer.Context,
    offline: Annotated[
        bool, typer.Option("--offline", help="Do not check the key against the API (GET /connections).")
    ] = False,
    fmt: FormatOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Show the profile, the base URL, where the API key comes from (masked) and whether the API accepts it.

    The key is checked with the same call as `auth login` (GET /connections) unless --offline is given.
    Exits with 3 when there is no API key or the API rejects it, like `gh auth status`.

    Examples:

        trackstar auth status

        trackstar auth status --offline --json | jq -r .key_source
    """
    status = auth_service.auth_status(services(ctx), check=not offline)
    source = {"env": "environment (TRACKSTAR_API_KEY)", "keyring": "OS keyring"}.get(status.key_source or "", "none")
    if status.key_valid:
        verdict = f"valid (checked against {status.checked_url})"
    elif status.key_valid is False:
        verdict = f"REJECTED by {status.checked_url}"
    elif status.check_error is not None:
        verdict = f"not checked: {status.check_error.message}"
    else:
        verdict = "not checked (--offline)" if status.key_source else "-"
    rows = {
        "profile": status.profile,
        "base URL": f"{status.base_url} ({status.base_url_source})",
        "API key": status.masked_key or "not set — run `trackstar auth login`",
        "key check": verdict,
        "key source": source,
        "keyring": status.keyring_backend or f"unavailable: {status.keyring_error}",
    }
    fmt_name = fmt_of(fmt, json_)
    # A person gets the readable rows; every machine format gets the JSON contract.
    output.emit_object(status.to_dict(), fmt_name if is_human(fmt_name) else Format.json, human=lambda _: rows)
    if status.key_source is None:
        raise typer.Exit(int(ExitCode.AUTH))
    if status.check_error is not None:
        output.emit_error(status.check_error)
        raise typer.Exit(int(status.check_error.exit_code))


@app.command("logout")
def auth_logout(ctx: typer.Context) -> None:
    """Remove the current profile's API key from the keyring.

    Example:

        trackstar auth logout --profile staging
    """
    svc = services(ctx)
    removed = auth_service.logout(svc)
    profile = svc.settings.profile
    output.info(
        f"Removed the API key of profile '{profile}'." if removed else f"No API key was stored for profile '{profile}'."
    )
    if svc.settings.api_key_env:
        output.warn("TRACKSTAR_API_KEY is still set in this environment.")


def build(name: str) -> typer.Typer:
    return app
