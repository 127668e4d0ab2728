"""The dashboard's own records: a SQLite database (WAL mode) beside the analytical store.

Users, their server-side sessions, the sign-in throttle, the Plan tracker, recorded
rebases and the audit log are small records written one at a time by many people while
the dashboard runs, and by the command line at the same moment. DuckDB lets one process
write a file at a time, which a long load holds for minutes; SQLite in WAL mode lets any
number of processes read while one writes, each write taking milliseconds. So these
records live in ``<store>.records.sqlite`` (``forcestat.duckdb`` ->
``forcestat.records.sqlite``) and the loaded data stays in DuckDB.

A store from an earlier release kept these records in DuckDB (migrations 2 and 3): the
first time the records database is created, they are copied from the store, ids kept,
and the DuckDB tables are left as they were, no longer read.

Example:
    >>> with records_connection(Path("forcestat.duckdb")) as records:  # doctest: +SKIP
    ...     list_users(records)
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from forcestat.errors import StoreError

__all__ = [
    "RECORDS_SCHEMA_VERSION",
    "open_records",
    "records_beside",
    "records_connection",
    "records_path",
    "records_transaction",
    "utc_now",
]

# Each change bumps this; a records database newer than this forcestat is refused.
RECORDS_SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE users (
    user_id              INTEGER PRIMARY KEY,
    email                TEXT NOT NULL UNIQUE,     -- lower case
    password_hash        TEXT NOT NULL,            -- argon2id, with its parameters and salt
    role                 TEXT NOT NULL,            -- 'viewer', 'editor' or 'admin'
    active               BOOLEAN NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 0  -- after an admin's reset
);

-- A signed-in session. The cookie carries a random token; only its SHA-256 is kept,
-- so a copy of this file does not let anyone sign in. Ending a session deletes its row.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed sign-ins, per account ('account:<email>') and per client ('address:<ip>').
CREATE TABLE signin_failures (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until REAL NOT NULL                      -- seconds since 1970, UTC
);

CREATE TABLE milestones (
    milestone_id     INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    parent_id        INTEGER,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    lead             TEXT NOT NULL,
    review_frequency TEXT NOT NULL,
    due_date         DATE,
    measure_id       TEXT,
    target           TEXT,
    status           TEXT NOT NULL,
    published        BOOLEAN NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE milestone_updates (
    update_id    INTEGER PRIMARY KEY,
    milestone_id INTEGER NOT NULL,
    update_date  DATE NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL,
    author       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- Append only: rows are inserted, never updated or deleted.
CREATE TABLE audit_log (
    audit_id    INTEGER PRIMARY KEY,
    changed_at  TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);

CREATE TABLE spc_rebases (
    rebase_id        INTEGER PRIMARY KEY,
    measure_id       TEXT NOT NULL,
    area             TEXT NOT NULL,
    month            DATE NOT NULL,
    reason           TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_at      TIMESTAMP NOT NULL,
    withdrawn_by     TEXT,
    withdrawn_at     TIMESTAMP,
    withdrawn_reason TEXT
);
"""

# Each later version's changes, applied in order to records made before it (version 1 is
# _SCHEMA). Version 2: the Plan loaded from files (each entry's id in its file, a start
# date), a linked measure's suggested status kept beside the editor's decision, and the
# registers of recommendations.
_MIGRATIONS: dict[int, str] = {
    2: """
ALTER TABLE milestones ADD COLUMN plan_ref TEXT;      -- the entry's id in the Plan file
ALTER TABLE milestones ADD COLUMN start_date DATE;
CREATE UNIQUE INDEX milestones_by_plan_ref ON milestones (plan_ref);
ALTER TABLE milestone_updates ADD COLUMN suggested_status TEXT;  -- from the linked measure
ALTER TABLE milestone_updates ADD COLUMN suggestion TEXT;        -- the figures behind it
CREATE TABLE register_items (
    item_id     INTEGER PRIMARY KEY,
    register    TEXT NOT NULL,             -- 'hmicfrs', 'panel' or 'audit'
    ref         TEXT NOT NULL UNIQUE,      -- the recommendation's id in its file
    title       TEXT NOT NULL,
    source      TEXT NOT NULL,             -- the inspection, meeting or audit it came from
    raised_date DATE,
    owner       TEXT NOT NULL,
    due_date    DATE,
    status      TEXT NOT NULL,
    note        TEXT NOT NULL,
    published   BOOLEAN NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
)
""",
}

# Copied from a DuckDB store of an earlier release, in this order, every column by name.
_MOVED_TABLES = {
    "users": "user_id, email, password_hash, role, active, created_at",
    "milestones": "milestone_id, kind, parent_id, title, description, lead, review_frequency, "
    "due_date, measure_id, target, status, published, created_at, updated_at",
    "milestone_updates": "update_id, milestone_id, update_date, status, note, author, created_at",
    "audit_log": "audit_id, changed_at, actor, action, entity, entity_id, before_json, after_json",
    "spc_rebases": "rebase_id, measure_id, area, month, reason, recorded_by, recorded_at, "
    "withdrawn_by, withdrawn_at, withdrawn_reason",
}

