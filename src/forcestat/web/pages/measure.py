"""A measure for a force: chart, reading, months, comparison with other forces, downloads.

- ``/forces/{force}/measures/{measure_id}?period=2021-06``: the page (``period`` is the
  last month of the measure's period; absent, the latest the data allow);
- ``.../chart.svg?period=...``: the process behaviour chart as SVG;
- ``...?period=...&format=csv|xlsx|ods&table=months|forces``: a table as a download.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.catalogue import Catalogue, CatalogueError, Measure
from forcestat.forces import Force
from forcestat.spc_sentences import format_figure
from forcestat.web.downloads import FORMATS, DownloadTable, download_response
from forcestat.web.http import PageError, force_from_path, month_parameter, run_db, visitor
from forcestat.web.measure_view import (
    MeasureView,
    ViewCache,
    build_measure_view,
    comparator_group,
    source_title,
    store_version,
)
from forcestat.web.rendering import render

__all__ = ["MeasurePage", "RankBar", "find_measure", "measure_view", "routes", "unit_words"]


@dataclass(frozen=True)
class RankBar:
    """One bar of the ranked chart: position and length in pixels."""

    label: str
    value_text: str
    y: int
    width: float
    in_group: bool
    is_this_force: bool


@dataclass(frozen=True)
class MeasurePage:
    """view: the engine's row, ranking and SPC series; bars: the ranked chart drawn
    in the template; query: '?period=...' for links; downloads: (label, URL)."""

    title: str
    view: MeasureView
    source: str
    unit: str
    value_text: str
    period: str
    query: str
    chart_src: str | None
    bars: tuple[RankBar, ...]
    chart_height: int
    downloads: tuple[tuple[str, str], ...]


def unit_words(measure: Measure) -> str:
    """The unit as a reader says it."""
    return {
        "count": "offences or incidents",
        "rate_per_1000": "per 1,000 residents",
        "rate_per_100000": "per 100,000 residents",
        "rate_per_1000000": "per million residents",
        "proportion": "per cent",
    }.get(measure.unit.value, measure.unit.value)


def value_text(measure: Measure, value: float | None) -> str:
    """A value as the page shows it: counts whole, rates and percentages to 3 figures."""
    if value is None:
        return "not available"
    if measure.unit.value == "count":
        return f"{value:,.0f}"
    if measure.unit.value == "proportion":
        return f"{format_figure(100 * value)}%"  # the engine gives proportions as fractions
    return format_figure(value)


def find_measure(catalogue: Catalogue, measure_id: str) -> Measure:
    """The catalogue measure with this id; otherwise a 404 page listing where to look."""
    try:
        return catalogue.get(measure_id)
    except CatalogueError as exc:
        raise PageError(
            404,
            "Measure not found",
            f"There is no measure {measure_id!r} in the catalogue. The scorecard lists every "
            "measure with a link to its page.",
        ) from exc


def measure_view(
    con: duckdb.DuckDBPyConnection,
    cache: ViewCache,
    measure: Measure,
    force: Force,
    period: dt.date | None,
    configured_group: tuple[str, ...],
) -> MeasureView:
    """The view, from the cache while the store's files are unchanged."""
    key = ("view", measure.id, force.slug, period, store_version(con))
    cached = cache.get(key)
    if isinstance(cached, MeasureView):
        return cached
    group = comparator_group(measure, force, configured_group)
    view = build_measure_view(con, measure, force, period, group)
    cache.put(key, view)
    return view


def _bars(view: MeasureView) -> tuple[tuple[RankBar, ...], int]:
    if not view.ranking:
        return (), 0
    largest = max(abs(fv.value) for fv in view.ranking) or 1.0
    bars = tuple(
        RankBar(
            label=f"{fv.rank}. {fv.force.name}",
            value_text=value_text(view.measure, fv.value),
            y=10 + 18 * i,
            width=round(360 * abs(fv.value) / largest, 1),
            in_group=fv.in_group,
            is_this_force=fv.is_this_force,
        )
        for i, fv in enumerate(view.ranking)
    )
    return bars, 20 + 18 * len(bars)


