"""Settings, resolved once in one documented order: CLI flag > TRACKSTAR_* env > config file > default.

The root command builds one frozen `Settings` and passes it down in `ctx.obj`; nothing reads the
environment for these values anywhere else. Paths come from platformdirs unless `TRACKSTAR_HOME` is set,
in which case every file (config, database) lives under it.

Files here hold or lead to secrets, so (as ssh does) missing directories are created 0700 whatever the umask,
and a config or store file or directory that another user could change is refused (`check_private`). The
config file is rewritten under a lock and replaced atomically, so parallel `auth login`s lose no profile.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from trackstar_cli.errors import ConfigError, TrackstarError

__all__ = [
    "APP_NAME",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_PROFILE",
    "DEFAULT_TIMEOUT",
    "ENV",
    "PROFILE_SETTINGS",
    "Paths",
    "Settings",
    "check_private",
    "ensure_private_dir",
    "config_profiles",
    "load_profile_config",
    "redact_url",
    "resolve_paths",
    "resolve_settings",
    "save_profile_config",
    "validate_base_url",
    "validate_setting",
]

APP_NAME = "trackstar"
DEFAULT_BASE_URL = "https://production.trackstarhq.com"
DEFAULT_PROFILE = "default"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 64  # connections a fan-out reads at once (one stream per access token)
DEFAULT_PAGER = "less -FRX"  # -F: quit when it fits one screen, -R: keep colours, -X: leave it on the screen
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # decoded; the largest real page (1000 items) is a few MB

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
    "pager": "TRACKSTAR_PAGER",
    "webhook_secret": "TRACKSTAR_WEBHOOK_SECRET",
    "max_connections": "TRACKSTAR_MAX_CONNECTIONS",
    "max_response_bytes": "TRACKSTAR_MAX_RESPONSE_BYTES",
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
    pager: str | None = DEFAULT_PAGER  # the command long tables go through on a terminal; None: no pager
    # From TRACKSTAR_API_KEY; repr=False keeps it out of any debug print of the settings.
    api_key_env: str | None = field(default=None, repr=False)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    # From TRACKSTAR_WEBHOOK_SECRET (overrides the profile's keyring entry).
    webhook_secret_env: str | None = field(default=None, repr=False)
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    # Where each per-profile setting (and the profile itself) came from: "flag", "env", "config", "default".
    sources: Mapping[str, str] = field(default_factory=dict)


def redact_url(url: str) -> str:
    """The URL without the password of a `user:password@` part (for logs, errors and `auth status`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@]*@", "//***@", url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def _private_group(gid: int) -> bool:
    """True for a user private group: named after us, with no other member (as Debian's OpenSSH allows)."""
    import grp
    import pwd

    try:
        user = pwd.getpwuid(os.getuid()).pw_name
        group = grp.getgrgid(gid)
    except KeyError:
        return False
    return group.gr_name == user and set(group.gr_mem) <= {user}


def ensure_private_dir(path: Path, error: type[TrackstarError] = ConfigError) -> None:
    """Create `path` and any missing parent as 0700, whatever the umask (mkdir's parents=True uses 0777)."""
    missing: list[Path] = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    try:
        for directory in reversed(missing):
            try:
                directory.mkdir(mode=0o700)
            except FileExistsError:
                continue  # a parallel run made it
            os.chmod(directory, 0o700)
    except OSError as exc:
        raise error(f"cannot create the directory {path}: {exc.strerror}") from exc


def check_private(path: Path, error: type[TrackstarError] = ConfigError) -> None:
    """Refuse a file, its directory, or a directory up to the home directory that another user could change
    (group/other-writable and not sticky, or owned by someone else), as ssh does for ~/.ssh."""
    if os.name != "posix":
        return
    home = Path.home()
    chain = [path, path.parent]
    if path.parent != home and home in path.parent.parents:
        chain += [p for p in path.parent.parents if p == home or home in p.parents]
    for item in chain:
        try:
            st = item.stat()
        except OSError:
            continue  # missing or unreadable: the read or write that follows says so
        writers = st.st_mode & 0o022
        if writers == 0o020 and _private_group(st.st_gid):
            writers = 0  # umask 002 with user private groups (Debian, Ubuntu): the group is only us
        if writers and not (stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX):
            import shlex

            who = "group and others" if st.st_mode & 0o022 == 0o022 else ("group" if st.st_mode & 0o020 else "others")
            raise error(
                f"refusing to use {path}: {item} is writable by {who} (mode {stat.S_IMODE(st.st_mode):04o}), "
                "so another user could replace it",
                hint=f"run `chmod go-w {shlex.quote(str(item))}`",
            )
        if st.st_uid not in (os.getuid(), 0):
            raise error(
                f"refusing to use {path}: {item} belongs to another user (uid {st.st_uid})",
                hint=f"check who made it, then `chown` it to yourself or point {ENV['home']} elsewhere",
            )


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


