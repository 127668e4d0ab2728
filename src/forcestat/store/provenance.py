"""Which published files a report's figures rest on, from the store's ingest log.

A file counts as used when a table the report's measures read holds rows from it:
police.uk files only for the forces in the report and for months up to the period end,
the Home Office tables and the area lookup whole, and population files only for the
populations the rates rest on. The time a file was loaded is left out: it says
nothing about the figures and would make two runs on the same data differ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import duckdb

from forcestat.forces import find_force

__all__ = ["SourceFileUsed", "sources_used"]


@dataclass(frozen=True)
class SourceFileUsed:
    """One loaded file: what it is, its checksum, its rows and the span it covers."""

    file_name: str
    part: str  # sheet name in a workbook, '' otherwise
    layout: str
    sha256: str
    rows_loaded: int
    first_month: dt.date | None
    last_month: dt.date | None
    population_year: int | None


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sources_used(
    con: duckdb.DuckDBPyConnection,
    forces: Sequence[str],
    tables: Sequence[str],
    *,
    last_month: dt.date | None = None,
    populations: Collection[tuple[str, int]] | None = None,
) -> tuple[SourceFileUsed, ...]:
    """The files behind ``tables`` (store table names) for ``forces``, ordered by table,
    then file name. ``last_month`` leaves out monthly files that begin after it;
    ``populations`` ((source, year) pairs) keeps only the population files that hold
    them."""
    policeuk = ", ".join(_quote(find_force(f).policeuk_name) for f in forces) or "''"
    plain = ", ".join(_quote(find_force(f).name) for f in forces) or "''"
    until = f" AND month <= DATE '{last_month.isoformat()}'" if last_month is not None else ""
    if populations is None:
        chosen_populations = ""
    elif not populations:
        chosen_populations = " WHERE false"
    else:
        pairs = ", ".join(
            f"({_quote(source)}, {int(year)})" for source, year in sorted(populations)
        )
        chosen_populations = f" WHERE (source, population_year) IN ({pairs})"
    parts = {
        "crimes": (
            "SELECT ingest_id, 1 AS position, min(month) AS first_month, max(month) AS last_month,"
            f" NULL::INTEGER AS population_year FROM crimes WHERE reported_by IN ({policeuk})"
            f"{until} GROUP BY ingest_id"
        ),
        "stop_search": (
            "SELECT ingest_id, 2, min(month), max(month), NULL::INTEGER FROM stop_search"
            f" WHERE force IN ({plain}){until} GROUP BY ingest_id"
        ),
        "offence_counts": (
            "SELECT ingest_id, 3, min(quarter_start), max(quarter_start) + INTERVAL 2 MONTH,"
            " NULL::INTEGER FROM offence_counts GROUP BY ingest_id"
        ),
        "areas": "SELECT DISTINCT ingest_id, 4, NULL::DATE, NULL::DATE, NULL::INTEGER FROM areas",
        "population": (
            "SELECT ingest_id, 5, NULL::DATE, NULL::DATE, max(population_year) FROM population"
            f"{chosen_populations} GROUP BY ingest_id"
        ),
        # Local extracts: the files holding figures for the forces or areas within them.
        "indicators": (
            "SELECT ingest_id, 6, min(first_month), max(last_month), NULL::INTEGER FROM indicators"
            f" WHERE force_name IN ({plain}) GROUP BY ingest_id"
        ),
        "survey_responses": (
            "SELECT ingest_id, 7, min(month), max(month), NULL::INTEGER FROM survey_responses"
            f" WHERE force_name IN ({plain}) GROUP BY ingest_id"
        ),
    }
    chosen = [parts[t] for t in parts if t in tables]
    if not chosen:
        return ()
    sql = (
        "WITH used(ingest_id, position, first_month, last_month, population_year) AS ("
        + " UNION ALL ".join(chosen)
        + ")\n"
        "SELECT l.file_name, l.part, l.layout, l.sha256, l.rows_loaded, u.first_month,"
        " u.last_month, u.population_year\n"
        "FROM used u JOIN ingest_log l USING (ingest_id)\n"
        "ORDER BY u.position, l.file_name, l.part, l.sha256"
    )
    return tuple(
        SourceFileUsed(
            file_name=str(name),
            part=str(part),
            layout=str(layout),
            sha256=str(sha),
            rows_loaded=int(rows),
            first_month=_month(first),
            last_month=_month(last),
            population_year=int(year) if year is not None else None,
        )
        for name, part, layout, sha, rows, first, last, year in con.execute(sql).fetchall()
    )


def _month(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    return None
