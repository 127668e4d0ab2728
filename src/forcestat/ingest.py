"""Loading files into the store: all of a file or none of it, with every reject kept.

For each file: hash it; if that hash is already in ``ingest_log`` say so and stop;
recognise its layout from the header; stage every row as text; run the layout's checks;
then, in one transaction, delete the rows a republished file supersedes, insert the good
rows, record the bad ones in ``rejects`` with their line numbers, and log the file.
Any failure rolls the whole file back.

Two ways of staging a CSV give the same table. The fast way is DuckDB's own CSV reader.
It is used only when it provably kept every physical line as one row (no structural
errors, line count agrees), so that row ``n`` is line ``n + 1``. Otherwise, and for
spreadsheets, Python reads the rows and knows each row's line for certain.

Loading a folder overlaps the work: while one file is written to the store, a second
connection reads a later file with the same reader, checks and mapping (``_ReadAhead``).
Only a file it proves clean (every line after the header one good row) is handed over,
as Arrow with its line numbers; anything else is loaded the usual way. Every write to
the store stays on the caller's connection, one file after another, in file order.

Clean CSV files share a commit (``_Batch``): DuckDB pays a write-ahead log pass and a
checkpoint for each small commit, which cost more than reading the file. A file in a
batch is still whole or absent. If any statement for it fails, the batch is rolled
back and its files are loaded again, each in a transaction of its own, so the store
ends exactly as if every file had been committed alone. A file with any reject, note
or odd line, and every spreadsheet, is loaded in a transaction of its own after the
batch is committed. The difference shows only when loading is interrupted in the
middle of a file of the batch: then the files of the open batch (up to ``_BATCH_ROWS``
rows) are not kept either, and the next run loads them.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from forcestat import __version__
from forcestat.errors import IngestError, LayoutError
from forcestat.inputs import SourceFile, discover, open_text
from forcestat.sources import LAYOUTS
from forcestat.sources.layout import HeaderVariant, Layout, normalise_header
from forcestat.spreadsheets import SheetRows, read_sheets

__all__ = [
    "LoadResult",
    "detect_layout",
    "ingest_path",
    "load_source",
]

# How many reject lines an error message or summary quotes before saying "and N more".
_QUOTED_REJECTS = 5
# Files read ahead are held in memory as Arrow; larger ones are read when their turn comes.
_READ_AHEAD_MAX_BYTES = 256 * 1024 * 1024
# Clean CSV files share one commit until it holds this many rows.
_BATCH_ROWS = 1_000_000
# A republished file naming at most this many keys (force-months) deletes by naming them,
# which lets DuckDB skip row groups by their min/max; more keys are matched by a join.
_NAMED_KEYS = 32


class _ReaderFailed(Exception):
    """DuckDB's CSV reader stopped on the file (the transaction is now aborted)."""


class _BatchLost(Exception):
    """The open batch was rolled back: its files must be loaded again, one at a time."""


@dataclass(frozen=True)
class Reject:
    line_no: int
    raw_line: str
    reason: str


@dataclass(frozen=True)
class _Prepared:
    """A CSV file read ahead (see ``_ReadAhead``): the layout it was read as and, when
    every line after the header is one good row, those rows mapped to store columns and
    numbered by line; ``rows`` is None when the file has any other line (a reject, a
    note, a blank, a row over several lines) and must be staged row by row."""

    layout: str
    rows: pa.Table | None


@dataclass
class LoadResult:
    """What happened to one file (or one sheet of a spreadsheet)."""

    display: str
    status: str  # 'loaded' or 'already_loaded'
    layout: str = ""
    part: str = ""
    ingest_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    rows_replaced: int = 0
    replaced_ingest_ids: list[int] = field(default_factory=list)
    first_rejects: list[Reject] = field(default_factory=list)
    staged_by: str = ""  # 'duckdb' or 'python': how rows were read (for diagnostics)
    error: str = ""  # why a file failed (status 'failed'), when loading kept going


