"""The report as one self-contained HTML file: nothing is fetched when it is opened.

Jinja2 renders ``templates/report.html.j2`` from the typed ``ReportContext`` with
autoescaping on, so a force name or a policing body's wording reaches the page as
text, never as markup. Styles, the typeface (base64 ``@font-face``), the logo (a data
URI), the charts (inline SVG with ``<title>`` and ``<desc>``) and the small script that
makes the scorecard sortable are all inside the file. A Content Security Policy allows
nothing else, so the page cannot reach the network even by mistake; every number is in
the HTML itself, so it reads the same with scripts off.

Example:
    >>> Path("report.html").write_text(render_html(context), encoding="utf-8")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import math
from functools import cache

import vl_convert
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from forcestat.measures.history import history_chart
from forcestat.report.branding import Colours
from forcestat.report.comparison_charts import draw_comparison
from forcestat.report.context import (
    CellValue,
    ColumnKind,
    ComparisonChart,
    HistoryChart,
    ReportContext,
    SeriesChart,
)
from forcestat.report.figures import (
    format_change_pct,
    format_count,
    format_shown,
    format_value,
    unit_label,
)
from forcestat.report.fonts import FAMILY, embedded_fonts, find_font_file
from forcestat.report.icons import assurance_icon, sparkline, variation_icon
from forcestat.report.narrative import capitalised, join_names, points_clause
from forcestat.report.plan_delivery import long_date
from forcestat.report.tables import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    assurance_words,
    target_words,
    variation_words,
)
from forcestat.spc.chart import SpcChart, accessible_svg, spc_chart
from forcestat.spc.sentences import month_name
from forcestat.spc.xmr import SpcResult

__all__ = ["CHART_FONT", "draw_chart", "format_cell", "render_html", "sort_script", "stylesheet"]

# The family vl-convert measures chart text in: the same faces the page embeds.
CHART_FONT = "DejaVu Sans"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("forcestat.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        cell=format_cell,
        value=_value,
        change=_change,
        points=points_clause,
        count=format_count,
        unit_label=unit_label,
        month=month_name,
        sort_value=_sort_value,
        breakable=_breakable,
        capitalised=capitalised,
        long_date=long_date,
    )
    env.globals.update(
        zip=zip,
        variation_icon=variation_icon,
        assurance_icon=assurance_icon,
        sparkline=sparkline,
        id=id,
        variation_words=VARIATION_WORDS,
        assurance_words=ASSURANCE_WORDS,
        join_names=join_names,
        target_words=target_words,
        row_variation_words=variation_words,
        row_assurance_words=assurance_words,
    )
    return env


def _value(value: float | None, unit: str) -> str:
    return "—" if value is None else format_value(value, unit)


def _change(value: float | None) -> str:
    return "—" if value is None else format_change_pct(value)


def format_cell(value: CellValue, kind: ColumnKind, unit: str | None = None) -> str:
    """A table cell as the page shows it ('—' for a value the data cannot give). A
    VALUE cell is rounded as its ``unit`` is everywhere in the report."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind is ColumnKind.COUNT:
        return format_count(value)
    if kind is ColumnKind.PERCENT:
        return f"{value:.1f}%"
    if kind is ColumnKind.CHANGE_PERCENT:
        return format_change_pct(value)
    if kind is ColumnKind.RANK:
        return str(int(value))
    return format_shown(float(value), unit)


def _breakable(text: CellValue) -> Markup:
    """An identifier that may wrap after its underscores (and nowhere else)."""
    return Markup("_<wbr>").join(escape(str(text)).split("_"))


def _reading(chart: SeriesChart, text_alternative: str) -> str:
    """The chart's reading without the sentences its text alternative already gives."""
    return " ".join(s for s in chart.reading if s not in text_alternative)


def _sort_value(value: CellValue) -> str:
    """What the sorting script compares: the raw number, or the text."""
    if isinstance(value, int | float) and math.isfinite(value):
        return repr(float(value))
    return "" if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class _DrawnChart:
    svg: Markup
    text_alternative: str
    reading: str  # the sentences of the chart's reading the text alternative lacks


