"""Profiles and their settings: `trackstar config list|get|set|unset`, `trackstar profiles list`, and the
check that a `--profile` names a profile that exists.

A profile exists when it is the default one, has a section in the config file (`auth login` and
`config set` write one), has connections in the store, or has an API key in the keyring. The keyring cannot
be listed, so a key stored by a version that did not record its profile in the config file is found only
when that profile is named; TRACKSTAR_API_KEY never makes a profile exist (a mistyped `--profile` in CI would
otherwise quietly use the default base URL and no connections).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from trackstar_cli import credentials
from trackstar_cli.config import (
    DEFAULT_BASE_URL,
    DEFAULT_PROFILE,
    PROFILE_SETTINGS,
    config_profiles,
    load_profile_config,
    save_profile_config,
    validate_setting,
)
from trackstar_cli.errors import ConfigError, CredentialsError, UsageError
from trackstar_cli.service.core import Services

__all__ = [
    "ProfileInfo",
    "SettingRow",
    "check_profile",
    "config_get",
    "config_list",
    "config_set",
    "config_unset",
    "known_profiles",
    "list_profiles",
    "require_profile",
]

_SECRETS = {"api_key", "api-key", "key", "token", "access_token", "webhook_secret", "secret", "password"}


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: object  # the value in effect for this run
    source: str  # flag, env, config or default
    stored: object  # what the config file holds for the profile (None: nothing)
    help: str


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    current: bool
    base_url: str
    in_config: bool
    connections: int
    api_key: str  # "keyring", "none" or "unknown" (the keyring could not be asked)


def _check_key(key: str) -> str:
    key = key.strip().lower().replace("-", "_")
    if key in _SECRETS:
        raise UsageError(
            f"{key!r} is a secret and never goes in the config file",
            hint="`trackstar auth login` keeps the API key in the OS keyring (or set TRACKSTAR_API_KEY)",
        )
    if key not in PROFILE_SETTINGS:
        close = difflib.get_close_matches(key, PROFILE_SETTINGS, n=1)
        raise UsageError(
            f"unknown setting {key!r}" + (f"; did you mean {close[0]!r}?" if close else ""),
            hint="the per-profile settings are: " + ", ".join(PROFILE_SETTINGS),
        )
    return key


def _effective(svc: Services, key: str) -> object:
    s = svc.settings
    return {"base_url": s.base_url, "timeout": s.timeout, "ca_bundle": s.ca_bundle}.get(key, s.max_response_bytes)


def config_list(svc: Services) -> list[SettingRow]:
    stored = load_profile_config(svc.settings.paths, svc.profile)
    return [
        SettingRow(
            key,
            _effective(svc, key),
            svc.settings.sources.get(key, "default"),
            stored.get(key),
            help_,
        )
        for key, help_ in PROFILE_SETTINGS.items()
    ]


def config_get(svc: Services, key: str) -> SettingRow:
    key = _check_key(key)
    return next(row for row in config_list(svc) if row.key == key)


def config_set(svc: Services, key: str, raw: str) -> object:
    """Validate with the code that reads the value back, then store it in the profile's section."""
    key = _check_key(key)
    value = validate_setting(key, raw)
    save_profile_config(svc.settings.paths, svc.profile, {key: value})
    return value


def config_unset(svc: Services, key: str) -> bool:
    """Remove the key from the profile's section; False when it was not set. The section stays (the profile
    keeps existing)."""
    key = _check_key(key)
    had = key in load_profile_config(svc.settings.paths, svc.profile)
    save_profile_config(svc.settings.paths, svc.profile, {key: None})
    return had


def _stored_counts(svc: Services) -> dict[str, int]:
    path = svc.settings.paths.database
    if not path.exists():  # asking must not create the store
        return {}
    return svc.store.profile_counts()


def _has_key(profile: str) -> str:
    try:
        return "keyring" if credentials.get_api_key(profile) else "none"
    except CredentialsError:
        return "unknown"


def known_profiles(svc: Services) -> list[str]:
    """Profiles named in the config file or holding stored connections, and the default one."""
    return sorted({DEFAULT_PROFILE, *config_profiles(svc.settings.paths), *_stored_counts(svc)})


def list_profiles(svc: Services) -> list[ProfileInfo]:
    paths = svc.settings.paths
    in_config = set(config_profiles(paths))
    counts = _stored_counts(svc)
    names = set(known_profiles(svc)) | {svc.profile}
    infos = []
    for name in sorted(names):
        base_url = load_profile_config(paths, name).get("base_url") or DEFAULT_BASE_URL
        infos.append(
            ProfileInfo(
                name=name,
                current=name == svc.profile,
                base_url=str(base_url),
                in_config=name in in_config,
                connections=counts.get(name, 0),
                api_key=_has_key(name),
            )
        )
    return infos


def check_profile(svc: Services) -> None:
    """A mistyped --profile or TRACKSTAR_PROFILE is an error (require_profile), not an empty profile. A
    TRACKSTAR_PROFILE that comes with its own TRACKSTAR_BASE_URL (as `emulator serve` suggests) is defined there."""
    source = svc.settings.sources.get("profile")
    if source == "flag" or (source == "env" and svc.settings.base_url_source != "env"):
        require_profile(svc, from_env=source == "env")


def require_profile(svc: Services, *, from_env: bool = False) -> None:
    """ConfigError (exit 2) when the profile does not exist, listing the known ones. The keyring is asked
    last, and only when neither the config file nor the store knows the name."""
    profile = svc.profile
    known = known_profiles(svc)
    if profile in known or _has_key(profile) == "keyring":
        return
    close = difflib.get_close_matches(profile, known, n=1)
    create = (
        f"create it with `trackstar --profile {profile} auth login` "
        f"or `trackstar --profile {profile} config set base_url URL`"
    )
    raise ConfigError(
        f"profile {profile!r}{' (from TRACKSTAR_PROFILE)' if from_env else ''} does not exist "
        f"(known: {', '.join(known)})" + (f"; did you mean {close[0]!r}?" if close else ""),
        hint=f"unset TRACKSTAR_PROFILE, or {create}" if from_env else create,
    )
