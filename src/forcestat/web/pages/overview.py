"""The overview: the scorecard of every catalogue measure for a force and period.

``/forces/{force}?period=2021-06``: one row per measure (value, change on its baseline
judged by polarity, the latest month's variation on its process behaviour chart, rank,
most similar forces' mean), each linking to its measure page for the same period;
``period`` is the last month; absent, each measure shows its latest period.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.forces import Force
from forcestat.measures.catalogue import Catalogue, Measure
from forcestat.measures.engine import MeasureRow
from forcestat.spc.sentences import month_name
from forcestat.store.loaded import financial_years_held, policeuk_months_held
from forcestat.web.figures import (
    Change,
    Variation,
    change_of,
    unit_words,
    value_text,
    variation_of,
)
from forcestat.web.http import force_from_path, month_parameter, run_both, visitor
from forcestat.web.measure_view import (
    ViewCache,
    latest_variation,
    scorecard_rows,
)
from forcestat.web.rendering import render

__all__ = ["OverviewPage", "ScorecardLine", "routes"]


@dataclass(frozen=True)
class ScorecardLine:
    """One measure's row, with its figures as shown and the link to its page;
    ``variation`` is the latest month's reading of a monthly measure's chart."""

    measure: Measure
    row: MeasureRow
    value_text: str
    unit: str
    href: str
    change: Change | None
    variation: Variation | None


@dataclass(frozen=True)
class OverviewPage:
    """lines grouped by the priority they serve, in catalogue order; ``loaded`` says
    which months and years the store holds for the force, for the period hint."""

    title: str
    force: Force
    period: str
    priorities: tuple[tuple[str, tuple[ScorecardLine, ...]], ...]
    loaded: str
    baselines: tuple[str, ...]


def build_overview(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    version: tuple[object, ...],
    cache: ViewCache,
    catalogue: Catalogue,
    force: Force,
    period: dt.date | None,
    group: tuple[str, ...],
    local_settings: Mapping[str, object] | None = None,
) -> OverviewPage:
    """The scorecard page for a force and period (``local_settings``: the project's
    settings of the local sources)."""
    key = ("overview", force.slug, period)
    return cache.fetch(
        version,
        key,
        OverviewPage,
        lambda: _overview(con, records, catalogue, force, period, group, local_settings),
    )


def _overview(
    con: duckdb.DuckDBPyConnection,
    records: sqlite3.Connection,
    catalogue: Catalogue,
    force: Force,
    period: dt.date | None,
    group: tuple[str, ...],
    local_settings: Mapping[str, object] | None,
) -> OverviewPage:
    found = scorecard_rows(con, catalogue, force, period, group, local_settings)
    rows = {r.measure: r for r in found}
    variations = latest_variation(con, records, catalogue.measures, force, found, local_settings)
    query = "" if period is None else f"?period={period:%Y-%m}"
    grouped: dict[str, list[ScorecardLine]] = {}
    for measure in catalogue.measures:
        row = rows.get(measure.id)
        if row is None:
            continue
        point_type = variations.get(measure.id)
        line = ScorecardLine(
            measure,
            row,
            value_text(measure, row.value),
            unit_words(measure),
            f"/forces/{force.slug}/measures/{measure.id}{query}",
            change_of(measure, row),
            variation_of(point_type) if point_type is not None else None,
        )
        grouped.setdefault(measure.priority, []).append(line)
    baselines = tuple(sorted({r.baseline_period for r in found if r.baseline_period}))
    return OverviewPage(
        f"{force.name} scorecard",
        force,
        "" if period is None else f"{period:%Y-%m}",
        tuple((p, tuple(lines)) for p, lines in grouped.items()),
        loaded_text(con, force),
        baselines,
    )


def loaded_text(con: duckdb.DuckDBPyConnection, force: Force) -> str:
    """The months and financial years the store holds for the force, in words."""
    parts = []
    months = policeuk_months_held(con, force)
    if months is not None:
        parts.append(
            f"police.uk months {month_name(months.first_month)} to {month_name(months.last_month)}"
        )
    years = financial_years_held(con, force)
    if years is not None:
        first, last = years.first_year, years.last_year
        span = first if first == last else f"{first} to {last}"
        parts.append(f"Home Office quarters of {span}")
    if not parts:
        return f"No data is loaded for {force.name}."
    return f"Loaded for {force.name}: {' and '.join(parts)}."


async def overview(request: Request) -> Response:
    who = await visitor(request)
    force = force_from_path(request.path_params["force"])
    period = month_parameter(request)
    catalogue: Catalogue = request.app.state.catalogue
    cache: ViewCache = request.app.state.views
    group: tuple[str, ...] = (
        request.app.state.settings.most_similar_forces
        if force.slug == request.app.state.default_force_slug
        else ()
    )
    local = request.app.state.settings.local_settings
    page = await run_both(
        request,
        lambda con, records, version: build_overview(
            con, records, version, cache, catalogue, force, period, group, local
        ),
    )
    return render(request, who, "overview.html", page)


routes = [Route("/forces/{force}", overview)]