# Dates and times are stored as ISO text and read back as date and datetime by their
# declared column type (PARSE_DECLTYPES), so rows read as they did from DuckDB.
sqlite3.register_adapter(dt.date, lambda d: d.isoformat())
sqlite3.register_adapter(dt.datetime, lambda d: d.isoformat(" "))
sqlite3.register_converter("DATE", lambda b: dt.date.fromisoformat(b.decode()))
sqlite3.register_converter("TIMESTAMP", lambda b: dt.datetime.fromisoformat(b.decode()))
sqlite3.register_converter("BOOLEAN", lambda b: bool(int(b)))


def utc_now() -> dt.datetime:
    """Now, as the records keep times: UTC without a zone, to the microsecond."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def records_path(store: Path) -> Path:
    """The records database beside ``store``: ``forcestat.duckdb`` -> ``forcestat.records.sqlite``."""
    return store.with_name(f"{store.stem}.records.sqlite")


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(
        path,
        timeout=30,  # wait for another writer this long before failing
        detect_types=sqlite3.PARSE_DECLTYPES,
        isolation_level=None,  # transactions are explicit (records_transaction)
        check_same_thread=False,
    )
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")  # durable at each WAL checkpoint; safe in WAL
    con.execute("PRAGMA foreign_keys = ON")
    return con


@contextmanager
def records_transaction(con: sqlite3.Connection) -> Iterator[None]:
    """Run the block as one write transaction (taken at once, so two writers queue
    rather than deadlock); committed at the end, rolled back on any error."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _run_script(con: sqlite3.Connection, script: str) -> None:
    # One statement at a time (executescript would commit the open transaction); the
    # comments go first, as they may hold semicolons.
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    for statement in text.split(";"):
        if statement.strip():
            con.execute(statement)


def _create_schema(con: sqlite3.Connection) -> None:
    _run_script(con, _SCHEMA)


def _migrate(con: sqlite3.Connection, version: int) -> None:
    """Bring records at ``version`` (1 or later) up to RECORDS_SCHEMA_VERSION."""
    for step in range(version + 1, RECORDS_SCHEMA_VERSION + 1):
        _run_script(con, _MIGRATIONS[step])


def _copy_from_store(
    con: sqlite3.Connection, store: Path, opened: duckdb.DuckDBPyConnection | None
) -> None:
    """Bring the records an earlier release kept in the DuckDB store into ``con``
    (through ``opened`` when the caller has the store open already)."""
    try:
        old = opened.cursor() if opened is not None else duckdb.connect(str(store), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(
            f"{store}: its users, milestones and audit log move to {records_path(store).name} "
            f"on first use, but the store cannot be read now ({exc}); stop what holds it and "
            "run this again"
        ) from exc
    try:
        present = {
            str(r[0])
            for r in old.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        for table, columns in _MOVED_TABLES.items():
            if table not in present:
                continue
            rows = old.execute(f"SELECT {columns} FROM {table}").fetchall()
            marks = ", ".join("?" for _ in columns.split(","))
            con.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    finally:
        old.close()


def open_records(
    store: Path, *, store_con: duckdb.DuckDBPyConnection | None = None
) -> sqlite3.Connection:
    """Open (creating and filling if needed) the records database beside ``store``;
    ``store_con``: the store, when the caller has it open."""
    path = records_path(store)
    try:
        con = _connect(path)
        version = int(con.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the dashboard's records: {exc}") from exc
    if version > RECORDS_SCHEMA_VERSION:
        con.close()
        raise StoreError(
            f"{path}: records are at version {version} but this forcestat knows only up to "
            f"{RECORDS_SCHEMA_VERSION}: upgrade forcestat to open them"
        )
    if version == RECORDS_SCHEMA_VERSION:
        return con
    try:
        with records_transaction(con):
            # Another process may have created them while this one waited for the lock.
            version = int(con.execute("PRAGMA user_version").fetchone()[0])
            if version == 0:
                _create_schema(con)
                if store.is_file():
                    _copy_from_store(con, store, store_con)
                version = 1
            if version < RECORDS_SCHEMA_VERSION:
                _migrate(con, version)
                con.execute(f"PRAGMA user_version = {RECORDS_SCHEMA_VERSION}")
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def records_connection(store: Path) -> Iterator[sqlite3.Connection]:
    """The records beside ``store`` for the length of the block, then closed."""
    con = open_records(store)
    try:
        yield con
    finally:
        con.close()


def records_beside(con: duckdb.DuckDBPyConnection) -> sqlite3.Connection:
    """The records beside the store ``con`` has open (the caller closes them). An
    in-memory store has empty records of its own."""
    row = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    if row is None or not row[0]:
        memory = _connect(Path(":memory:"))
        _create_schema(memory)
        _migrate(memory, 1)
        return memory
    return open_records(Path(str(row[0])), store_con=con)
