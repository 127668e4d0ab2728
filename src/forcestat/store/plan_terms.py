"""How Plan files and the tracker's forms write dates and review frequencies.

Dates as ISO (2025-03-31) or as UK readers write them (31/03/2025, 31/3/2025); review
frequencies in the words Plans use ('quarterly', '6 monthly', 'six-monthly', 'annual').

Example:
    >>> parse_uk_date("31/3/2025")
    datetime.date(2025, 3, 31)
    >>> parse_review_frequency("6 monthly")
    <ReviewFrequency.SIX_MONTHLY: 'six_monthly'>
"""

from __future__ import annotations

import datetime as dt
import re

from forcestat.store.milestones import ReviewFrequency

__all__ = ["parse_review_frequency", "parse_uk_date"]


_FREQUENCY_WORDS = {
    "monthly": ReviewFrequency.MONTHLY,
    "quarterly": ReviewFrequency.QUARTERLY,
    "3 monthly": ReviewFrequency.QUARTERLY,
    "6 monthly": ReviewFrequency.SIX_MONTHLY,
    "six monthly": ReviewFrequency.SIX_MONTHLY,
    "half yearly": ReviewFrequency.SIX_MONTHLY,
    "annual": ReviewFrequency.ANNUAL,
    "annually": ReviewFrequency.ANNUAL,
    "yearly": ReviewFrequency.ANNUAL,
    "12 monthly": ReviewFrequency.ANNUAL,
}


def parse_review_frequency(text: str) -> ReviewFrequency:
    """'quarterly', '6 monthly', 'six-monthly', 'annual' and the like; ValueError naming
    the words accepted otherwise."""
    key = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if key in _FREQUENCY_WORDS:
        return _FREQUENCY_WORDS[key]
    raise ValueError(
        f"review frequency {text!r} is not one of monthly, quarterly, 6 monthly, annual"
    )


_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_uk_date(text: str) -> dt.date:
    """A date as 2025-03-31 or, as UK readers write it, 31/03/2025; ValueError saying
    the forms accepted otherwise."""
    value = text.strip()
    found = _UK_DATE.match(value)
    try:
        if found:
            day, month, year = (int(g) for g in found.groups())
            return dt.date(year, month, day)
        if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f"date {text!r} is not a day of the calendar as 2025-03-31 or 31/03/2025")
