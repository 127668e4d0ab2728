"""Snapshots of the store for the dashboard: published whole, swapped atomically, read
while the store itself is held by a load."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import STREET
from forcestat.errors import StoreError
from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store
from forcestat.store.snapshot import (
    SnapshotReader,
    current_snapshot,
    publish_snapshot,
    snapshots_folder,
)


def _crimes(con: object) -> int:
    row = con.execute("SELECT count(*) FROM crimes").fetchone()  # type: ignore[attr-defined]
    return int(row[0])


def test_a_snapshot_is_read_while_a_load_holds_the_store(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    assert current_snapshot(store) is None
    con = open_store(store)
    ingest_path(con, STREET / "2019-01-city-of-london-street.csv.gz")
    january = _crimes(con)
    first = publish_snapshot(con, store)
    assert first == snapshots_folder(store) / "1.duckdb"
    assert current_snapshot(store) == first
    reader = SnapshotReader(store)
    # The store is still open for writing here, as during a load: the reader does not
    # need it.
    with reader.connection() as (version, snap):
        assert (version, _crimes(snap)) == ("1.duckdb", january)
    ingest_path(con, STREET / "2019-02-city-of-london-street.csv.gz")
    both = _crimes(con)
    assert both > january
    # A request that began before the next publish finishes on the snapshot it began on.
    with reader.connection() as (version, before):
        publish_snapshot(con, store)
        assert (version, _crimes(before)) == ("1.duckdb", january)
        with reader.connection() as (newer, after):
            assert (newer, _crimes(after)) == ("2.duckdb", both)
    con.close()
    reader.close()


def test_old_snapshots_are_deleted_keeping_the_previous_one(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    con = open_store(store)
    for _ in range(4):
        publish_snapshot(con, store)
    con.close()
    names = sorted(p.name for p in snapshots_folder(store).iterdir())
    assert names == ["3.duckdb", "4.duckdb", "current"]


def test_a_reader_without_a_snapshot_says_what_to_run(tmp_path: Path) -> None:
    with (
        pytest.raises(StoreError, match="no snapshot for the dashboard yet"),
        SnapshotReader(tmp_path / "s.duckdb").connection(),
    ):
        pass