def detect_layout(header: list[str], display: str) -> tuple[Layout, HeaderVariant]:
    """The layout whose header this is; a LayoutError that says what is wrong otherwise."""
    for layout in LAYOUTS:
        v = layout.match(header)
        if v is not None:
            return layout, v
    got = {normalise_header(h) for h in header if h.strip()}
    if not got:
        raise LayoutError(f"{display}: first line is blank; expected a header line")
    best, best_missing = None, None
    for layout in LAYOUTS:
        for v in layout.variants:
            want = [h for h in v.header if h.strip()]
            missing = [h for h in want if normalise_header(h) not in got]
            if best_missing is None or len(missing) < len(best_missing):
                best, best_missing = layout, missing
    shown = ", ".join(h.strip() for h in header[:4]) + (", ..." if len(header) > 4 else "")
    hint = ""
    if best is not None and best_missing is not None and len(best_missing) < 4:
        extra = f" (missing: {', '.join(best_missing)})" if best_missing else " (columns differ)"
        hint = f"; closest is {best.title}{extra}"
    raise LayoutError(
        f"{display}: header ({shown}) matches no layout forcestat knows{hint}; "
        "see 'forcestat layouts'"
    )


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    target: str | Path,
    *,
    strict: bool = False,
    keep_going: bool = False,
    on_file: Callable[[SourceFile, int, int], None] | None = None,
) -> list[LoadResult]:
    """Load every file under ``target`` (file, .csv.gz, .zip or folder), one at a time.

    Each file loads whole or not at all, and a file that fails leaves nothing of itself
    behind. By default the first failure raises IngestError naming the file (the files
    before it stay loaded); with ``keep_going`` the failure is recorded as a result with
    status 'failed' and the next file is loaded. ``on_file(source, index, total)`` is
    called before each file (for progress bars). Clean files may share a commit (see
    the module notes), so an interrupt may also drop the files loaded just before.
    """
    with discover(target) as sources:
        if not sources:
            raise IngestError(f"{target}: no loadable files (.csv, .csv.gz, .zip, .ods, .xlsx)")
        with _ReadAhead(con, sources) as ahead:
            loader = _Loader(con, ahead, strict=strict, keep_going=keep_going)
            try:
                for i, source in enumerate(sources):
                    if on_file is not None:
                        on_file(source, i, len(sources))
                    ahead.start(i + 1)  # read the next file while this one is written
                    loader.load(i, source)
            except IngestError:
                loader.finish()  # the files before the failing one stay loaded
                raise
            except BaseException:
                loader.interrupted()
                raise
            loader.finish()
            return loader.results


class _Loader:
    """Loads files in order, letting clean CSV files share a commit (``_Batch``).

    Remembers the files handled while a batch is open, so that if the batch is lost they
    are loaded again, alone, and their results replaced.
    """

    def __init__(
        self, con: duckdb.DuckDBPyConnection, ahead: _ReadAhead, *, strict: bool, keep_going: bool
    ) -> None:
        self.results: list[LoadResult] = []
        self._con = con
        self._ahead = ahead
        self._strict = strict
        self._keep_going = keep_going
        self._batch = _Batch(con)
        self._members: list[SourceFile] = []  # files handled since the batch opened
        self._mark = 0  # where their results start

    def load(self, index: int, source: SourceFile) -> None:
        try:
            self._load(source, self._ahead.taker(index), self._batch)
        except _BatchLost:
            self._replay()
            self._load(source, None, None)

    def finish(self) -> None:
        """Commit the open batch; should that fail, load its files again, alone."""
        try:
            self._batch.commit()
        except _BatchLost:
            self._replay()

    def interrupted(self) -> None:
        """Keep the open batch if it is whole (the interrupt came between files), else
        let it go: its files are then simply not loaded, and the next run loads them."""
        with contextlib.suppress(_BatchLost):
            self._batch.commit()

    def _load(
        self,
        source: SourceFile,
        read_ahead: Callable[[], _Prepared | None] | None,
        batch: _Batch | None,
    ) -> None:
        was_open = self._batch.open
        mark = len(self.results)
        try:
            found = load_source(
                self._con, source, strict=self._strict, read_ahead=read_ahead, batch=batch
            )
        except IngestError as exc:
            if not self._keep_going:
                raise
            found = [LoadResult(source.display, "failed", error=str(exc))]
        self.results.extend(found)
        if self._batch.open:
            if not was_open:
                self._members, self._mark = [], mark
            self._members.append(source)

    def _replay(self) -> None:
        members, self._members = self._members, []
        del self.results[self._mark :]
        for source in members:
            self._load(source, None, None)


