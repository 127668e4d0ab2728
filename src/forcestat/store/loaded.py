"""What is loaded: the forces with rows, the months and years held for a force, the files
loaded and the rows rejected from them.

The dashboard's start, scorecard and data pages and the ``forcestat rejects`` command
ask these; ``status`` summarises the same tables by source and month.

Example:
    >>> forces_with_street_level(con)  # doctest: +SKIP
    frozenset({'city-of-london'})
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from forcestat.forces import FORCES, Force

__all__ = [
    "FinancialYears",
    "IngestLogEntry",
    "PoliceukMonths",
    "RejectedLine",
    "financial_years_held",
    "forces_loaded",
    "forces_with_street_level",
    "loaded_files",
    "policeuk_months_held",
    "rejected_lines",
    "rejects_total",
]


@dataclass(frozen=True)
class PoliceukMonths:
    """The first and last months of a force's police.uk street-level rows."""

    first_month: dt.date
    last_month: dt.date


@dataclass(frozen=True)
class FinancialYears:
    """The first and last financial years ('2017/18') of a force's Home Office rows."""

    first_year: str
    last_year: str


@dataclass(frozen=True)
class IngestLogEntry:
    """One load recorded in the ingest log: the file, the sheet (``part``, '' outside a
    workbook), its layout, rows loaded and rejected, when, and its checksum."""

    ingest_id: int
    file_name: str
    part: str
    layout: str
    rows_loaded: int
    rows_rejected: int
    loaded_at: dt.datetime
    sha256: str


@dataclass(frozen=True)
class RejectedLine:
    """A rejected row: the file it came from (``path`` as given to ingest, and its
    ``file_name``), its line number, why, and the line as read."""

    ingest_id: int
    path: str
    file_name: str
    line_no: int
    reason: str
    raw_line: str


def forces_loaded(con: duckdb.DuckDBPyConnection) -> tuple[Force, ...]:
    """Forces with police.uk street-level rows or Home Office force-area rows, in the
    order of ``FORCES``."""
    names = {
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT reported_by FROM crimes UNION "
            "SELECT DISTINCT force_name FROM offence_counts WHERE csp_name IS NULL"
        ).fetchall()
    }
    return tuple(f for f in FORCES if names & {f.name, f.policeuk_name, f.home_office_name})


def forces_with_street_level(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The slugs of forces with police.uk street-level rows."""
    names = {str(r[0]) for r in con.execute("SELECT DISTINCT reported_by FROM crimes").fetchall()}
    return frozenset(f.slug for f in FORCES if names & {f.name, f.policeuk_name})


def policeuk_months_held(con: duckdb.DuckDBPyConnection, force: Force) -> PoliceukMonths | None:
    """The span of the force's police.uk street-level months; None when it has none.
    Months missing inside the span are not looked for (``status`` lists them)."""
    row = con.execute(
        "SELECT min(month), max(month) FROM crimes WHERE reported_by = ?", [force.policeuk_name]
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return PoliceukMonths(row[0], row[1])


def financial_years_held(con: duckdb.DuckDBPyConnection, force: Force) -> FinancialYears | None:
    """The span of financial years with Home Office rows for the force area (not its
    community safety partnerships), under any of the force's names; None when none."""
    row = con.execute(
        "SELECT min(financial_year), max(financial_year) FROM offence_counts "
        "WHERE csp_name IS NULL AND force_name IN (?, ?, ?)",
        [force.name, force.home_office_name, force.policeuk_name],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return FinancialYears(str(row[0]), str(row[1]))


def loaded_files(con: duckdb.DuckDBPyConnection) -> tuple[IngestLogEntry, ...]:
    """Every load in the ingest log, latest first."""
    return tuple(
        IngestLogEntry(*row)
        for row in con.execute(
            "SELECT ingest_id, file_name, part, layout, rows_loaded, rows_rejected, loaded_at, "
            "sha256 FROM ingest_log ORDER BY ingest_id DESC"
        ).fetchall()
    )


def rejected_lines(
    con: duckdb.DuckDBPyConnection, limit: int, *, ingest_id: int | None = None
) -> tuple[RejectedLine, ...]:
    """The first ``limit`` rejected rows in load order, then line order; only those of
    one load when ``ingest_id`` is given."""
    sql = (
        "SELECT r.ingest_id, l.path, l.file_name, r.line_no, r.reason, r.raw_line FROM rejects r "
        "JOIN ingest_log l USING (ingest_id)"
    )
    params: list[Any] = []
    if ingest_id is not None:
        sql += " WHERE r.ingest_id = ?"
        params.append(ingest_id)
    sql += " ORDER BY r.ingest_id, r.line_no LIMIT ?"
    params.append(limit)
    return tuple(RejectedLine(*row) for row in con.execute(sql, params).fetchall())


def rejects_total(con: duckdb.DuckDBPyConnection) -> int:
    """How many rows have been rejected, across every load."""
    row = con.execute("SELECT count(*) FROM rejects").fetchone()
    return int(row[0]) if row else 0
