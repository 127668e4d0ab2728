"""The dashboard's records in SQLite: created once, moved from an older DuckDB store, and
written by two connections (two processes) at once."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest

from forcestat.errors import StoreError
from forcestat.store.audit import audit_entries
from forcestat.store.database import open_store
from forcestat.store.milestones import get_milestone, progress_updates
from forcestat.store.rebases import rebase_records
from forcestat.store.records import (
    RECORDS_SCHEMA_VERSION,
    open_records,
    records_beside,
    records_path,
)
from forcestat.store.users import authenticate, get_user, hash_password


def test_the_records_sit_beside_the_store_in_wal_mode(tmp_path: Path) -> None:
    assert records_path(tmp_path / "forcestat.duckdb") == tmp_path / "forcestat.records.sqlite"
    con = open_records(tmp_path / "forcestat.duckdb")
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("PRAGMA user_version").fetchone() == (RECORDS_SCHEMA_VERSION,)
    con.close()


def test_records_from_an_older_store_are_moved_with_their_ids(tmp_path: Path) -> None:
    # An earlier release kept these records in the DuckDB store (its migrations 2 and 3).
    store = tmp_path / "old.duckdb"
    con = open_store(store)
    con.execute(
        "INSERT INTO users VALUES (7, 'chief@opcc.example', ?, 'admin', true, "
        "TIMESTAMP '2024-01-02 09:30:00')",
        [hash_password("an old admin password")],
    )
    con.execute(
        "INSERT INTO milestones VALUES (3, 'milestone', NULL, 'CCTV hub', 'Open it', 'Head', "
        "'quarterly', DATE '2024-06-30', NULL, NULL, 'on_track', true, "
        "TIMESTAMP '2024-01-03 10:00:00', TIMESTAMP '2024-01-03 10:00:00')"
    )
    con.execute(
        "INSERT INTO milestone_updates VALUES (5, 3, DATE '2024-02-01', 'on_track', 'Going', "
        "'chief@opcc.example', TIMESTAMP '2024-02-01 11:00:00')"
    )
    con.execute(
        "INSERT INTO audit_log VALUES (11, TIMESTAMP '2024-01-03 10:00:00', 'chief@opcc.example', "
        "'milestone.create', 'milestone', '3', NULL, '{\"title\": \"CCTV hub\"}')"
    )
    con.execute(
        "INSERT INTO spc_rebases VALUES (2, 'burglary_policeuk', 'City of London', "
        "DATE '2020-04-01', 'Lockdown', 'analyst', TIMESTAMP '2024-01-04 12:00:00', "
        "NULL, NULL, NULL)"
    )
    con.close()

    records = open_records(store)
    user = get_user(records, 7)
    assert user is not None and user.email == "chief@opcc.example"
    assert user.created_at == dt.datetime(2024, 1, 2, 9, 30)
    assert authenticate(records, "chief@opcc.example", "an old admin password") == user
    milestone = get_milestone(records, 3, include_drafts=False)
    assert milestone is not None and milestone.due_date == dt.date(2024, 6, 30)
    assert milestone.last_update_date == dt.date(2024, 2, 1)
    assert [u.note for u in progress_updates(records, 3)] == ["Going"]
    (entry,) = audit_entries(records)
    assert (entry.audit_id, entry.action) == (11, "milestone.create")
    (rebase,) = rebase_records(records)
    assert (rebase.rebase_id, rebase.month) == (2, dt.date(2020, 4, 1))
    records.close()
    # Moved once: opening again neither copies twice nor fails.
    again = open_records(store)
    assert len(audit_entries(again)) == 1
    again.close()


def test_records_newer_than_this_forcestat_are_refused(tmp_path: Path) -> None:
    con = sqlite3.connect(records_path(tmp_path / "s.duckdb"))
    con.execute(f"PRAGMA user_version = {RECORDS_SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="upgrade forcestat to open them"):
        open_records(tmp_path / "s.duckdb")


def test_two_writers_at_once_both_commit(tmp_path: Path) -> None:
    from forcestat.store.audit import record_change
    from forcestat.store.records import records_transaction

    open_records(tmp_path / "s.duckdb").close()

    def write(actor: str) -> None:
        con = open_records(tmp_path / "s.duckdb")
        for i in range(50):
            with records_transaction(con):
                record_change(
                    con, actor=actor, action="test", entity="t", entity_id=i, before=None, after={}
                )
        con.close()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    con = open_records(tmp_path / "s.duckdb")
    assert len(audit_entries(con, limit=1000)) == 100
    con.close()


def test_the_records_beside_an_open_store_are_moved_through_its_connection(
    tmp_path: Path,
) -> None:
    # The report opens the records beside the store it reads; the store may be open for
    # writing in the same process, which a second, read-only connection could not join.
    store = tmp_path / "old.duckdb"
    con = open_store(store)
    con.execute(
        "INSERT INTO audit_log VALUES (4, TIMESTAMP '2024-01-03 10:00:00', 'a', "
        "'milestone.create', 'milestone', '1', NULL, NULL)"
    )
    records = records_beside(con)
    assert [e.audit_id for e in audit_entries(records)] == [4]
    records.close()
    con.close()


def test_version_1_records_are_upgraded_in_place(tmp_path: Path) -> None:
    # Records as the first SQLite release wrote them: its schema, user_version 1.
    from forcestat.store.records import _SCHEMA

    path = records_path(tmp_path / "s.duckdb")
    old = sqlite3.connect(path)
    old.executescript(_SCHEMA)
    old.execute(
        "INSERT INTO milestones VALUES (5, 'milestone', NULL, 'CCTV hub', '', 'Head', "
        "'quarterly', '2025-03-31', NULL, NULL, 'on_track', 1, '2024-01-02 09:30:00', "
        "'2024-01-02 09:30:00')"
    )
    old.execute(
        "INSERT INTO milestone_updates VALUES (1, 5, '2024-02-01', 'on_track', 'Started', "
        "'e@x.example', '2024-02-01 10:00:00')"
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    con = open_records(tmp_path / "s.duckdb")
    try:
        assert con.execute("PRAGMA user_version").fetchone() == (RECORDS_SCHEMA_VERSION,)
        milestone = get_milestone(con, 5, include_drafts=True)
        assert milestone is not None and milestone.title == "CCTV hub"
        assert (milestone.plan_ref, milestone.start_date) == (None, None)
        [update] = progress_updates(con, 5)
        assert (update.note, update.suggested_status, update.suggestion) == ("Started", None, None)
        assert con.execute("SELECT count(*) FROM register_items").fetchone() == (0,)
    finally:
        con.close()
