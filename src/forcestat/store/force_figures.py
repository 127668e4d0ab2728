"""Published force-level figures: the read queries over ``force_figures``.

One store holds the same force, offence group and rolling year from several
publishers: the ONS police force area data tables (``ons_pfa_tables``) and the Home
Office rolling 12-month totals (``homeoffice_rolling_totals``); the offence-code table
(``offence_counts``) holds the same offences by code and quarter. Which answers a
measure is decided in ``forcestat.measures.published``; here are the facts:

- ``rolling_year_figures``: one figure per force (or nation, region) and period for
  a published series, *one source only* (the ONS edition where it has the period,
  else the rolling totals), so nothing is ever counted twice;
- ``figures_by_source``: every source's figure for one force and period, side by side,
  for ``forcestat reconcile``;
- ``rolling_year_history``: the long-run quarterly series of a force and group;
- ``area_figures``: the England and Wales, England, Wales and regional rows.

The rolling-totals file publishes offences only (no totals): its total excluding fraud
is the sum of every offence but fraud, worked out here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from forcestat.forces import find_force

__all__ = [
    "ONS_SOURCE",
    "ROLLING_SOURCE",
    "SOURCE_TITLES",
    "TOTAL_EXCLUDING_FRAUD",
    "AreaFigure",
    "PublishedFigure",
    "SourcedFigure",
    "area_figures",
    "figures_by_source",
    "latest_published_month",
    "rolling_year_figures",
    "rolling_year_history",
]

ONS_SOURCE = "ons_pfa_tables"
ROLLING_SOURCE = "homeoffice_rolling_totals"
OFFENCE_CODE_SOURCE = "homeoffice_offence_codes"
TOTAL_EXCLUDING_FRAUD = "Total recorded crime (excluding fraud)"
SOURCE_TITLES = {
    ONS_SOURCE: "ONS police force area data tables",
    ROLLING_SOURCE: "Home Office rolling 12-month totals by force",
    OFFENCE_CODE_SOURCE: "Home Office offence-code table (sum of four quarters)",
}

# Each source's figures as (source, period_end, force, area code, area type, series,
# unit, value, not_available, note, edition), the rolling totals with their total.
_FIGURES = f"""
WITH published AS (
    SELECT f.source, f.period_end, f.force_name, f.area_code, f.area_type, f.series,
           f.unit, f.value, f.not_available, f.note, l.file_name AS edition
    FROM force_figures f JOIN ingest_log l USING (ingest_id)
    WHERE f.months = 12
    UNION ALL
    SELECT '{ROLLING_SOURCE}', f.period_end, f.force_name, any_value(f.area_code), 'force',
           '{TOTAL_EXCLUDING_FRAUD}', 'count', sum(f.value), NULL, NULL,
           any_value(l.file_name)
    FROM force_figures f JOIN ingest_log l USING (ingest_id)
    WHERE f.source = '{ROLLING_SOURCE}' AND f.force_name IS NOT NULL
      AND f.series <> 'Fraud offences'
    GROUP BY f.period_end, f.force_name
)
"""


@dataclass(frozen=True)
class PublishedFigure:
    """A rolling-year figure for one force and period, from the one source that answers."""

    force: str
    period_end: dt.date  # first day of the period's last month
    series: str
    value: float | None
    not_available: str | None
    note: str | None
    source: str
    edition: str  # the file it came from


def rolling_year_figures(
    con: duckdb.DuckDBPyConnection,
    series: str,
    period_ends: Sequence[dt.date],
    unit: str = "count",
) -> dict[tuple[dt.date, str], PublishedFigure]:
    """Each force's figure for ``series`` in the rolling years ending ``period_ends``.

    Where an ONS edition and the rolling totals both have a period, the ONS figure is
    taken (the rolling totals stop at December 2018; the two agree where both publish,
    see ``figures_by_source``); never both.
    """
    if not period_ends:
        return {}
    ends = ", ".join(f"DATE '{d:%Y-%m-01}'" for d in sorted(set(period_ends)))
    rows = con.execute(
        _FIGURES
        + f"""
        SELECT force_name, period_end, value, not_available, note, source, edition
        FROM published
        WHERE force_name IS NOT NULL AND series = $series AND unit = $unit
          AND period_end IN ({ends})
        QUALIFY row_number() OVER (
            PARTITION BY force_name, period_end
            ORDER BY source = '{ONS_SOURCE}' DESC, edition DESC) = 1
        """,
        {"series": series, "unit": unit},
    ).fetchall()
    found: dict[tuple[dt.date, str], PublishedFigure] = {}
    for force, end, value, why, note, source, edition in rows:
        found[(end, str(force))] = PublishedFigure(
            str(force), end, series, value, why, note, str(source), str(edition)
        )
    return found


def latest_published_month(con: duckdb.DuckDBPyConnection, series: Sequence[str]) -> dt.date | None:
    """The last month of the latest rolling year published for any of ``series``."""
    names = ", ".join("'" + s.replace("'", "''") + "'" for s in series)
    row = con.execute(
        _FIGURES + f"SELECT max(period_end) FROM published WHERE series IN ({names})"
    ).fetchone()
    return None if row is None or row[0] is None else row[0]


@dataclass(frozen=True)
class SourcedFigure:
    """One source's figure for a force, period and series (for reconciliation)."""

    series: str
    source: str
    edition: str
    value: float | None
    not_available: str | None


