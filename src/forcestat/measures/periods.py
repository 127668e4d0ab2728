"""Reporting periods: rolling 12 months, financial year to date, quarters, baselines.

A period is a run of whole calendar months, ``first_month`` to ``last_month`` (each the
first day of its month). The financial year runs April to March ("2017/18" is April
2017 to March 2018); its quarters are April-June (Q1) to January-March (Q4).

Sources publish at different grains. police.uk is monthly, so it answers any period.
The Home Office recorded-crime tables are quarterly by financial year, so they answer
only periods made of whole financial quarters; ``unanswerable_reason`` says why any
other period cannot be answered rather than guessing at part of a quarter.

Example:
    >>> rolling_12_months(parse_month("2019-06")).label
    '12 months to June 2019'
    >>> named_period("year ending June 2019") == rolling_12_months(dt.date(2019, 6, 1))
    True
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from forcestat.errors import ForcestatError
from forcestat.months import add_months, month_label

__all__ = [
    "Granularity",
    "Period",
    "PeriodError",
    "PeriodKind",
    "financial_year",
    "financial_year_of",
    "financial_year_to_date",
    "named_period",
    "parse_month",
    "period_ending",
    "previous_year",
    "quarter_ending",
    "rolling_12_months",
    "unanswerable_reason",
]

_MONTHS = tuple(calendar.month_name[1:])


class PeriodError(ForcestatError):
    """A period that cannot be read, or that a source cannot answer."""


class PeriodKind(StrEnum):
    """How a measure's reporting period is drawn back from its end month."""

    ROLLING_12_MONTHS = "rolling_12_months"
    FINANCIAL_YEAR_TO_DATE = "financial_year_to_date"
    QUARTER = "quarter"
    MONTH = "month"
    FINANCIAL_YEAR = "financial_year"
    POOLED = "pooled"  # several years pooled, as for homicide rates


class Granularity(StrEnum):
    """The smallest run of months a source publishes a count for."""

    MONTHLY = "monthly"  # police.uk
    FINANCIAL_QUARTERLY = "financial_quarterly"  # Home Office recorded-crime tables


@dataclass(frozen=True, order=True)
class Period:
    """Whole calendar months ``first_month`` .. ``last_month`` (first days of months)."""

    first_month: dt.date
    last_month: dt.date
    kind: PeriodKind

    # A period is immutable, and the engine asks its label and last day once per row:
    # both are worked out once and kept.
    @cached_property
    def label(self) -> str:
        """How a report names the period: '12 months to June 2019', '2017/18', ..."""
        last = month_label(self.last_month)
        if self.kind is PeriodKind.ROLLING_12_MONTHS:
            return f"12 months to {last}"
        if self.kind is PeriodKind.FINANCIAL_YEAR:
            return financial_year_of(self.first_month)
        if self.kind is PeriodKind.FINANCIAL_YEAR_TO_DATE:
            return f"{financial_year_of(self.last_month)} to {last}"
        if self.kind is PeriodKind.QUARTER:
            q = ((self.last_month.month - 4) % 12) // 3 + 1
            first = _MONTHS[self.first_month.month - 1][:3]
            return f"{first}-{last} ({financial_year_of(self.last_month)} Q{q})"
        if self.kind is PeriodKind.MONTH:
            return last
        n = self.month_count
        return f"{n // 12} years to {last}" if n % 12 == 0 else f"{n} months to {last}"

    @cached_property
    def months(self) -> tuple[dt.date, ...]:
        """Every month in the period, in order."""
        return tuple(add_months(self.first_month, i) for i in range(self.month_count))

    @property
    def month_count(self) -> int:
        return _index(self.last_month) - _index(self.first_month) + 1

    @property
    def period_start(self) -> dt.date:
        return self.first_month

    @cached_property
    def period_end(self) -> dt.date:
        """The last day of the last month."""
        return add_months(self.last_month, 1) - dt.timedelta(days=1)

    def extended_back(self, months: int) -> Period:
        """The ``months``-long period ending where this one ends (a pooled window)."""
        return Period(add_months(self.last_month, 1 - months), self.last_month, PeriodKind.POOLED)


