"""Areas: force -> local authority -> neighbourhood, with counts, rates and a map.

URLs (``period`` is the last month of the 12-month window, ``YYYY-MM``; ``format`` is
csv, xlsx or ods for the table as a download):

- ``/forces/{force}/areas?period=2021-06``: the local authorities of the force area;
- ``/forces/{force}/areas/{local_authority_code}``: its neighbourhoods (LSOAs);
- ``/forces/{force}/areas/{local_authority_code}/{lsoa_code}``: one neighbourhood.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.forces import Force
from forcestat.spc.sentences import month_name
from forcestat.store.drilldown import (
    AreaCount,
    AreaTable,
    MonthCount,
    Window,
    area_locations,
    crime_types,
    force_months,
    force_neighbourhood_codes,
    incident_points,
    local_authority_neighbourhoods,
    local_authority_table,
    monthly_counts,
    neighbourhood_local_authorities,
    neighbourhood_table,
    window_ending,
)
from forcestat.web.downloads import FORMATS, DownloadTable, download_response
from forcestat.web.http import PageError, force_from_path, month_parameter, run_both, visitor
from forcestat.web.incident_map import IncidentMap, MapArea, incident_map
from forcestat.web.measure_view import ViewCache
from forcestat.web.rendering import render

__all__ = ["AreasPage", "build_areas_page", "routes"]


@dataclass(frozen=True)
class AreasPage:
    """One level of the drill-down.

    level: 'force', 'local_authority' or 'neighbourhood'.
    table: the areas one level down (None on a neighbourhood page).
    child_href: the URL prefix of a row's link (its code is appended), '' for none.
    crime_types / months: incidents by police.uk type and by month in the area.
    population_note: which population the rates use, and the lookup's boundaries.
    summary: the area's own crimes, anti-social behaviour, residents and rate (crimes
    placed in its neighbourhoods); parent: the area one level up, for comparison.
    """

    title: str
    force: Force
    level: str
    area_name: str
    window: Window
    period: str
    months_hint: str
    breadcrumbs: tuple[tuple[str, str], ...]
    table: AreaTable | None
    child_href: str
    crime_types: tuple[tuple[str, int], ...]
    months: tuple[MonthCount, ...]
    incident_map: IncidentMap | None
    population_note: str
    downloads: tuple[tuple[str, str], ...]
    summary: AreaCount | None = None
    parent: AreaCount | None = None
    current_crumb: str = ""

    @property
    def window_label(self) -> str:
        return f"12 months to {month_name(self.window.last_month)}"


def _window(con: duckdb.DuckDBPyConnection, force: Force, period: dt.date | None) -> Window:
    months = force_months(con, force)
    if not months:
        raise PageError(
            404,
            f"No police.uk data for {force.name}",
            f"No police.uk street-level data is loaded for {force.name}. Load it with "
            f"'forcestat download policeuk --force \"{force.name}\"' and 'forcestat ingest'.",
        )
    last = period or months[-1]
    window = window_ending(last, months)
    if len(window.missing) == 12:
        raise PageError(
            404,
            "No data for this period",
            f"No police.uk data for {force.name} in the 12 months to {month_name(last)}. "
            f"Loaded months run from {month_name(months[0])} to {month_name(months[-1])}.",
        )
    return window


def _population_note(table_year: int | None) -> str:
    if table_year is None:
        return (
            "No population for 2011 neighbourhoods is loaded, so rates are not shown. "
            "Neighbourhoods follow the 2011-based area lookup."
        )
    return (
        f"Rates are crimes per 1,000 residents, using the {table_year} population of "
        "2011-boundary neighbourhoods. The neighbourhood lookup is 2011-based. Crimes exclude "
        "anti-social behaviour, which is counted separately."
    )


def _total(code: str, name: str, table: AreaTable) -> AreaCount:
    """The areas of ``table`` added up: one area's summary."""
    populations = [r.population for r in table.rows]
    return AreaCount(
        code,
        name,
        sum(r.crimes for r in table.rows),
        sum(r.asb for r in table.rows),
        None if not populations or None in populations else sum(p or 0 for p in populations),
    )


def _map_areas(
    con: duckdb.DuckDBPyConnection,
    force: Force,
    window: Window,
    groups: dict[str, tuple[str, str]],
    href_prefix: str,
    current: str | None,
    query: str,
) -> list[MapArea]:
    """The areas the map outlines: ``groups`` maps each neighbourhood to the (code, name)
    of the area it is outlined in."""
    locations = area_locations(con, force, window, sorted(groups))
    gathered: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for lsoa, (code, name) in groups.items():
        gathered.setdefault((code, name), []).extend(locations.get(lsoa, []))
    names = [name for _, name in gathered]
    return [
        MapArea(
            code,
            _short_name(name, names),
            f"{href_prefix}{code}{query}",
            tuple(points),
            code == current,
        )
        for (code, name), points in sorted(gathered.items(), key=lambda item: item[0][1])
    ]


def _short_name(name: str, names: list[str]) -> str:
    """``name`` without the words every name starts with ('City of London 001A' among
    its neighbours is '001A'), so that labels on a small map do not run into each other."""
    if len(names) < 2:
        return name
    shared = 0
    words = [n.split(" ") for n in names]
    while all(len(w) > shared + 1 and w[shared] == words[0][shared] for w in words):
        shared += 1
    return " ".join(name.split(" ")[shared:])


