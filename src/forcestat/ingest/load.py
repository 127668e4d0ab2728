"""Loading files into the store: all of a file or none of it, with every reject kept.

For each file: hash it; if that hash is already in ``ingest_log`` say so and stop;
recognise its layout from the header; stage every row as text; run the layout's checks;
then, in one transaction, delete the rows a republished file supersedes, insert the good
rows, record the bad ones in ``rejects`` with their line numbers, and log the file.
Any failure rolls the whole file back.

This module is the per-file flow and its transactions. The rest lives beside it:

- ``ingest_staging``: staging and checking rows. A CSV goes through DuckDB's own reader
  when its row numbers provably are line numbers, else through Python's csv module;
  spreadsheet rows always through Python. A clean CSV goes straight into its table.
- ``ingest_record``: the ``ingest_log`` row, replacing what a file republishes, and
  ``LoadResult``.
- ``ingest_readahead``: loading a folder overlaps the work. While one file is written
  to the store, a second connection reads the next; only a file it proves clean is
  handed over. Every write stays on the caller's connection, in file order.
- ``ingest_batch``: clean CSV files share a commit, since DuckDB pays a write-ahead log
  pass and a checkpoint for each small commit. A file in a batch is still whole or
  absent: if any statement for it fails, the batch is rolled back and its files are
  loaded again, each in a transaction of its own (``_Loader`` here), so the store ends
  exactly as if every file had been committed alone. Only an interrupt in the middle of
  a batch shows the difference: its files are not kept, and the next run loads them.

A file with any reject, note or odd line, and every spreadsheet, is loaded in a
transaction of its own (after any open batch is committed).
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable
from pathlib import Path

import duckdb

from forcestat.errors import DiskFullError, IngestError, LayoutError
from forcestat.ingest.batch import Batch, BatchLost, disk_full
from forcestat.ingest.inputs import (
    LOADABLE_KINDS,
    SourceFile,
    discover,
    disk_full_message,
    read_header,
)
from forcestat.ingest.readahead import Prepared, ReadAhead, insert_prepared
from forcestat.ingest.record import (
    QUOTED_REJECTS,
    SHRINK_REFUSED,
    LoadResult,
    already_loaded,
    next_ingest_id,
    record,
)
from forcestat.ingest.spreadsheets import SheetRows, read_sheets
from forcestat.ingest.staging import (
    ReaderFailed,
    Reject,
    collect_rejects,
    drop_staging,
    insert_direct,
    mapped,
    stage,
)
from forcestat.sources import (
    LAYOUTS,
    detect_layout,
    detect_sheet_layout,
    reshape_sheet,
    sheet_read_elsewhere,
)
from forcestat.sources.layout import HeaderVariant, Layout

__all__ = [
    "LoadResult",
    "Reject",
    "detect_layout",
    "ingest_path",
    "load_source",
]


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    target: str | Path,
    *,
    strict: bool = False,
    keep_going: bool = False,
    replace: bool = False,
    on_file: Callable[[SourceFile, int, int], None] | None = None,
) -> list[LoadResult]:
    """Load every file under ``target`` (file, .csv.gz, .zip, workbook or folder), one at
    a time.

    Each file loads whole or not at all, and a file that fails leaves nothing of itself
    behind. By default the first failure raises IngestError naming the file (the files
    before it stay loaded); with ``keep_going`` the failure is recorded as a result with
    status 'failed' and the next file is loaded. ``on_file(source, index, total)`` is
    called before each file (for progress bars). Clean files may share a commit (see
    the module notes), so an interrupt may also drop the files loaded just before.
    A republished file that would shrink a month it replaces by more than a tenth is
    refused (a failure naming both counts) unless ``replace`` is set. Files that cannot
    be read at all are failures too, listed after the others.
    """
    with discover(target) as found:
        sources = found.sources
        if not sources and not found.unloadable:
            raise IngestError(f"{target}: no loadable files ({', '.join(LOADABLE_KINDS)})")
        if found.unloadable and not keep_going:
            raise IngestError(found.unloadable[0].reason)
        with ReadAhead(con, sources) as ahead:
            loader = _Loader(con, ahead, strict=strict, keep_going=keep_going, replace=replace)
            try:
                for i, source in enumerate(sources):
                    if on_file is not None:
                        on_file(source, i, len(sources))
                    ahead.start(i + 1)  # read the next file while this one is written
                    loader.load(i, source)
            except DiskFullError:
                loader.interrupted()  # the files committed before stay; nothing more
                raise
            except IngestError:
                loader.finish()  # the files before the failing one stay loaded
                raise
            except BaseException:
                loader.interrupted()
                raise
            loader.finish()
        failed = [LoadResult(u.display, "failed", error=u.reason) for u in found.unloadable]
        return loader.results + failed


class _Loader:
    """Loads files in order, letting clean CSV files share a commit (``Batch``).

    Remembers the files handled while a batch is open, so that if the batch is lost they
    are loaded again, alone, and their results replaced.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        ahead: ReadAhead,
        *,
        strict: bool,
        keep_going: bool,
        replace: bool,
    ) -> None:
        self.results: list[LoadResult] = []
        self._con = con
        self._ahead = ahead
        self._strict = strict
        self._replace_shrinking = replace
        self._keep_going = keep_going
        self._batch = Batch(con)
        self._members: list[SourceFile] = []  # files handled since the batch opened
        self._mark = 0  # where their results start

    def load(self, index: int, source: SourceFile) -> None:
        try:
            self._load(source, self._ahead.taker(index), self._batch)
        except BatchLost as lost:
            self._stop_if_disk_full(lost, source)
            self._replay()
            self._load(source, None, None)

    def finish(self) -> None:
        """Commit the open batch; should that fail, load its files again, alone."""
        try:
            self._batch.commit()
        except BatchLost as lost:
            self._stop_if_disk_full(lost, None)
            self._replay()

    def _stop_if_disk_full(self, lost: BatchLost, source: SourceFile | None) -> None:
        """A batch lost to a full disk is not loaded again: the disk is still full."""
        if not disk_full(lost):
            return
        names = [s.display for s in self._members]
        if source is not None and source not in self._members:
            names.append(source.display)
        shown = ", ".join(names[:3]) + (f" (and {len(names) - 3} more)" if len(names) > 3 else "")
        raise DiskFullError(disk_full_message(shown or "the last files")) from None

    def interrupted(self) -> None:
        """Keep the open batch if it is whole (the interrupt came between files), else
        let it go: its files are then simply not loaded, and the next run loads them."""
        with contextlib.suppress(BatchLost):
            self._batch.commit()

    def _load(
        self,
        source: SourceFile,
        read_ahead: Callable[[], Prepared | None] | None,
        batch: Batch | None,
    ) -> None:
        was_open = self._batch.open
        mark = len(self.results)
        try:
            found = load_source(
                self._con,
                source,
                strict=self._strict,
                replace=self._replace_shrinking,
                read_ahead=read_ahead,
                batch=batch,
            )
        except DiskFullError:
            raise
        except IngestError as exc:
            if not self._keep_going:
                raise
            found = [LoadResult(source.display, "failed", error=str(exc))]
        except (duckdb.Error, OSError) as exc:
            if disk_full(exc):
                raise DiskFullError(disk_full_message(source.display)) from None
            raise
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


