"""Calendar month arithmetic shared by every stage: moving a date by whole months and
naming a month.

A month is usually held as the date of its first day (2019-06-01 for June 2019); a Plan's
review and due dates are any day. ``add_months`` serves both: it keeps the day of the
month, clamped to the length of the month it lands in.

Example:
    >>> add_months(dt.date(2019, 6, 1), -11)
    datetime.date(2018, 7, 1)
    >>> add_months(dt.date(2024, 1, 31), 1)
    datetime.date(2024, 2, 29)
    >>> month_label(dt.date(2019, 6, 1))
    'June 2019'
"""

from __future__ import annotations

import calendar
import datetime as dt

__all__ = ["add_months", "month_label", "months_between", "next_month"]

_MONTHS = tuple(calendar.month_name[1:])


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by ``months`` whole months (negative: back), the day of the month
    clamped to the length of the month it lands in (31 January + 1 month = 28 or 29
    February); the first of a month stays the first."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return add_months(day.replace(day=1), 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included
    (none when ``last`` is before ``first``)."""
    months: list[dt.date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_label(month: dt.date) -> str:
    """'June 2019'."""
    return f"{_MONTHS[month.month - 1]} {month.year}"
