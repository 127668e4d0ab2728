"""The statement's chart reading keeps what bears on the latest month: the level, a
signal still running, the most recent special cause; earlier ones are counted, not told."""

from __future__ import annotations

import datetime as dt

from forcestat.report.reading import latest_reading
from forcestat.spc import describe, run_spc
from forcestat.spc.sentences import special_cause_clause


def _months(n: int) -> list[dt.date]:
    return [dt.date(2019 + (i // 12), i % 12 + 1, 1) for i in range(n)]


# 36 months alternating 9 and 11 (mean 10, moving range 2, limits 10 +/- 5.32), with
# single months far above the limits in March 2019 and June 2020, and the latest month,
# December 2021, also far above: three separate special causes, the last one now.
VALUES = [9.0 if i % 2 else 11.0 for i in range(36)]
VALUES[2] = 40.0
VALUES[17] = 40.0
VALUES[35] = 40.0


def test_only_the_latest_signals_are_told_and_the_others_counted() -> None:
    result = run_spc(_months(36), VALUES)
    sentences = describe(result, name="The number of burglaries")
    causes = list(result.special_causes)
    assert [c.last_month for c in causes][-1] == dt.date(2021, 12, 1)
    cut = latest_reading(result, sentences)
    text = " ".join(cut)
    latest_clause = special_cause_clause(causes[-1], result)
    assert latest_clause in text
    for earlier in causes[:-1]:
        assert special_cause_clause(earlier, result) not in text
    n = len(causes) - 1
    assert (
        f"{n} earlier unusual patterns are marked on the chart and in the monthly values "
        "table; none runs on to the latest month." in text
    )
    # The latest month's own status is still said.
    assert "The latest month, December 2021, at 40" in text


def test_a_reading_with_nothing_earlier_is_left_as_it_is() -> None:
    values = [9.0 if i % 2 else 11.0 for i in range(24)]
    result = run_spc(_months(24), values)
    sentences = describe(result, name="The series")
    assert latest_reading(result, sentences) == sentences
