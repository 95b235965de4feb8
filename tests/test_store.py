"""store.py: file modes, migrations, upserts, aliases, profiles, defaults, damage and concurrent writers."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from trackstar_cli import store as store_mod
from trackstar_cli.errors import AliasTakenError, ExitCode, StoreError
from trackstar_cli.store import MIGRATIONS, Store

from .conftest import TOKEN


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "trackstar.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _save(store: Store, connection_id: str, **kwargs: object) -> object:
    values: dict[str, object] = {
        "profile": "default",
        "connection_id": connection_id,
        "integration_name": "sandbox",
        "access_token": TOKEN,
    }
    values.update(kwargs)
    return store.save_connection(**values)  # type: ignore[arg-type]


# -- permissions -----------------------------------------------------------------------------------


def test_file_0600_dir_0700_and_side_files_0600(db_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, under which a naive sqlite3.connect() gives 0644 files
    try:
        with Store(db_path) as s:
            assert _mode(db_path.parent) == 0o700
            assert _mode(db_path) == 0o600
            _save(s, "conn_1")
            wal, shm = Path(f"{db_path}-wal"), Path(f"{db_path}-shm")
            assert wal.exists() and shm.exists(), "WAL mode: a write leaves -wal/-shm next to the file"
            assert _mode(wal) == 0o600
            assert _mode(shm) == 0o600
    finally:
        os.umask(old)


def test_wal_mode_is_on(store: Store, db_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# -- migrations ------------------------------------------------------------------------------------


def _applied(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT name, applied_at FROM _trackstar_migrations ORDER BY rowid").fetchall()


def test_migrations_recorded_and_not_reapplied(db_path: Path) -> None:
    with Store(db_path) as s:
        _save(s, "conn_1")
    first = _applied(db_path)
    assert [name for name, _ in first] == [fn.__name__ for fn in MIGRATIONS]
    with Store(db_path) as s:  # reopening must neither fail (CREATE TABLE twice) nor lose data
        assert [c.connection_id for c in s.list_connections("default")] == ["conn_1"]
    assert _applied(db_path) == first


def test_new_migration_applied_once_on_next_open(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db_path).close()
    calls: list[str] = []

    def m900_add_note(db: sqlite3.Connection) -> None:
        calls.append("m900")
        db.execute("ALTER TABLE connections ADD COLUMN note TEXT")

    monkeypatch.setattr(store_mod, "MIGRATIONS", [*MIGRATIONS, m900_add_note])
    Store(db_path).close()
    Store(db_path).close()
    assert calls == ["m900"]
    assert [name for name, _ in _applied(db_path)][-1] == "m900_add_note"


def test_failing_migration_rolls_back_and_is_not_recorded(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Store(db_path).close()

    def m901_half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        db.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(store_mod, "MIGRATIONS", [*MIGRATIONS, m901_half_done])
    with pytest.raises(StoreError):
        Store(db_path)
    with sqlite3.connect(db_path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables
    assert "m901_half_done" not in [name for name, _ in _applied(db_path)]


# -- connections -----------------------------------------------------------------------------------


def test_save_and_get_round_trip(store: Store) -> None:
    saved = _save(store, "conn_1", customer_id="cust_9", alias="main", available_actions=["get_inventory"])
    got = store.get("default", "conn_1")
    assert got == saved
    assert got is not None
    assert (got.integration_name, got.customer_id, got.alias) == ("sandbox", "cust_9", "main")
    assert got.available_actions == ("get_inventory",)
    assert got.access_token == TOKEN


def test_token_never_in_repr_or_public_dict(store: Store) -> None:
    conn = _save(store, "conn_1")
    assert TOKEN not in repr(conn)
    public = conn.to_public_dict()  # type: ignore[attr-defined]
    assert TOKEN not in str(public)
    assert "access_token" not in public


def test_reinstall_updates_row_and_keeps_created_at(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod, "_now", lambda: "2026-01-01T00:00:00Z")
    _save(store, "conn_1", alias="main", customer_id="cust_9", access_token="tok_old", available_actions=["a"])
    monkeypatch.setattr(store_mod, "_now", lambda: "2026-02-01T00:00:00Z")
    again = _save(store, "conn_1", integration_name="shipbob", access_token="tok_new", available_actions=["b"])
    rows = store.list_connections("default")
    assert len(rows) == 1
    assert rows[0] == again
    assert again.access_token == "tok_new"  # type: ignore[attr-defined]
    assert again.integration_name == "shipbob"  # type: ignore[attr-defined]
    assert again.available_actions == ("b",)  # type: ignore[attr-defined]
    assert again.created_at == "2026-01-01T00:00:00Z"  # type: ignore[attr-defined]
    assert again.updated_at == "2026-02-01T00:00:00Z"  # type: ignore[attr-defined]
    # a reinstall that does not mention the alias/customer keeps them
    assert again.alias == "main"  # type: ignore[attr-defined]
    assert again.customer_id == "cust_9"  # type: ignore[attr-defined]


def test_alias_is_unique_per_profile(store: Store) -> None:
    _save(store, "conn_1", alias="main")
    # A name another connection holds is never taken from it (issue #8 item 10): the second save fails whole.
    with pytest.raises(AliasTakenError) as info:
        _save(store, "conn_2", alias="main")
    assert info.value.holder == "conn_1" and "'main'" in info.value.message
    assert store.get("default", "conn_2") is None
    _save(store, "conn_3", alias="main", profile="other")
    got = store.get("default", "main")
    assert got is not None and got.connection_id == "conn_1"
    other = store.get("other", "main")
    assert other is not None and other.connection_id == "conn_3"


def test_alias_unique_index_holds_in_the_database(store: Store, db_path: Path) -> None:
    _save(store, "conn_1", alias="main")
    with sqlite3.connect(db_path) as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute(
            "INSERT INTO connections (profile, connection_id, integration_name, alias, access_token,"
            " created_at, updated_at) VALUES ('default', 'conn_x', 's', 'main', 't', 'x', 'x')"
        )


def test_get_by_id_wins_over_alias(store: Store) -> None:
    _save(store, "conn_1")
    _save(store, "conn_2", alias="conn_1")  # an alias that looks like another connection's id
    got = store.get("default", "conn_1")
    assert got is not None and got.connection_id == "conn_1"
    assert store.get("default", "nope") is None


def test_profiles_are_isolated(store: Store) -> None:
    _save(store, "conn_1", profile="a", access_token="tok_a")
    _save(store, "conn_1", profile="b", access_token="tok_b")
    _save(store, "conn_2", profile="b")
    assert [c.connection_id for c in store.list_connections("a")] == ["conn_1"]
    assert [c.connection_id for c in store.list_connections("b")] == ["conn_1", "conn_2"]
    a, b = store.get("a", "conn_1"), store.get("b", "conn_1")
    assert a is not None and b is not None
    assert (a.access_token, b.access_token) == ("tok_a", "tok_b")
    assert store.get("a", "conn_2") is None
    assert store.remove("b", "conn_1") is True
    assert store.get("a", "conn_1") is not None
    assert store.list_connections("nobody") == []


def test_default_set_replaced_and_cleared_on_remove(store: Store) -> None:
    _save(store, "conn_1")
    _save(store, "conn_2")
    _save(store, "conn_1", profile="other")
    assert store.default_id("default") == "conn_1"  # the first one stored in a profile becomes its default
    assert store.default_id("other") == "conn_1"
    store.set_default("default", "conn_1")
    store.set_default("other", "conn_1")
    assert [c.is_default for c in store.list_connections("default")] == [True, False]
    store.set_default("default", "conn_2")
    assert store.default_id("default") == "conn_2"
    got = store.get("default", "conn_2")
    assert got is not None and got.is_default
    assert store.remove("default", "conn_2") is True
    assert store.default_id("default") is None
    assert store.default_id("other") == "conn_1"  # another profile's default is untouched
    assert store.remove("default", "conn_2") is False


def test_data_survives_reopen(db_path: Path) -> None:
    with Store(db_path) as s:
        _save(s, "conn_1", alias="main")
        s.set_default("default", "conn_1")
    with Store(db_path) as s:
        got = s.get("default", "main")
        assert got is not None and got.is_default and got.access_token == TOKEN


# -- damage ----------------------------------------------------------------------------------------


def _assert_damaged_error(exc: StoreError, path: Path) -> None:
    assert type(exc) is StoreError
    assert exc.exit_code == ExitCode.ERROR
    assert str(path) in exc.message
    # The hint must say what to do about a damaged file (not blame permissions).
    assert exc.hint is not None and "move" in exc.hint


def test_garbage_file_is_a_store_error_with_a_hint(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not sqlite \x00\xff" * 300)
    with pytest.raises(StoreError) as info:
        Store(db_path)
    _assert_damaged_error(info.value, db_path)


def test_truncated_database_is_a_store_error_with_a_hint(db_path: Path) -> None:
    with Store(db_path) as s:
        for i in range(300):
            _save(s, f"conn_{i}", integration_name="x" * 200)
    with sqlite3.connect(db_path) as raw:  # fold the WAL into the main file, then cut the file in half
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    data = db_path.read_bytes()
    db_path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError) as info:
        s = Store(db_path)
        s.list_connections("default")
    _assert_damaged_error(info.value, db_path)


def test_unusable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as info:
        Store(blocker / "trackstar.db")  # parent "directory" is a file
    assert info.value.hint


# -- concurrency -----------------------------------------------------------------------------------

WORKERS = 6
PER_WORKER = 50


def _save_many(path: str, worker: int, count: int, start: object) -> None:
    """Runs in a spawned process: a fresh Store per save, like separate `trackstar` invocations."""
    start.wait(30)  # type: ignore[attr-defined]
    for i in range(count):
        with Store(Path(path)) as s:
            s.save_connection(
                profile="default",
                connection_id=f"w{worker}-{i}",
                integration_name="sandbox",
                access_token=f"tok-{worker}-{i}",
                alias=f"a{worker}-{i}",
            )
            if i % 10 == 0:
                s.set_default("default", f"w{worker}-{i}")


def test_parallel_processes_lose_no_write(db_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [
        ctx.Process(target=_save_many, args=(str(db_path), w, PER_WORKER, start), daemon=True) for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    start.set()  # the fresh file is created and migrated by racing processes too
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * WORKERS
    with Store(db_path) as s:
        rows = s.list_connections("default")
        assert len(rows) == WORKERS * PER_WORKER
        assert {c.connection_id for c in rows} == {f"w{w}-{i}" for w in range(WORKERS) for i in range(PER_WORKER)}
        assert all(c.access_token == "tok-" + c.connection_id[1:] for c in rows)
        assert s.default_id("default") in {c.connection_id for c in rows}
    assert [name for name, _ in _applied(db_path)] == [fn.__name__ for fn in MIGRATIONS]
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _mode(db_path) == 0o600
