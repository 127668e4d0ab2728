"""Backup and restore of everything forcestat keeps: the analytical store, the
dashboard's records and the folder of published statements.

A backup is a folder:

    manifest.json              versions, when, and each file's size and SHA-256
    store.duckdb               the store as last published (a consistent snapshot)
    records.sqlite             the records, copied by SQLite's online backup
    reports/...                the published statements folder, as it was

It is taken while the dashboard runs and while a load runs: the store is copied from
its newest snapshot (published afresh first when no load holds the store; during a load,
the one from before it), and the records through SQLite's backup API, which copies a
consistent state however many writers there are. The folder is written as
``DIR.partial`` and renamed to ``DIR`` when complete, so a backup folder is whole.

``restore_backup`` checks the manifest (format, versions this forcestat can open,
every file's size and checksum) before it changes anything, then puts each part back and
publishes the restored store, which a running dashboard picks up.

Example:
    >>> backup(Path("forcestat.duckdb"), Path("out"), Path("backups/2026-q3"))  # doctest: +SKIP
    >>> restore_backup(Path("backups/2026-q3"), Path("forcestat.duckdb"), Path("out"))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from forcestat import __version__
from forcestat.errors import StoreError
from forcestat.store.database import MIGRATIONS, open_store, schema_version
from forcestat.store.records import RECORDS_SCHEMA_VERSION, open_records
from forcestat.store.snapshot import current_snapshot, publish_snapshot

__all__ = ["BACKUP_FORMAT", "BackupSummary", "backup", "restore_backup"]

BACKUP_FORMAT = 1
_MANIFEST = "manifest.json"
_STORE = "store.duckdb"
_RECORDS = "records.sqlite"
_REPORTS = "reports"


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds: its folder, when, the versions, and its files."""

    folder: Path
    created_at: str
    store_schema: int
    records_schema: int
    files: int
    total_bytes: int
    store_from_snapshot_before_load: bool = False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fresh_snapshot(store: Path) -> tuple[Path, bool]:
    """The newest snapshot, published now when the store is free; with whether it is
    an older one because a load holds the store."""
    try:
        con = open_store(store)
    except StoreError:
        found = current_snapshot(store)
        if found is None:
            raise
        return found, True
    try:
        return publish_snapshot(con, store), False
    finally:
        con.close()


def backup(store: Path, reports: Path | None, target: Path) -> BackupSummary:
    """Write a backup of ``store``, its records and ``reports`` into the new folder
    ``target``."""
    if not store.is_file():
        raise StoreError(f"{store}: no store here to back up; check --store")
    if target.exists():
        raise StoreError(f"{target}: already exists; give a new folder for the backup")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
        snapshot, during_load = _fresh_snapshot(store)
        # Opened before copying: a publish that deletes it now cannot cut the copy short.
        with snapshot.open("rb") as source, (partial / _STORE).open("wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        records = open_records(store)
        try:
            kept = sqlite3.connect(partial / _RECORDS)
            records.backup(kept)
            kept.close()
        finally:
            records.close()
        if reports is not None and reports.is_dir():
            shutil.copytree(reports, partial / _REPORTS, symlinks=False)
        con = duckdb.connect(str(partial / _STORE), read_only=True)
        try:
            store_schema = schema_version(con)
        finally:
            con.close()
        files: dict[str, dict[str, Any]] = {
            p.relative_to(partial).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
            for p in sorted(partial.rglob("*"))
            if p.is_file()
        }
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        manifest = {
            "format": BACKUP_FORMAT,
            "forcestat_version": __version__,
            "created_at": created,
            "store_file": store.name,
            "store_schema_version": store_schema,
            "records_schema_version": RECORDS_SCHEMA_VERSION,
            "store_from_snapshot_before_load": during_load,
            "files": files,
        }
        (partial / _MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
        os.replace(partial, target)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreError(
            f"{target}: the backup could not be written ({exc.strerror or exc}); nothing was "
            "kept: free space or choose another folder, then run this again"
        ) from exc
    return BackupSummary(
        target,
        created,
        store_schema,
        RECORDS_SCHEMA_VERSION,
        len(files),
        sum(int(f["bytes"]) for f in files.values()),
        during_load,
    )


def _checked_manifest(source: Path) -> dict[str, Any]:
    path = source / _MANIFEST
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise StoreError(f"{source}: not a forcestat backup (no {_MANIFEST})") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: damaged ({exc}); restore from another backup") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise StoreError(
            f"{path}: backup format {manifest.get('format') if isinstance(manifest, dict) else '?'}"
            f" is not one this forcestat reads ({BACKUP_FORMAT}); use the forcestat that wrote it"
        )
    known = max(m.version for m in MIGRATIONS)
    if int(manifest.get("store_schema_version", 0)) > known:
        raise StoreError(
            f"{source}: the store in this backup is at schema version "
            f"{manifest['store_schema_version']}, newer than this forcestat ({known}); "
            "upgrade forcestat to restore it"
        )
    if int(manifest.get("records_schema_version", 0)) > RECORDS_SCHEMA_VERSION:
        raise StoreError(
            f"{source}: the records in this backup are at version "
            f"{manifest['records_schema_version']}, newer than this forcestat "
            f"({RECORDS_SCHEMA_VERSION}); upgrade forcestat to restore them"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or _STORE not in files or _RECORDS not in files:
        raise StoreError(f"{path}: lists no store or records; restore from another backup")
    for name, expected in files.items():
        file = source / name
        if not file.is_file():
            raise StoreError(f"{file}: missing from the backup; restore from another backup")
        if file.stat().st_size != expected["bytes"] or _sha256(file) != expected["sha256"]:
            raise StoreError(
                f"{file}: does not match its checksum in {_MANIFEST} (damaged or changed); "
                "nothing was restored: restore from another backup"
            )
    return manifest


def restore_backup(source: Path, store: Path, reports: Path | None) -> BackupSummary:
    """Check the backup in ``source``, then put back the store, its records and (when
    the backup holds them and ``reports`` is given) the reports folder."""
    manifest = _checked_manifest(source)
    # Held for the whole restore: a load cannot start halfway through.
    holder = open_store(store) if store.exists() else None
    try:
        incoming = store.with_name(store.name + ".restoring")
        shutil.copyfile(source / _STORE, incoming)
        os.replace(incoming, store)
        # Clear a write-ahead log of the replaced store: it belongs to the old file.
        store.with_name(store.name + ".wal").unlink(missing_ok=True)
        backup_records = sqlite3.connect(f"file:{source / _RECORDS}?mode=ro", uri=True)
        records = open_records(store)
        try:
            backup_records.backup(records)
        finally:
            records.close()
            backup_records.close()
        if reports is not None and (source / _REPORTS).is_dir():
            fresh = reports.with_name(reports.name + ".restoring")
            old = reports.with_name(reports.name + ".replaced")
            shutil.rmtree(fresh, ignore_errors=True)
            shutil.copytree(source / _REPORTS, fresh)
            if reports.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(reports, old)
            os.replace(fresh, reports)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if holder is not None:
            holder.close()
    con = open_store(store)
    try:
        publish_snapshot(con, store)
    finally:
        con.close()
    files = manifest["files"]
    return BackupSummary(
        source,
        str(manifest["created_at"]),
        int(manifest["store_schema_version"]),
        int(manifest["records_schema_version"]),
        len(files),
        sum(int(f["bytes"]) for f in files.values()),
        bool(manifest.get("store_from_snapshot_before_load")),
    )
