"""The store: created at the latest schema, upgraded in place, newer stores refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import STREET
from forcestat.errors import StoreError
from forcestat.ingest.load import ingest_path
from forcestat.store.database import MIGRATIONS, Migration, open_store, schema_version, transaction


def test_a_new_store_is_at_the_latest_version(tmp_path: Path) -> None:
    con = open_store(tmp_path / "s.duckdb")
    assert schema_version(con) == max(m.version for m in MIGRATIONS)
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    for t in (
        "ingest_log",
        "rejects",
        "crimes",
        "outcomes",
        "stop_search",
        "offence_counts",
        "offence_codes",
        "areas",
        "population",
    ):
        assert t in tables


def test_an_older_store_is_upgraded_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = open_store(path)
    ingest_path(con, STREET / "2019-01-city-of-london-street.csv.gz")
    con.close()
    # A later release adds a migration; opening the old store applies it, keeping data.
    later = (
        *MIGRATIONS,
        Migration(99, "a later release", "ALTER TABLE crimes ADD COLUMN note VARCHAR"),
    )
    con = open_store(path, migrations=later)
    assert schema_version(con) == 99
    assert con.execute("SELECT count(*), count(note) FROM crimes").fetchone() == (617, 0)
    applied = con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert applied[-1] == (99,)
    con.close()


def test_a_failed_migration_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    latest = max(m.version for m in MIGRATIONS)
    broken = (
        *MIGRATIONS,
        Migration(latest + 1, "broken", "ALTER TABLE no_such_table ADD COLUMN x INT"),
    )
    with pytest.raises(StoreError, match="could not upgrade"):
        open_store(path, migrations=broken)
    con = duckdb.connect(str(path))
    assert schema_version(con) == latest
    con.close()


def test_a_store_from_a_newer_forcestat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    latest = max(m.version for m in MIGRATIONS)
    later = (*MIGRATIONS, Migration(latest + 1, "later", "CREATE TABLE later_thing (x INT)"))
    open_store(path, migrations=later).close()
    with pytest.raises(StoreError, match="upgrade forcestat"):
        open_store(path)


def test_read_only_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("hello")
    with pytest.raises(StoreError, match="cannot open"):
        open_store(path)


def test_an_older_store_opened_read_only_is_upgraded_first(tmp_path: Path) -> None:
    # A store written by an earlier release (before the latest migration), then opened
    # by a read-only command such as 'forcestat measures' after an upgrade.
    path = tmp_path / "older.duckdb"
    open_store(path, migrations=MIGRATIONS[:-1]).close()
    con = open_store(path, read_only=True)
    assert schema_version(con) == max(m.version for m in MIGRATIONS)
    with pytest.raises(duckdb.Error):
        con.execute("CREATE TABLE x (y INT)")  # still read only
    con.close()


def test_a_transaction_commits_whole_or_rolls_back_whole(tmp_path: Path) -> None:
    con = open_store(tmp_path / "t.duckdb")
    con.execute("CREATE TABLE notes (n INTEGER)")
    with transaction(con):
        con.execute("INSERT INTO notes VALUES (1)")
    with pytest.raises(RuntimeError, match="stop"), transaction(con):
        con.execute("INSERT INTO notes VALUES (2)")
        raise RuntimeError("stop")
    assert con.execute("SELECT n FROM notes").fetchall() == [(1,)]
    con.close()


def test_a_store_held_by_another_process_says_who_and_what_to_do(tmp_path: Path) -> None:
    # A second process holds the store open for writing, as a load does.
    import subprocess
    import sys

    store = tmp_path / "held.duckdb"
    open_store(store).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; con = duckdb.connect(sys.argv[1]); print('open', flush=True); "
            "sys.stdin.read()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        with pytest.raises(StoreError) as refused:
            open_store(store)
    finally:
        holder.communicate("", timeout=30)
    message = str(refused.value)
    assert f"another program has the store open (process {holder.pid})" in message
    assert "such as a load or report still running" in message
