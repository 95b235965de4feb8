"""config.py: flag > env > config file > default, safe base URLs, and where the files live."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from trackstar_cli.config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    load_profile_config,
    resolve_paths,
    resolve_settings,
    save_profile_config,
    validate_base_url,
)
from trackstar_cli.errors import ConfigError, ExitCode

from .conftest import API_KEY


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "ts-home"


@pytest.fixture
def env(home: Path) -> dict[str, str]:
    return {"TRACKSTAR_HOME": str(home)}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- precedence -----------------------------------------------------------------------------------


def test_defaults_when_nothing_is_set(env: dict[str, str]) -> None:
    settings = resolve_settings(env=env)
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.base_url_source == "default"
    assert settings.timeout == DEFAULT_TIMEOUT
    assert settings.profile == "default"
    assert settings.ca_bundle is None
    assert settings.api_key_env is None


def test_config_file_beats_default(env: dict[str, str]) -> None:
    paths = resolve_paths(env)
    save_profile_config(paths, "default", {"base_url": "https://config.example", "timeout": 20})
    settings = resolve_settings(env=env)
    assert (settings.base_url, settings.base_url_source, settings.timeout) == ("https://config.example", "config", 20.0)


def test_env_beats_config_file(env: dict[str, str]) -> None:
    save_profile_config(resolve_paths(env), "default", {"base_url": "https://config.example", "timeout": 20})
    env |= {"TRACKSTAR_BASE_URL": "https://env.example/", "TRACKSTAR_TIMEOUT": "12.5"}
    settings = resolve_settings(env=env)
    assert (settings.base_url, settings.base_url_source, settings.timeout) == ("https://env.example", "env", 12.5)


def test_flag_beats_env_and_config_file(env: dict[str, str]) -> None:
    save_profile_config(resolve_paths(env), "default", {"base_url": "https://config.example", "timeout": 20})
    env |= {"TRACKSTAR_BASE_URL": "https://env.example", "TRACKSTAR_TIMEOUT": "12"}
    settings = resolve_settings(base_url="https://flag.example", timeout=5, env=env)
    assert (settings.base_url, settings.base_url_source, settings.timeout) == ("https://flag.example", "flag", 5.0)


def test_empty_env_value_falls_through_to_config(env: dict[str, str]) -> None:
    # `TRACKSTAR_BASE_URL= trackstar …` must not turn into an "invalid URL ''" error.
    save_profile_config(resolve_paths(env), "default", {"base_url": "https://config.example"})
    settings = resolve_settings(env=env | {"TRACKSTAR_BASE_URL": "", "TRACKSTAR_TIMEOUT": ""})
    assert settings.base_url == "https://config.example"
    assert settings.timeout == DEFAULT_TIMEOUT


def test_config_is_per_profile(env: dict[str, str]) -> None:
    paths = resolve_paths(env)
    save_profile_config(paths, "staging", {"base_url": "https://staging.example", "timeout": 7})
    assert resolve_settings(env=env).base_url == DEFAULT_BASE_URL
    via_env = resolve_settings(env=env | {"TRACKSTAR_PROFILE": "staging"})
    assert (via_env.profile, via_env.base_url, via_env.timeout) == ("staging", "https://staging.example", 7.0)
    # the --profile flag beats TRACKSTAR_PROFILE
    via_flag = resolve_settings(profile="default", env=env | {"TRACKSTAR_PROFILE": "staging"})
    assert (via_flag.profile, via_flag.base_url) == ("default", DEFAULT_BASE_URL)


def test_ca_bundle_precedence_and_absolute_path(env: dict[str, str], tmp_path: Path) -> None:
    flag_ca, env_ca = tmp_path / "flag.pem", tmp_path / "env.pem"
    flag_ca.write_text("x")
    env_ca.write_text("x")
    env |= {"TRACKSTAR_CA_BUNDLE": str(env_ca)}
    assert resolve_settings(env=env).ca_bundle == str(env_ca)
    assert resolve_settings(ca_bundle=str(flag_ca), env=env).ca_bundle == str(flag_ca)


def test_api_key_from_env_is_kept_out_of_repr(env: dict[str, str]) -> None:
    settings = resolve_settings(env=env | {"TRACKSTAR_API_KEY": API_KEY})
    assert settings.api_key_env == API_KEY
    assert API_KEY not in repr(settings)


def test_verbose_and_debug_from_env(env: dict[str, str]) -> None:
    assert resolve_settings(env=env | {"TRACKSTAR_VERBOSE": "yes", "TRACKSTAR_DEBUG": "1"}).verbose is True
    assert resolve_settings(env=env | {"TRACKSTAR_DEBUG": "1"}).debug is True
    assert resolve_settings(env=env | {"TRACKSTAR_VERBOSE": "0"}).verbose is False


def test_os_environ_is_read_when_no_env_is_given() -> None:
    # conftest sets TRACKSTAR_BASE_URL in the real environment
    settings = resolve_settings()
    assert settings.base_url == "https://api.trackstar.test"
    assert settings.base_url_source == "env"


# -- config file -----------------------------------------------------------------------------------


def test_save_profile_config_writes_0600_in_0700_dir(env: dict[str, str], home: Path) -> None:
    paths = resolve_paths(env)
    save_profile_config(paths, "default", {"base_url": "https://x.example"})
    assert paths.config_file.parent == home
    assert _mode(paths.config_file) == 0o600
    assert _mode(home) == 0o700
    assert not list(home.glob("*.tmp")), "the temporary file must be renamed into place"


def test_save_profile_config_merges_and_none_removes(env: dict[str, str]) -> None:
    paths = resolve_paths(env)
    save_profile_config(paths, "default", {"base_url": "https://x.example", "timeout": 9})
    save_profile_config(paths, "other", {"timeout": 3})
    save_profile_config(paths, "default", {"timeout": None})
    assert load_profile_config(paths, "default") == {"base_url": "https://x.example"}
    assert load_profile_config(paths, "other") == {"timeout": 3}
    assert json.loads(paths.config_file.read_text())["profiles"]["other"] == {"timeout": 3}


def test_invalid_json_config_is_a_config_error(env: dict[str, str], home: Path) -> None:
    home.mkdir()
    (home / "config.json").write_text("{not json")
    with pytest.raises(ConfigError) as info:
        resolve_settings(env=env)
    assert info.value.exit_code == ExitCode.USAGE
    assert "config.json" in info.value.message
    assert info.value.hint


# -- base URL safety -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://api.trackstar.test",
        "http://production.trackstarhq.com/",
        "http://10.0.0.5:8080",
        "http://192.168.1.1",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
    ],
)
def test_plain_http_refused_for_non_loopback(url: str, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(base_url=url, env=env)
    assert info.value.exit_code == 2
    assert "https" in info.value.message
    assert info.value.hint and "127.0.0.1" in info.value.hint


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"),
        ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
        ("http://[::1]:8787", "http://[::1]:8787"),
        ("http://localhost:8787", "http://localhost:8787"),
        ("http://LOCALHOST:8787", "http://LOCALHOST:8787"),
        ("https://api.trackstar.test/", "https://api.trackstar.test"),
    ],
)
def test_http_allowed_for_loopback_and_https_anywhere(url: str, expected: str, env: dict[str, str]) -> None:
    assert resolve_settings(base_url=url, env=env).base_url == expected


def test_http_refused_from_config_file_too(env: dict[str, str]) -> None:
    save_profile_config(resolve_paths(env), "default", {"base_url": "http://api.trackstar.test"})
    with pytest.raises(ConfigError):
        resolve_settings(env=env)


@pytest.mark.parametrize("url", ["ftp://api.trackstar.test", "api.trackstar.test", "https://", "not a url", "https:/x"])
def test_invalid_base_url(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_base_url(url)
    assert info.value.exit_code == ExitCode.USAGE


# -- other invalid settings ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "3601", "nan", "inf"])
def test_invalid_timeout_from_env(raw: str, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(env=env | {"TRACKSTAR_TIMEOUT": raw})
    assert info.value.exit_code == 2
    assert "from env" in info.value.message


def test_invalid_timeout_from_flag_and_config(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="from flag"):
        resolve_settings(timeout=0, env=env)
    save_profile_config(resolve_paths(env), "default", {"timeout": "soon"})
    with pytest.raises(ConfigError, match="from config"):
        resolve_settings(env=env)


@pytest.mark.parametrize("profile", ["../evil", "a b", "-x", "x" * 65, "a/b", "é"])
def test_invalid_profile_name(profile: str, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(profile=profile, env=env)
    assert info.value.exit_code == 2


def test_missing_ca_bundle(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(ca_bundle=str(tmp_path / "nope.pem"), env=env)
    assert info.value.exit_code == 2
    assert "nope.pem" in info.value.message
    with pytest.raises(ConfigError):
        resolve_settings(env=env | {"TRACKSTAR_CA_BUNDLE": str(tmp_path)})  # a directory is not a bundle


# -- paths -----------------------------------------------------------------------------------------


def test_trackstar_home_holds_both_files(home: Path) -> None:
    paths = resolve_paths({"TRACKSTAR_HOME": str(home)})
    assert paths.config_file == home / "config.json"
    assert paths.database == home / "trackstar.db"


def test_trackstar_home_expands_tilde(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    paths = resolve_paths({"TRACKSTAR_HOME": "~/ts"})
    assert paths.database == tmp_path / "ts" / "trackstar.db"


def test_platformdirs_paths_without_trackstar_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    paths = resolve_paths({})
    assert paths.config_file == tmp_path / "xdg-config" / "trackstar" / "config.json"
    assert paths.database == tmp_path / "xdg-data" / "trackstar" / "trackstar.db"
    # and resolve_settings uses the same paths when TRACKSTAR_HOME is absent
    assert resolve_settings(env={}).paths == paths
