"""Plain-English readings of SPC results."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from functools import cache
from pathlib import Path

import pytest

from forcestat.spc.seasonality import seasonal_pattern
from forcestat.spc.sentences import (
    describe,
    format_figure,
    month_span,
    reading,
    seasonality_sentence,
)
from forcestat.spc.xmr import ChartType, LaneyRule, Polarity, Rebase, SpcOptions, run_spc

STREET = Path(__file__).resolve().parents[2] / "data" / "sample" / "policeuk" / "street"


def months_from(year: int, month: int, n: int) -> list[dt.date]:
    return [dt.date(year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1, 1) for i in range(n)]


@cache
def city_of_london_crimes() -> tuple[list[dt.date], list[int]]:
    """Monthly police.uk crimes, anti-social behaviour excluded, read from the sample."""
    months, counts = [], []
    for path in sorted(STREET.glob("*-city-of-london-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["Crime type"] != "Anti-social behaviour"]
        months.append(dt.date.fromisoformat(rows[0]["Month"] + "-01"))
        counts.append(len(rows))
    return months, counts


@pytest.mark.parametrize(
    ("value", "significant", "text"),
    [
        (1087, 2, "1,100"),
        (536.9667, 2, "540"),
        (536.9667, 3, "537"),
        (35 / 18, 3, "1.94"),
        (31.0, 3, "31"),
        (2.5, 3, "2.5"),
        (-0.7222, 2, "-0.72"),
    ],
)
def test_format_figure(value: float, significant: int, text: str) -> None:
    assert format_figure(value, significant) == text


def test_month_span() -> None:
    april, may, june = dt.date(2020, 4, 1), dt.date(2020, 5, 1), dt.date(2020, 6, 1)
    assert month_span([april]) == "April 2020"
    assert month_span([april, may]) == "April and May 2020"
    assert month_span([april, may, june]) == "April to June 2020"
    assert month_span([dt.date(2020, 12, 1), dt.date(2021, 1, 1)]) == (
        "December 2020 and January 2021"
    )
    assert month_span([april, june]) == "April and June 2020"


def test_stable_series_with_one_high_month() -> None:
    # Residential burglary from April 2022: 1,080 and 1,120 alternating, then November
    # 2024 at 1,300. Mean (15 x 2,200 + 1,080 + 1,300) / 32 = 1,105.6, "around 1,100".
    # Moving ranges: thirty of 40 and one of 220 (mean 45.8); screening at 3.267 x 45.8 =
    # 149.6 drops the 220, so the limits are 1,105.6 +/- 2.66 x 40 = 999.2 to 1,212.0.
    # Only 1,300 is outside; 1,080 and 1,120 alternate either side of the mean.
    values = [1080, 1120] * 15 + [1080, 1300]
    result = run_spc(months_from(2022, 4, 32), values, SpcOptions(Polarity.LOWER))
    first = describe(result, name="Residential burglary")[0]
    assert first == (
        "Residential burglary has been stable since April 2022 at around 1,100 a month; "
        "November 2024 was unusually high (above the upper process limit; a concern)."
    )


def test_a_shift_downwards_that_continues() -> None:
    # Twelve months around 50 from January 2023, then eight around 30 from January 2024:
    # the mean (12 x 50 + 8 x 30) / 20 = 42 puts all eight below it, a shift downwards
    # beginning in January 2024 and still running at the latest month.
    values = [49, 51] * 6 + [29, 31] * 4
    result = run_spc(months_from(2023, 1, 20), values, SpcOptions(Polarity.LOWER))
    text = reading(result, name="Robbery")
    assert (
        "A shift downwards began in January 2024 and continues (8 months to date; "
        "an improvement)." in text
    )
    assert "Robbery has averaged around 42 a month since January 2023." in text
    assert "The shift from January 2024 suggests the process changed" in text
    assert (
        "The latest month, August 2024, at 31, shows special cause variation: an improvement."
        in text
    )
    # A page that shows suggestions beside its rebase form leaves them out of the reading.
    quiet = describe(result, name="Robbery", suggest_rebases=False)
    assert not any("suggests the process changed" in s for s in quiet)
    assert len(quiet) == len(describe(result, name="Robbery")) - 1


def test_rebase_and_trial_limits_are_said() -> None:
    values = [5, 6] * 6 + [20, 22] * 3
    rebase = Rebase(
        dt.date(2022, 1, 1), "new crime recording rules", "A. Analyst", dt.datetime(2024, 5, 1)
    )
    result = run_spc(months_from(2021, 1, 18), values, SpcOptions(rebases=(rebase,)))
    sentences = describe(result, name="Vehicle crime")
    assert sentences[0] == "Vehicle crime has been stable since January 2022 at around 21 a month."
    assert (
        "The limits were recalculated from January 2022: new crime recording rules "
        "(recorded by A. Analyst on 2024-05-01)."
    ) in sentences
    assert sum("trial limits" in s for s in sentences) == 2  # 12 and 6 points


def test_assurance_sentence() -> None:
    # Mean 1,100, moving ranges 40: limits 1,100 +/- 106.4 = 993.6 to 1,206.4. A target
    # of 1,250 lies above the upper limit; lower is better, so every month meets it.
    values = [1080, 1120] * 8
    met = run_spc(months_from(2022, 4, 16), values, SpcOptions(Polarity.LOWER, target=1250))
    assert (
        "With process limits of 994 to 1,210, the target of 1,250 will be met every month "
        "while the process stays as it is." in describe(met)
    )


def test_reading_is_deterministic() -> None:
    months, counts = city_of_london_crimes()
    options = SpcOptions(Polarity.LOWER, target=500)
    assert reading(run_spc(months, counts, options)) == reading(run_spc(months, counts, options))


def test_city_of_london_reading() -> None:
    # Worked out from the monthly counts (see spc/test_xmr.py for the limits, 376 to 698 about
    # a mean of 537): the COVID months April to June 2020 (209, 175, 276) are below the
    # lower limit; April 2020 to June 2021 (15 months) sit below the mean; December 2021
    # (549) is common cause; the target of 500 lies between the limits.
    months, counts = city_of_london_crimes()
    result = run_spc(months, counts, SpcOptions(Polarity.LOWER, target=500))
    sentences = describe(result, name="All crime")
    assert "All crime has averaged around 540 a month since January 2017." in sentences
    assert (
        "April to June 2020 were unusually low (below the lower process limit; "
        "an improvement)." in sentences
    )
    assert (
        "A shift downwards began in April 2020 and ran to June 2021 (15 months; "
        "an improvement)." in sentences
    )
    assert (
        "A falling trend began in November 2019 and ran to May 2020 (7 months; "
        "an improvement)." in sentences
    )
    assert (
        "September to November 2021 were close to the upper limit (two of three months "
        "beyond the upper 2-sigma line; a concern)." in sentences
    )
    assert "The latest month, December 2021, at 549, shows common cause variation." in sentences
    assert (
        "With process limits of 376 to 698, the target of 500 will be met in some months "
        "and missed in others." in sentences
    )
    assert any(s.startswith("The shift from April 2020 suggests") for s in sentences)
    # Events are told in date order.
    shift_2020 = sentences.index(
        "A shift downwards began in April 2020 and ran to June 2021 (15 months; an improvement)."
    )
    trend = next(i for i, s in enumerate(sentences) if s.startswith("A falling trend"))
    assert trend < shift_2020


def test_seasonality_sentences() -> None:
    effect = {10: 1.2, 11: 1.2, 12: 1.2, 1: 1.2, 6: 0.9, 7: 0.9, 8: 0.9}
    ms = months_from(2019, 1, 60)
    values = [200 * effect.get(m.month, 1.0) + (2 if i % 5 < 2 else -2) for i, m in enumerate(ms)]
    assert seasonality_sentence(seasonal_pattern(ms, values), name="Burglary") == (
        "Burglary runs above average in October to January and below average in June to "
        "August, a seasonal pattern (F test by calendar month, p < 0.001)."
    )
    # A cycle of five months drifts through the calendar: no month-of-year pattern.
    flat = [100.0 + (i % 5) for i in range(60)]
    assert seasonality_sentence(seasonal_pattern(ms, flat), name="Burglary").startswith(
        "Burglary shows no stable month-of-year pattern"
    )


def test_a_p_chart_says_how_its_limits_were_drawn() -> None:
    # 999 calls: 10,000 a month, 1,000 and 1,200 late in turn. sigma_Z = 2 x 3.1960 /
    # 1.128 = 5.67 (worked in tests/spc/test_attributes.py), so Laney's limits are used.
    months = [dt.date(2022, m, 1) for m in range(1, 13)]
    options = SpcOptions(chart=ChartType.P, per=100)
    result = run_spc(months, [1000, 1200] * 6, options, denominators=[10_000] * 12)
    assert (
        "The limits are a p-chart's, from each month's number of cases, widened by Laney's "
        "adjustment: the months vary 5.67 times as much as sampling alone would make them."
    ) in describe(result, name="Late 999 calls")
    plain = SpcOptions(chart=ChartType.U, laney=LaneyRule.NEVER)
    result = run_spc(months[:2], [14, 12], plain, denominators=[10, 8])
    assert "The limits are a u-chart's, from each month's exposure." in describe(result)
    assert not any("limits are" in s for s in describe(run_spc(months[:2], [1, 2])))
