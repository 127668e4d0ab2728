"""Read-only snapshots of the store, for the dashboard to read while loads run.

DuckDB lets one process write a file, or several read it, never both. So the dashboard
does not open the store: every command that commits to it (``ingest``, ``download``,
``demo``, an upgrade) publishes a snapshot as it finishes, while it still holds the
store's lock, and the dashboard reads the newest snapshot:

1. ``CHECKPOINT`` writes everything committed into the store file (its write-ahead log
   is then empty), so the file alone is a consistent store;
2. the file is copied to ``<store>.snapshots/<n>.duckdb.partial``, flushed to disk, and
   renamed to ``<n>.duckdb`` (a rename is atomic: a reader sees the whole file or none);
3. the pointer file ``<store>.snapshots/current`` is replaced, the same way, by one
   naming the new snapshot;
4. snapshots older than the previous one are deleted. A server still reading one keeps
   it open: on POSIX systems a deleted file lives until its last reader closes it.

``SnapshotReader`` (used by the dashboard) checks the pointer on each request, opens the
new snapshot read-only when it changes, and lets requests already running finish on the
old one, which is closed when the last of them ends.

Example:
    >>> publish_snapshot(con, Path("forcestat.duckdb"))  # doctest: +SKIP
    >>> reader = SnapshotReader(Path("forcestat.duckdb"))  # doctest: +SKIP
    >>> with reader.connection() as (version, con): ...  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from forcestat.errors import StoreError

__all__ = [
    "SnapshotReader",
    "current_snapshot",
    "publish_snapshot",
    "snapshots_folder",
]

_POINTER = "current"
_NAME = re.compile(r"^(\d+)\.duckdb$")


def snapshots_folder(store: Path) -> Path:
    """Where the store's snapshots live: ``forcestat.duckdb`` -> ``forcestat.snapshots``."""
    return store.with_name(f"{store.stem}.snapshots")


def current_snapshot(store: Path) -> Path | None:
    """The newest published snapshot of ``store``, or None before the first."""
    pointer = snapshots_folder(store) / _POINTER
    try:
        name = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    path = pointer.parent / name
    return path if _NAME.match(name) and path.is_file() else None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_snapshot(con: duckdb.DuckDBPyConnection, store: Path) -> Path:
    """Publish the store as it is now committed, for readers of ``current_snapshot``.
    Call it with the store open for writing, after the last commit."""
    folder = snapshots_folder(store)
    try:
        folder.mkdir(exist_ok=True)
        con.execute("CHECKPOINT")
        numbers = [int(m.group(1)) for p in folder.iterdir() if (m := _NAME.match(p.name))]
        number = max(numbers, default=0) + 1
        final = folder / f"{number}.duckdb"
        partial = folder / f"{number}.duckdb.partial"
        shutil.copyfile(store, partial)
        _fsync(partial)
        os.replace(partial, final)
        pointer = folder / f"{_POINTER}.partial"
        pointer.write_text(final.name + "\n", "utf-8")
        _fsync(pointer)
        os.replace(pointer, folder / _POINTER)
        _fsync(folder)
    except (OSError, duckdb.Error) as exc:
        raise StoreError(
            f"{folder}: the data were saved, but the dashboard's copy could not be written "
            f"({exc}); free space, then restart 'forcestat serve', which publishes it"
        ) from exc
    for old in folder.iterdir():
        match = _NAME.match(old.name.removesuffix(".partial"))
        if match and int(match.group(1)) < number - 1:
            old.unlink(missing_ok=True)
    return final


class SnapshotReader:
    """The newest snapshot of a store, opened read-only, swapped when a newer one is
    published. ``connection()`` lends it for one request."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._pointer = snapshots_folder(store) / _POINTER
        self._stamp: tuple[int, int] | None = None
        self._version = ""
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users: dict[int, int] = {}  # id(connection) -> requests using it
        self._retired: list[duckdb.DuckDBPyConnection] = []

    def _refresh(self) -> None:
        try:
            stat = self._pointer.stat()
        except FileNotFoundError:
            stat = None
        stamp = (stat.st_mtime_ns, stat.st_ino) if stat else None
        if stamp is not None and stamp == self._stamp and self._con is not None:
            return
        path = current_snapshot(self.store)
        if path is None:
            raise StoreError(
                f"{self.store}: no snapshot for the dashboard yet; start 'forcestat serve' "
                "when no load is running, and it publishes one"
            )
        if path.name == self._version and self._con is not None:
            self._stamp = stamp
            return
        con = duckdb.connect(str(path), read_only=True)
        if self._con is not None:
            self._retired.append(self._con)
        self._con, self._version, self._stamp = con, path.name, stamp
        self._close_idle()

    def _close_idle(self) -> None:
        for old in list(self._retired):
            if not self._users.get(id(old)):
                self._users.pop(id(old), None)
                self._retired.remove(old)
                old.close()

    @property
    def version(self) -> str:
        """The snapshot now served: its file name, which changes with every publish."""
        with self._lock:
            self._refresh()
            return self._version

    @contextmanager
    def connection(self) -> Iterator[tuple[str, duckdb.DuckDBPyConnection]]:
        """The newest snapshot's version and a cursor on it, for one request."""
        with self._lock:
            self._refresh()
            con, version = self._con, self._version
            assert con is not None
            self._users[id(con)] = self._users.get(id(con), 0) + 1
        cursor = con.cursor()
        try:
            yield version, cursor
        finally:
            cursor.close()
            with self._lock:
                self._users[id(con)] -= 1
                self._close_idle()

    def close(self) -> None:
        with self._lock:
            for con in [*self._retired, *([self._con] if self._con else [])]:
                con.close()
            self._retired.clear()
            self._con = None