def load_source(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    *,
    strict: bool = False,
    replace: bool = False,
    read_ahead: Callable[[], Prepared | None] | None = None,
    batch: Batch | None = None,
) -> list[LoadResult]:
    """Load one file; a spreadsheet yields one result per sheet that holds a layout.

    ``read_ahead``, when given, returns the file as already read by ``ReadAhead`` (or
    None); it is called only when the file is to be loaded, not when already loaded.
    With a ``batch``, a CSV whose every line is a good row joins its open transaction;
    any other file commits the batch first and is loaded in a transaction of its own.
    """
    if source.is_spreadsheet:
        results = []
        sheets = read_sheets(source, [layout.header_search_rows for layout in LAYOUTS])
        found = False
        for sheet in _reshaped(sheets):
            detected = detect_sheet_layout(sheet.cells, sheet.name)
            if detected is None:
                continue  # cover sheets, notes and contents are not data
            layout, variant, sheet.header_index = detected
            found = True
            results.append(
                _load_unit(
                    con,
                    source,
                    layout,
                    variant,
                    strict,
                    replace,
                    part=sheet.name,
                    rows=sheet,
                    batch=batch,
                )
            )
        if not found:
            passed_over = [sheet_read_elsewhere(s.cells, s.name) for s in sheets]
            raise LayoutError(
                f"{source.display}: no sheet has a header forcestat knows "
                f"(sheets: {', '.join(s.name for s in sheets) or 'none'})"
                + "".join(f"; {why}" for why in passed_over if why)
            )
        return results
    header = next(csv.reader([read_header(source)]), [])
    layout, variant = detect_layout(header, source.display)
    return [
        _load_unit(
            con, source, layout, variant, strict, replace, read_ahead=read_ahead, batch=batch
        )
    ]


def _reshaped(sheets: list[SheetRows]) -> list[SheetRows]:
    """Each sheet as read, or in its place the long tables a wide published table
    (an ONS data table) reshapes into."""
    out: list[SheetRows] = []
    for sheet in sheets:
        parts = reshape_sheet(sheet.name, sheet.cells)
        if not parts:
            out.append(sheet)
        for part in parts:
            out.append(
                SheetRows(part.part, part.cells, 0, row_numbers=part.row_numbers, raw=part.raw)
            )
    return out


