"""How numbers are shown in the report: rounded here, at presentation, and nowhere else.

- counts: whole numbers with thousands separators ('20,925');
- rates: three significant figures, trailing zeros kept ('7.65', '15.0', '1,340');
- proportions: a percentage to one decimal place ('87.5%');
- changes: a whole percentage from 10% up, one decimal place below ('-27%', '-4.3%'),
  with a true minus sign.

Example:
    >>> format_value(14.982861, "rate_per_1000000")
    '15.0'
    >>> format_change_pct(-27.8688) == MINUS + "28%"
    True
"""

from __future__ import annotations

import math

__all__ = [
    "MINUS",
    "format_change_pct",
    "format_count",
    "format_percent",
    "format_shown",
    "format_significant",
    "format_value",
    "ordinal",
    "unit_label",
]

MINUS = "\u2212"

_UNIT_LABELS = {
    "count": "",
    "rate_per_1000": "per 1,000 residents",
    "rate_per_100000": "per 100,000 residents",
    "rate_per_1000000": "per million residents",
    "proportion": "%",
}


def unit_label(unit: str) -> str:
    """'per 1,000 residents' for 'rate_per_1000'; '' for a count; '%' for a proportion."""
    return _UNIT_LABELS.get(unit, unit.replace("_", " "))


def format_count(value: float) -> str:
    """A whole number with thousands separators: 20925 -> '20,925'."""
    return f"{round(value):,}".replace("-", MINUS)


def format_significant(value: float, significant: int = 3) -> str:
    """``value`` to ``significant`` figures, trailing zeros kept, thousands separated:
    7.64674 -> '7.65', 14.98 -> '15.0', 1336.2 -> '1,340', 0.0123 -> '0.0123'."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    digits = significant - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    # Rounding can carry into a new digit (9.996 -> 10.0): count again.
    if rounded != 0:
        digits = significant - 1 - math.floor(math.log10(abs(rounded)))
    text = f"{round(rounded, digits):,.{digits}f}" if digits > 0 else f"{round(rounded):,}"
    return text.replace("-", MINUS)


def format_percent(value: float, places: int = 1) -> str:
    """A percentage already scaled to 100: 87.46 -> '87.5%'."""
    return f"{value:.{places}f}%".replace("-", MINUS)


def format_value(value: float, unit: str) -> str:
    """A measure's value in its unit, as the report shows it (unit words not added)."""
    if unit == "count":
        return format_count(value)
    if unit == "proportion":
        return format_percent(value * 100)
    return format_significant(value)


def format_shown(value: float, unit: str | None) -> str:
    """A number as a data table holds it, rounded as its unit is rounded everywhere in
    the report: counts whole ('1,675', even for a mean of counts), ranks whole,
    proportions as percentages to one decimal place (the table holds 87.46 for 87.46%),
    rates to three significant figures. With no unit, whole numbers stay whole and
    others take three significant figures."""
    if unit in ("count", "rank"):
        return format_count(value)
    if unit == "proportion":
        return f"{value:.1f}".replace("-", MINUS)
    if unit is None and float(value).is_integer():
        return format_count(value)
    return format_significant(float(value))


def format_change_pct(value: float, *, signed: bool = True) -> str:
    """A percentage change: whole numbers from 10% up, one decimal place below."""
    magnitude = abs(value)
    text = f"{magnitude:.0f}%" if round(magnitude, 1) >= 10 else f"{magnitude:.1f}%"
    if not signed:
        return text
    if text in ("0%", "0.0%"):
        return text
    return (MINUS if value < 0 else "+") + text


def ordinal(n: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
