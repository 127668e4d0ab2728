"""Text that is safe in a spreadsheet: what every CSV, XLSX and ODS writer uses.

A spreadsheet opening a CSV file reads a cell beginning ``=``, ``+``, ``-`` or ``@``
as a formula, and a tab or carriage return at the start can hide one, so a plan title,
a file name or an area name could run a formula on the reader's machine ("formula
injection"). Following OWASP's advice, such text is written to CSV with a single quote
before it, which spreadsheets show as text. A number written as text ("-3.2", "+5.0%",
"-1,234") is a number, not a formula, and is left as it is. XLSX and ODS writers store
every text cell as text (never a formula) and mark the formula-like ones so that a
spreadsheet keeps them as text when they are edited.
"""

from __future__ import annotations

import re
from typing import TypeVar

__all__ = ["FORMULA_STARTS", "csv_cell", "looks_like_formula"]

T = TypeVar("T")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number as forcestat or a publisher writes it: sign, digits (thousands commas), a
# decimal part, an exponent, a percent sign.
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (numbers are not)."""
    return text.startswith(FORMULA_STARTS) and _NUMBER.fullmatch(text) is None


def csv_cell(value: T) -> T | str:
    """``value`` as a CSV writer should write it: formula-like text with a single quote
    before it, anything else (numbers, dates, plain text) unchanged.

    Example:
        >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-3.2"), csv_cell(-3.2)
        ('\\'=HYPERLINK("http://x")', '-3.2', -3.2)
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value