def build_areas_page(
    con: duckdb.DuckDBPyConnection,
    force: Force,
    period: dt.date | None,
    la_code: str | None,
    lsoa_code: str | None,
) -> AreasPage:
    """The page for one level; unknown areas are 404 pages."""
    window = _window(con, force, period)
    period_text = window.last_month.strftime("%Y-%m")
    query = f"?period={period_text}"
    base = f"/forces/{force.slug}/areas"
    crumbs: list[tuple[str, str]] = [(f"{force.name} scorecard", f"/forces/{force.slug}{query}")]
    months = force_months(con, force)
    hint = f"Loaded months: {month_name(months[0])} to {month_name(months[-1])}."
    parent: AreaCount | None = None
    summary: AreaCount | None
    if la_code is None:
        table = local_authority_table(con, force, window)
        lsoas = force_neighbourhood_codes(con, force)
        level, name, here = "force", force.name, base
        child = f"{base}/"
        summary = _total("", f"{force.name} force area", table)
        current = "Crime by area"
    else:
        lookup = local_authority_neighbourhoods(con, force, la_code, lsoa_code)
        if not lookup:
            what = "neighbourhood" if lsoa_code else "local authority"
            raise PageError(
                404,
                f"Area not found in {force.name}",
                f"There is no {what} with that code in the {force.name} force area. "
                f"Choose one from the list at {base}.",
            )
        la_name = lookup[0].local_authority_name
        crumbs.append(("Crime by area", base + query))
        lsoas = [n.code for n in lookup]
        siblings = neighbourhood_table(con, force, la_code, window)
        la_total = _total(la_code, la_name, siblings)
        if lsoa_code is None:
            table = siblings
            level, name, here = "local_authority", la_name, f"{base}/{la_code}"
            child = f"{base}/{la_code}/"
            summary = la_total
            parent = _total(
                "", f"{force.name} force area", local_authority_table(con, force, window)
            )
        else:
            table = None
            crumbs.append((la_name, f"{base}/{la_code}{query}"))
            level, name, here = "neighbourhood", lookup[0].name, f"{base}/{la_code}/{lsoa_code}"
            child = ""
            summary = next((r for r in siblings.rows if r.code == lsoa_code), None)
            parent = la_total
        current = name
    points = incident_points(con, force, window, lsoas)
    if la_code is None:
        groups = neighbourhood_local_authorities(con, force)
        outlined = _map_areas(con, force, window, groups, f"{base}/", None, query)
    else:
        groups = {r.code: (r.code, r.name) for r in siblings.rows}
        outlined = _map_areas(con, force, window, groups, f"{base}/{la_code}/", lsoa_code, query)
    year = table.population_year if table else siblings.population_year
    downloads = (
        tuple((fmt.upper(), f"{here}{query}&format={fmt}") for fmt in FORMATS)
        if table is not None
        else ()
    )
    return AreasPage(
        title=f"{name}: crime by area" if level != "neighbourhood" else f"{name}: neighbourhood",
        force=force,
        level=level,
        area_name=name,
        window=window,
        period=period_text,
        months_hint=hint,
        breadcrumbs=tuple(crumbs),
        table=table,
        child_href=child,
        crime_types=tuple(crime_types(con, force, window, lsoas)),
        months=tuple(monthly_counts(con, force, window, lsoas)),
        incident_map=incident_map(points, area_name=name, areas=outlined),
        population_note=_population_note(year),
        downloads=downloads,
        summary=summary,
        parent=parent,
        current_crumb=current,
    )


def _download(page: AreasPage, file_format: str) -> Response:
    assert page.table is not None
    level = "local authority" if page.level == "force" else "neighbourhood"
    table = DownloadTable(
        name="areas",
        header=(
            f"{level} code",
            level,
            f"crimes, {page.window_label}",
            "anti-social behaviour incidents",
            f"residents ({page.table.population_year})",
            "crimes per 1,000 residents",
        ),
        rows=tuple(
            (
                r.code,
                r.name,
                r.crimes,
                r.asb,
                r.population,
                round(r.rate_per_1000, 2) if r.rate_per_1000 is not None else None,
            )
            for r in page.table.rows
        ),
    )
    return download_response(
        table, file_format, f"{page.force.slug}-{page.area_name}-{page.period}"
    )


async def areas(request: Request) -> Response:
    """Any level of the drill-down, or its table as a download."""
    who = await visitor(request)
    force = force_from_path(request.path_params["force"])
    period = month_parameter(request)
    file_format = request.query_params.get("format")
    if file_format is not None and file_format not in FORMATS:
        raise PageError(400, "Format not recognised", "The format must be csv, xlsx or ods.")
    la_code = request.path_params.get("la")
    lsoa_code = request.path_params.get("lsoa")

    cache: ViewCache = request.app.state.views

    def cached(
        con: duckdb.DuckDBPyConnection, records: object, version: tuple[object, ...]
    ) -> AreasPage:
        key = ("areas", force.slug, period, la_code, lsoa_code)
        return cache.fetch(
            version,
            key,
            AreasPage,
            lambda: build_areas_page(con, force, period, la_code, lsoa_code),
        )

    page = await run_both(request, cached)
    if file_format is not None:
        if page.table is None:
            raise PageError(404, "No table to download", "A neighbourhood page has no area table.")
        return _download(page, file_format)
    return render(request, who, "areas.html", page)


routes = [
    Route("/forces/{force}/areas", areas),
    Route("/forces/{force}/areas/{la}", areas),
    Route("/forces/{force}/areas/{la}/{lsoa}", areas),
]
