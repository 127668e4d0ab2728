"""The engine's reasons as the dashboard prints them: one sentence each."""

from __future__ import annotations

import pytest

from forcestat.measures.reasons import reason_sentence


@pytest.mark.parametrize(
    ("engine", "shown"),
    [
        # Months named, 'the' before the period, the column name dropped, one full stop.
        (
            "incomplete: 1 of 12 months of 12 months to March 2018 have no data loaded "
            "(2017-06), see missing_months",
            "1 of 12 months of the 12 months to March 2018 have no data loaded (June 2017).",
        ),
        (
            "no population for Kent for 2010 or earlier.",
            "No population for Kent for 2010 or earlier.",
        ),
        (None, "No value for this period."),
        ("", "No value for this period."),
        ("  ", "No value for this period."),
    ],
)
def test_a_reason_reads_as_one_sentence(engine: str | None, shown: str) -> None:
    assert reason_sentence(engine) == shown
