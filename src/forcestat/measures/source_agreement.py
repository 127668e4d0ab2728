"""Reconciliation of sources: the same force, offence group and rolling year as each
publisher gives it.

The ONS police force area data tables, the Home Office rolling totals and the
offence-code table (where it holds all four quarters) can each give a force's rolling
year. ``source_agreement`` lists, for one force and period, every offence group at
least one of them publishes, each source's figure, and whether they agree: they
should, being the same police recorded crime. A difference is a revision between
editions or a definition that moved (the offence-code table's groups are named
differently from the published ones, so most of its rows stand alone; its total
excluding fraud is compared).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from forcestat.forces import find_force
from forcestat.sources.ons_pfa import KNIFE_PREFIX
from forcestat.store.force_figures import SOURCE_TITLES, TOTAL_EXCLUDING_FRAUD, figures_by_source

__all__ = ["SourceAgreement", "SourceRow", "source_agreement"]


@dataclass(frozen=True)
class SourceRow:
    series: str
    figures: tuple[tuple[str, float | None], ...]  # (source title, value) for each source
    agree: bool | None  # None when only one source gives a figure
    difference: float | None  # largest minus smallest, when they differ


@dataclass(frozen=True)
class SourceAgreement:
    force: str
    period_end: dt.date
    rows: tuple[SourceRow, ...]  # the total first, then the groups by name
    editions: tuple[str, ...]  # 'source title: file' for each source used
    agreements: int
    differences: int


def source_agreement(
    con: duckdb.DuckDBPyConnection, force: str, period_end: dt.date
) -> SourceAgreement:
    """Each source's figure for ``force`` in the rolling year ending ``period_end``."""
    name = find_force(force).name
    by_series: dict[str, dict[str, float | None]] = {}
    editions: set[str] = set()
    for figure in figures_by_source(con, name, period_end):
        if figure.series.startswith(KNIFE_PREFIX):
            continue  # a special collection one source publishes: nothing to compare
        title = SOURCE_TITLES.get(figure.source, figure.source)
        by_series.setdefault(figure.series, {})[title] = figure.value
        editions.add(f"{title}: {figure.edition}")
    rows = []
    for series in sorted(by_series, key=lambda s: (s != TOTAL_EXCLUDING_FRAUD, s)):
        found = by_series[series]
        values = [v for v in found.values() if v is not None]
        agree = None if len(values) < 2 else max(values) == min(values)
        difference = None if agree is None or agree else max(values) - min(values)
        rows.append(SourceRow(series, tuple(sorted(found.items())), agree, difference))
    return SourceAgreement(
        name,
        period_end,
        tuple(rows),
        tuple(sorted(editions)),
        sum(1 for r in rows if r.agree is True),
        sum(1 for r in rows if r.agree is False),
    )
