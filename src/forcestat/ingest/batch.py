"""Clean CSV files sharing a commit.

DuckDB pays a write-ahead log pass and a checkpoint for each small commit, which cost
more than reading the file. So clean CSV files (every line after the header one good
row) are loaded in one open transaction until it holds ``_BATCH_ROWS`` rows. A file in
a batch is still whole or absent. If any statement for it fails, the batch is rolled
back and ``BatchLost`` tells the loader (``forcestat.ingest.load``) to load its files again,
each in a transaction of its own, so the store ends exactly as if every file had been
committed alone. A file with any reject, note or odd line, and every spreadsheet, is
loaded in a transaction of its own after the batch is committed.

The difference shows only when loading is interrupted in the middle of a file of the
batch: then the files of the open batch are not kept either, and the next run loads them.

Internal to ``forcestat.ingest.load``.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable

import duckdb

from forcestat.ingest.record import LoadResult

__all__ = ["Batch", "BatchLost", "disk_full"]

# Clean CSV files share one commit until it holds this many rows.
_BATCH_ROWS = 1_000_000


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc``, or an error it came from, is a full disk (DuckDB's or the system's)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        if isinstance(seen, duckdb.Error) and "No space left on device" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class BatchLost(Exception):
    """The open batch was rolled back: its files must be loaded again, one at a time."""


class Batch:
    """Clean CSV files, loaded in one open transaction (see the module notes).

    A file stays in only when every line is a good row, so the statements it adds
    (insert, replace, log) almost never fail. When one does, or the commit does, the
    transaction is rolled back and ``BatchLost`` tells the loader to load its files
    again, one transaction each.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self.open = False
        self._rows = 0

    def load(self, load: Callable[[], LoadResult | None]) -> LoadResult | None:
        """Run ``load`` in the open transaction; None from it means the file stays out."""
        if not self.open:
            self._con.execute("BEGIN TRANSACTION")
            self.open = True
        try:
            result = load()
        except Exception as exc:
            self.rollback()
            raise BatchLost(str(exc)) from exc
        except BaseException:
            self.rollback()
            raise
        if result is not None:
            self._rows += result.rows_read
            if self._rows >= _BATCH_ROWS:
                self.commit()
        return result

    def commit(self) -> None:
        if not self.open:
            return
        try:
            self._con.execute("COMMIT")
        except duckdb.Error as exc:
            self.rollback()
            raise BatchLost(str(exc)) from exc
        self.open, self._rows = False, 0

    def rollback(self) -> None:
        if self.open:
            self.open, self._rows = False, 0
            with contextlib.suppress(duckdb.Error):  # a failed commit has rolled back
                self._con.execute("ROLLBACK")
