"""What the store holds: rows per source, months covered per force, and the gaps.

A missing month inside a force's run is listed, never read as zero: a later measure
that spans it must say its window is incomplete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from forcestat.months import months_between

__all__ = ["Coverage", "SourceSummary", "StoreStatus", "store_status"]

# (table, how its rows are named, the column naming the force, the column naming the month)
_MONTHLY = (
    ("crimes", "police.uk street-level crime", "reported_by", "month"),
    ("outcomes", "police.uk outcomes", "reported_by", "month"),
    ("stop_search", "police.uk stop and search", "force", "month"),
)

_TABLES = (
    ("crimes", "police.uk street-level crime and ASB"),
    ("outcomes", "police.uk outcomes"),
    ("stop_search", "police.uk stop and search"),
    ("offence_counts", "Home Office recorded crime"),
    ("offence_codes", "Home Office offence codes"),
    ("areas", "area lookup (LSOA to force)"),
    ("population", "population"),
    ("force_figures", "published force tables (ONS, rolling totals)"),
)


@dataclass(frozen=True)
class SourceSummary:
    table: str
    title: str
    files: int
    rows: int
    rejected: int


@dataclass(frozen=True)
class Coverage:
    """One force's monthly run in one police.uk table."""

    table: str
    title: str
    force: str
    first_month: dt.date
    last_month: dt.date
    months: int
    rows: int
    missing_months: tuple[dt.date, ...]


@dataclass(frozen=True)
class QuarterCoverage:
    financial_year: str
    forces: int
    quarters: int
    offences: int


@dataclass(frozen=True)
class StoreStatus:
    sources: tuple[SourceSummary, ...]
    monthly: tuple[Coverage, ...]
    quarterly: tuple[QuarterCoverage, ...]
    areas_without_force: int

    @property
    def gaps(self) -> tuple[Coverage, ...]:
        return tuple(c for c in self.monthly if c.missing_months)


def store_status(con: duckdb.DuckDBPyConnection) -> StoreStatus:
    """Summarise what is loaded (see ``forcestat status``)."""
    sources = []
    for table, title in _TABLES:
        row = con.execute(f"SELECT count(*), count(DISTINCT ingest_id) FROM {table}").fetchone()
        assert row is not None
        rejected = con.execute(
            f"SELECT count(*) FROM rejects WHERE ingest_id IN (SELECT DISTINCT ingest_id FROM {table})"
        ).fetchone()
        sources.append(
            SourceSummary(
                table, title, int(row[1]), int(row[0]), int(rejected[0]) if rejected else 0
            )
        )
    monthly = []
    for table, title, force_col, month_col in _MONTHLY:
        rows = con.execute(
            f"SELECT {force_col}, list(DISTINCT {month_col} ORDER BY {month_col}), count(*) "
            f"FROM {table} GROUP BY {force_col} ORDER BY {force_col}"
        ).fetchall()
        for force, months, count in rows:
            present = set(months)
            span = months_between(months[0], months[-1])
            missing = tuple(m for m in span if m not in present)
            monthly.append(
                Coverage(
                    table, title, force, months[0], months[-1], len(present), int(count), missing
                )
            )
    quarterly = [
        QuarterCoverage(str(fy), int(f), int(q), int(n))
        for fy, f, q, n in con.execute(
            "SELECT financial_year, count(DISTINCT force_name), count(DISTINCT financial_quarter), "
            "sum(offences) FROM offence_counts WHERE csp_name IS NULL "
            "GROUP BY financial_year ORDER BY financial_year"
        ).fetchall()
    ]
    row = con.execute("SELECT count(*) FROM areas WHERE force_name IS NULL").fetchone()
    return StoreStatus(tuple(sources), tuple(monthly), tuple(quarterly), int(row[0]) if row else 0)
