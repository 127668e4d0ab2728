"""A measure for a force: chart, reading, months, comparison with other forces, downloads.

- ``/forces/{force}/measures/{measure_id}?period=2021-06``: the page (``period`` is the
  last month of the measure's period; absent, the latest the data allow);
- ``.../chart.svg?period=...``: the process behaviour chart as SVG;
- ``...?period=...&format=csv|xlsx|ods&table=months|forces``: a table as a download;
- ``POST .../rebases`` (month, reason) and ``POST .../rebases/{id}/withdraw`` (reason):
  an editor records or withdraws a rebase of the chart, with the form's CSRF token;
  ``forcestat.store.rebases`` writes the change and its audit entry together.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from forcestat.forces import Force
from forcestat.measures.catalogue import Catalogue, CatalogueError, Measure
from forcestat.spc.rebases import undrawable_reason
from forcestat.spc.sentences import month_name
from forcestat.store.rebases import (
    MAX_REASON_LENGTH,
    RebaseError,
    rebase_records,
    record_rebase,
)
from forcestat.store.rebases import withdraw_rebase as withdraw_recorded_rebase
from forcestat.store.users import Role, User
from forcestat.web.downloads import FORMATS, DownloadTable, download_response
from forcestat.web.figures import Change, change_of, unit_words, value_text
from forcestat.web.http import (
    PageError,
    Visitor,
    checked_form,
    force_from_path,
    month_parameter,
    require_role,
    run_both,
    run_records,
    visitor,
)
from forcestat.web.measure_view import (
    MeasureView,
    ViewCache,
    build_measure_view,
    comparator_group,
    source_title,
)
from forcestat.web.rendering import render

__all__ = [
    "MeasurePage",
    "RankBar",
    "RankedChart",
    "find_measure",
    "history_svg",
    "measure_view",
    "ranked_chart",
    "routes",
    "unit_words",
    "value_text",
]

_MONTH_FIELD = "YYYY-MM"

# The ranked chart's geometry, in SVG pixels.
_LABEL_WIDTH = 210
_BAR_SPACE = 380
_ROW = 20
_TOP = 10
# A value more than this many times the next largest is drawn cut, so that one outlier
# (City of London's rates, from its tiny resident population) does not flatten the rest.
_OUTLIER_RATIO = 3.0


@dataclass(frozen=True)
class RankBar:
    """One bar of the ranked chart: position and length in pixels; ``cut``: the bar is
    longer than drawn (an outlier), and its value is printed at its end."""

    rank: int
    label: str
    value_text: str
    y: int
    width: float
    in_group: bool
    is_this_force: bool
    cut: bool = False


@dataclass(frozen=True)
class RankedChart:
    """Every force's bar, the comparator group's mean as a line (None without one), the
    chart's height, and which kinds of bar it shows (for the legend)."""

    bars: tuple[RankBar, ...]
    height: int
    mean_x: float | None
    mean_text: str
    shows_force: bool
    shows_group: bool
    has_cut: bool


@dataclass(frozen=True)
class MeasurePage:
    """view: the engine's row, ranking and SPC series; ranked: the ranked chart drawn
    in the template (None when fewer than two forces have a value); query: '?period=...'
    for links; downloads: (label, URL); change: the change on the baseline in words.

    history_svg: the long-run chart of the published rolling years, inline SVG with its
    title and text alternative (None without one).

    can_rebase: the visitor may record and withdraw rebases (editors); rebase_month:
    the month the record form starts with, rebase_open: the form is shown open (asked
    for, or refused); problems/values refill it after a refusal.
    """

    title: str
    view: MeasureView
    source: str
    unit: str
    value_text: str
    period: str
    query: str
    base: str
    chart_src: str | None
    ranked: RankedChart | None
    downloads: tuple[tuple[str, str], ...]
    change: Change | None
    history_svg: Markup | None = None
    can_rebase: bool = False
    rebase_month: str = ""
    rebase_open: bool = False
    problems: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    max_reason: int = MAX_REASON_LENGTH

    @property
    def months_charted(self) -> str:
        monthly = self.view.monthly
        if monthly is None:
            return ""
        return f"{month_name(monthly.months[0])} to {month_name(monthly.months[-1])}"

    def amount(self, value: float | None) -> str:
        """A value in the measure's unit as the headline shows it: counts whole, rates
        to three figures, proportions as percentages."""
        return value_text(self.view.measure, value)


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
    records: sqlite3.Connection,
    version: tuple[object, ...],
    cache: ViewCache,
    measure: Measure,
    force: Force,
    period: dt.date | None,
    configured_group: tuple[str, ...],
    local_settings: Mapping[str, object] | None = None,
) -> MeasureView:
    """The view, from the cache while the store's files are unchanged;
    ``local_settings``: the project's settings of the local sources."""
    group = comparator_group(measure, force, configured_group)
    key = ("view", measure.id, force.slug, period)
    return cache.fetch(
        version,
        key,
        MeasureView,
        lambda: build_measure_view(con, records, measure, force, period, group, local_settings),
    )