def _index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def financial_year_of(month: dt.date) -> str:
    """The financial year a month falls in: 2018-03 -> '2017/18', 2018-04 -> '2018/19'."""
    start = month.year if month.month >= 4 else month.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_month(text: str) -> dt.date:
    """'2019-06' -> 2019-06-01; a PeriodError naming the value otherwise."""
    m = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", text)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"{text!r} is not a month; write it as YYYY-MM, such as 2019-06")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def rolling_12_months(end: dt.date) -> Period:
    """The 12 months ending with ``end`` (any month)."""
    end = end.replace(day=1)
    return Period(add_months(end, -11), end, PeriodKind.ROLLING_12_MONTHS)


def financial_year_to_date(end: dt.date) -> Period:
    """April of ``end``'s financial year to ``end``."""
    end = end.replace(day=1)
    start = dt.date(end.year if end.month >= 4 else end.year - 1, 4, 1)
    return Period(start, end, PeriodKind.FINANCIAL_YEAR_TO_DATE)


def quarter_ending(end: dt.date) -> Period:
    """The financial quarter ending with ``end``, which must be March, June, September or
    December."""
    end = end.replace(day=1)
    if end.month % 3 != 0:
        raise PeriodError(
            f"{end:%Y-%m} does not end a quarter; quarters end in March, June, "
            "September and December"
        )
    return Period(add_months(end, -2), end, PeriodKind.QUARTER)


def financial_year(text: str) -> Period:
    """'2017/18' -> April 2017 to March 2018."""
    m = re.fullmatch(r"\s*(\d{4})/(\d{2})\s*", text)
    if m is None or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise PeriodError(f"{text!r} is not a financial year; write it as YYYY/YY, such as 2017/18")
    start = dt.date(int(m.group(1)), 4, 1)
    return Period(start, add_months(start, 11), PeriodKind.FINANCIAL_YEAR)


def period_ending(kind: PeriodKind, end: dt.date) -> Period:
    """The period of ``kind`` that ends with month ``end``."""
    end = end.replace(day=1)
    if kind is PeriodKind.ROLLING_12_MONTHS:
        return rolling_12_months(end)
    if kind is PeriodKind.FINANCIAL_YEAR_TO_DATE:
        return financial_year_to_date(end)
    if kind is PeriodKind.QUARTER:
        return quarter_ending(end)
    if kind is PeriodKind.MONTH:
        return Period(end, end, kind)
    if kind is PeriodKind.FINANCIAL_YEAR:
        if end.month != 3:
            raise PeriodError(f"{end:%Y-%m} does not end a financial year; they end in March")
        return financial_year(financial_year_of(end))
    raise PeriodError(f"a {kind.value} period is not drawn back from an end month alone")


def previous_year(period: Period) -> Period:
    """The same months one year earlier."""
    return Period(
        add_months(period.first_month, -12), add_months(period.last_month, -12), period.kind
    )


_NAMED = re.compile(
    r"(?:year ending|12 months to|12 months ending|year to)\s+([A-Za-z]+)\s+(\d{4})", re.I
)


def named_period(text: str) -> Period:
    """A fixed period named in words or figures.

    Accepts 'year ending June 2019', '12 months to June 2019', '2019-06' (the 12 months
    ending that month) and '2017/18' (a financial year).
    """
    m = _NAMED.fullmatch(text.strip())
    if m is not None:
        names = [n.casefold() for n in _MONTHS]
        name = m.group(1).casefold()
        if name not in names:
            raise PeriodError(f"{text!r}: {m.group(1)!r} is not the name of a month")
        return rolling_12_months(dt.date(int(m.group(2)), names.index(name) + 1, 1))
    if "/" in text:
        return financial_year(text)
    if re.fullmatch(r"\s*\d{4}-\d{2}\s*", text):
        return rolling_12_months(parse_month(text))
    raise PeriodError(
        f"{text!r} is not a period forcestat can read; write 'year ending June 2019', "
        "'2019-06' or '2017/18'"
    )


def unanswerable_reason(period: Period, granularity: Granularity) -> str | None:
    """Why a source publishing at ``granularity`` cannot answer ``period`` (None: it can)."""
    if granularity is Granularity.MONTHLY:
        return None
    starts_quarter = period.first_month.month in (1, 4, 7, 10)
    ends_quarter = period.last_month.month in (3, 6, 9, 12)
    if starts_quarter and ends_quarter:
        return None
    return (
        f"{period.label}: the Home Office tables are published by financial quarter, so "
        "they answer only periods of whole quarters (ending in March, June, September or "
        "December)"
    )
