"""Settings, resolved once in one documented order: CLI flag > TRACKSTAR_* env > config file > default.

The root command builds one frozen `Settings` and passes it down in `ctx.obj`; nothing reads the
environment for these values anywhere else. Paths come from platformdirs unless `TRACKSTAR_HOME` is set,
in which case every file (config, database) lives under it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from trackstar_cli.errors import ConfigError

__all__ = [
    "APP_NAME",
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE",
    "DEFAULT_TIMEOUT",
    "ENV",
    "Paths",
    "Settings",
    "load_profile_config",
    "resolve_paths",
    "resolve_settings",
    "save_profile_config",
    "validate_base_url",
]

APP_NAME = "trackstar"
DEFAULT_BASE_URL = "https://production.trackstarhq.com"
DEFAULT_PROFILE = "default"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 64  # connections a fan-out reads at once (one stream per access token)

# Every environment variable the CLI reads, in one place (the README lists the same).
ENV = {
    "home": "TRACKSTAR_HOME",
    "profile": "TRACKSTAR_PROFILE",
    "base_url": "TRACKSTAR_BASE_URL",
    "timeout": "TRACKSTAR_TIMEOUT",
    "verbose": "TRACKSTAR_VERBOSE",
    "debug": "TRACKSTAR_DEBUG",
    "ca_bundle": "TRACKSTAR_CA_BUNDLE",
    "api_key": "TRACKSTAR_API_KEY",
    "connection": "TRACKSTAR_CONNECTION",
    "no_progress": "TRACKSTAR_NO_PROGRESS",
    "webhook_secret": "TRACKSTAR_WEBHOOK_SECRET",
    "max_connections": "TRACKSTAR_MAX_CONNECTIONS",
}

_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Paths:
    config_file: Path
    database: Path


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where and how to talk to Trackstar."""

    profile: str
    base_url: str
    base_url_source: str  # "flag", "env", "config" or "default"
    timeout: float
    paths: Paths
    verbose: bool = False
    debug: bool = False
    ca_bundle: str | None = None
    progress: bool = True  # a progress line on stderr while a listing streams (when stderr is a terminal)
    # From TRACKSTAR_API_KEY; repr=False keeps it out of any debug print of the settings.
    api_key_env: str | None = field(default=None, repr=False)
    # From TRACKSTAR_WEBHOOK_SECRET (overrides the profile's keyring entry).
    webhook_secret_env: str | None = field(default=None, repr=False)
    max_connections: int = DEFAULT_MAX_CONNECTIONS


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def resolve_paths(env: Mapping[str, str] | None = None) -> Paths:
    """TRACKSTAR_HOME holds everything when set; otherwise the platform's config and data dirs."""
    if env is None:
        env = os.environ
    home = env.get(ENV["home"])
    if home:
        root = Path(home).expanduser()
        return Paths(config_file=root / "config.json", database=root / "trackstar.db")
    import platformdirs

    config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return Paths(config_file=config_dir / "config.json", database=data_dir / "trackstar.db")


def _read_config(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"the config file {path} is not valid JSON (line {exc.lineno})",
            hint="fix or delete it; it only holds per-profile base URLs and timeouts",
        ) from exc
    return data if isinstance(data, dict) else {}


def load_profile_config(paths: Paths, profile: str) -> dict[str, Any]:
    profiles = _read_config(paths.config_file).get("profiles", {})
    value = profiles.get(profile, {}) if isinstance(profiles, dict) else {}
    return value if isinstance(value, dict) else {}


def save_profile_config(paths: Paths, profile: str, values: dict[str, Any]) -> None:
    """Merge `values` into the profile's section (None removes a key); written atomically, 0600."""
    data = _read_config(paths.config_file)
    profiles = data.setdefault("profiles", {})
    section = profiles.setdefault(profile, {})
    for key, value in values.items():
        if value is None:
            section.pop(key, None)
        else:
            section[key] = value
    path = paths.config_file
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"cannot write the config file {path}: {exc.strerror}") from exc


def validate_base_url(url: str) -> str:
    """Accept https:// anywhere and http:// only for loopback hosts (the local emulator)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"invalid base URL {url!r}: expected https://host[:port]",
            hint=f"the default is {DEFAULT_BASE_URL}",
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing plain http:// for {parts.hostname}: https is required for anything but loopback",
            hint="use an https:// URL (http:// is only allowed for 127.0.0.1, ::1 and localhost)",
        )
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_timeout(raw: Any, source: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid timeout {raw!r} from {source}: expected seconds, e.g. 30") from None
    if not 0 < value <= 3600:
        raise ConfigError(f"invalid timeout {raw!r} from {source}: expected more than 0 and at most 3600")
    return value


def _parse_max_connections(raw: Any, source: str) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ConfigError(f"invalid max_connections {raw!r} from {source}: expected a whole number, e.g. 64") from None
    if not 1 <= value <= 1024:
        raise ConfigError(f"invalid max_connections {raw!r} from {source}: expected 1 to 1024")
    return value


def resolve_settings(
    *,
    profile: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    verbose: bool | None = None,
    debug: bool | None = None,
    ca_bundle: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    """Build Settings: each value from the flag, else its TRACKSTAR_* variable, else the profile's config, else
    the default. Flags already folded in their env var (Typer's envvar=) arrive here as the flag value."""
    env = dict(os.environ) if env is None else env
    paths = resolve_paths(env)
    profile = profile or env.get(ENV["profile"]) or DEFAULT_PROFILE
    if not _PROFILE_RE.match(profile):
        raise ConfigError(f"invalid profile name {profile!r}: use letters, digits, '.', '_' and '-'")
    stored = load_profile_config(paths, profile)

    url, source = _pick(base_url, env.get(ENV["base_url"]), stored.get("base_url"), DEFAULT_BASE_URL)
    raw_timeout, t_source = _pick(timeout, env.get(ENV["timeout"]), stored.get("timeout"), DEFAULT_TIMEOUT)
    bundle, _ = _pick(ca_bundle, env.get(ENV["ca_bundle"]), stored.get("ca_bundle"), None)
    max_default = DEFAULT_MAX_CONNECTIONS
    raw_max, m_source = _pick(None, env.get(ENV["max_connections"]), stored.get("max_connections"), max_default)
    if bundle and not Path(str(bundle)).expanduser().is_file():
        raise ConfigError(f"CA bundle {bundle} does not exist or is not a file")
    return Settings(
        profile=profile,
        base_url=validate_base_url(str(url)),
        base_url_source=source,
        timeout=_parse_timeout(raw_timeout, t_source),
        paths=paths,
        verbose=bool(verbose) or _truthy(env.get(ENV["verbose"])),
        debug=bool(debug) or _truthy(env.get(ENV["debug"])),
        ca_bundle=str(Path(str(bundle)).expanduser()) if bundle else None,
        api_key_env=env.get(ENV["api_key"]) or None,
        progress=not env.get(ENV["no_progress"]),
        webhook_secret_env=env.get(ENV["webhook_secret"]) or None,
        max_connections=_parse_max_connections(raw_max, m_source),
    )


def _pick(flag: Any, env_value: Any, stored: Any, default: Any) -> tuple[Any, str]:
    for value, source in ((flag, "flag"), (env_value, "env"), (stored, "config")):
        if value not in (None, ""):
            return value, source
    return default, "default"
