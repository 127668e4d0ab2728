"""The long-run chart of published rolling 12-month totals: a line, no process limits.

The Home Office and the ONS publish each force's offences as rolling 12-month totals at
every quarter end (at year ends before 2007). Totals a quarter apart share nine of their
twelve months, so neighbouring points move together and are not independent: an XmR
chart's limits and run rules would find "signals" the overlap alone makes. So the series
is drawn as it is published, a plain line, and the caption says why there are no limits.

Like ``forcestat.spc.chart``, the chart is a Vega-Lite specification (through Altair)
rendered to SVG offline by vl-convert, with the data inline; the colours come from
``forcestat.spc.palette``. The text alternative gives the span, the first and last
totals and the highest and lowest with their periods, so the chart can be read without
being seen.

Example:
    >>> chart = long_run_chart(ends, totals, title="Robbery, West Midlands")  # doctest: +SKIP
    >>> chart.to_inline_svg("history-1")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import altair as alt
import vl_convert

from forcestat.months import month_label as month_name
from forcestat.spc.chart import accessible_svg
from forcestat.spc.model import SpcError
from forcestat.spc.palette import LATEST_POINT, LONG_RUN_LINE

__all__ = [
    "LongRunChart",
    "long_run_caption",
    "long_run_chart",
    "long_run_text_alternative",
    "whole",
]


def whole(value: float) -> str:
    """A published total as printed: whole, with thousands separators ('8,755')."""
    return f"{round(value):,}"


def _year(end: dt.date) -> str:
    return f"the 12 months to {month_name(end)}"


@dataclass(frozen=True)
class LongRunChart:
    """A long-run chart ready for any output: ``spec`` is Vega-Lite JSON (data inline);
    ``text_alternative`` describes it; ``caption`` says what a point is and why there
    are no process limits."""

    title: str
    spec: dict[str, Any]
    text_alternative: str
    caption: str

    def to_json(self) -> str:
        """The Vega-Lite specification as JSON, keys sorted, for embedding."""
        return json.dumps(self.spec, sort_keys=True, indent=1)

    def to_svg(self, font: str | None = None) -> str:
        """A static SVG, rendered without network access; ``font`` sets the family
        its text is measured and written in (vl-convert's default otherwise)."""
        spec = self.spec
        if font is not None:
            spec = {**spec, "config": {**spec.get("config", {}), "font": font}}
        version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
        svg: str = vl_convert.vegalite_to_svg(spec, vl_version=version, allowed_base_urls=[])
        return svg

    def to_inline_svg(self, key: str, font: str | None = None) -> str:
        """The SVG to place inside an HTML page: no XML declaration, sized by the page
        (the view box keeps its proportions), ``role="img"`` with the title and the text
        alternative as ``<title>`` and ``<desc>``. vl-convert escapes every text it
        writes and the two added here are escaped; ``key`` keeps ids on a page apart."""
        return accessible_svg(self.to_svg(font), key, self.title, self.text_alternative)


def _checked(ends: Sequence[dt.date], values: Sequence[float]) -> None:
    if not ends:
        raise SpcError("a long-run chart needs at least one published total")
    if len(ends) != len(values):
        raise SpcError(f"{len(ends)} period ends but {len(values)} totals")
    if any(b <= a for a, b in pairwise(ends)):
        raise SpcError("period ends must be in order, oldest first, each once")


def _months_apart(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def long_run_caption(ends: Sequence[dt.date]) -> str:
    """What a point is (year ends, then quarter ends, as published), the quarter ends
    with no total loaded, and why no process limits are drawn."""
    _checked(ends, [0.0] * len(ends))
    steps = [_months_apart(a, b) for a, b in pairwise(ends)]
    quarterly = next((i for i, step in enumerate(steps) if step == 3), None)
    if quarterly is None:
        when = "a 12-month total as published"
    elif quarterly == 0:
        when = "a 12-month total as published at a quarter end"
    else:
        earlier = "each year end" if all(s == 12 for s in steps[:quarterly]) else "period ends"
        when = (
            f"a 12-month total as published: at {earlier} from {month_name(ends[0])}, then "
            f"at each quarter end from {month_name(ends[quarterly])}"
        )
    text = f"Each point is {when}."
    if quarterly is not None:
        missing = sum(step // 3 - 1 for step in steps[quarterly:] if step > 3)
        if missing:
            ends_word = "quarter end has" if missing == 1 else "quarter ends have"
            text += (
                f" {missing} later {ends_word} no total loaded; the line joins the totals "
                "either side."
            )
    return (
        f"{text} Totals a quarter apart overlap by nine months, so neighbouring points are "
        "not independent: the series is shown as published, without process limits."
    )


def long_run_text_alternative(ends: Sequence[dt.date], values: Sequence[float], title: str) -> str:
    """The chart in words: the span, the first and last totals, the highest and the
    lowest with their periods (the earliest period when a value recurs)."""
    _checked(ends, values)
    points = list(zip(ends, values, strict=True))
    high = max(points, key=lambda p: p[1])  # max/min keep the first of equals
    low = min(points, key=lambda p: p[1])
    (first, v_first), (last, v_last) = points[0], points[-1]
    return (
        f"Line chart: {title}. {len(points)} rolling 12-month totals, from "
        f"{whole(v_first)} in {_year(first)} to {whole(v_last)} in {_year(last)}. "
        f"Highest: {whole(high[1])} in {_year(high[0])}. "
        f"Lowest: {whole(low[1])} in {_year(low[0])}. "
        "No process limits: the totals overlap."
    )


def _line_mark(colour: str, width: float) -> dict[str, Any]:
    return {"color": colour, "strokeWidth": width}


def long_run_chart(
    ends: Sequence[dt.date],
    values: Sequence[float],
    *,
    title: str,
    y_title: str = "Offences in 12 months",
    sources: Sequence[str] = (),
    width: int = 640,
    height: int = 260,
) -> LongRunChart:
    """The published totals as a line, oldest first, the latest point marked and
    labelled with its value; the y axis starts at zero. ``ends`` are the first days of
    the periods' last months; ``sources`` (optional, one per point) go in the tooltips.
    Raises ``SpcError`` for no points, mismatched lengths or unordered ends."""
    _checked(ends, values)
    if sources and len(sources) != len(ends):
        raise SpcError(f"{len(ends)} period ends but {len(sources)} sources")
    rows = [
        {
            "period_end": end.isoformat(),
            "total": value,
            "label": whole(value),
            "source": sources[i] if sources else "",
        }
        for i, (end, value) in enumerate(zip(ends, values, strict=True))
    ]
    alternative = long_run_text_alternative(ends, values, title)
    # One labelled tick a year, or every few years on a long run: at most ten.
    step = max(1, -(-(ends[-1].year - ends[0].year) // 10))
    x = alt.X(
        "period_end:T",
        title="12 months to",
        axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": step}),
    )
    y = alt.Y("total:Q", title=y_title, scale=alt.Scale(zero=True))
    base = alt.Chart(alt.InlineData(values=rows))
    tooltip = [
        alt.Tooltip("period_end:T", title="12 months to", format="%B %Y"),
        alt.Tooltip("total:Q", title="Offences", format=","),
        *([alt.Tooltip("source:N", title="Source")] if sources else []),
    ]
    line = base.mark_line(**_line_mark(LONG_RUN_LINE.colour, LONG_RUN_LINE.width)).encode(x=x, y=y)
    dots = base.mark_point(filled=True, size=18, color=LONG_RUN_LINE.colour, opacity=1).encode(
        x=x, y=y, tooltip=tooltip
    )
    latest = alt.Chart(alt.InlineData(values=rows[-1:]))
    marked = latest.mark_point(
        filled=True, size=70, shape=LATEST_POINT.shape, color=LATEST_POINT.colour, opacity=1
    ).encode(x=x, y=y, tooltip=tooltip)
    label = latest.mark_text(
        align="right", baseline="bottom", dx=-6, dy=-6, fontSize=11, color=LATEST_POINT.colour
    ).encode(x=x, y=y, text="label:N")
    chart = alt.layer(line, dots, marked, label).properties(
        title=title, width=width, height=height, description=alternative
    )
    return LongRunChart(
        title=title,
        spec=chart.to_dict(),
        text_alternative=alternative,
        caption=long_run_caption(ends),
    )