class _Batch:
    """Clean CSV files, loaded in one open transaction (see the module notes).

    A file stays in only when every line is a good row, so the statements it adds
    (insert, replace, log) almost never fail. When one does, or the commit does, the
    transaction is rolled back and ``_BatchLost`` tells the loader to load its files
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
            raise _BatchLost(str(exc)) from exc
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
            raise _BatchLost(str(exc)) from exc
        self.open, self._rows = False, 0

    def rollback(self) -> None:
        if self.open:
            self.open, self._rows = False, 0
            with contextlib.suppress(duckdb.Error):  # a failed commit has rolled back
                self._con.execute("ROLLBACK")


def load_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    *,
    strict: bool = False,
    read_ahead: Callable[[], _Prepared | None] | None = None,
    batch: _Batch | None = None,
) -> list[LoadResult]:
    """Load one file; a spreadsheet yields one result per sheet that holds a layout.

    ``read_ahead``, when given, returns the file as already read by ``_ReadAhead`` (or
    None); it is called only when the file is to be loaded, not when already loaded.
    With a ``batch``, a CSV whose every line is a good row joins its open transaction;
    any other file commits the batch first and is loaded in a transaction of its own.
    """
    if source.is_spreadsheet:
        results = []
        sheets = read_sheets(source, [layout.header_search_rows for layout in LAYOUTS])
        found = False
        for sheet in sheets:
            try:
                layout, variant = _detect_in_rows(sheet, source.display, sheet.name)
            except LayoutError:
                continue  # cover sheets, notes and contents are not data
            found = True
            results.append(
                _load_unit(
                    con, source, layout, variant, strict, part=sheet.name, rows=sheet, batch=batch
                )
            )
        if not found:
            raise LayoutError(
                f"{source.display}: no sheet has a header forcestat knows "
                f"(sheets: {', '.join(s.name for s in sheets) or 'none'})"
            )
        return results
    header_line = next(iter(open_text(source)), "")
    header = next(csv.reader([header_line]), [])
    layout, variant = detect_layout(header, source.display)
    return [_load_unit(con, source, layout, variant, strict, read_ahead=read_ahead, batch=batch)]


def _detect_in_rows(rows: SheetRows, display: str, sheet: str) -> tuple[Layout, HeaderVariant]:
    for index in range(min(len(rows.cells), max(lay.header_search_rows for lay in LAYOUTS))):
        for layout in LAYOUTS:
            if index >= layout.header_search_rows:
                continue
            v = layout.match(rows.cells[index])
            if v is not None:
                rows.header_index = index
                return layout, v
    raise LayoutError(f"{display}!{sheet}: no known header")


def _already_loaded(con: duckdb.DuckDBPyConnection, sha256: str, part: str) -> int | None:
    row = con.execute(
        "SELECT ingest_id FROM ingest_log WHERE sha256 = ? AND part = ?", [sha256, part]
    ).fetchone()
    return int(row[0]) if row else None


def _load_unit(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    strict: bool,
    *,
    part: str = "",
    rows: SheetRows | None = None,
    read_ahead: Callable[[], _Prepared | None] | None = None,
    batch: _Batch | None = None,
) -> LoadResult:
    display = f"{source.display}!{part}" if part else source.display
    previous = _already_loaded(con, source.sha256, part)
    if previous is not None:
        return LoadResult(display, "already_loaded", layout.name, part, previous)
    params: dict[str, object] = {}
    if layout.file_context is not None:
        params.update(layout.file_context(source.name))
    prepared = read_ahead() if read_ahead is not None else None
    if prepared is not None and prepared.layout != layout.name:
        prepared = None  # cannot happen (same header, same rules); never trust it if it does
    if batch is not None and rows is None and (prepared is None or prepared.rows is not None):
        # A CSV not known to be unclean: load it in the open batch if it is clean.
        clean = prepared

        def load() -> LoadResult | None:
            return _load_clean(con, source, layout, variant, params, clean)

        result = batch.load(load)
        if result is not None:
            return result
        prepared = _Prepared(layout.name, None)  # not clean (nothing kept): stage it alone
    if batch is not None:
        batch.commit()  # this file has its own transaction, after the batch
    con.execute("BEGIN TRANSACTION")
    try:
        try:
            result = _load_in_transaction(
                con,
                source,
                layout,
                variant,
                strict,
                part,
                rows,
                params,
                use_duckdb=True,
                prepared=prepared,
            )
        except _ReaderFailed:
            # DuckDB's reader gave up on the file; Python's csv module reads what it can
            # and rejects the rest row by row. A failed statement ends the transaction.
            con.execute("ROLLBACK")
            con.execute("BEGIN TRANSACTION")
            result = _load_in_transaction(
                con, source, layout, variant, strict, part, rows, params, use_duckdb=False
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _drop_staging(con)
    result.display = display
    return result


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("_fs_stage", "_fs_checked", "_fs_keys", "_fs_rejects", "_fs_scans"):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _load_in_transaction(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    strict: bool,
    part: str,
    rows: SheetRows | None,
    params: dict[str, object],
    *,
    use_duckdb: bool,
    prepared: _Prepared | None = None,
) -> LoadResult:
    if rows is None and use_duckdb:
        loaded = _load_clean(con, source, layout, variant, params, prepared)
        if loaded is not None:
            return loaded
    return _load_staged(
        con, source, layout, variant, strict, part, rows, params, use_duckdb=use_duckdb
    )


def _next_ingest_id(con: duckdb.DuckDBPyConnection) -> int:
    # fetchall, not fetchone: an unfinished result would block registering Arrow data.
    return int(
        con.execute("SELECT coalesce(max(ingest_id), 0) + 1 FROM ingest_log").fetchall()[0][0]
    )


def _load_clean(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    params: dict[str, object],
    prepared: _Prepared | None,
) -> LoadResult | None:
    """The common case, a CSV whose every line is a good row, loaded in one pass; None,
    with nothing of the file left in the store, when it is not such a file."""
    if prepared is not None and prepared.rows is None:
        return None  # read ahead and found not clean: stage it row by row straight away
    ingest_id = _next_ingest_id(con)
    if prepared is None:
        inserted = _insert_direct(con, source, layout, variant, params, ingest_id)
    else:
        assert prepared.rows is not None
        inserted = _insert_prepared(con, layout, prepared.rows, ingest_id)
    if inserted is None:
        return None
    return _record(con, source, layout, "", ingest_id, inserted, inserted, 0, [], "duckdb")


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    strict: bool,
    part: str,
    rows: SheetRows | None,
    params: dict[str, object],
    *,
    use_duckdb: bool,
) -> LoadResult:
    """Stage every row, check it, then load the good rows and record the rejects."""
    display = f"{source.display}!{part}" if part else source.display
    ingest_id = _next_ingest_id(con)
    staged_by, structural, blank_lines = _stage(
        con, source, layout, variant, rows, params, use_duckdb=use_duckdb
    )
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE _reason IS NULL), "
        "count(*) FILTER (WHERE _reason = '') FROM _fs_checked"
    ).fetchone()
    assert counts is not None
    staged, good, skipped = (int(c) for c in counts)
    rows_read = staged + len(structural) - skipped
    if rows_read == 0:
        raise IngestError(f"{display}: has a header but no data rows")
    rejects_total = rows_read - good
    if strict and rejects_total:
        sample = _collect_rejects(con, source, structural, staged_by, _QUOTED_REJECTS)
        quoted = "; ".join(f"line {r.line_no}: {r.reason}" for r in sample)
        more = f" (and {rejects_total - len(sample)} more)" if rejects_total > len(sample) else ""
        raise IngestError(
            f"{display}: {rejects_total} row(s) break the {layout.title} layout and "
            f"--strict is set, so nothing was loaded: {quoted}{more}"
        )
    targets = list(layout.mapping)
    con.execute(
        f"INSERT INTO {layout.table} ({', '.join(targets)}, ingest_id, line_no) "
        f"SELECT {', '.join(_mapped(c) for c in targets)}, ?, line_no "
        "FROM _fs_checked WHERE _reason IS NULL",
        [ingest_id],
    )
    all_rejects = _collect_rejects(con, source, structural, staged_by, None)
    if all_rejects:
        con.executemany(
            "INSERT INTO rejects VALUES (?, ?, ?, ?)",
            [[ingest_id, r.line_no, r.raw_line, r.reason] for r in all_rejects],
        )
    return _record(
        con,
        source,
        layout,
        part,
        ingest_id,
        rows_read,
        good,
        skipped + blank_lines,
        all_rejects,
        staged_by,
    )


def _record(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    part: str,
    ingest_id: int,
    rows_read: int,
    rows_loaded: int,
    rows_skipped: int,
    rejects: list[Reject],
    staged_by: str,
) -> LoadResult:
    """Replace what the file republishes and log it, once its rows are in."""
    replaced, replaced_ids = _replace(con, layout, ingest_id)
    result = LoadResult(
        display=f"{source.display}!{part}" if part else source.display,
        status="loaded",
        layout=layout.name,
        part=part,
        ingest_id=ingest_id,
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_rejected=rows_read - rows_loaded,
        rows_skipped=rows_skipped,
        rows_replaced=replaced,
        replaced_ingest_ids=replaced_ids,
        first_rejects=rejects[:_QUOTED_REJECTS],
        staged_by=staged_by,
    )
    con.execute(
        "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
        [
            ingest_id,
            source.display,
            source.name,
            source.sha256,
            part,
            layout.name,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.rows_skipped,
            replaced,
            replaced_ids,
            __version__,
        ],
    )
    return result


def _stage(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    rows: SheetRows | None,
    params: dict[str, object],
    *,
    use_duckdb: bool,
) -> tuple[str, list[Reject], int]:
    """Fill _fs_checked: every row with its reject reason and mapped columns.

    Returns how it was read, the rows whose shape was wrong, and blank lines passed over.
    """
    if rows is not None:
        structural = _stage_python(con, variant, rows.numbered_rows(), len(variant.header))
        _check_staged(con, layout, params)
        return "python", structural, 0
    if use_duckdb and _stage_duckdb(con, source, layout, variant, params):
        return "duckdb", [], 0
    structural, blank_lines = _stage_csv_python(con, source, variant)
    _check_staged(con, layout, params)
    return "python", structural, blank_lines


def _reader_sql(variant: HeaderVariant, *, numbered: bool = True) -> str:
    """DuckDB's CSV reader over $path, every column text, each row numbered by its line.

    The numbering is right only when every row is one physical line; callers check that.
    row_number() OVER () streams in the reader's order, which DuckDB keeps.
    """
    names = _field_names(variant)
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    number = "row_number() OVER () + 1 AS line_no, " if numbered else ""
    return (
        f"(SELECT {number}* FROM read_csv($path, "
        f"columns = {columns}, header = true, auto_detect = false, delim = ',', "
        "quote = '\"', escape = '\"', strict_mode = true, store_rejects = true, "
        "rejects_table = '_fs_rejects', rejects_scan = '_fs_scans', compression = 'auto'))"
    )


def _run_reader(
    con: duckdb.DuckDBPyConnection, source: SourceFile, sql: str, params: dict[str, object]
) -> tuple[int, bool]:
    """Run an SQL statement over the reader; return its row count and whether the reader
    met rows of the wrong shape. A file that is not UTF-8 is an IngestError."""
    try:
        row = con.execute(sql, {**_used(params, sql), "path": str(source.local)}).fetchone()
        bad = con.execute("SELECT error_type, line FROM _fs_rejects ORDER BY line").fetchall()
    except duckdb.Error as exc:
        raise _ReaderFailed(str(exc)) from exc
    con.execute("DROP TABLE temp._fs_rejects")
    con.execute("DROP TABLE temp._fs_scans")
    for error_type, line in bad:
        if error_type == "INVALID ENCODING":
            raise IngestError(
                f"{source.display}: line {line} is not UTF-8 text; "
                "save the file as UTF-8 and load it again"
            )
    return (int(row[0]) if row else 0), bool(bad)


def _insert_direct(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    params: dict[str, object],
    ingest_id: int,
) -> int | None:
    """Insert a clean file straight from DuckDB's reader, in one pass.

    Returns the rows inserted, or None, having taken them out again, when any line was
    not a good row (a reject, a note, a blank or multi-line row): then the file is
    staged and checked row by row instead.
    """
    targets = list(layout.mapping)
    # The filter runs before the projection, so casts see only good rows; should a cast
    # ever meet a bad value the reader fails and the file is read the careful way.
    sql = (
        f"INSERT INTO {layout.table} ({', '.join(targets)}, ingest_id, line_no) "
        f"SELECT {', '.join(layout.mapping[c] for c in targets)}, $ingest_id, line_no "
        f"FROM (SELECT *, {_reason_sql(layout)} AS _reason FROM {_reader_sql(variant)}) "
        "WHERE _reason IS NULL"
    )
    inserted, misshapen = _run_reader(con, source, sql, {**params, "ingest_id": ingest_id})
    if not misshapen and inserted > 0 and source.lines == inserted + 1:
        return inserted
    con.execute(f"DELETE FROM {layout.table} WHERE ingest_id = ?", [ingest_id])
    return None


def _insert_prepared(
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
        raise _ReaderFailed(str(exc)) from exc
    finally:
        con.unregister("_fs_prepared")
    return int(done[0][0])


class _ReadAhead:
    """Reads the next CSV file on a second connection while the caller's loads this one.

    One worker thread, at most one file ahead (so at most one file's rows wait in memory).
    The worker only reads files and the committed ``ingest_log``; every write, and every
    decision, stays with the caller in file order. ``taker(i)`` hands file ``i`` over:
    waited for if it is being read, None (read it yourself) if it was never started.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, sources: Sequence[SourceFile]) -> None:
        self._con = con
        self._sources = sources
        self._futures: dict[int, Future[_Prepared | None]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._cursor: duckdb.DuckDBPyConnection | None = None

    def __enter__(self) -> _ReadAhead:
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

    def taker(self, index: int) -> Callable[[], _Prepared | None]:
        def take() -> _Prepared | None:
            future = self._futures.pop(index, None)
            if future is None or future.cancel():
                return None  # never started: reading it now beats waiting for the worker
            prepared: _Prepared | None = future.result()
            return prepared

        return take


def _read_ahead(cur: duckdb.DuckDBPyConnection, source: SourceFile) -> _Prepared | None:
    """Read, check and map one CSV file on the worker's connection (see ``_ReadAhead``).

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


def _read_and_number(cur: duckdb.DuckDBPyConnection, source: SourceFile) -> _Prepared | None:
    """The reader, checks and mapping of ``_insert_direct``, to Arrow, keeping good rows.

    As there, the rows are numbered as the reader yields them, before any check (the
    checks may reorder rows), and the numbers are line numbers only when the reader met
    no misshapen row, kept every row, and the file has one more line than rows.
    """
    if _already_loaded(cur, source.sha256, ""):
        return None
    header = next(csv.reader([next(iter(open_text(source)), "")]), [])
    layout, variant = detect_layout(header, source.display)
    params = dict(layout.file_context(source.name)) if layout.file_context else {}
    mapped = ", ".join(f"{expr} AS {col}" for col, expr in layout.mapping.items())
    sql = (
        f"SELECT {mapped}, line_no FROM (SELECT *, {_reason_sql(layout)} AS _reason "
        f"FROM {_reader_sql(variant)}) WHERE _reason IS NULL"
    )
    table = cur.sql(sql, params={**_used(params, sql), "path": str(source.local)}).to_arrow_table()
    misshapen = cur.execute("SELECT count(*) FROM _fs_rejects").fetchall()[0][0]
    if misshapen or table.num_rows == 0 or source.lines != table.num_rows + 1:
        return _Prepared(layout.name, None)
    return _Prepared(layout.name, table)


def _used(params: dict[str, object], sql: str) -> dict[str, object]:
    """Only the $-parameters an SQL text names (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _field_names(variant: HeaderVariant) -> list[str]:
    return [f if f is not None else f"_ignored_{i}" for i, f in enumerate(variant.fields)]


def _stage_duckdb(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    params: dict[str, object],
) -> bool:
    """Stage and check with DuckDB's reader. False (nothing staged) when its row numbers
    cannot be trusted as line numbers and Python must read the file instead."""
    sql = (
        "CREATE TEMP TABLE _fs_checked AS "
        f"{_checked_select(layout, _reader_sql(variant), 'line_no, ')}"
    )
    _, misshapen = _run_reader(con, source, sql, params)
    row = con.execute("SELECT count(*) FROM _fs_checked").fetchone()
    staged = int(row[0]) if row else 0
    if misshapen or source.lines != staged + 1:
        con.execute("DROP TABLE temp._fs_checked")
        return False
    return True


def _stage_csv_python(
    con: duckdb.DuckDBPyConnection, source: SourceFile, variant: HeaderVariant
) -> tuple[list[Reject], int]:
    """Stage with Python's csv module, which knows exactly where each row starts."""
    lines = open_text(source)
    width = len(variant.header)
    blank = 0

    def numbered() -> Iterator[tuple[int, list[str], str]]:
        nonlocal blank
        buffered: list[str] = []

        def feed() -> Iterator[str]:
            for line in lines:
                buffered.append(line)
                yield line

        reader = csv.reader(feed())
        try:
            next(reader)  # header, already matched
        except StopIteration:
            return
        start = reader.line_num + 1
        buffered.clear()
        try:
            for fields in reader:
                raw = "".join(buffered).rstrip("\r\n")
                buffered.clear()
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    blank += 1
                else:
                    yield start, fields, raw
                start = reader.line_num + 1
        except csv.Error as exc:
            raise IngestError(
                f"{source.display}: line {start}: cannot read as CSV ({exc})"
            ) from exc

    rejects = _stage_python(con, variant, numbered(), width)
    return rejects, blank


def _stage_python(
    con: duckdb.DuckDBPyConnection,
    variant: HeaderVariant,
    rows: Iterable[tuple[int, list[str], str]],
    width: int,
) -> list[Reject]:
    names = _field_names(variant)
    columns: list[list[str | None]] = [[] for _ in names]
    line_nos: list[int] = []
    raws: list[str] = []
    rejects: list[Reject] = []
    for line_no, fields, raw in rows:
        # Spreadsheet rows may carry empty trailing cells beyond the header.
        while len(fields) > width and not fields[-1].strip():
            fields = fields[:-1]
        if len(fields) != width:
            rejects.append(Reject(line_no, raw, f"expected {width} fields, found {len(fields)}"))
            continue
        line_nos.append(line_no)
        raws.append(raw)
        for col, value in zip(columns, fields, strict=True):
            col.append(value if value != "" else None)
    arrays = [pa.array(line_nos, pa.int64()), pa.array(raws, pa.string())]
    arrays += [pa.array(c, pa.string()) for c in columns]
    table = pa.Table.from_arrays(arrays, names=["line_no", "_raw", *names])
    con.register("_fs_arrow", table)
    try:
        con.execute("CREATE TEMP TABLE _fs_stage AS SELECT * FROM _fs_arrow")
    finally:
        con.unregister("_fs_arrow")
    return rejects


def _mapped(column: str) -> str:
    return f"_m_{column}"


def _reason_sql(layout: Layout) -> str:
    """SQL: a row's reject reason; NULL for a good row, '' for a published note."""
    whens = []
    if layout.skip_when:
        whens.append(f"WHEN coalesce(({layout.skip_when}), FALSE) THEN ''")
    for check in layout.checks:
        reason = check.reason.replace("'", "''")
        # A check that cannot be decided (NULL) rejects the row: never load on doubt.
        whens.append(f"WHEN coalesce(({check.bad_when}), TRUE) THEN '{reason}'")
    return f"CASE {' '.join(whens)} ELSE NULL END" if whens else "NULL::VARCHAR"


def _checked_select(layout: Layout, rows_sql: str, carried: str) -> str:
    """SQL giving each row its reject reason and its store columns, mapped only for good
    rows so that a bad value never fails a cast."""
    mapped = ", ".join(
        f"CASE WHEN _reason IS NULL THEN {expr} END AS {_mapped(col)}"
        for col, expr in layout.mapping.items()
    )
    return (
        f"SELECT {carried}_reason, {mapped} "
        f"FROM (SELECT *, {_reason_sql(layout)} AS _reason FROM {rows_sql})"
    )


def _check_staged(
    con: duckdb.DuckDBPyConnection, layout: Layout, params: dict[str, object]
) -> None:
    sql = (
        "CREATE TEMP TABLE _fs_checked AS "
        f"{_checked_select(layout, '_fs_stage', 'line_no, _raw, ')}"
    )
    con.execute(sql, _used(params, sql))


def _replace(
    con: duckdb.DuckDBPyConnection, layout: Layout, ingest_id: int
) -> tuple[int, list[int]]:
    """Delete rows of earlier files that this file republishes (same force and month, or
    whatever the layout's replace_key names); return how many and from which ingests."""
    if not layout.replace_key:
        return 0, []
    keys = ", ".join(layout.replace_key)
    found = con.execute(
        f"SELECT DISTINCT {keys} FROM {layout.table} WHERE ingest_id = ? LIMIT ?",
        [ingest_id, _NAMED_KEYS + 1],
    ).fetchall()
    if not found:
        return 0, []
    if len(found) <= _NAMED_KEYS:
        # Named as constants, the keys filter the scan itself: a store of many months
        # reads only the row groups whose min/max could hold this file's months.
        named, values = [], []
        for key in found:
            parts = []
            for column, value in zip(layout.replace_key, key, strict=True):
                if value is None:
                    parts.append(f"{column} IS NULL")
                else:
                    parts.append(f"{column} = ?")
                    values.append(value)
            named.append("(" + " AND ".join(parts) + ")")
        deleted = con.execute(
            f"DELETE FROM {layout.table} WHERE ingest_id <> ? AND ({' OR '.join(named)}) "
            "RETURNING ingest_id",
            [ingest_id, *values],
        ).fetchall()
    else:
        con.execute(
            f"CREATE TEMP TABLE _fs_keys AS SELECT DISTINCT {keys} FROM {layout.table} "
            "WHERE ingest_id = ?",
            [ingest_id],
        )
        match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM k.{k}" for k in layout.replace_key)
        deleted = con.execute(
            f"DELETE FROM {layout.table} t USING _fs_keys k WHERE {match} "
            "AND t.ingest_id <> ? RETURNING t.ingest_id",
            [ingest_id],
        ).fetchall()
        con.execute("DROP TABLE temp._fs_keys")
    ids = sorted({int(r[0]) for r in deleted})
    return len(deleted), ids


def _collect_rejects(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    structural: list[Reject],
    staged_by: str,
    limit: int | None,
) -> list[Reject]:
    # Rows staged by Python carry their raw text; DuckDB-staged rows are looked up by line.
    raw_column = "_raw" if staged_by == "python" else "NULL"
    sql = (
        f"SELECT line_no, _reason, {raw_column} FROM _fs_checked "
        "WHERE _reason <> '' ORDER BY line_no"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    checked = [(int(n), str(r), raw) for n, r, raw in con.execute(sql).fetchall()]
    missing = {n for n, _, raw in checked if raw is None}
    looked_up = _raw_lines(source, missing) if missing else {}
    found = [
        Reject(n, raw if raw is not None else looked_up.get(n, ""), r) for n, r, raw in checked
    ]
    merged = sorted(structural + found, key=lambda r: r.line_no)
    return merged[:limit] if limit is not None else merged


def _raw_lines(source: SourceFile, wanted: set[int]) -> dict[int, str]:
    """The text of the given physical lines (one pass over the file, rejects only)."""
    out: dict[int, str] = {}
    last = max(wanted)
    opener = gzip.open if source.is_gzip else open
    with opener(source.local, "rb") as fh:
        # Bytes, not text: only the wanted lines are decoded (the file is known UTF-8).
        for number, raw in enumerate(itertools.islice(fh, last), start=1):
            if number in wanted:
                out[number] = raw.decode("utf-8", "replace").removeprefix("\ufeff").rstrip("\r\n")
    return out