def _draw(chart: SeriesChart, index: int) -> _DrawnChart:
    """The chart as inline SVG, titled and described for assistive technology.

    vl-convert escapes every text it writes; the title and description added here are
    escaped too. ``index`` keeps the ids of several charts on one page apart.
    """
    # A count or rate cannot fall below zero: a lower limit below it is drawn at zero.
    result, floored = _floored_at_zero(chart.spc)
    # Drawn small and scaled up to the page, so that its labels stay legible in print.
    drawn: SpcChart = spc_chart(
        result, title=chart.title, y_title=chart.y_title, width=500, height=240
    )
    config = {**drawn.spec.get("config", {}), "font": CHART_FONT}
    svg = dataclasses.replace(drawn, spec={**drawn.spec, "config": config}).to_svg()
    reading = _reading(chart, drawn.text_alternative)
    if floored:
        reading = f"{reading} {ZERO_FLOOR_NOTE}".strip()
    return _DrawnChart(
        _accessible(svg, f"chart-{index}", chart.title, drawn.text_alternative),
        drawn.text_alternative,
        reading,
    )


ZERO_FLOOR_NOTE = (
    "The lower process limit works out below zero; no month can be below zero, so it is "
    "drawn at zero."
)


def _floored_at_zero(result: SpcResult) -> tuple[SpcResult, bool]:
    """The result as drawn: lower limits below zero raised to zero when no value is
    negative (a count or a rate). The limits themselves, and the words, are unchanged."""
    if any(p.value < 0 for p in result.points) or all(p.lpl >= 0 for p in result.points):
        return result, False
    points = tuple(
        dataclasses.replace(p, lpl=max(p.lpl, 0.0), lower_two_sigma=max(p.lower_two_sigma, 0.0))
        for p in result.points
    )
    return dataclasses.replace(result, points=points), True


def _accessible(svg: str, key: str, title: str, description: str) -> Markup:
    """SVG titled and described for assistive technology, sized by the page."""
    return Markup(accessible_svg(svg, key, title, description))


@dataclasses.dataclass(frozen=True)
class _DrawnComparison:
    svg: Markup
    text_alternative: str


def _draw_comparison(chart: ComparisonChart, index: int) -> _DrawnComparison:
    drawn = draw_comparison(chart, CHART_FONT)
    return _DrawnComparison(
        _accessible(drawn.svg, f"comparison-{index}", chart.title, drawn.text_alternative),
        drawn.text_alternative,
    )


@dataclasses.dataclass(frozen=True)
class _DrawnHistory:
    svg: Markup
    caption: str  # what a point is, and why no process limits
    text_alternative: str


def _draw_history(chart: HistoryChart, index: int) -> _DrawnHistory:
    drawn = history_chart(chart.points, chart.title)
    # vl-convert escapes every text it writes; the title and description it adds too.
    svg = Markup(drawn.to_inline_svg(f"history-{index}", CHART_FONT))
    return _DrawnHistory(svg, drawn.caption, drawn.text_alternative)


@cache
def _register_chart_font() -> None:
    # vl-convert measures text with the faces it knows; give it the report's.
    vl_convert.register_font_directory(str(find_font_file("DejaVuSans.ttf").parent))


@cache
def sort_script() -> str:
    """The scorecard's sorting script, as it is inlined (its hash goes in the CSP)."""
    return _environment().loader.get_source(_environment(), "sort.js")[0]  # type: ignore[union-attr]


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def draw_chart(chart: SeriesChart, index: int) -> _DrawnChart:
    """A chart as the report draws it (inline SVG with its text alternative), for
    other documents in the report's style; ``index`` keeps ids apart on one page."""
    _register_chart_font()
    return _draw(chart, index)


def stylesheet(colours: Colours, *, draft: bool = False) -> Markup:
    """The report's style sheet in a policing body's colours, for other documents;
    ``draft`` marks every printed page "Draft"."""
    css = (
        _environment()
        .get_template("report.css.j2")
        .render(colours=colours, fonts=embedded_fonts(), family=FAMILY, draft=draft)
    )
    # Nothing user-written reaches the style sheet (colours are checked as #RRGGBB),
    # but never let it close its element early.
    return Markup(css.replace("</", "<\\/"))


def render_html(context: ReportContext) -> str:
    """The whole report as one HTML document (a str; write it as UTF-8)."""
    _register_chart_font()
    script = sort_script()
    charts = [chart for section in context.sections for chart in section.charts]
    drawn: dict[int, _DrawnChart | _DrawnComparison | _DrawnHistory] = {
        id(chart): _draw(chart, index) for index, chart in enumerate(charts)
    }
    compared = [c for section in context.sections for c in section.comparison_charts]
    drawn.update({id(c): _draw_comparison(c, i) for i, c in enumerate(compared)})
    long_run = [c for section in context.sections for c in section.history_charts]
    drawn.update({id(c): _draw_history(c, i) for i, c in enumerate(long_run)})
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=context,
            stylesheet=stylesheet(context.branding.colours, draft=context.publication is None),
            script=Markup(script),
            csp=_csp(script),
            drawn=drawn,
        )
    )
