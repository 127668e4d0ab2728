"""Plain-English readings of an SPC result, the way performance papers write them.

Deterministic templates over ``SpcResult`` (no language model, no locale): the same
result always reads the same. For example:

- "Residential burglary has been stable since April 2022 at around 1,100 a month;
  November 2024 was unusually high (above the upper process limit)."
- "A shift downwards began in July 2023 and continues (8 months to date; an improvement)."

Numbers "at around" are rounded to two significant figures; values and limits are
given to three.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence

from forcestat.months import month_label as month_name
from forcestat.spc.seasonality import SeasonalPattern
from forcestat.spc.xmr import (
    AssuranceType,
    ChartType,
    Direction,
    PointType,
    Polarity,
    Rule,
    SpcResult,
    SpecialCause,
)

__all__ = [
    "describe",
    "format_figure",
    "limits_sentence",
    "month_name",
    "month_span",
    "reading",
    "seasonality_sentence",
    "special_cause_clause",
    "variation_sentence",
]

_MONTHS = tuple(calendar.month_name[1:])  # English names: forcestat sets no locale

_VARIATION_WORDS = {
    PointType.COMMON_CAUSE: "common cause variation",
    PointType.IMPROVEMENT: "special cause variation: an improvement",
    PointType.CONCERN: "special cause variation: a concern",
    PointType.NEUTRAL_HIGH: "special cause variation, unusually high",
    PointType.NEUTRAL_LOW: "special cause variation, unusually low",
}


def month_span(months: Sequence[dt.date]) -> str:
    """Name consecutive months as a range ('April to June 2020', 'December 2020 to
    February 2021', 'April and May 2020'), others as a list ('September and November
    2021')."""
    first, last = months[0], months[-1]
    if len(months) == 1:
        return month_name(first)
    consecutive = (last.year - first.year) * 12 + last.month - first.month == len(months) - 1
    if not consecutive:
        names = [month_name(m) for m in months]
        if len({m.year for m in months}) == 1:
            names = [_MONTHS[m.month - 1] for m in months[:-1]] + [names[-1]]
        return ", ".join(names[:-1]) + " and " + names[-1]
    joiner = " and " if len(months) == 2 else " to "
    if first.year == last.year:
        return f"{_MONTHS[first.month - 1]}{joiner}{month_name(last)}"
    return f"{month_name(first)}{joiner}{month_name(last)}"


def format_figure(value: float, significant: int = 3) -> str:
    """``value`` to ``significant`` figures with thousands separators and no trailing
    zeros: 1087 -> '1,090', 1.9444 -> '1.94', 31.0 -> '31'. Never scientific notation."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = significant - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    if digits <= 0 or rounded == int(rounded):
        return f"{round(rounded):,}"
    return f"{rounded:,.{digits}f}".rstrip("0")


def _around(value: float) -> str:
    return format_figure(value, 2)


def _polarity_note(direction: Direction, polarity: Polarity) -> str:
    if polarity is Polarity.NEUTRAL:
        return ""
    better = Direction.UP if polarity is Polarity.HIGHER else Direction.DOWN
    return "an improvement" if direction is better else "a concern"


def _with_note(detail: str, note: str) -> str:
    return f" ({detail}; {note})" if note else f" ({detail})"


def special_cause_clause(cause: SpecialCause, result: SpcResult) -> str:
    """One special cause as a clause, e.g. 'a shift downwards began in July 2023 and
    continues (8 months to date; an improvement)'."""
    polarity = result.options.polarity
    note = _polarity_note(cause.direction, polarity)
    months = cause.months
    n = len(months)
    ongoing = cause.last_month == result.latest.month
    up = cause.direction is Direction.UP
    if cause.rule is Rule.OUTSIDE_LIMITS:
        verb = "was" if n == 1 else "were"
        where = "above the upper" if up else "below the lower"
        level = "high" if up else "low"
        detail = f"{where} process limit"
        return f"{month_span(months)} {verb} unusually {level}" + _with_note(detail, note)
    if cause.rule is Rule.TWO_OF_THREE:
        where = "upper" if up else "lower"
        verb = "was" if n == 1 else "were"
        detail = f"two of three months beyond the {where} 2-sigma line"
        return f"{month_span(months)} {verb} close to the {where} limit" + _with_note(detail, note)
    if cause.rule is Rule.SHIFT:
        what = f"a shift {'upwards' if up else 'downwards'}"
    else:
        what = f"a {'rising' if up else 'falling'} trend"
    start = month_name(cause.first_month)
    if ongoing:
        return f"{what} began in {start} and continues" + _with_note(f"{n} months to date", note)
    end = month_name(cause.last_month)
    return f"{what} began in {start} and ran to {end}" + _with_note(f"{n} months", note)


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def variation_sentence(result: SpcResult) -> str:
    """The reading of the variation icon: the latest month and what it shows."""
    latest = result.latest
    return _sentence(
        f"the latest month, {month_name(latest.month)}, at {format_figure(latest.value)}, "
        f"shows {_VARIATION_WORDS[result.variation]}"
    )


def _assurance_sentence(result: SpcResult) -> str | None:
    target = result.options.target
    if result.assurance is None or target is None:
        return None
    limits = result.segments[-1].limits
    between = f"process limits of {format_figure(limits.lpl)} to {format_figure(limits.upl)}"
    text = {
        AssuranceType.CONSISTENT_PASS: "will be met every month while the process stays as it is",
        AssuranceType.CONSISTENT_FAIL: "will not be met unless the process changes",
        AssuranceType.INCONSISTENT: "will be met in some months and missed in others",
    }[result.assurance]
    return _sentence(f"with {between}, the target of {format_figure(target)} {text}")


def limits_sentence(result: SpcResult) -> str | None:
    """How a p or u chart's limits were drawn: from each month's denominator, and
    whether Laney's sigma_Z widened them. None for an XmR chart."""
    chart = result.options.chart
    if chart is ChartType.XMR:
        return None
    kind = "a p-chart" if chart is ChartType.P else "a u-chart"
    size = "number of cases" if chart is ChartType.P else "exposure"
    text = f"The limits are {kind}'s, from each month's {size}"
    segment = result.segments[-1]
    if segment.laney and segment.sigma_z is not None:
        text += (
            f", widened by Laney's adjustment: the months vary {format_figure(segment.sigma_z)}"
            " times as much as sampling alone would make them"
        )
    return text + "."


def describe(
    result: SpcResult,
    *,
    name: str = "The series",
    unit: str = "a month",
    suggest_rebases: bool = True,
) -> tuple[str, ...]:
    """The reading of ``result`` as sentences: the current level, each special cause in
    date order, the latest month, the target, rebases, suggested rebases (unless the
    caller shows them its own way) and warnings."""
    latest_segment = result.segments[-1]
    mean = _around(latest_segment.limits.mean)
    since = month_name(latest_segment.first_month)
    in_latest = [c for c in result.special_causes if c.segment == latest_segment.index]
    sustained = [c for c in in_latest if c.rule in (Rule.SHIFT, Rule.TREND)]
    sentences: list[str] = []
    earlier = [c for c in result.special_causes if c.segment != latest_segment.index]
    sentences += [_sentence(special_cause_clause(c, result)) for c in earlier]
    if sustained:
        sentences.append(f"{name} has averaged around {mean} {unit} since {since}.")
        sentences += [_sentence(special_cause_clause(c, result)) for c in in_latest]
    else:
        lead = f"{name} has been stable since {since} at around {mean} {unit}"
        clauses = [special_cause_clause(c, result) for c in in_latest]
        sentences.append(_sentence("; ".join([lead, *clauses])))
    sentences.append(variation_sentence(result))
    if (assurance := _assurance_sentence(result)) is not None:
        sentences.append(assurance)
    if (limits := limits_sentence(result)) is not None:
        sentences.append(limits)
    for segment in result.segments:
        if segment.rebase is not None:
            rebase = segment.rebase
            sentences.append(
                _sentence(
                    f"the limits were recalculated from {month_name(segment.first_month)}: "
                    f"{rebase.reason} (recorded by {rebase.recorded_by} on "
                    f"{rebase.recorded_at:%Y-%m-%d})"
                )
            )
    for suggestion in result.suggested_rebases if suggest_rebases else ():
        start = month_name(suggestion.month)
        sentences.append(
            f"The shift from {start} suggests the process changed; if the cause is known, "
            f"consider recalculating the limits from {start}."
        )
    sentences += [_sentence(w) for w in result.warnings]
    return tuple(sentences)


def reading(result: SpcResult, *, name: str = "The series", unit: str = "a month") -> str:
    """``describe`` as one paragraph."""
    return " ".join(describe(result, name=name, unit=unit))


def _month_ranges(numbers: Sequence[int]) -> list[str]:
    """Calendar months as cyclic ranges: (1, 10, 11, 12) -> ['October to January']."""
    chosen = set(numbers)
    if len(chosen) == 12:
        return ["every month"]
    starts = [m for m in sorted(chosen) if (m - 2) % 12 + 1 not in chosen]
    ranges = []
    for start in starts:
        end = start
        while end % 12 + 1 in chosen:
            end = end % 12 + 1
        first, last = _MONTHS[start - 1], _MONTHS[end - 1]
        ranges.append(first if start == end else f"{first} to {last}")
    return ranges


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def seasonality_sentence(pattern: SeasonalPattern, *, name: str = "The series") -> str:
    """Which months run high or low, or that no stable month-of-year pattern was found."""
    p = "p < 0.001" if pattern.p_value < 0.001 else f"p = {pattern.p_value:.3f}"
    if not pattern.seasonal:
        return f"{name} shows no stable month-of-year pattern (F test by calendar month, {p})."
    parts = []
    if pattern.high_months:
        parts.append(f"above average in {_join(_month_ranges(pattern.high_months))}")
    if pattern.low_months:
        parts.append(f"below average in {_join(_month_ranges(pattern.low_months))}")
    if not parts:
        return (
            f"{name} has a small but regular month-of-year pattern (F test by calendar month, {p})."
        )
    return f"{name} runs {' and '.join(parts)}, a seasonal pattern (F test by calendar month, {p})."