def _group(request: Request, force: Force) -> tuple[str, ...]:
    # The configured group belongs to the dashboard's own force only.
    if force.slug == request.app.state.default_force_slug:
        group: tuple[str, ...] = request.app.state.settings.most_similar_forces
        return group
    return ()


async def measure_page(request: Request) -> Response:
    who = await visitor(request)
    force = force_from_path(request.path_params["force"])
    measure = find_measure(request.app.state.catalogue, request.path_params["measure_id"])
    period = month_parameter(request)
    file_format = request.query_params.get("format")
    table_name = request.query_params.get("table", "months")
    if file_format is not None and (
        file_format not in FORMATS or table_name not in ("months", "forces")
    ):
        raise PageError(
            400,
            "Download not recognised",
            "Use format csv, xlsx or ods, and table months or forces.",
        )
    group = _group(request, force)
    cache: ViewCache = request.app.state.views
    view = await run_db(
        request, lambda con: measure_view(con, cache, measure, force, period, group)
    )
    shown = view.row.period_end or period
    period_text = shown.strftime("%Y-%m") if shown else ""
    query = f"?period={period_text}" if period_text else "?"
    base = f"/forces/{force.slug}/measures/{measure.id}"
    if file_format is not None:
        return _download(view, table_name, file_format, f"{force.slug}-{measure.id}-{period_text}")
    bars, height = _bars(view)
    downloads = tuple(
        (f"{label} ({fmt.upper()})", f"{base}{query}&format={fmt}&table={table}")
        for table, label in (("months", "Months"), ("forces", "All forces"))
        if table == "forces" or view.spc is not None
        for fmt in FORMATS
    )
    page = MeasurePage(
        title=f"{measure.title}: {force.name}",
        view=view,
        source=source_title(measure),
        unit=unit_words(measure),
        value_text=value_text(measure, view.row.value),
        period=period_text,
        query=query,
        chart_src=f"{base}/chart.svg{query}" if view.chart is not None else None,
        bars=bars,
        chart_height=height,
        downloads=downloads,
    )
    return render(request, who, "measure.html", page)


def _download(view: MeasureView, table_name: str, file_format: str, stem: str) -> Response:
    if table_name == "months":
        if view.spc is None:
            raise PageError(
                404, "No monthly series", "This measure has no monthly series to download."
            )
        table = DownloadTable(
            "months",
            ("month", "value", "mean", "lower process limit", "upper process limit", "variation"),
            tuple(
                (
                    p.month.strftime("%Y-%m"),
                    p.value,
                    round(p.mean, 3),
                    round(p.lpl, 3),
                    round(p.upl, 3),
                    p.point_type.value,
                )
                for p in view.spc.points
            ),
        )
    else:
        table = DownloadTable(
            "forces",
            ("rank", "force", "value", "comparator group"),
            tuple(
                (fv.rank, fv.force.name, fv.value, "yes" if fv.in_group else "")
                for fv in view.ranking
            ),
        )
    return download_response(table, file_format, f"{stem}-{table_name}")


async def chart_svg(request: Request) -> Response:
    force = force_from_path(request.path_params["force"])
    measure = find_measure(request.app.state.catalogue, request.path_params["measure_id"])
    period = month_parameter(request)
    group = _group(request, force)
    cache: ViewCache = request.app.state.views

    def svg(con: duckdb.DuckDBPyConnection) -> str:
        key = ("svg", measure.id, force.slug, period, store_version(con))
        cached = cache.get(key)
        if isinstance(cached, str):
            return cached
        view = measure_view(con, cache, measure, force, period, group)
        if view.chart is None:
            raise PageError(404, "No chart", view.no_chart_reason or "This measure has no chart.")
        rendered = view.chart.to_svg()
        cache.put(key, rendered)
        return rendered

    return Response(await run_db(request, svg), media_type="image/svg+xml")


routes = [
    Route("/forces/{force}/measures/{measure_id}", measure_page),
    Route("/forces/{force}/measures/{measure_id}/chart.svg", chart_svg),
]