_CONFIG_HINT = "fix or delete it; it only holds per-profile base URLs and timeouts"


def _read_config(path: Path) -> dict[str, Any]:
    check_private(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise ConfigError(f"cannot read the config file {path}: {reason}", hint=_CONFIG_HINT) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"the config file {path} is not valid JSON (line {exc.lineno})", hint=_CONFIG_HINT) from exc
    except RecursionError:
        raise ConfigError(f"the config file {path} is nested too deeply to read", hint=_CONFIG_HINT) from None
    return data if isinstance(data, dict) else {}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `<path>.lock` for a read-modify-write of `path` (no-op where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # Windows: os.replace still keeps each write whole
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def load_profile_config(paths: Paths, profile: str) -> dict[str, Any]:
    profiles = _read_config(paths.config_file).get("profiles", {})
    value = profiles.get(profile, {}) if isinstance(profiles, dict) else {}
    return value if isinstance(value, dict) else {}


def save_profile_config(paths: Paths, profile: str, values: dict[str, Any]) -> None:
    """Merge `values` into the profile's section (None removes a key): read and rewritten under a lock, through
    a private temporary file and an atomic rename, 0600."""
    path = paths.config_file
    ensure_private_dir(path.parent)
    check_private(path)
    try:
        with _locked(path):
            data = _read_config(path)
            profiles = data.setdefault("profiles", {})
            if not isinstance(profiles, dict):
                profiles = data["profiles"] = {}
            section = profiles.setdefault(profile, {})
            if not isinstance(section, dict):
                section = profiles[profile] = {}
            for key, value in values.items():
                if value is None:
                    section.pop(key, None)
                else:
                    section[key] = value
            import tempfile  # only here: it costs ~5 ms of start-up

            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, indent=2, sort_keys=True)
                    fh.write("\n")
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise ConfigError(f"cannot write the config file {path}: {exc.strerror}") from exc


