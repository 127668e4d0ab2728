"""Compiling a catalogue measure to SQL over the store.

One statement per measure counts its rows for every force and every reporting window
asked for at once: a ``forces`` table maps each publisher's force names to forcestat's,
a ``series`` table holds the measure's count per force per month (police.uk) or
financial quarter (Home Office), and a ``windows`` table of first and last months
gathers the series into periods. The statement is plain DuckDB SQL with its values
written in, so what ``--show-sql`` prints can be pasted into ``duckdb`` and rerun.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from forcestat.forces import FORCES
from forcestat.measures.catalogue import Filter, Measure, Source
from forcestat.measures.classification import Crossing, crossings
from forcestat.measures.periods import Granularity, Period

__all__ = [
    "GRANULARITY",
    "SeriesCount",
    "compile_sql",
    "latest_month",
    "measure_crossings",
    "missing_months",
    "publication_units",
    "run_sql",
    "store_offence_codes",
]

GRANULARITY = {
    Source.HOME_OFFICE: Granularity.FINANCIAL_QUARTERLY,
    Source.POLICEUK_CRIMES: Granularity.MONTHLY,
    Source.POLICEUK_STOP_SEARCH: Granularity.MONTHLY,
    # rolling years published at quarter ends
    Source.PUBLISHED_TABLES: Granularity.FINANCIAL_QUARTERLY,
}


@dataclass(frozen=True)
class SeriesCount:
    """What the store holds for one window and area."""

    numerator: int
    trials: int
    units: frozenset[dt.date]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: Sequence[str] | frozenset[str]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in sorted(values))})"


def _mapped(column: str, when: str, codes: Sequence[str], found: Sequence[Crossing]) -> str:
    """Codes, plus the old codes each mapped change counts before it took effect."""
    sql = _in(column, codes)
    for c in found:
        if c.old_codes is not None:
            sql += f" OR ({when} < DATE '{c.change.effective}' AND {_in(column, c.old_codes)})"
    return f"({sql})"


def _filter_sql(source: Source, f: Filter, found: Sequence[Crossing]) -> str:
    parts: list[str] = []
    if source is Source.HOME_OFFICE:
        if f.offence_codes is not None:
            parts.append(_mapped("c.offence_code", "c.quarter_start", f.offence_codes, found))
        if f.exclude_offence_groups:
            parts.append("NOT " + _in("coalesce(c.offence_group, '')", f.exclude_offence_groups))
    elif source is Source.POLICEUK_CRIMES:
        if f.crime_types is None:
            parts.append("c.crime_type <> 'Anti-social behaviour'")
        else:
            parts.append(_mapped("c.crime_type", "c.month", f.crime_types, found))
    elif source is Source.POLICEUK_STOP_SEARCH:
        if f.outcomes is not None:
            parts.append(_in("c.outcome", f.outcomes))
        if f.exclude_outcomes:
            parts.append(f"coalesce(NOT {_in('c.outcome', f.exclude_outcomes)}, TRUE)")
        if f.outcome_recorded:
            parts.append("c.outcome IS NOT NULL")
    return " AND ".join(parts) or "TRUE"


def _forces_sql(source: Source) -> str:
    if source is Source.HOME_OFFICE:
        pairs = [(f.home_office_name, f.name) for f in FORCES]
    elif source is Source.POLICEUK_CRIMES:
        pairs = [(f.policeuk_name, f.name) for f in FORCES]
    else:
        pairs = [(f.name, f.name) for f in FORCES]
    values = ", ".join(f"({_quote(a)}, {_quote(b)})" for a, b in pairs)
    return f"forces(source_name, area) AS (VALUES {values})"


def _series_sql(measure: Measure, found: Sequence[Crossing]) -> str:
    base = _filter_sql(measure.source, measure.filter, found)
    num = "TRUE"
    if measure.numerator_filter is not None:
        num = _filter_sql(measure.source, measure.numerator_filter, found)
    if measure.source is Source.HOME_OFFICE:
        # A quarter is present when the table has rows for these codes (it publishes
        # zeros), so a code it does not publish for a force reads as missing, not zero.
        return (
            "series AS (\n  SELECT f.area, c.quarter_start AS unit_start,\n"
            f"    sum(c.offences){'' if num == 'TRUE' else f' FILTER (WHERE {num})'} AS numerator,\n"
            "    sum(c.offences) AS trials\n"
            "  FROM offence_counts c JOIN forces f ON c.force_name = f.source_name\n"
            f"  WHERE c.csp_name IS NULL AND {base}\n  GROUP BY ALL)"
        )
    table, force = (
        ("crimes", "c.reported_by")
        if measure.source is Source.POLICEUK_CRIMES
        else ("stop_search", "c.force")
    )
    # A month is present when the force published anything for it.
    return (
        "series AS (\n  SELECT f.area, c.month AS unit_start,\n"
        f"    count(*) FILTER (WHERE ({base}) AND ({num})) AS numerator,\n"
        f"    count(*) FILTER (WHERE {base}) AS trials\n"
        f"  FROM {table} c JOIN forces f ON {force} = f.source_name\n  GROUP BY ALL)"
    )


def compile_sql(measure: Measure, windows: Sequence[Period]) -> str:
    """The SQL counting ``measure`` for every force over each of ``windows``.

    Returns rows (window_id, area, numerator, trials, units): ``window_id`` indexes
    ``windows``; ``units`` lists the months (or quarter starts) the store has data for.
    """
    found = measure_crossings(measure)
    values = ", ".join(
        f"({i}, DATE '{w.first_month}', DATE '{w.last_month}')" for i, w in enumerate(windows)
    )
    return (
        f"WITH {_forces_sql(measure.source)},\n{_series_sql(measure, found)},\n"
        f"windows(window_id, first_month, last_month) AS (VALUES {values})\n"
        "SELECT w.window_id, s.area, CAST(sum(s.numerator) AS BIGINT) AS numerator,\n"
        "  CAST(sum(s.trials) AS BIGINT) AS trials, list(s.unit_start) AS units\n"
        "FROM windows w JOIN series s ON s.unit_start BETWEEN w.first_month AND w.last_month\n"
        "GROUP BY ALL ORDER BY 1, 2"
    )


def measure_crossings(measure: Measure) -> tuple[Crossing, ...]:
    """The classification changes that touch the codes or crime types a measure counts."""
    scheme = "home_office" if measure.source is Source.HOME_OFFICE else "policeuk"
    codes = measure.filter.offence_codes or measure.filter.crime_types
    return crossings(scheme, None if codes is None else frozenset(codes))


def publication_units(window: Period, granularity: Granularity) -> tuple[dt.date, ...]:
    """For each month of ``window``, the unit its count is published in: the month itself
    (police.uk), or the first month of its quarter (Home Office)."""
    if granularity is Granularity.MONTHLY:
        return window.months
    return tuple(m.replace(month=m.month - (m.month - 1) % 3) for m in window.months)


def missing_months(
    window: Period,
    granularity: Granularity,
    units: frozenset[dt.date],
    published: tuple[dt.date, ...] | None = None,
) -> list[dt.date]:
    """Months of ``window`` whose month (or financial quarter) has no data in ``units``.

    ``published``: ``publication_units(window, granularity)``, if already worked out.
    """
    if published is None:
        published = publication_units(window, granularity)
    if units.issuperset(published):  # the usual case, checked at C speed
        return []
    return [m for m, unit in zip(window.months, published, strict=True) if unit not in units]


def latest_month(
    con: duckdb.DuckDBPyConnection, measure: Measure, areas: Sequence[str] | None
) -> dt.date | None:
    """The last month the measure's source holds data to (for ``areas``, if given)."""
    if measure.source is Source.HOME_OFFICE:
        sql = "SELECT max(quarter_start) + INTERVAL 2 MONTH FROM offence_counts WHERE csp_name IS NULL"
        row = con.execute(sql).fetchone()
    else:
        table, force = (
            ("crimes", "c.reported_by")
            if measure.source is Source.POLICEUK_CRIMES
            else ("stop_search", "c.force")
        )
        where = "" if areas is None else "WHERE " + _in("f.area", areas)
        row = con.execute(
            f"WITH {_forces_sql(measure.source)} SELECT max(c.month) FROM {table} c "
            f"JOIN forces f ON {force} = f.source_name {where}"
        ).fetchone()
    return None if row is None or row[0] is None else dt.date(row[0].year, row[0].month, 1)


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, windows: Sequence[Period]
) -> dict[tuple[Period, str], SeriesCount]:
    """Run a statement from ``compile_sql``: each (window, force) the store has data for."""
    return {
        (windows[wid], area): SeriesCount(int(numerator or 0), int(trials or 0), frozenset(units))
        for wid, area, numerator, trials, units in con.execute(sql).fetchall()
    }


def store_offence_codes(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every offence code the store's Home Office tables and code lookup hold."""
    rows = con.execute(
        "SELECT offence_code FROM offence_counts UNION SELECT offence_code FROM offence_codes"
    ).fetchall()
    return frozenset(str(r[0]) for r in rows)
