"""Why a measure has no value, in words a reader can take: one wording for the report,
the dashboard and the command line.

The engine says why in its own terms (``MeasureRow.not_available``): 'incomplete: 2 of
12 months of 12 months to March 2018 have no data loaded (2017-04, 2017-05)'. These
functions name the months, say 'the 12 months to ...' and drop the engine's column names.
"""

from __future__ import annotations

import datetime as dt
import re

from forcestat.months import month_label

__all__ = ["as_sentence", "reason_sentence", "reason_text"]


def reason_text(reason: str) -> str:
    """Why a figure is missing, as the measure engine gives it, made fit to print: a
    period is 'the 12 months to ...', months are named rather than written 2015-04,
    and no column name of the engine's table is left in it.

    Example:
        >>> reason_text("incomplete: 2 of 12 months of 12 months to March 2018 have no "
        ...             "data loaded (2017-04 to 2017-05, see missing_months)")
        '2 of 12 months of the 12 months to March 2018 have no data loaded (April 2017 to May 2017)'
    """
    text = re.sub(r",?\s*see missing_months", "", reason.strip())
    text = re.sub(r"^incomplete:\s*", "", text)
    text = re.sub(r"(?<!the )\b(in|of|for) (\d+ (?:months|years) to)\b", r"\1 the \2", text)
    text = re.sub(
        r"\b(\d{4})-(0[1-9]|1[0-2])\b",
        lambda m: month_label(dt.date(int(m.group(1)), int(m.group(2)), 1)),
        text,
    )
    return text.rstrip(".")


def reason_sentence(reason: str | None) -> str:
    """``reason_text`` as a sentence of its own ('No value for this period.' for none).

    Example:
        >>> reason_sentence("no police.uk street-level crime data loaded for Kent")
        'No police.uk street-level crime data loaded for Kent.'
    """
    text = reason_text(reason) if reason else ""
    if not text:
        return "No value for this period."
    return text[0].upper() + text[1:] + "."


def as_sentence(text: str) -> str:
    """``text`` with a capital first letter and a full stop at the end (kept if there)."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
