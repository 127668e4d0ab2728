"""How the dashboard words a measure's figures: values with units, changes with their
direction, and the latest month's variation, the same on the scorecard and the measure
page.

A change is judged against the measure's polarity only when the engine found it beyond
chance (95%); otherwise it is "within chance", whatever its sign, so a board member is
not told burglary is "down" when the fall is noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from forcestat.measures.catalogue import Measure, Polarity
from forcestat.measures.engine import MeasureRow
from forcestat.spc.rules import PointType
from forcestat.spc.sentences import format_figure

__all__ = [
    "Change",
    "Variation",
    "change_of",
    "unit_words",
    "value_text",
    "variation_of",
]

# GOV.UK tag colours, in the Making Data Count sense: blue improving, orange concerning.
_VARIATION = {
    PointType.COMMON_CAUSE: ("No significant change", "govuk-tag--grey"),
    PointType.IMPROVEMENT: ("Improving", "govuk-tag--blue"),
    PointType.CONCERN: ("Concerning", "govuk-tag--orange"),
    PointType.NEUTRAL_HIGH: ("Unusually high", "govuk-tag--purple"),
    PointType.NEUTRAL_LOW: ("Unusually low", "govuk-tag--purple"),
}


def unit_words(measure: Measure) -> str:
    """The unit as a reader says it."""
    if measure.unit.value == "count":
        return "searches" if measure.source.value == "policeuk_stop_search" else "offences"
    return {
        "rate_per_1000": "per 1,000 residents",
        "rate_per_100000": "per 100,000 residents",
        "rate_per_1000000": "per million residents",
        "proportion": "",  # the value carries its % sign
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


@dataclass(frozen=True)
class Change:
    """A change on the baseline as shown: ``signed`` ('-41.3%'), ``words`` ('41.3% lower
    than the 12 months to June 2019'), and a judgement ('Better', 'Worse', 'Within
    chance' or '') with its GOV.UK tag class."""

    signed: str
    words: str
    judgement: str
    tag_class: str

    @property
    def sentence(self) -> str:
        """``words`` as the start of a sentence."""
        return self.words[0].upper() + self.words[1:]


def change_of(measure: Measure, row: MeasureRow) -> Change | None:
    """The row's change on its baseline, or None when there is none."""
    # A proportion's change is in percentage points, never relative.
    points = row.change_points is not None
    change = row.change_points if row.change_points is not None else row.change_pct
    if change is None:
        return None
    pct = change
    size = f"{abs(pct):.1f} percentage points" if points else f"{abs(pct):.1f}%"
    against = f"the {row.baseline_period}" if row.baseline_period else "the baseline"
    if round(pct, 1) == 0:
        words = f"the same as {against}"
    else:
        words = f"{size} {'higher' if pct > 0 else 'lower'} than {against}"
    if row.change_beyond_chance is False:
        judgement, tag = "Within chance", "govuk-tag--grey"
    elif row.change_beyond_chance is None or measure.polarity is Polarity.NEUTRAL or pct == 0:
        judgement, tag = "", ""
    elif (pct < 0) == (measure.polarity is Polarity.LOWER):
        judgement, tag = "Better", "govuk-tag--green"
    else:
        judgement, tag = "Worse", "govuk-tag--red"
    return Change(f"{pct:+.1f} pp" if points else f"{pct:+.1f}%", words, judgement, tag)


@dataclass(frozen=True)
class Variation:
    """The latest month's SPC reading: words and a GOV.UK tag class."""

    words: str
    tag_class: str


def variation_of(point_type: PointType) -> Variation:
    """The latest month's variation, in words a board reads."""
    words, tag = _VARIATION[point_type]
    return Variation(words, tag)
