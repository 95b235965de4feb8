"""The local SQLite store: connections per profile, each profile's default connection, and the backfill
(on-demand sync) jobs started from here.

The file is created 0600 before SQLite opens it (its -wal/-shm files inherit that mode) in a 0700 directory.
WAL, a busy timeout, and writes that are single statements or `BEGIN IMMEDIATE` transactions, so parallel
`trackstar` processes never lose a write. Schema migrations are named functions recorded in
`_trackstar_migrations` and applied on open, each in its own transaction.

Access tokens live here: every data call also needs the organisation API key, which lives in the keyring.
A store another user could change is refused (`config.check_private`); one written by a newer trackstar-cli
(a migration we do not know) is refused rather than half-understood; an alias is taken inside the write
transaction, so of two parallel runs that want the same name one gets `AliasTakenError` and saves nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from trackstar_cli.config import check_private, ensure_private_dir
from trackstar_cli.errors import AliasTakenError, StoreError
from trackstar_cli.models import Connection, Delivery, NewDelivery

__all__ = ["MIGRATIONS", "Connection", "Delivery", "NewDelivery", "Store"]

BUSY_TIMEOUT_MS = 10_000
_OPEN_HINT = "check the file's permissions, or point TRACKSTAR_HOME at a writable directory"
_DAMAGED_HINT = "move the file away; `trackstar connections add` can register tokens again"
_NEWER_HINT = "upgrade trackstar-cli (pip install -U trackstar-cli), or point TRACKSTAR_HOME elsewhere"


Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []
migration = MIGRATIONS.append


@migration
def m001_create_connections(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE connections (
            profile TEXT NOT NULL,
            connection_id TEXT NOT NULL,
            integration_name TEXT NOT NULL,
            customer_id TEXT,
            alias TEXT,
            available_actions TEXT NOT NULL DEFAULT '[]',
            access_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (profile, connection_id)
        )"""
    )
    db.execute("CREATE UNIQUE INDEX connections_alias ON connections (profile, alias) WHERE alias IS NOT NULL")