def validate_base_url(url: str) -> str:
    """Accept https:// anywhere and http:// only for loopback hosts (the local emulator)."""
    shown = redact_url(url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # parsed lazily: a bad port raises only here
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", a non-numeric port
        raise ConfigError(
            f"invalid base URL {shown!r}: {exc}",
            hint=f"expected https://host[:port]; the default is {DEFAULT_BASE_URL}",
        ) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"invalid base URL {shown!r}: expected https://host[:port]",
            hint=f"the default is {DEFAULT_BASE_URL}",
        )
    if port == 0 or any(c.isspace() or ord(c) < 32 for c in url.strip()):
        raise ConfigError(f"invalid base URL {shown!r}: expected https://host[:port] with a port from 1 to 65535")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing plain http:// for {parts.hostname}: https is required for anything but loopback",
            hint="use an https:// URL (http:// is only allowed for 127.0.0.1, ::1 and localhost)",
        )
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost (the only hosts plain http:// may reach)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse_max_bytes(raw: Any, source: str) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise ConfigError(f"invalid max_response_bytes {raw!r} from {source}: expected a number of bytes") from None
    if value < 1024:
        raise ConfigError(f"invalid max_response_bytes {raw!r} from {source}: expected at least 1024")
    return value


def _check_bundle(raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError(f"CA bundle {raw} does not exist or is not a file")
    return path


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
    no_pager: bool = False,
    env: dict[str, str] | None = None,
) -> Settings:
    """Build Settings: each value from the flag, else its TRACKSTAR_* variable, else the profile's config, else
    the default. Flags already folded in their env var (Typer's envvar=) arrive here as the flag value."""
    env = dict(os.environ) if env is None else env
    paths = resolve_paths(env)
    p_source = "flag" if profile else ("env" if env.get(ENV["profile"]) else "default")
    profile = profile or env.get(ENV["profile"]) or DEFAULT_PROFILE
    if not _PROFILE_RE.match(profile):
        raise ConfigError(f"invalid profile name {profile!r}: use letters, digits, '.', '_' and '-'")
    stored = load_profile_config(paths, profile)

    url, source = _pick(base_url, env.get(ENV["base_url"]), stored.get("base_url"), DEFAULT_BASE_URL)
    raw_timeout, t_source = _pick(timeout, env.get(ENV["timeout"]), stored.get("timeout"), DEFAULT_TIMEOUT)
    bundle, b_source = _pick(ca_bundle, env.get(ENV["ca_bundle"]), stored.get("ca_bundle"), None)
    raw_cap, c_source = _pick(
        None, env.get(ENV["max_response_bytes"]), stored.get("max_response_bytes"), DEFAULT_MAX_RESPONSE_BYTES
    )
    max_default = DEFAULT_MAX_CONNECTIONS
    raw_max, m_source = _pick(None, env.get(ENV["max_connections"]), stored.get("max_connections"), max_default)
    if bundle:
        _check_bundle(str(bundle))
    return Settings(
        profile=profile,
        base_url=validate_base_url(str(url)),
        base_url_source=source,
        timeout=_parse_timeout(raw_timeout, t_source),
        paths=paths,
        verbose=bool(verbose) or _truthy(env.get(ENV["verbose"])),
        debug=bool(debug) or _truthy(env.get(ENV["debug"])),
        ca_bundle=str(Path(str(bundle)).expanduser()) if bundle else None,
        # Surrounding white space (a key pasted from a CRLF file) would end up in a header and in its error.
        api_key_env=(env.get(ENV["api_key"]) or "").strip() or None,
        max_response_bytes=_parse_max_bytes(raw_cap, c_source),
        progress=not env.get(ENV["no_progress"]),
        pager=None if no_pager else _pager(env),
        webhook_secret_env=env.get(ENV["webhook_secret"]) or None,
        max_connections=_parse_max_connections(raw_max, m_source),
        sources={
            "profile": p_source,
            "base_url": source,
            "timeout": t_source,
            "ca_bundle": b_source,
            "max_response_bytes": c_source,
        },
    )


# The settings a profile keeps in the config file (`trackstar config set`); secrets never go there.
PROFILE_SETTINGS: dict[str, str] = {
    "base_url": "API base URL (https://, or http:// for loopback)",
    "timeout": "seconds a whole request may take",
    "ca_bundle": "CA certificates file for TLS",
    "max_response_bytes": "the largest reply read, decoded",
}


def validate_setting(key: str, raw: str) -> str | float | int:
    """The value `config set` stores for `key`, checked by the same code that reads it back in
    resolve_settings (so a value that is accepted here cannot break every later command)."""
    where = f"`config set {key}`"
    if key == "base_url":
        return validate_base_url(raw)
    if key == "timeout":
        return _parse_timeout(raw, where)
    if key == "max_response_bytes":
        return _parse_max_bytes(raw, where)
    if key == "ca_bundle":
        return str(_check_bundle(raw).resolve())
    raise ConfigError(f"unknown setting {key!r}", hint="the settings are: " + ", ".join(PROFILE_SETTINGS))


def config_profiles(paths: Paths) -> list[str]:
    """The profiles that have a section in the config file."""
    profiles = _read_config(paths.config_file).get("profiles", {})
    return sorted(str(name) for name in profiles) if isinstance(profiles, dict) else []


def _pager(env: Mapping[str, str]) -> str | None:
    """TRACKSTAR_PAGER, else PAGER, else less -FRX; empty or `cat` means none (as git does)."""
    value = env.get(ENV["pager"])
    if value is None:
        value = env.get("PAGER", DEFAULT_PAGER)
    value = value.strip()
    return None if value in ("", "cat") else value


def _pick(flag: Any, env_value: Any, stored: Any, default: Any) -> tuple[Any, str]:
    for value, source in ((flag, "flag"), (env_value, "env"), (stored, "config")):
        if value not in (None, ""):
            return value, source
    return default, "default"