def figures_by_source(
    con: duckdb.DuckDBPyConnection, force: str, period_end: dt.date
) -> list[SourcedFigure]:
    """Every source's count for ``force`` in the rolling year ending ``period_end``,
    by series: the ONS edition, the rolling totals and, where the offence-code table
    holds all four quarters, its total excluding fraud and its groups."""
    rows = con.execute(
        _FIGURES
        + f"""
        SELECT series, source, edition, value, not_available FROM published
        WHERE force_name = $force AND period_end = $end AND unit = 'count'
        UNION ALL
        SELECT * FROM (
            SELECT coalesce(s.series, '{TOTAL_EXCLUDING_FRAUD}'), '{OFFENCE_CODE_SOURCE}',
                   string_agg(DISTINCT s.file_name, ', '), CAST(sum(s.offences) AS DOUBLE), NULL
            FROM (
                SELECT c.offences, c.quarter_start, l.file_name,
                       CASE WHEN c.offence_group = 'Fraud offences' THEN NULL
                            ELSE c.offence_subgroup END AS series
                FROM offence_counts c JOIN ingest_log l USING (ingest_id)
                WHERE c.csp_name IS NULL AND c.force_name = $ho_name
                  AND c.quarter_start BETWEEN $first AND $end
                  AND coalesce(c.offence_group, '') <> 'Fraud offences'
            ) s
            GROUP BY GROUPING SETS ((), (s.series))
            HAVING count(DISTINCT s.quarter_start) = 4
        ) WHERE true
        ORDER BY 1, 2
        """,
        {
            "force": force,
            "end": period_end,
            "ho_name": _home_office_name(force),
            "first": _first_month(period_end),
        },
    ).fetchall()
    return [
        SourcedFigure(str(s), str(src), str(ed or ""), v, why)
        for s, src, ed, v, why in rows
        if s is not None
    ]


def _first_month(period_end: dt.date) -> dt.date:
    month = period_end.year * 12 + period_end.month - 1 - 11
    return dt.date(month // 12, month % 12 + 1, 1)


def _home_office_name(force: str) -> str:
    return find_force(force).home_office_name


def rolling_year_history(
    con: duckdb.DuckDBPyConnection, force: str, series: str
) -> list[tuple[dt.date, float | None, str]]:
    """(period end, value, source) of every rolling year published for ``force`` and
    ``series``, oldest first, one source per period (ONS where it has the period)."""
    rows = con.execute(
        _FIGURES
        + f"""
        SELECT period_end, value, source FROM published
        WHERE force_name = $force AND series = $series AND unit = 'count'
        QUALIFY row_number() OVER (
            PARTITION BY period_end ORDER BY source = '{ONS_SOURCE}' DESC, edition DESC) = 1
        ORDER BY period_end
        """,
        {"force": force, "series": series},
    ).fetchall()
    return [(end, value, str(source)) for end, value, source in rows]


@dataclass(frozen=True)
class AreaFigure:
    """A nation's or region's published figure (England and Wales, a region, ...)."""

    area_code: str
    area_name: str
    area_type: str
    value: float | None
    note: str | None
    edition: str


def area_figures(
    con: duckdb.DuckDBPyConnection, series: str, period_end: dt.date, unit: str = "count"
) -> list[AreaFigure]:
    """The nation and region rows of the ONS tables for ``series`` in a rolling year,
    each with the published note (a national total that leaves a force out says so)."""
    rows = con.execute(
        """
        SELECT f.area_code, f.area_name, f.area_type, f.value, f.note, l.file_name
        FROM force_figures f JOIN ingest_log l USING (ingest_id)
        WHERE f.area_type IN ('country', 'region') AND f.series = $series
          AND f.unit = $unit AND f.period_end = $end
        ORDER BY f.area_type, f.area_code
        """,
        {"series": series, "unit": unit, "end": period_end},
    ).fetchall()
    return [AreaFigure(str(c), str(n), str(t), v, note, str(ed)) for c, n, t, v, note, ed in rows]