@migration
def m002_create_defaults(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE defaults (profile TEXT PRIMARY KEY, connection_id TEXT NOT NULL)")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Open with `Store(path)`; use as a context manager or call close()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = self._open(path)
        self._migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # -- opening -------------------------------------------------------------------------------------

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        ensure_private_dir(path.parent, StoreError)
        check_private(path, StoreError)
        try:
            if not path.exists():
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            return db
        except sqlite3.DatabaseError as exc:
            if not isinstance(exc, sqlite3.OperationalError):  # NOTADB / CORRUPT: permissions are not the issue
                raise StoreError(
                    f"the local store {path} is damaged or not a trackstar database: {exc}",
                    hint=_DAMAGED_HINT,
                ) from exc
            raise StoreError(f"cannot open the local store {path}: {exc}", hint=_OPEN_HINT) from exc
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the local store {path}: {exc}", hint=_OPEN_HINT) from exc

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock up front (no SQLITE_BUSY_SNAPSHOT under WAL)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the local store {self.path}: {exc}") from exc
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        else:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the local store {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        try:
            self._refuse_newer()
            if self._pending_migrations():  # the common case reads only, without taking the write lock
                with self._write() as db:
                    db.execute(
                        "CREATE TABLE IF NOT EXISTS _trackstar_migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
                    )
                    for fn in self._pending_migrations():  # again under the lock: another process may have run them
                        fn(db)
                        db.execute("INSERT INTO _trackstar_migrations VALUES (?, ?)", (fn.__name__, _now()))
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"the local store {self.path} is damaged or not a trackstar database: {exc}",
                hint=_DAMAGED_HINT,
            ) from exc

    def _refuse_newer(self) -> None:
        exists = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_trackstar_migrations'"
        ).fetchone()
        if not exists:
            return
        known = {fn.__name__ for fn in MIGRATIONS}
        unknown = sorted(str(row[0]) for row in self._db.execute("SELECT name FROM _trackstar_migrations"))
        unknown = [name for name in unknown if name not in known]
        if unknown:
            raise StoreError(
                f"the local store {self.path} was written by a newer trackstar-cli "
                f"(schema step {unknown[0][:60]!r} is unknown to this version)",
                hint=_NEWER_HINT,
            )

    def check_writable(self) -> None:
        """Cheap: raise StoreError unless the store's directory and file can be written (not read-only, not on
        a read-only file system). Call it before spending anything that cannot be spent twice."""
        for item in (self.path.parent, self.path):
            try:
                mode = item.stat().st_mode
            except OSError as exc:
                raise StoreError(f"cannot write the local store {self.path}: {exc.strerror}", hint=_OPEN_HINT) from exc
            if not os.access(item, os.W_OK) or not mode & 0o200:
                what = "directory" if item == self.path.parent else "file"
                raise StoreError(
                    f"cannot write the local store {self.path}: its {what} {item} is read-only", hint=_OPEN_HINT
                )

    def _pending_migrations(self) -> list[Migration]:
        exists = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_trackstar_migrations'"
        ).fetchone()
        done = {row[0] for row in self._db.execute("SELECT name FROM _trackstar_migrations")} if exists else set()
        return [fn for fn in MIGRATIONS if fn.__name__ not in done]

    # -- connections ---------------------------------------------------------------------------------

    def save_connection(
        self,
        *,
        profile: str,
        connection_id: str,
        integration_name: str,
        access_token: str,
        customer_id: str | None = None,
        alias: str | None = None,
        available_actions: list[str] | tuple[str, ...] = (),
    ) -> Connection:
        """Insert, or update the row of a reinstalled connection (same id), in one upsert statement. An alias
        held by another connection raises AliasTakenError and saves nothing (checked under the write lock)."""
        now = _now()
        access_token = access_token.strip()
        try:
            with self._write() as db:
                if alias:
                    holder = db.execute(
                        "SELECT connection_id FROM connections WHERE profile = ? AND alias = ? AND connection_id != ?",
                        (profile, alias, connection_id),
                    ).fetchone()
                    if holder:
                        raise AliasTakenError(
                            f"the name {alias!r} was taken by connection {holder[0]} in the meantime",
                            alias=alias,
                            holder=str(holder[0]),
                            hint="choose another name, or remove that connection first",
                        )
                db.execute(
                    """INSERT INTO connections (profile, connection_id, integration_name, customer_id, alias,
                           available_actions, access_token, created_at, updated_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT (profile, connection_id) DO UPDATE SET
                           integration_name = excluded.integration_name,
                           customer_id = COALESCE(excluded.customer_id, connections.customer_id),
                           alias = COALESCE(excluded.alias, connections.alias),
                           available_actions = excluded.available_actions,
                           access_token = excluded.access_token,
                           updated_at = excluded.updated_at""",
                    (
                        profile,
                        connection_id,
                        integration_name,
                        customer_id,
                        alias,
                        json.dumps(list(available_actions)),
                        access_token,
                        now,
                        now,
                    ),
                )
                # The first connection of a profile becomes its default (only one: nothing to choose between).
                db.execute(
                    "INSERT OR IGNORE INTO defaults (profile, connection_id) SELECT ?, ?"
                    " WHERE (SELECT COUNT(*) FROM connections WHERE profile = ?) = 1",
                    (profile, connection_id, profile),
                )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot save the connection in {self.path}: {exc}") from exc
        found = self.get(profile, connection_id)
        assert found is not None
        return found

    def list_connections(self, profile: str) -> list[Connection]:
        rows = self._query(
            """SELECT c.*, (d.connection_id IS NOT NULL) AS is_default FROM connections c
               LEFT JOIN defaults d ON d.profile = c.profile AND d.connection_id = c.connection_id
               WHERE c.profile = ? ORDER BY c.created_at, c.connection_id""",
            (profile,),
        )
        return [self._row(r) for r in rows]

    def profile_counts(self) -> dict[str, int]:
        """Every profile with stored connections, and how many each has (`trackstar profiles list`)."""
        rows = self._query("SELECT profile, COUNT(*) FROM connections GROUP BY profile ORDER BY profile", ())
        return {str(r[0]): int(r[1]) for r in rows}

    def get(self, profile: str, ref: str) -> Connection | None:
        """Find by connection id first, then by alias."""
        for column in ("connection_id", "alias"):
            rows = self._query(
                f"""SELECT c.*, (d.connection_id IS NOT NULL) AS is_default FROM connections c
                    LEFT JOIN defaults d ON d.profile = c.profile AND d.connection_id = c.connection_id
                    WHERE c.profile = ? AND c.{column} = ?""",
                (profile, ref),
            )
            if rows:
                return self._row(rows[0])
        return None

    def default_id(self, profile: str) -> str | None:
        rows = self._query("SELECT connection_id FROM defaults WHERE profile = ?", (profile,))
        return str(rows[0][0]) if rows else None

    def set_default(self, profile: str, connection_id: str) -> None:
        try:
            self._db.execute(
                "INSERT INTO defaults VALUES (?, ?)"
                " ON CONFLICT (profile) DO UPDATE SET connection_id = excluded.connection_id",
                (profile, connection_id),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the local store {self.path}: {exc}") from exc

    def remove(self, profile: str, connection_id: str) -> bool:
        try:
            with self._write() as db:
                cur = db.execute(
                    "DELETE FROM connections WHERE profile = ? AND connection_id = ?", (profile, connection_id)
                )
                db.execute("DELETE FROM defaults WHERE profile = ? AND connection_id = ?", (profile, connection_id))
                return cur.rowcount > 0
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the local store {self.path}: {exc}") from exc

    # -- on-demand sync jobs -------------------------------------------------------------------------

    def save_sync_job(self, profile: str, connection_id: str, job: dict[str, object]) -> None:
        """Insert or refresh a job's last known state (the API's job object, as JSON)."""
        try:
            self._db.execute(
                "INSERT INTO sync_jobs VALUES (?, ?, ?, ?, ?) ON CONFLICT (profile, job_id) DO UPDATE SET"
                " job = excluded.job, updated_at = excluded.updated_at",
                (profile, str(job.get("id")), connection_id, json.dumps(job), _now()),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the local store {self.path}: {exc}") from exc

    def list_sync_jobs(self, profile: str, connection_id: str | None = None) -> list[tuple[str, dict[str, object]]]:
        """(connection_id, job) pairs, oldest first; rows that are not JSON objects are skipped."""
        sql = "SELECT connection_id, job FROM sync_jobs WHERE profile = ?"
        params: tuple[object, ...] = (profile,)
        if connection_id is not None:
            sql, params = sql + " AND connection_id = ?", (profile, connection_id)
        found = []
        for row in self._query(sql + " ORDER BY rowid", params):
            try:
                job = json.loads(row["job"])
            except ValueError:
                continue
            if isinstance(job, dict):
                found.append((str(row["connection_id"]), job))
        return found

    def _query(self, sql: str, params: tuple[object, ...]) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the local store {self.path}: {exc}") from exc

    @staticmethod
    def _row(row: sqlite3.Row) -> Connection:
        return Connection(
            profile=row["profile"],
            connection_id=row["connection_id"],
            integration_name=row["integration_name"],
            customer_id=row["customer_id"],
            alias=row["alias"],
            available_actions=_actions(row["available_actions"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            # A token stored with a trailing CR/LF (older versions, hand edits) would break the header it goes in.
            access_token=str(row["access_token"] or "").strip(),
            is_default=bool(row["is_default"]),
        )

    # -- webhook deliveries (received by `trackstar webhooks listen`) ---------------------------------

    def save_delivery(self, profile: str, d: NewDelivery) -> tuple[Delivery, bool]:
        """Store a delivery once per svix-id: (row, True) when its content was written. A repeat only counts
        an attempt, except that a valid delivery replaces a stored invalid one (a secret fixed while Svix was
        retrying), which also returns True."""
        try:
            with self._write() as db:
                old = None
                if d.svix_id:
                    old = db.execute(
                        "SELECT id, verified FROM webhook_deliveries WHERE profile = ? AND svix_id = ?",
                        (profile, d.svix_id),
                    ).fetchone()
                values = (
                    json.dumps(d.headers),
                    d.body,
                    int(d.verified),
                    d.reason,
                    d.event_type,
                    d.connection_id,
                    d.object_id,
                )
                if old is None:
                    cur = db.execute(
                        """INSERT INTO webhook_deliveries (profile, svix_id, received_at, headers, body, verified,
                               reason, event_type, connection_id, object_id, attempts)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)""",
                        (profile, d.svix_id, d.received_at, *values),
                    )
                    row_id, created = int(cur.lastrowid or 0), True
                else:
                    row_id, created = int(old["id"]), bool(d.verified and not old["verified"])
                    db.execute("UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = ?", (row_id,))
                    if created:
                        db.execute(
                            """UPDATE webhook_deliveries SET headers = ?, body = ?, verified = ?, reason = ?,
                                   event_type = ?, connection_id = ?, object_id = ?, received_at = ? WHERE id = ?""",
                            (*values, d.received_at, row_id),
                        )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot save the webhook delivery in {self.path}: {exc}") from exc
        found = self.get_delivery(profile, str(row_id))
        assert found is not None
        return found, created

    def set_delivery_forward(self, delivery_id: int, status: int | None, error: str | None) -> None:
        try:
            self._db.execute(
                "UPDATE webhook_deliveries SET forward_status = ?, forward_error = ? WHERE id = ?",
                (status, error, delivery_id),
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write the local store {self.path}: {exc}") from exc

    def list_deliveries(
        self,
        profile: str,
        *,
        event_types: tuple[str, ...] = (),
        connection_id: str | None = None,
        since: str | None = None,
        failed: bool = False,
        limit: int | None = None,
    ) -> list[Delivery]:
        """Newest first. `event_types` are GLOB patterns (`order.*`); `failed` = not verified or not forwarded."""
        sql = "SELECT * FROM webhook_deliveries WHERE profile = ?"
        params: list[object] = [profile]
        if event_types:
            sql += " AND (" + " OR ".join("event_type GLOB ?" for _ in event_types) + ")"
            params += list(event_types)
        if connection_id:
            sql += " AND connection_id = ?"
            params.append(connection_id)
        if since:
            sql += " AND received_at >= ?"
            params.append(since)
        if failed:
            sql += " AND (verified = 0 OR forward_status NOT BETWEEN 200 AND 299 OR forward_error IS NOT NULL)"
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_delivery(r) for r in self._query(sql, tuple(params))]

    def get_delivery(self, profile: str, ref: str) -> Delivery | None:
        """Find by the local number, then by svix-id."""
        column = "id" if ref.isdigit() else "svix_id"
        rows = self._query(f"SELECT * FROM webhook_deliveries WHERE profile = ? AND {column} = ?", (profile, ref))
        return _delivery(rows[0]) if rows else None


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(
        id=row["id"],
        profile=row["profile"],
        svix_id=row["svix_id"],
        received_at=row["received_at"],
        headers=tuple((str(k), str(v)) for k, v in json.loads(row["headers"])),
        body=bytes(row["body"]),
        verified=bool(row["verified"]),
        reason=row["reason"],
        event_type=row["event_type"],
        connection_id=row["connection_id"],
        object_id=row["object_id"],
        attempts=row["attempts"],
        forward_status=row["forward_status"],
        forward_error=row["forward_error"],
    )


@migration
def m003_create_webhook_deliveries(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            profile TEXT NOT NULL,
            svix_id TEXT,
            received_at TEXT NOT NULL,
            headers TEXT NOT NULL,
            body BLOB NOT NULL,
            verified INTEGER NOT NULL,
            reason TEXT,
            event_type TEXT,
            connection_id TEXT,
            object_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 1,
            forward_status INTEGER,
            forward_error TEXT
        )"""
    )
    db.execute(
        "CREATE UNIQUE INDEX webhook_deliveries_svix_id ON webhook_deliveries (profile, svix_id)"
        " WHERE svix_id IS NOT NULL"
    )


def _actions(raw: object) -> tuple[str, ...]:
    """The stored JSON list of actions; anything else (a damaged or hand-edited row) reads as none."""
    try:
        value = json.loads(str(raw or "[]"))
    except (ValueError, RecursionError):
        return ()
    return tuple(str(a) for a in value) if isinstance(value, list) else ()


@migration
def m004_create_sync_jobs(db: sqlite3.Connection) -> None:
    """On-demand sync jobs started from here: Trackstar has no endpoint that lists them."""
    db.execute(
        """CREATE TABLE sync_jobs (
            profile TEXT NOT NULL,
            job_id TEXT NOT NULL,
            connection_id TEXT NOT NULL,
            job TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (profile, job_id)
        )"""
    )
