"""Charting a measure: its recorded rebases fitted to the series, SPC, and the reading."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from forcestat.measures.catalogue import PLAN_EXAMPLE, load_catalogue
from forcestat.measures.charting import chart_measure, chart_type
from forcestat.measures.series import Series
from forcestat.months import add_months
from forcestat.spc.xmr import ChartType, Polarity, Rebase, SpcError, SpcOptions

MONTHS = tuple(add_months(dt.date(2019, 1, 1), i) for i in range(24))
# 2019: 9, 11, 9, 11, ... (mean 10, every moving range 2); 2020: 19, 21, ... (mean 20).
VALUES = tuple(float((9 if i % 2 == 0 else 11) + (10 if i >= 12 else 0)) for i in range(24))
SERIES = Series(MONTHS, VALUES, "monthly")
BURGLARY = load_catalogue().get("burglary_policeuk")


def _rebase(month: dt.date, reason: str = "New recording practice") -> Rebase:
    return Rebase(month, reason, "analyst@opcc.example", dt.datetime(2021, 1, 5, 9, 0))


def test_a_recorded_rebase_splits_the_limits_where_it_was_recorded() -> None:
    chart = chart_measure(BURGLARY, SERIES, [_rebase(dt.date(2020, 1, 1))], name="Burglary")
    first, second = chart.spc.segments
    # Each segment's limits from its own points: mean +/- 2.66 x mean moving range (2).
    assert (first.first_month, first.last_month) == (dt.date(2019, 1, 1), dt.date(2019, 12, 1))
    assert first.limits.mean == pytest.approx(10.0)
    assert first.limits.upl == pytest.approx(10 + 2.66 * 2)
    assert first.limits.lpl == pytest.approx(10 - 2.66 * 2)
    assert second.limits.mean == pytest.approx(20.0)
    assert second.limits.upl == pytest.approx(20 + 2.66 * 2)
    assert chart.rebases == (_rebase(dt.date(2020, 1, 1)),)
    assert chart.left_out == ()
    # Lower is better for burglary, so the measure's polarity reaches the chart.
    assert chart.spc.options.polarity is Polarity.LOWER
    assert chart.sentences and all(s.endswith(".") for s in chart.sentences)


def test_a_rebase_the_chart_cannot_draw_is_left_out_with_the_reason() -> None:
    too_early = _rebase(dt.date(2019, 2, 1))  # one month before it: a segment needs two
    before_the_chart = _rebase(dt.date(2018, 6, 1))
    chart = chart_measure(BURGLARY, SERIES, [too_early, before_the_chart], name="Burglary")
    assert chart.rebases == ()
    assert len(chart.spc.segments) == 1
    assert chart.spc.segments[0].limits.mean == pytest.approx(15.0)  # all 24 points
    assert chart.left_out == (
        "The rebase from February 2019 is not drawn: it would leave fewer than 2 months before it.",
    )


def test_options_given_by_the_caller_are_kept_beside_the_recorded_rebases() -> None:
    extra = _rebase(dt.date(2019, 7, 1), "Asked for on the command line")
    options = SpcOptions(polarity=Polarity.HIGHER, target=12.0, rebases=(extra,))
    chart = chart_measure(
        BURGLARY, SERIES, [_rebase(dt.date(2020, 1, 1))], name="Burglary", options=options
    )
    assert [s.first_month for s in chart.spc.segments] == [
        dt.date(2019, 1, 1),
        dt.date(2019, 7, 1),
        dt.date(2020, 1, 1),
    ]
    assert chart.spc.options.polarity is Polarity.HIGHER
    assert chart.spc.options.target == 12.0


def test_a_series_too_short_to_chart_is_refused() -> None:
    with pytest.raises(SpcError):
        chart_measure(BURGLARY, Series(MONTHS[:1], VALUES[:1], "monthly"), [], name="Burglary")


# ---- which chart a measure gets ----------------------------------------------------------

PLAN = load_catalogue(PLAN_EXAMPLE)
SHARE = PLAN.get("stop_search_positive_outcome_rate")  # a proportion
RATE = PLAN.get("stop_search_rate")  # a rate per 1,000 residents
TWELVE = MONTHS[:12]
# 30 of 100 searches positive, then 40 of 100, in turn: 35% overall.
POSITIVE, SEARCHES = (30.0, 40.0) * 6, (100.0,) * 12
SHARE_SERIES = Series(TWELVE, (30.0, 40.0) * 6, "monthly", POSITIVE, SEARCHES)


def test_a_proportion_with_denominators_gets_a_p_chart_in_per_cent() -> None:
    assert chart_type(SHARE, SHARE_SERIES) is ChartType.P
    chart = chart_measure(SHARE, SHARE_SERIES, [], name="Positive outcomes")
    assert chart.spc.options.chart is ChartType.P
    # p-bar = 420 / 1200 = 0.35, shown as 35 per cent; a month of 100 searches has
    # limits 35 +/- 3 x 100 x sqrt(0.35 x 0.65 / 100) = 35 +/- 14.309.
    assert chart.spc.segments[0].limits.mean == 35.0
    assert chart.spc.points[0].value == 30.0
    assert chart.spc.points[0].upl == pytest.approx(35 + 300 * math.sqrt(0.35 * 0.65 / 100))
    assert (chart.spc.points[0].numerator, chart.spc.points[0].denominator) == (30.0, 100.0)
    assert "Positive outcomes has been stable since January 2019 at around 35 per cent." in (
        chart.sentences
    )


def test_a_rate_with_residents_gets_a_u_chart_per_thousand() -> None:
    # 12 and 18 searches a month among 10,000 residents: u-bar = 180 / 120,000, or 1.5
    # per 1,000; limits 1.5 +/- 3 x 1,000 x sqrt(0.0015 / 10,000) = 1.5 +/- 1.1619.
    series = Series(TWELVE, (1.2, 1.8) * 6, "monthly", (12.0, 18.0) * 6, (10_000.0,) * 12)
    chart = chart_measure(RATE, series, [], name="Searches")
    assert chart.spc.options.chart is ChartType.U
    assert chart.spc.options.per == 1000
    assert chart.spc.segments[0].limits.mean == 1.5
    assert chart.spc.points[1].upl == pytest.approx(1.5 + 3000 * math.sqrt(0.0015 / 10_000))
    assert chart.sentences[0] == (
        "Searches has been stable since January 2019 at around 1.5 per 1,000 residents a month."
    )


def test_counts_and_series_without_denominators_keep_the_xmr_chart() -> None:
    assert chart_type(BURGLARY, SERIES) is ChartType.XMR
    bare = Series(TWELVE, (30.0, 40.0) * 6, "monthly")
    assert chart_type(SHARE, bare) is ChartType.XMR
    assert chart_measure(SHARE, bare, [], name="Share").spc.options.chart is ChartType.XMR
    with pytest.raises(SpcError, match="has no monthly denominators"):
        chart_measure(SHARE, bare, [], name="Share", chart=ChartType.P)


def test_a_caller_may_chart_a_proportion_as_xmr() -> None:
    chart = chart_measure(SHARE, SHARE_SERIES, [], name="Share", chart=ChartType.XMR)
    # The XmR chart of the percentages: mean 35, every moving range 10, 35 +/- 26.6.
    assert chart.spc.options.chart is ChartType.XMR
    assert chart.spc.segments[0].limits.upl == 61.6