def history_svg(
    version: tuple[object, ...], cache: ViewCache, view: MeasureView, period: dt.date | None
) -> Markup | None:
    """The view's long-run chart as inline SVG, drawn once per version of the data."""
    chart = view.history_chart
    if chart is None:
        return None
    key = ("history-svg", view.measure.id, view.force.slug, period)
    # vl-convert escapes every text it writes, and the title and description added
    # to it are escaped: the SVG is safe to place in the page as it is.
    return Markup(cache.fetch(version, key, str, lambda: chart.to_inline_svg("long-run-chart")))


def ranked_chart(view: MeasureView) -> RankedChart | None:
    """The ranked bars of every force with a value, lowest first; None for fewer than
    two (nothing to compare)."""
    ranking = view.ranking
    if len(ranking) < 2:
        return None
    sizes = sorted((abs(fv.value) for fv in ranking), reverse=True)
    scale_max = sizes[0] or 1.0
    if len(sizes) >= 5 and sizes[1] > 0 and sizes[0] > _OUTLIER_RATIO * sizes[1]:
        scale_max = sizes[1] * 1.25
    bars = tuple(
        RankBar(
            rank=fv.rank,
            label=f"{fv.rank}. {fv.force.name}",
            value_text=value_text(view.measure, fv.value),
            y=_TOP + _ROW * i,
            width=round(_BAR_SPACE * min(abs(fv.value), scale_max) / scale_max, 1),
            in_group=fv.in_group,
            is_this_force=fv.is_this_force,
            cut=abs(fv.value) > scale_max,
        )
        for i, fv in enumerate(ranking)
    )
    mean = view.row.comparator_mean
    mean_x = (
        round(_LABEL_WIDTH + _BAR_SPACE * min(abs(mean), scale_max) / scale_max, 1)
        if mean is not None and any(fv.in_group for fv in ranking)
        else None
    )
    return RankedChart(
        bars=bars,
        height=2 * _TOP + _ROW * len(bars) + 16,
        mean_x=mean_x,
        mean_text=value_text(view.measure, mean) if mean is not None else "",
        shows_force=any(b.is_this_force for b in bars),
        shows_group=any(b.in_group for b in bars),
        has_cut=any(b.cut for b in bars),
    )


def _group(request: Request, force: Force) -> tuple[str, ...]:
    # The configured group belongs to the dashboard's own force only.
    if force.slug == request.app.state.default_force_slug:
        group: tuple[str, ...] = request.app.state.settings.most_similar_forces
        return group
    return ()


