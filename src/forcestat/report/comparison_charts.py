"""Charts of one rate across every force: ranked bars and a funnel plot, as SVG with a
text alternative.

- **Ranked bars**: every force with a figure, highest first; the report's force and its
  most similar forces marked by colour and by a word in the label (so the marking reads
  in greyscale); England and Wales as a rule.
- **Funnel plot**: each force's rate against its population, with the England and Wales
  rate and the 95% and 99.8% Poisson limits a force of that size would fall within by
  chance alone. A rank alone says nothing of chance; a force outside the outer funnel
  is unlikely to differ from the national rate by chance.

Compute never draws: the figures come from ``forcestat.measures.comparators``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import vl_convert

from forcestat.report.context import ComparisonChart
from forcestat.report.figures import format_shown, unit_label

__all__ = ["DrawnComparison", "draw_comparison", "text_alternative"]

# Okabe-Ito: the force, its group, everyone else; the national line.
_FORCE, _GROUP, _OTHER, _NATIONAL = "#D55E00", "#0072B2", "#BBBBBB", "#000000"


@dataclass(frozen=True)
class DrawnComparison:
    svg: str
    text_alternative: str


def _shown(value: float, unit: str) -> str:
    return format_shown(value * 100 if unit == "proportion" else value, unit)


def _with_unit(value: float, unit: str) -> str:
    label = unit_label(unit)
    return f"{_shown(value, unit)}{'%' if unit == 'proportion' else ' ' + label}"


def _role(chart: ComparisonChart, force: str) -> str:
    c = chart.comparison
    if force == c.force:
        return "This force"
    return "Most similar" if force in c.group else "Other forces"


def text_alternative(chart: ComparisonChart) -> str:
    """What the chart shows, in words: the order, the force's place, the group, the
    national figure and (for a funnel) which forces lie outside the limits."""
    c = chart.comparison
    unit = c.unit
    own = f"{c.force} is {c.rank_words}" if c.rank_words else f"{c.force} has no figure"
    if chart.kind == "ranked":
        top = ", ".join(f"{p.force} {_shown(p.value or 0, unit)}" for p in c.points[:3])
        bottom = ", ".join(f"{p.force} {_shown(p.value or 0, unit)}" for p in c.points[-3:])
        text = (
            f"Bar chart of {chart.measure_title.lower()} ({unit_label(unit) or unit}) for "
            f"{len(c.points)} forces, highest first. Highest: {top}. Lowest: {bottom}. "
            f"{own}, at {_with_unit(c.force_value or 0, unit)}."
        )
        if c.group:
            text += f" Its most similar forces, marked: {', '.join(c.group)}."
    else:
        outside_high, outside_low = _outside(chart)
        text = (
            f"Funnel plot of {chart.measure_title.lower()} against population for "
            f"{len(c.points)} forces, with limits around the England and Wales rate within "
            "which a force of each size would fall 95% and 99.8% of the time by chance. "
            f"{own}. "
        )
        text += (
            f"Above the 99.8% limit: {', '.join(outside_high)}. "
            if outside_high
            else "No force is above the 99.8% limit. "
        )
        text += (
            f"Below it: {', '.join(outside_low)}."
            if outside_low
            else "No force is below the 99.8% limit."
        )
    if c.national_value is not None:
        text += f" England and Wales: {_with_unit(c.national_value, unit)}."
    if c.without_value:
        text += f" No figure for {', '.join(c.without_value)}."
    return text


def _limits_at(chart: ComparisonChart, population: float) -> tuple[float, float] | None:
    """The outer (99.8%) limits at the nearest drawn population at or above it."""
    for point in chart.limits:
        if point.population >= population * (1 - 1e-9):
            return point.limits[-1]
    return chart.limits[-1].limits[-1] if chart.limits else None


def _outside(chart: ComparisonChart) -> tuple[list[str], list[str]]:
    high, low = [], []
    for p in chart.comparison.points:
        if p.denominator and p.value is not None:
            limits = _limits_at(chart, p.denominator)
            if limits is None:
                continue
            if p.value > limits[1]:
                high.append(p.force)
            elif p.value < limits[0]:
                low.append(p.force)
    return high, low


def _ranked_spec(chart: ComparisonChart) -> Any:
    c = chart.comparison
    scale = 100 if c.unit == "proportion" else 1
    rows = [
        {
            "force": p.force + (" (this force)" if p.force == c.force else ""),
            "value": (p.value or 0) * scale,
            "role": _role(chart, p.force),
        }
        for p in c.points
    ]
    order = [str(r["force"]) for r in rows]
    bars = (
        alt.Chart(alt.InlineData(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("force:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("value:Q", title=unit_label(c.unit) or "count"),
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(
                    domain=["This force", "Most similar", "Other forces"],
                    range=[_FORCE, _GROUP, _OTHER],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
        )
    )
    layers: list[Any] = [bars]
    if c.national_value is not None:
        layers.append(
            alt.Chart(alt.InlineData(values=[{"value": c.national_value * scale}]))
            .mark_rule(color=_NATIONAL, strokeDash=[4, 3])
            .encode(x="value:Q")
        )
    return alt.layer(*layers).properties(
        width=420, height=max(200, 11 * len(rows)), title=chart.title
    )


def _funnel_spec(chart: ComparisonChart) -> Any:
    c = chart.comparison
    points = [
        {
            "force": p.force,
            "population": p.denominator,
            "value": p.value,
            "role": _role(chart, p.force),
        }
        for p in c.points
        if p.denominator
    ]
    lines = []
    for point in chart.limits:
        for (low, high), name in zip(point.limits, ("95%", "99.8%"), strict=True):
            lines.append({"population": point.population, "limit": low, "band": f"{name} low"})
            lines.append({"population": point.population, "limit": high, "band": f"{name} high"})
    x = alt.X("population:Q", title="Residents", scale=alt.Scale(type="log"))
    funnel = (
        alt.Chart(alt.InlineData(values=lines))
        .mark_line(color="#555555", strokeWidth=1)
        .encode(
            x=x,
            y=alt.Y("limit:Q", title=unit_label(c.unit)),
            detail="band:N",
            strokeDash=alt.StrokeDash(
                "band:N",
                legend=None,
                scale=alt.Scale(
                    domain=["95% low", "95% high", "99.8% low", "99.8% high"],
                    range=[[4, 3], [4, 3], [1, 0], [1, 0]],
                ),
            ),
        )
    )
    national = (
        alt.Chart(alt.InlineData(values=[{"value": c.national_value}]))
        .mark_rule(color=_NATIONAL)
        .encode(y="value:Q")
    )
    dots = (
        alt.Chart(alt.InlineData(values=points))
        .mark_point(filled=True, size=40)
        .encode(
            x=x,
            y="value:Q",
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(
                    domain=["This force", "Most similar", "Other forces"],
                    range=[_FORCE, _GROUP, "#777777"],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape(
                "role:N",
                scale=alt.Scale(
                    domain=["This force", "Most similar", "Other forces"],
                    range=["diamond", "square", "circle"],
                ),
                legend=None,
            ),
        )
    )
    labels = (
        alt.Chart(alt.InlineData(values=[p for p in points if p["role"] == "This force"]))
        .mark_text(align="left", dx=7, fontSize=10)
        .encode(x=x, y="value:Q", text="force:N")
    )
    return alt.layer(funnel, national, dots, labels).properties(
        width=420, height=260, title=chart.title
    )


def draw_comparison(chart: ComparisonChart, font: str) -> DrawnComparison:
    """The chart as SVG text (vl-convert escapes every text it writes) and its words."""
    spec = _ranked_spec(chart) if chart.kind == "ranked" else _funnel_spec(chart)
    data = spec.to_dict()
    data["config"] = {**data.get("config", {}), "font": font}
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    svg: str = vl_convert.vegalite_to_svg(data, vl_version=version, allowed_base_urls=[])
    return DrawnComparison(svg, text_alternative(chart))
