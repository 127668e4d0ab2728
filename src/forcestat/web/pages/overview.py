"""The overview: the scorecard of every catalogue measure for a force and period.

``/forces/{force}?period=2021-06``: one row per measure (value, baseline and change,
rank, most similar forces' mean), each linking to its measure page for the same
period; ``period`` is the last month; absent, each measure shows its latest period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.catalogue import Catalogue, Measure
from forcestat.forces import Force
from forcestat.measures import MeasureRow
from forcestat.web.http import force_from_path, month_parameter, run_db, visitor
from forcestat.web.measure_view import ViewCache, scorecard_rows, store_version
from forcestat.web.pages.measure import unit_words, value_text
from forcestat.web.rendering import render

__all__ = ["OverviewPage", "ScorecardLine", "routes"]


@dataclass(frozen=True)
class ScorecardLine:
    """One measure's row, with its figures as shown and the link to its page."""

    measure: Measure
    row: MeasureRow
    value_text: str
    unit: str
    href: str


@dataclass(frozen=True)
class OverviewPage:
    """lines grouped by the priority they serve, in catalogue order."""

    title: str
    force: Force
    period: str
    priorities: tuple[tuple[str, tuple[ScorecardLine, ...]], ...]


def build_overview(
    con: duckdb.DuckDBPyConnection,
    cache: ViewCache,
    catalogue: Catalogue,
    force: Force,
    period: dt.date | None,
    group: tuple[str, ...],
) -> OverviewPage:
    """The scorecard page for a force and period."""
    key = ("overview", force.slug, period, store_version(con))
    cached = cache.get(key)
    if isinstance(cached, OverviewPage):
        return cached
    rows = {r.measure: r for r in scorecard_rows(con, catalogue, force, period, group)}
    query = "" if period is None else f"?period={period:%Y-%m}"
    grouped: dict[str, list[ScorecardLine]] = {}
    for measure in catalogue.measures:
        row = rows.get(measure.id)
        if row is None:
            continue
        line = ScorecardLine(
            measure,
            row,
            value_text(measure, row.value),
            unit_words(measure),
            f"/forces/{force.slug}/measures/{measure.id}{query}",
        )
        grouped.setdefault(measure.priority, []).append(line)
    page = OverviewPage(
        f"{force.name} scorecard",
        force,
        "" if period is None else f"{period:%Y-%m}",
        tuple((p, tuple(lines)) for p, lines in grouped.items()),
    )
    cache.put(key, page)
    return page


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
    page = await run_db(
        request, lambda con: build_overview(con, cache, catalogue, force, period, group)
    )
    return render(request, who, "overview.html", page)


routes = [Route("/forces/{force}", overview)]
