"""Reading the next CSV file on a second connection while the caller writes this one.

Loading a folder overlaps the work: while one file is written to the store, a second
connection reads a later file with the same reader, checks and mapping as
``ingest_staging.insert_direct``. Only a file it proves clean (every line after the
header one good row) is handed over, as Arrow with its line numbers; anything else is
loaded the usual way. Every write to the store stays on the caller's connection, one
file after another, in file order.

Internal to ``forcestat.ingest.load``.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import duckdb
import pyarrow as pa

from forcestat.ingest.inputs import SourceFile, read_header
from forcestat.ingest.record import already_loaded
from forcestat.ingest.staging import ReaderFailed, reader_sql, reason_sql, used_params
from forcestat.sources import detect_layout
from forcestat.sources.layout import Layout

__all__ = ["Prepared", "ReadAhead", "insert_prepared"]

# Files read ahead are held in memory as Arrow; larger ones are read when their turn comes.
_READ_AHEAD_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Prepared:
    """A CSV file read ahead (see ``ReadAhead``): the layout it was read as and, when
    every line after the header is one good row, those rows mapped to store columns and
    numbered by line; ``rows`` is None when the file has any other line (a reject, a
    note, a blank, a row over several lines) and must be staged row by row."""

    layout: str
    rows: pa.Table | None


class ReadAhead:
    """Reads the next CSV file on a second connection while the caller's loads this one.

    One worker thread, at most one file ahead (so at most one file's rows wait in memory).
    The worker only reads files and the committed ``ingest_log``; every write, and every
    decision, stays with the caller in file order. ``taker(i)`` hands file ``i`` over:
    waited for if it is being read, None (read it yourself) if it was never started.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: Sequence[SourceFile]) -> None:
        self._con = con
        self._sources = sources
        self._futures: dict[int, Future[Prepared | None]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._cursor: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for future in self._futures.values():
            future.cancel()
        self._futures.clear()
        if self._pool is not None and self._cursor is not None:
            self._cursor.interrupt()  # a file still being read is not wanted now
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._cursor.close()

    def start(self, index: int) -> None:
        """Begin reading file ``index`` in the background, when that can help.

        Not while the worker is still busy: the caller will reach ``index`` before the
        worker could, and reads it itself, so that both keep working.
        """
        for old in [i for i in self._futures if i < index - 1]:
            self._futures.pop(old).cancel()  # its file needed no reading (already loaded)
        if index >= len(self._sources) or index in self._futures:
            return
        if any(not future.done() for future in self._futures.values()):
            return
        source = self._sources[index]
        if source.is_spreadsheet or source.lines is None:
            return
        if source.text_size is None or source.text_size > _READ_AHEAD_MAX_BYTES:
            return
        if self._pool is None or self._cursor is None:
            self._cursor = self._con.cursor()
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="forcestat-read")
        self._futures[index] = self._pool.submit(_read_ahead, self._cursor, source)

    def taker(self, index: int) -> Callable[[], Prepared | None]:
        def take() -> Prepared | None:
            future = self._futures.pop(index, None)
            if future is None or future.cancel():
                return None  # never started: reading it now beats waiting for the worker
            prepared: Prepared | None = future.result()
            return prepared

        return take


def insert_prepared(
    con: duckdb.DuckDBPyConnection, layout: Layout, rows: pa.Table, ingest_id: int
) -> int:
    """Insert a file read ahead and proved clean; return the rows inserted."""
    targets = ", ".join(layout.mapping)
    con.register("_fs_prepared", rows)
    try:
        # fetchall: the insert must finish before its Arrow source is unregistered.
        done = con.execute(
            f"INSERT INTO {layout.table} ({targets}, ingest_id, line_no) "
            f"SELECT {targets}, ?, line_no FROM _fs_prepared",
            [ingest_id],
        ).fetchall()
    except duckdb.Error as exc:
        # A value the store refuses: the careful way finds and rejects the row.
        raise ReaderFailed(str(exc)) from exc
    finally:
        con.unregister("_fs_prepared")
    return int(done[0][0])


def _read_ahead(cur: duckdb.DuckDBPyConnection, source: SourceFile) -> Prepared | None:
    """Read, check and map one CSV file on the worker's connection (see ``ReadAhead``).

    Never raises: on any trouble it returns None and the file is read again, the usual
    way, in its turn, so that errors are reported as they always are.
    """
    try:
        return _read_and_number(cur, source)
    except Exception:
        return None  # a real problem is reported when the file is loaded in its turn
    finally:
        with contextlib.suppress(duckdb.Error):
            for name in ("_fs_rejects", "_fs_scans"):
                cur.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _read_and_number(cur: duckdb.DuckDBPyConnection, source: SourceFile) -> Prepared | None:
    """The reader, checks and mapping of ``insert_direct``, to Arrow, keeping good rows.

    As there, the rows are numbered as the reader yields them, before any check (the
    checks may reorder rows), and the numbers are line numbers only when the reader met
    no misshapen row, kept every row, and the file has one more line than rows.
    """
    if already_loaded(cur, source.sha256, ""):
        return None
    header = next(csv.reader([read_header(source)]), [])
    layout, variant = detect_layout(header, source.display)
    params = dict(layout.file_context(source.name)) if layout.file_context else {}
    mapped = ", ".join(f"{expr} AS {col}" for col, expr in layout.mapping.items())
    sql = (
        f"SELECT {mapped}, line_no FROM (SELECT *, {reason_sql(layout)} AS _reason "
        f"FROM {reader_sql(variant)}) WHERE _reason IS NULL"
    )
    relation = cur.sql(sql, params={**used_params(params, sql), "path": str(source.local)})
    rows = relation.to_arrow_table()
    misshapen = cur.execute("SELECT count(*) FROM _fs_rejects").fetchall()[0][0]
    if misshapen or rows.num_rows == 0 or source.lines != rows.num_rows + 1:
        return Prepared(layout.name, None)
    return Prepared(layout.name, rows)
