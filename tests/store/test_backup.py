"""Backup and restore: a round trip gives back the store, the records and the reports;
a damaged or too-new backup is refused before anything changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, STREET
from forcestat.errors import StoreError
from forcestat.ingest.load import ingest_path
from forcestat.store.audit import audit_entries
from forcestat.store.backup import backup, restore_backup
from forcestat.store.database import open_store
from forcestat.store.records import open_records, records_connection
from forcestat.store.snapshot import SnapshotReader, publish_snapshot
from forcestat.store.users import Role, add_user, authenticate, list_users

JANUARY = STREET / "2019-01-city-of-london-street.csv.gz"
FEBRUARY = STREET / "2019-02-city-of-london-street.csv.gz"


def _crimes(store: Path) -> int:
    con = open_store(store, read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM crimes").fetchone()
        return int(row[0]) if row else -1
    finally:
        con.close()


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    store = tmp_path / "forcestat.duckdb"
    con = open_store(store)
    ingest_path(con, JANUARY)
    con.close()
    with records_connection(store) as records:
        add_user(records, "chief@opcc.example", "an admin password 1", Role.ADMIN, actor="cli")
    reports = tmp_path / "out"
    (reports / "city-of-london-2019-01").mkdir(parents=True)
    (reports / "city-of-london-2019-01" / "report.html").write_text("<h1>January</h1>", "utf-8")
    return store, reports


def test_a_backup_restores_the_store_records_and_reports(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    store, reports = project
    january = _crimes(store)
    summary = backup(store, reports, tmp_path / "backup")
    assert not (tmp_path / "backup.partial").exists()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["files"]) == [
        "records.sqlite",
        "reports/city-of-london-2019-01/report.html",
        "store.duckdb",
    ]
    assert summary.files == 3

    # Afterwards: another month loaded, a user added, the report changed.
    con = open_store(store)
    ingest_path(con, FEBRUARY)
    con.close()
    assert _crimes(store) > january
    with records_connection(store) as records:
        add_user(records, "late@opcc.example", "a later password 2", Role.VIEWER, actor="cli")
    (reports / "city-of-london-2019-01" / "report.html").write_text("<h1>Changed</h1>", "utf-8")

    restore_backup(tmp_path / "backup", store, reports)
    assert _crimes(store) == january
    with records_connection(store) as records:
        assert [u.email for u in list_users(records)] == ["chief@opcc.example"]
        assert authenticate(records, "chief@opcc.example", "an admin password 1") is not None
        assert [e.action for e in audit_entries(records)] == ["user.add"]
    assert (reports / "city-of-london-2019-01" / "report.html").read_text("utf-8") == (
        "<h1>January</h1>"
    )
    # The dashboard's snapshot is the restored store.
    reader = SnapshotReader(store)
    with reader.connection() as (_, snap):
        row = snap.execute("SELECT count(*) FROM crimes").fetchone()
        assert row is not None and row[0] == january
    reader.close()


def test_a_backup_taken_while_a_load_holds_the_store_has_the_store_before_it(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    store, reports = project
    january = _crimes(store)
    con = open_store(store)
    publish_snapshot(con, store)
    con.close()
    # Another process loads February and, still loading, holds the store.
    loader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from forcestat.store.database import "
            "open_store; from forcestat.ingest.load import ingest_path; "
            "con = open_store(Path(sys.argv[1])); ingest_path(con, Path(sys.argv[2])); "
            "print('loaded', flush=True); sys.stdin.read()",
            str(store),
            str(FEBRUARY),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    try:
        assert loader.stdout is not None and loader.stdout.readline() == "loaded\n"
        summary = backup(store, reports, tmp_path / "backup")
    finally:
        loader.communicate("", timeout=60)
    assert summary.store_from_snapshot_before_load
    assert _crimes(store) > january
    restore_backup(tmp_path / "backup", store, None)
    assert _crimes(store) == january


def test_a_damaged_backup_is_refused_and_nothing_changes(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    store, reports = project
    backup(store, reports, tmp_path / "backup")
    con = open_store(store)
    ingest_path(con, FEBRUARY)
    con.close()
    both = _crimes(store)
    damaged = tmp_path / "backup" / "store.duckdb"
    data = bytearray(damaged.read_bytes())
    data[-1] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(StoreError) as refused:
        restore_backup(tmp_path / "backup", store, reports)
    assert str(refused.value) == (
        f"{damaged}: does not match its checksum in manifest.json (damaged or changed); "
        "nothing was restored: restore from another backup"
    )
    assert _crimes(store) == both


def test_a_backup_from_a_newer_forcestat_is_refused(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    store, reports = project
    backup(store, reports, tmp_path / "backup")
    manifest_path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["records_schema_version"] = 99
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(StoreError, match="newer than this forcestat"):
        restore_backup(tmp_path / "backup", store, reports)


def test_a_backup_never_overwrites_a_folder(project: tuple[Path, Path], tmp_path: Path) -> None:
    store, reports = project
    (tmp_path / "backup").mkdir()
    with pytest.raises(StoreError, match="already exists; give a new folder"):
        backup(store, reports, tmp_path / "backup")
    open_records(store).close()
