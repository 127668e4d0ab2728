"""The local measures page: the force's victim satisfaction and local indicator tables.

``/forces/{force}/local?period=2020-12``: the tables the report's satisfaction and local
sections show, from the same computation (``forcestat.measures.local_tables``), so the
page and the report give the same figures and withhold the same small counts: a cell
counting fewer than the ``small_count_threshold`` setting reads 'fewer than 5' (the
store keeps the true figure). The survey breakdowns cover the 12 months to ``period``
(absent: the latest month the force's local data reach); the published indicators, their
periods ending by then. ``&table=SLUG&format=csv`` (or xlsx, ods) downloads one table,
withheld cells as they are on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forcestat.forces import Force
from forcestat.measures.local_tables import (
    LocalCell,
    LocalColumn,
    LocalTable,
    latest_local_month,
    local_tables,
)
from forcestat.measures.periods import rolling_12_months
from forcestat.web.downloads import FORMATS, DownloadTable, download_response
from forcestat.web.http import PageError, force_from_path, month_parameter, run_both, visitor
from forcestat.web.measure_view import ViewCache
from forcestat.web.rendering import render
from forcestat.web.settings import WebSettings

__all__ = ["LocalPage", "ShownCell", "ShownTable", "build_local_page", "routes"]

MINUS = "\u2212"
_NUMERIC = frozenset({"count", "percent"})


@dataclass(frozen=True)
class ShownCell:
    """A cell as the page shows it; ``header``: the cell that names its row."""

    text: str
    numeric: bool
    header: bool = False


@dataclass(frozen=True)
class ShownTable:
    """A local table as the page shows it, with its download links."""

    slug: str
    caption: str
    header: tuple[tuple[str, bool], ...]  # (label, numeric)
    rows: tuple[tuple[ShownCell, ...], ...]
    notes: tuple[str, ...]
    downloads: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class LocalPage:
    """The local measures of a force for the 12 months to ``period`` (YYYY-MM)."""

    title: str
    force: Force
    period: str
    period_label: str
    satisfaction: tuple[ShownTable, ...]
    local: tuple[ShownTable, ...]
    threshold: int
    tables: tuple[LocalTable, ...]  # as computed, for the downloads


def cell_text(value: LocalCell, kind: str) -> str:
    """A cell as the report's pages show it: '—' for no figure, counts with thousands
    separators, percentages to one decimal place, text (a withheld count) as it is."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind == "count":
        return f"{round(value):,}".replace("-", MINUS)
    if kind == "percent":
        return f"{value:.1f}%"
    return str(value)


def _shown(table: LocalTable, force: Force, period: str) -> ShownTable:
    page_columns = [(i, c) for i, c in enumerate(table.columns) if c.page]
    header = tuple((c.label, c.kind in _NUMERIC) for _, c in page_columns)
    rows = tuple(
        tuple(
            ShownCell(cell_text(row[i], c.kind), c.kind in _NUMERIC, c.row_header)
            for i, c in page_columns
        )
        for row in table.rows
    )
    base = f"/forces/{force.slug}/local?period={period}&table={table.slug}&format="
    downloads = tuple((name.upper(), base + name) for name in FORMATS)
    return ShownTable(table.slug, table.caption, header, rows, table.notes, downloads)


def build_local_page(
    con: duckdb.DuckDBPyConnection, force: Force, month: dt.date | None, settings: WebSettings
) -> LocalPage:
    """The page for ``force`` over the 12 months to ``month`` (None: the latest month
    of its local data)."""
    month = month or latest_local_month(con, force.name)
    title = f"{force.name} local measures"
    if month is None:
        return LocalPage(title, force, "", "", (), (), settings.small_count_threshold, ())
    period = rolling_12_months(month)
    found = local_tables(
        con,
        force.name,
        period,
        threshold=settings.small_count_threshold,
        satisfied=settings.satisfied_answers,
    )
    text = f"{month:%Y-%m}"
    return LocalPage(
        title,
        force,
        text,
        period.label,
        tuple(_shown(t, force, text) for t in found.satisfaction),
        tuple(_shown(t, force, text) for t in found.local),
        settings.small_count_threshold,
        (*found.satisfaction, *found.local),
    )


def _export_header(column: LocalColumn) -> str:
    if column.kind == "percent" and "(%)" not in column.label:
        return f"{column.label} (%)"
    return column.label


def _download(page: LocalPage, slug: str, file_format: str) -> Response:
    table = next((t for t in page.tables if t.slug == slug), None)
    if table is None:
        raise PageError(
            404,
            "Table not found",
            f"There is no local table {slug!r} for {page.force.name} in the "
            f"{page.period_label or 'data loaded'}. Download a table from the local measures page.",
        )
    exported = [(i, c) for i, c in enumerate(table.columns) if c.export]
    download = DownloadTable(
        name=table.slug,
        header=tuple(_export_header(c) for _, c in exported),
        rows=tuple(tuple(row[i] for i, _ in exported) for row in table.rows),
    )
    return download_response(download, file_format, f"{page.force.slug}-{slug}-{page.period}")


async def local(request: Request) -> Response:
    """The page, or one of its tables as a download."""
    who = await visitor(request)
    force = force_from_path(request.path_params["force"])
    month = month_parameter(request)
    file_format = request.query_params.get("format")
    if file_format is not None and file_format not in FORMATS:
        raise PageError(400, "Format not recognised", "The format must be csv, xlsx or ods.")
    settings: WebSettings = request.app.state.settings
    cache: ViewCache = request.app.state.views

    def cached(
        con: duckdb.DuckDBPyConnection, records: object, version: tuple[object, ...]
    ) -> LocalPage:
        return cache.fetch(
            version,
            ("local", force.slug, month),
            LocalPage,
            lambda: build_local_page(con, force, month, settings),
        )

    page = await run_both(request, cached)
    if file_format is not None:
        return _download(page, request.query_params.get("table", ""), file_format)
    return render(request, who, "local.html", page)


routes = [Route("/forces/{force}/local", local)]
