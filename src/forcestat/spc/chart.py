"""One chart for every output: the process behaviour chart of an ``SpcResult``.

``spc_chart`` builds a Vega-Lite specification (through Altair) that the dashboard
embeds as it is, and that ``SpcChart.to_svg`` renders to a static SVG for reports and
PDFs with vl-convert, offline: the data sit inside the specification and no URL may
be fetched. Colours and marker shapes come from ``forcestat.spc.palette``.

Example:
    >>> chart = spc_chart(result, title="All crime, City of London")  # doctest: +SKIP
    >>> Path("chart.svg").write_text(chart.to_svg())  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from typing import Any

import altair as alt
import vl_convert

from forcestat.spc.palette import (
    MEAN_LINE,
    POINT_STYLES,
    PROCESS_LIMIT_LINE,
    REBASE_LINE,
    TARGET_LINE,
    TWO_SIGMA_LINE,
    VALUE_LINE,
    LineStyle,
)
from forcestat.spc.sentences import format_figure, month_name, variation_sentence
from forcestat.spc.xmr import ChartType, SpcResult

__all__ = ["SpcChart", "accessible_svg", "spc_chart", "text_alternative"]


@dataclass(frozen=True)
class SpcChart:
    """A chart ready for any output: ``spec`` is Vega-Lite JSON (data inline);
    ``text_alternative`` describes it for readers who cannot see it."""

    title: str
    spec: dict[str, Any]
    text_alternative: str

    def to_json(self) -> str:
        """The Vega-Lite specification as JSON, keys sorted, for embedding."""
        return json.dumps(self.spec, sort_keys=True, indent=1)

    def to_svg(self) -> str:
        """A static SVG, rendered without network access."""
        version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
        svg: str = vl_convert.vegalite_to_svg(self.spec, vl_version=version, allowed_base_urls=[])
        return svg


def text_alternative(result: SpcResult, title: str) -> str:
    """A plain-text description of the chart: span, centre line, limits, special
    causes and the reading of the latest month."""
    first, last = result.points[0].month, result.latest.month
    segment = result.segments[-1]
    limits = segment.limits
    flagged = sum(1 for p in result.points if p.special_cause)
    parts = [
        f"Process behaviour chart: {title}.",
        f"Monthly values from {month_name(first)} to {month_name(last)} "
        f"({len(result.points)} months).",
        f"Since {month_name(segment.first_month)} the mean is {format_figure(limits.mean)} "
        f"with {_limits_words(result)}.",
        f"{flagged} of {len(result.points)} months show special cause variation."
        if flagged
        else "No month shows special cause variation.",
        variation_sentence(result),
    ]
    if len(result.segments) > 1:
        starts = ", ".join(month_name(s.first_month) for s in result.segments[1:])
        parts.append(f"Limits are recalculated from {starts}.")
    if result.options.target is not None:
        parts.append(f"The target is {format_figure(result.options.target)}.")
    return " ".join(parts)


def _limits_words(result: SpcResult) -> str:
    """The latest segment's limits in words. A lower limit below zero for a series that
    cannot go below zero (counts, rates) is said as such, not as a negative number."""
    limits = result.segments[-1].limits
    upper = format_figure(limits.upl).replace("-", "\u2212")  # a true minus sign
    # p and u limits follow each month's denominator: quote the latest month's.
    varying = "" if result.options.chart is ChartType.XMR else " in the latest month"
    if limits.lpl < 0 and all(p.value >= 0 for p in result.points):
        return f"an upper process limit of {upper}{varying} (the lower limit is below zero)"
    lower = format_figure(limits.lpl).replace("-", "\u2212")
    return f"process limits of {lower} to {upper}{varying}"


def _line_mark(style: LineStyle) -> dict[str, Any]:
    mark: dict[str, Any] = {"color": style.colour, "strokeWidth": style.width}
    if style.dash:
        mark["strokeDash"] = list(style.dash)
    return mark


def _rows(result: SpcResult) -> list[dict[str, Any]]:
    return [
        {
            "denominator": p.denominator,
            "month": p.month.isoformat(),
            "value": p.value,
            "segment": p.segment,
            "mean": p.mean,
            "lpl": p.lpl,
            "upl": p.upl,
            "lower_two_sigma": p.lower_two_sigma,
            "upper_two_sigma": p.upper_two_sigma,
            "point_type": POINT_STYLES[p.point_type].label,
            "rules": ", ".join(r.value for r in p.rules) or "none",
        }
        for p in result.points
    ]


def spc_chart(
    result: SpcResult,
    *,
    title: str,
    y_title: str = "Count",
    show_two_sigma: bool = False,
    width: int = 640,
    height: int = 320,
) -> SpcChart:
    """The process behaviour chart of ``result``: values, mean and process limits per
    segment, optional 2-sigma lines, special-cause points by colour and shape, a dotted
    line at each rebase, the target line, a title and a text alternative. The limits of
    a p or u chart change with each month's denominator; they are drawn as steps, each
    month's level held from halfway to the month before to halfway to the next."""
    alternative = text_alternative(result, title)
    base = alt.Chart(alt.InlineData(values=_rows(result)))
    x = alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y"))

    stepped: dict[str, Any] = {}
    if result.options.chart is not ChartType.XMR:
        stepped["interpolate"] = "step"

    def reference(field: str, style: LineStyle) -> alt.Chart:
        # One line per segment, so limits break at a rebase instead of joining across it.
        line: alt.Chart = base.mark_line(**(_line_mark(style) | stepped)).encode(
            x=x, y=alt.Y(f"{field}:Q"), detail="segment:N"
        )
        return line

    lines = [reference("mean", MEAN_LINE), reference("lpl", PROCESS_LIMIT_LINE)]
    lines.append(reference("upl", PROCESS_LIMIT_LINE))
    if show_two_sigma:
        lines.append(reference("lower_two_sigma", TWO_SIGMA_LINE))
        lines.append(reference("upper_two_sigma", TWO_SIGMA_LINE))
    present = {p.point_type for p in result.points}
    styles = [style for kind, style in POINT_STYLES.items() if kind in present]
    points = base.mark_point(filled=True, size=60, opacity=1).encode(
        x=x,
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color(
            "point_type:N",
            title=None,
            scale=alt.Scale(domain=[s.label for s in styles], range=[s.colour for s in styles]),
            legend=alt.Legend(orient="bottom"),
        ),
        shape=alt.Shape(
            "point_type:N",
            title=None,
            scale=alt.Scale(domain=[s.label for s in styles], range=[s.shape for s in styles]),
        ),
        tooltip=[
            alt.Tooltip("month:T", format="%B %Y"),
            alt.Tooltip("value:Q"),
            *([alt.Tooltip("denominator:Q")] if stepped else []),
            alt.Tooltip("point_type:N", title="variation"),
            alt.Tooltip("rules:N"),
        ],
    )
    layers: list[alt.Chart] = [
        *lines,
        base.mark_line(**_line_mark(VALUE_LINE)).encode(x=x, y="value:Q"),
        points,
    ]
    if result.options.target is not None:
        label = f"Target {format_figure(result.options.target)}"
        target = alt.Chart(
            alt.InlineData(values=[{"target": result.options.target, "label": label}])
        )
        layers.append(target.mark_rule(**_line_mark(TARGET_LINE)).encode(y="target:Q"))
        layers.append(
            target.mark_text(
                align="right", baseline="bottom", dy=-2, fontSize=10, color=TARGET_LINE.colour
            ).encode(x=alt.value(width), y="target:Q", text="label:N")
        )
    rebases = [
        {"month": s.first_month.isoformat(), "label": "Limits recalculated"}
        for s in result.segments[1:]
    ]
    if rebases:
        marks = alt.Chart(alt.InlineData(values=rebases))
        layers.append(marks.mark_rule(**_line_mark(REBASE_LINE)).encode(x="month:T"))
        layers.append(
            marks.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=10).encode(
                x="month:T", y=alt.value(0), text="label:N"
            )
        )
    chart = alt.layer(*layers).properties(
        title=title, width=width, height=height, description=alternative
    )
    return SpcChart(title=title, spec=chart.to_dict(), text_alternative=alternative)


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def accessible_svg(svg: str, key: str, title: str, description: str) -> str:
    """A chart's SVG to place inside an HTML page: no XML declaration, sized by the page
    (the view box keeps its proportions), ``role="img"`` with ``title`` and
    ``description`` as ``<title>`` and ``<desc>``. vl-convert escapes every text it
    writes and the two added here are escaped; ``key`` keeps ids on a page apart."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg.strip())
    opening = _SVG_OPEN.search(svg)
    if opening is None:  # vl-convert always writes one; refuse anything else
        raise ValueError("chart renderer returned no <svg> element")
    title_id, desc_id = f"{key}-title", f"{key}-desc"
    attributes = re.sub(r'\s(width|height)="[^"]*"', "", opening.group(1))
    head = (
        f'<svg{attributes} role="img" aria-labelledby="{title_id} {desc_id}" '
        'preserveAspectRatio="xMidYMid meet">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    return svg[: opening.start()] + head + svg[opening.end() :]
