"""Reading a file's rows into DuckDB and checking them: the staging half of ``ingest``.

Two ways of staging a CSV give the same table. The fast way is DuckDB's own CSV reader.
It is used only when it provably kept every physical line as one row (no structural
errors, line count agrees), so that row ``n`` is line ``n + 1``. Otherwise, and for
spreadsheets, Python reads the rows and knows each row's line for certain.

Either way the result is the temporary table ``_fs_checked``: every row with its line
number, its reject reason (NULL for a good row, '' for a published note) and its store
columns, mapped only for good rows. A clean CSV can skip staging altogether and go
straight from the reader into its table (``insert_direct``).

Internal to ``forcestat.ingest.load``: nothing here commits, and every statement runs in the
caller's transaction.
"""

from __future__ import annotations

import csv
import gzip
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from forcestat.errors import IngestError
from forcestat.ingest.inputs import MAX_LINE_BYTES, SourceFile, open_text
from forcestat.ingest.spreadsheets import SheetRows
from forcestat.sources.layout import HeaderVariant, Layout

__all__ = [
    "ReaderFailed",
    "Reject",
    "collect_rejects",
    "drop_staging",
    "insert_direct",
    "mapped",
    "reader_sql",
    "reason_sql",
    "stage",
    "used_params",
]


class ReaderFailed(Exception):
    """DuckDB's CSV reader stopped on the file (the transaction is now aborted)."""


@dataclass(frozen=True)
class Reject:
    line_no: int
    raw_line: str
    reason: str


def used_params(params: dict[str, object], sql: str) -> dict[str, object]:
    """Only the $-parameters an SQL text names (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def mapped(column: str) -> str:
    return f"_m_{column}"


def reason_sql(layout: Layout) -> str:
    """SQL: a row's reject reason; NULL for a good row, '' for a published note."""
    whens = []
    if layout.skip_when:
        whens.append(f"WHEN coalesce(({layout.skip_when}), FALSE) THEN ''")
    for check in layout.checks:
        reason = check.reason.replace("'", "''")
        # A check that cannot be decided (NULL) rejects the row: never load on doubt.
        whens.append(f"WHEN coalesce(({check.bad_when}), TRUE) THEN '{reason}'")
    return f"CASE {' '.join(whens)} ELSE NULL END" if whens else "NULL::VARCHAR"


def reader_sql(variant: HeaderVariant, *, numbered: bool = True) -> str:
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
        "rejects_table = '_fs_rejects', rejects_scan = '_fs_scans', compression = 'auto', "
        # The same longest line as Python's reading (open_text): a longer one is refused
        # whichever way the file is read.
        f"max_line_size = {MAX_LINE_BYTES}))"
    )


def _run_reader(
    con: duckdb.DuckDBPyConnection, source: SourceFile, sql: str, params: dict[str, object]
) -> tuple[int, bool]:
    """Run an SQL statement over the reader; return its row count and whether the reader
    met rows of the wrong shape. A file that is not UTF-8 is an IngestError."""
    try:
        row = con.execute(sql, {**used_params(params, sql), "path": str(source.local)}).fetchone()
        bad = con.execute("SELECT error_type, line FROM _fs_rejects ORDER BY line").fetchall()
    except duckdb.Error as exc:
        raise ReaderFailed(str(exc)) from exc
    con.execute("DROP TABLE temp._fs_rejects")
    con.execute("DROP TABLE temp._fs_scans")
    for error_type, line in bad:
        if error_type == "INVALID ENCODING":
            raise IngestError(
                f"{source.display}: line {line} is not UTF-8 text; "
                "save the file as UTF-8 and load it again"
            )
    return (int(row[0]) if row else 0), bool(bad)


def insert_direct(
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
        f"FROM (SELECT *, {reason_sql(layout)} AS _reason FROM {reader_sql(variant)}) "
        "WHERE _reason IS NULL"
    )
    inserted, misshapen = _run_reader(con, source, sql, {**params, "ingest_id": ingest_id})
    if not misshapen and inserted > 0 and source.lines == inserted + 1:
        return inserted
    con.execute(f"DELETE FROM {layout.table} WHERE ingest_id = ?", [ingest_id])
    return None


def stage(
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


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("_fs_stage", "_fs_checked", "_fs_keys", "_fs_rejects", "_fs_scans"):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")


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
        f"{_checked_select(layout, reader_sql(variant), 'line_no, ')}"
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
            if "field larger than field limit" in str(exc):
                raise IngestError(
                    f"{source.display}: line {start}: a field is longer than "
                    f"{csv.field_size_limit():,} characters, which no published layout has; "
                    "nothing from the file was loaded: is this a published data file?"
                ) from None
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
        end = len(fields)
        while end > width and not fields[end - 1].strip():
            end -= 1
        fields = fields[:end]
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


def _checked_select(layout: Layout, rows_sql: str, carried: str) -> str:
    """SQL giving each row its reject reason and its store columns, mapped only for good
    rows so that a bad value never fails a cast."""
    columns = ", ".join(
        f"CASE WHEN _reason IS NULL THEN {expr} END AS {mapped(col)}"
        for col, expr in layout.mapping.items()
    )
    return (
        f"SELECT {carried}_reason, {columns} "
        f"FROM (SELECT *, {reason_sql(layout)} AS _reason FROM {rows_sql})"
    )


def _check_staged(
    con: duckdb.DuckDBPyConnection, layout: Layout, params: dict[str, object]
) -> None:
    sql = (
        "CREATE TEMP TABLE _fs_checked AS "
        f"{_checked_select(layout, '_fs_stage', 'line_no, _raw, ')}"
    )
    con.execute(sql, used_params(params, sql))


def collect_rejects(
    con: duckdb.DuckDBPyConnection,
    source: SourceFile,
    structural: list[Reject],
    staged_by: str,
    limit: int | None,
) -> list[Reject]:
    """The staged rows that failed a check, with the rows of the wrong shape, by line."""
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
