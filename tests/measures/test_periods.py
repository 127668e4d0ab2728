"""Reporting periods, worked out by hand from the calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcestat.measures.periods import (
    Granularity,
    PeriodError,
    PeriodKind,
    financial_year,
    financial_year_of,
    financial_year_to_date,
    named_period,
    parse_month,
    period_ending,
    previous_year,
    quarter_ending,
    rolling_12_months,
    unanswerable_reason,
)

JUNE_2019 = dt.date(2019, 6, 1)
months = st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 1)).map(lambda d: d.replace(day=1))


def test_rolling_12_months_to_june_2019() -> None:
    p = rolling_12_months(JUNE_2019)
    assert (p.first_month, p.last_month) == (dt.date(2018, 7, 1), JUNE_2019)
    assert (p.period_start, p.period_end) == (dt.date(2018, 7, 1), dt.date(2019, 6, 30))
    assert p.label == "12 months to June 2019"
    assert p.month_count == 12 and p.months[0] == dt.date(2018, 7, 1)


def test_financial_year_to_date_starts_in_april() -> None:
    assert financial_year_to_date(JUNE_2019).months == (
        dt.date(2019, 4, 1),
        dt.date(2019, 5, 1),
        JUNE_2019,
    )
    # February 2019 is in 2018/19: April 2018 to February 2019, 11 months.
    feb = financial_year_to_date(dt.date(2019, 2, 1))
    assert (feb.first_month, feb.month_count, feb.label) == (
        dt.date(2018, 4, 1),
        11,
        "2018/19 to February 2019",
    )


def test_quarters_end_in_march_june_september_december() -> None:
    q = quarter_ending(JUNE_2019)
    assert (q.first_month, q.label) == (dt.date(2019, 4, 1), "Apr-June 2019 (2019/20 Q1)")
    assert quarter_ending(dt.date(2019, 3, 1)).label == "Jan-March 2019 (2018/19 Q4)"
    with pytest.raises(PeriodError, match="does not end a quarter"):
        quarter_ending(dt.date(2019, 5, 1))


def test_financial_years() -> None:
    fy = financial_year("2017/18")
    assert (fy.first_month, fy.last_month, fy.label) == (
        dt.date(2017, 4, 1),
        dt.date(2018, 3, 1),
        "2017/18",
    )
    assert financial_year_of(dt.date(2018, 3, 1)) == "2017/18"
    assert financial_year_of(dt.date(2018, 4, 1)) == "2018/19"
    assert financial_year("1999/00").last_month == dt.date(2000, 3, 1)
    with pytest.raises(PeriodError, match="not a financial year"):
        financial_year("2017/19")


def test_previous_year_keeps_the_kind() -> None:
    assert previous_year(rolling_12_months(JUNE_2019)).label == "12 months to June 2018"
    assert previous_year(financial_year("2017/18")).label == "2016/17"
    assert previous_year(quarter_ending(JUNE_2019)).label == "Apr-June 2018 (2018/19 Q1)"


def test_named_baselines() -> None:
    june = rolling_12_months(JUNE_2019)
    for text in ("year ending June 2019", "12 months to june 2019", "2019-06"):
        assert named_period(text) == june
    assert named_period("2017/18").months == rolling_12_months(dt.date(2018, 3, 1)).months
    with pytest.raises(PeriodError, match="'Juno' is not the name of a month"):
        named_period("year ending Juno 2019")
    with pytest.raises(PeriodError, match="not a period forcestat can read"):
        named_period("last summer")


def test_parse_month() -> None:
    assert parse_month("2019-06") == JUNE_2019
    for bad in ("2019-13", "June 2019", "2019-6"):
        with pytest.raises(PeriodError, match="YYYY-MM"):
            parse_month(bad)


def test_home_office_tables_answer_whole_quarters_only() -> None:
    quarterly = Granularity.FINANCIAL_QUARTERLY
    assert unanswerable_reason(rolling_12_months(JUNE_2019), quarterly) is None
    assert unanswerable_reason(financial_year_to_date(JUNE_2019), quarterly) is None
    why = unanswerable_reason(rolling_12_months(dt.date(2019, 5, 1)), quarterly)
    assert why is not None and "financial quarter" in why
    assert unanswerable_reason(rolling_12_months(dt.date(2019, 5, 1)), Granularity.MONTHLY) is None


def test_pooled_windows() -> None:
    p = rolling_12_months(JUNE_2019).extended_back(36)
    assert (p.first_month, p.month_count, p.label) == (
        dt.date(2016, 7, 1),
        36,
        "3 years to June 2019",
    )


@given(months)
def test_rolling_window_is_twelve_consecutive_months(end: dt.date) -> None:
    p = period_ending(PeriodKind.ROLLING_12_MONTHS, end)
    assert len(p.months) == 12 and p.months[-1] == end
    for a, b in zip(p.months, p.months[1:], strict=False):
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
    before = previous_year(p)
    assert before.last_month == end.replace(year=end.year - 1)
    assert before.month_count == 12


@given(months)
def test_financial_year_to_date_never_crosses_april(end: dt.date) -> None:
    p = financial_year_to_date(end)
    assert p.first_month.month == 4 and 1 <= p.month_count <= 12
    assert {financial_year_of(m) for m in p.months} == {financial_year_of(end)}


def test_financial_year_periods_end_in_march() -> None:
    fy = period_ending(PeriodKind.FINANCIAL_YEAR, dt.date(2018, 3, 1))
    assert (fy.first_month, fy.label) == (dt.date(2017, 4, 1), "2017/18")
    with pytest.raises(PeriodError, match="does not end a financial year"):
        period_ending(PeriodKind.FINANCIAL_YEAR, JUNE_2019)