async def _measure_page(
    request: Request,
    who: Visitor,
    force: Force,
    measure: Measure,
    period: dt.date | None,
    *,
    problems: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    group = _group(request, force)
    cache: ViewCache = request.app.state.views
    local = request.app.state.settings.local_settings

    def view_and_history(
        con: duckdb.DuckDBPyConnection, records: sqlite3.Connection, version: tuple[object, ...]
    ) -> tuple[MeasureView, Markup | None]:
        view = measure_view(con, records, version, cache, measure, force, period, group, local)
        return view, history_svg(version, cache, view, period)

    view, history = await run_both(request, view_and_history)
    shown = view.row.period_end or period
    period_text = shown.strftime("%Y-%m") if shown else ""
    query = f"?period={period_text}" if period_text else "?"
    base = f"/forces/{force.slug}/measures/{measure.id}"
    file_format = request.query_params.get("format") if request.method == "GET" else None
    if file_format is not None:
        table_name = request.query_params.get("table", "months")
        if file_format not in FORMATS or table_name not in ("months", "forces"):
            raise PageError(
                400,
                "Download not recognised",
                "Use format csv, xlsx or ods, and table months or forces.",
            )
        return _download(view, table_name, file_format, f"{force.slug}-{measure.id}-{period_text}")
    downloads = tuple(
        (f"{label} ({fmt.upper()})", f"{base}{query}&format={fmt}&table={table}")
        for table, label in (("months", "Months"), ("forces", "All forces"))
        if (table == "forces" and view.ranking) or (table == "months" and view.spc is not None)
        for fmt in FORMATS
    )
    suggested = view.spc.suggested_rebases if view.spc is not None else ()
    asked = request.query_params.get("rebase_month", "")
    rebase_month = (
        (values or {}).get("month")
        or asked
        or (f"{suggested[-1].month:%Y-%m}" if suggested else "")
    )
    page = MeasurePage(
        title=f"{measure.title}: {force.name}",
        view=view,
        source=source_title(measure),
        unit=unit_words(measure),
        value_text=value_text(measure, view.row.value),
        period=period_text,
        query=query,
        base=base,
        chart_src=f"{base}/chart.svg{query}" if view.chart is not None else None,
        ranked=ranked_chart(view),
        downloads=downloads,
        change=change_of(measure, view.row),
        history_svg=history,
        can_rebase=who.can(Role.EDITOR) and view.spc is not None,
        rebase_month=rebase_month,
        rebase_open=bool(asked) or any(k.startswith("rebase-") for k in problems or {}),
        problems=problems or {},
        values=values or {},
    )
    return render(request, who, "measure.html", page, status_code=status_code)


async def measure_page(request: Request) -> Response:
    who = await visitor(request)
    force = force_from_path(request.path_params["force"])
    measure = find_measure(request.app.state.catalogue, request.path_params["measure_id"])
    period = month_parameter(request)
    return await _measure_page(request, who, force, measure, period)


def _form_month(text: str) -> dt.date | None:
    text = text.strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        return None
    year, month = int(text[:4]), int(text[5:])
    return dt.date(year, month, 1) if 1 <= month <= 12 and year >= 1900 else None


async def _editor_post(
    request: Request,
) -> tuple[Visitor, dict[str, str], User, Force, Measure, dt.date | None]:
    """A rebase form posted to a measure page: the visitor (an editor, or refused), the
    checked form (CSRF), the force, the measure and the period the page showed."""
    who = await visitor(request)
    form = await checked_form(request, who)
    editor = require_role(who, Role.EDITOR)
    force = force_from_path(request.path_params["force"])
    measure = find_measure(request.app.state.catalogue, request.path_params["measure_id"])
    return who, form, editor, force, measure, _form_month(form.get("period", ""))


async def record_rebase_form(request: Request) -> Response:
    """An editor records a rebase from a month of the chart on the page."""
    who, form, editor, force, measure, period = await _editor_post(request)
    group = _group(request, force)
    cache: ViewCache = request.app.state.views
    local = request.app.state.settings.local_settings
    view = await run_both(
        request,
        lambda con, records, version: measure_view(
            con, records, version, cache, measure, force, period, group, local
        ),
    )
    if view.monthly is None or view.spc is None:
        raise PageError(
            400, "No chart to rebase", view.no_chart_reason or "This measure has no chart."
        )
    problems: dict[str, str] = {}
    month = _form_month(form.get("month", ""))
    first, last = view.monthly.months[0], view.monthly.months[-1]
    if month is None:
        problems["rebase-month"] = (
            f"Enter the month in the form {_MONTH_FIELD}, for example 2020-04"
        )
    elif not first < month <= last:
        problems["rebase-month"] = (
            f"Choose a month after {month_name(first)} and up to {month_name(last)}, "
            "the months this chart shows"
        )
    else:
        drawn = tuple(r.as_rebase() for r in view.rebases)
        why = undrawable_reason(month, drawn, view.monthly.months)
        if why is not None:
            problems["rebase-month"] = why[0].upper() + why[1:]
    reason = form.get("reason", "").strip()
    if not reason:
        problems["rebase-reason"] = "Say why the process changed in that month"
    elif len(reason) > MAX_REASON_LENGTH:
        problems["rebase-reason"] = f"Shorten the reason to {MAX_REASON_LENGTH} characters or fewer"
    if not problems and month is not None:
        try:
            await run_records(
                request,
                lambda con: record_rebase(
                    con,
                    measure_id=measure.id,
                    area=force.name,
                    month=month,
                    reason=reason,
                    recorded_by=editor.email,
                ),
            )
        except RebaseError as exc:
            problems["rebase-month"] = str(exc)[0].upper() + str(exc)[1:]
        else:
            return _back_to_page(force, measure, period)
    return await _measure_page(
        request, who, force, measure, period, problems=problems, values=form, status_code=400
    )


async def withdraw_rebase_form(request: Request) -> Response:
    """An editor withdraws a recorded rebase of this measure and force, saying why."""
    who, form, editor, force, measure, period = await _editor_post(request)
    rebase_id: int = request.path_params["rebase_id"]
    recorded = await run_records(
        request,
        lambda con: rebase_records(con, measure_id=measure.id, area=force.name),
    )
    if not any(r.rebase_id == rebase_id for r in recorded):
        raise PageError(
            404,
            "Rebase not found",
            f"There is no rebase {rebase_id} in force for {measure.title} in {force.name}. "
            "It may have been withdrawn already; the measure page lists those in force.",
        )
    reason = form.get("reason", "").strip()
    problem = ""
    if not reason:
        problem = "Say why the rebase is withdrawn"
    elif len(reason) > MAX_REASON_LENGTH:
        problem = f"Shorten the reason to {MAX_REASON_LENGTH} characters or fewer"
    if not problem:
        try:
            await run_records(
                request,
                lambda con: withdraw_recorded_rebase(
                    con, rebase_id, withdrawn_by=editor.email, reason=reason
                ),
            )
        except RebaseError as exc:
            problem = str(exc)
        else:
            return _back_to_page(force, measure, period)
    return await _measure_page(
        request,
        who,
        force,
        measure,
        period,
        problems={f"withdraw-reason-{rebase_id}": problem},
        values={**form, "withdraw": str(rebase_id)},
        status_code=400,
    )


def _back_to_page(force: Force, measure: Measure, period: dt.date | None) -> Response:
    query = "" if period is None else f"?period={period:%Y-%m}"
    return RedirectResponse(
        f"/forces/{force.slug}/measures/{measure.id}{query}#month-by-month", status_code=303
    )


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
    local = request.app.state.settings.local_settings

    def render_svg(
        con: duckdb.DuckDBPyConnection, records: sqlite3.Connection, version: tuple[object, ...]
    ) -> str:
        view = measure_view(con, records, version, cache, measure, force, period, group, local)
        if view.chart is None:
            raise PageError(404, "No chart", view.no_chart_reason or "This measure has no chart.")
        return view.chart.to_svg()

    def svg(
        con: duckdb.DuckDBPyConnection, records: sqlite3.Connection, version: tuple[object, ...]
    ) -> str:
        key = ("svg", measure.id, force.slug, period)
        return cache.fetch(version, key, str, lambda: render_svg(con, records, version))

    return Response(await run_both(request, svg), media_type="image/svg+xml")


routes = [
    Route("/forces/{force}/measures/{measure_id}", measure_page),
    Route("/forces/{force}/measures/{measure_id}/chart.svg", chart_svg),
    Route("/forces/{force}/measures/{measure_id}/rebases", record_rebase_form, methods=["POST"]),
    Route(
        "/forces/{force}/measures/{measure_id}/rebases/{rebase_id:int}/withdraw",
        withdraw_rebase_form,
        methods=["POST"],
    ),
]