def _load_unit(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    strict: bool,
    replace: bool,
    *,
    part: str = "",
    rows: SheetRows | None = None,
    read_ahead: Callable[[], Prepared | None] | None = None,
    batch: Batch | None = None,
) -> LoadResult:
    display = f"{source.display}!{part}" if part else source.display
    previous = already_loaded(con, source.sha256, part)
    if previous is not None:
        return LoadResult(display, "already_loaded", layout.name, part, previous)
    params = _context(layout, source, rows)
    prepared = read_ahead() if read_ahead is not None else None
    if prepared is not None and prepared.layout != layout.name:
        prepared = None  # cannot happen (same header, same rules); never trust it if it does
    if batch is not None and rows is None and (prepared is None or prepared.rows is not None):
        # A CSV not known to be unclean: load it in the open batch if it is clean.
        clean = prepared

        def load() -> LoadResult | None:
            loaded = _load_clean(con, source, layout, variant, params, clean)
            if loaded is not None:
                _refuse_shrinking(loaded, replace)
            return loaded

        result = batch.load(load)
        if result is not None:
            return result
        prepared = Prepared(layout.name, None)  # not clean (nothing kept): stage it alone
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
        except ReaderFailed:
            # DuckDB's reader gave up on the file; Python's csv module reads what it can
            # and rejects the rest row by row. A failed statement ends the transaction.
            con.execute("ROLLBACK")
            con.execute("BEGIN TRANSACTION")
            result = _load_in_transaction(
                con, source, layout, variant, strict, part, rows, params, use_duckdb=False
            )
        _refuse_shrinking(result, replace)
        con.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (a full disk) has ended the transaction already.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        drop_staging(con)
    result.display = display
    return result


def _refuse_shrinking(result: LoadResult, replace: bool) -> None:
    """Refuse (before commit) a file that shrinks a month it republishes by more than a
    tenth, unless the user said --replace."""
    if replace or not result.shrunk:
        return
    key, was, now = result.shrunk[0]
    more = f" (and {len(result.shrunk) - 1} more)" if len(result.shrunk) > 1 else ""
    raise IngestError(
        f"{result.display}: would replace {was:,} rows of {key} with {now:,}{more}; a "
        f"republished month that shrinks by more than {SHRINK_REFUSED:.0%} is refused, so "
        "nothing was loaded: if the publisher did withdraw those rows, load it again with "
        "--replace"
    )


def _context(layout: Layout, source: SourceFile, rows: SheetRows | None) -> dict[str, object]:
    """The layout's $-parameters: from a sheet's title rows when the layout reads them and
    they say, else from the file name (the title is what the publisher wrote inside the
    file; a name may have been changed since)."""
    if rows is not None and layout.title_context is not None:
        found = layout.title_context(rows.cells[: rows.header_index])
        if found:
            return dict(found)
    return dict(layout.file_context(source.name)) if layout.file_context is not None else {}


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
    prepared: Prepared | None = None,
) -> LoadResult:
    if rows is None and use_duckdb:
        loaded = _load_clean(con, source, layout, variant, params, prepared)
        if loaded is not None:
            return loaded
    return _load_staged(
        con, source, layout, variant, strict, part, rows, params, use_duckdb=use_duckdb
    )


def _load_clean(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    layout: Layout,
    variant: HeaderVariant,
    params: dict[str, object],
    prepared: Prepared | None,
) -> LoadResult | None:
    """The common case, a CSV whose every line is a good row, loaded in one pass; None,
    with nothing of the file left in the store, when it is not such a file."""
    if prepared is not None and prepared.rows is None:
        return None  # read ahead and found not clean: stage it row by row straight away
    ingest_id = next_ingest_id(con)
    if prepared is None:
        inserted = insert_direct(con, source, layout, variant, params, ingest_id)
    else:
        assert prepared.rows is not None
        inserted = insert_prepared(con, layout, prepared.rows, ingest_id)
    if inserted is None:
        return None
    return record(con, source, layout, "", ingest_id, inserted, inserted, 0, [], "duckdb")


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
    ingest_id = next_ingest_id(con)
    staged_by, structural, blank_lines = stage(
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
        sample = collect_rejects(con, source, structural, staged_by, QUOTED_REJECTS)
        quoted = "; ".join(f"line {r.line_no}: {r.reason}" for r in sample)
        more = f" (and {rejects_total - len(sample)} more)" if rejects_total > len(sample) else ""
        raise IngestError(
            f"{display}: {rejects_total} row(s) break the {layout.title} layout and "
            f"--strict is set, so nothing was loaded: {quoted}{more}"
        )
    targets = list(layout.mapping)
    con.execute(
        f"INSERT INTO {layout.table} ({', '.join(targets)}, ingest_id, line_no) "
        f"SELECT {', '.join(mapped(c) for c in targets)}, ?, line_no "
        "FROM _fs_checked WHERE _reason IS NULL",
        [ingest_id],
    )
    all_rejects = collect_rejects(con, source, structural, staged_by, None)
    if all_rejects:
        con.executemany(
            "INSERT INTO rejects VALUES (?, ?, ?, ?)",
            [[ingest_id, r.line_no, r.raw_line, r.reason] for r in all_rejects],
        )
    return record(
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
