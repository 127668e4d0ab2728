"""Local measures (indicator layout) against figures worked out by hand from the file.

The real annual-report file gives victim satisfaction 2019 = 1,793 of 3,806 and 2020 =
819 of 1,916; complaint cases 2019 = 408 and 2020 = 3,710. Every expected number below
is worked from those (or from small files written here), with the arithmetic shown.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import SAMPLE, write_csv
from forcestat.cli import cli
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import CatalogueError, load_catalogue
from forcestat.measures.charting import recording_change_sentences
from forcestat.measures.engine import evaluate
from forcestat.measures.periods import PeriodKind, parse_month
from forcestat.measures.series import monthly_series
from forcestat.store.database import open_store

INDICATORS = SAMPLE / "local" / "annual-report-2020-21-indicators.csv.gz"
HEADER = "indicator,area,period,numerator,denominator,value,breakdown,breakdown_value,note"

PLAN = """
[[measure]]
id = "victim_satisfaction_email"
title = "Victims satisfied with the overall service (email survey)"
priority = "Improve satisfaction among victims"
source = "indicator"
filter = { indicator = "victim_satisfaction" }
kind = "proportion"
unit = "proportion"
polarity = "higher"
baseline = "previous_year"
note = "Email survey of victims of crime; satisfied with the overall service."

[[measure]]
id = "complaint_cases"
title = "Complaint cases recorded"
priority = "Confidence in policing"
source = "indicator"
filter = { indicator = "complaints_recorded", breakdown = "case_type", breakdown_value = "complaint" }
kind = "count"
unit = "count"
polarity = "neutral"
baseline = "previous_year"
note = "Complaint cases."

[[measure]]
id = "all_complaint_cases"
extends = "complaint_cases"
title = "Cases of every type"
filter = { indicator = "complaints_recorded", breakdown = "case_type" }
"""


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    store = tmp_path / "local.duckdb"
    con = open_store(store)
    ingest_path(con, INDICATORS)
    con.close()
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    return store, plan


def _z_test(x1: int, n1: int, x0: int, n0: int) -> float:
    """Two-sided p of the pooled two-proportion z-test, from the textbook formula."""
    p = (x1 + x0) / (n1 + n0)
    z = (x1 / n1 - x0 / n0) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n0))
    return math.erfc(abs(z) / math.sqrt(2))


def test_done_when_satisfaction_2020_against_2019(loaded: tuple[Path, Path]) -> None:
    store, plan = loaded
    result = CliRunner().invoke(
        cli,
        [
            "measures",
            "--store", str(store),
            "--plan", str(plan),
            "--force", "West Midlands",
            "--period", "2020-12",
            "--measure", "victim_satisfaction_email",
            "--format", "csv",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.output)))
    # 2020: 819 / 1916 = 0.42745...; 2019: 1793 / 3806 = 0.47110...
    assert float(row["value"]) == pytest.approx(819 / 1916)
    assert round(float(row["value"]) * 100, 1) == 42.7
    assert row["baseline_period"] == "12 months to December 2019"
    assert float(row["baseline_value"]) == pytest.approx(1793 / 3806)
    assert round(float(row["baseline_value"]) * 100, 1) == 47.1
    # down 4.4 percentage points: 42.745 - 47.110 = -4.365
    assert float(row["change_points"]) == pytest.approx(100 * (819 / 1916 - 1793 / 3806))
    assert round(float(row["change_points"]), 1) == -4.4
    assert row["change_pct"] == ""  # never a relative change for a proportion
    # pooled p = 2612/5722 = 0.45648; se = 0.013953; z = -3.128; p = 0.0018 < 0.05
    p_value = _z_test(819, 1916, 1793, 3806)
    assert 0.001 < p_value < 0.002
    assert row["change_beyond_chance"] == "True"
    # Wilson 95% for 819/1916, by the formula: centre 0.42762, half-width 0.02213
    z = 1.959963984540054
    n, p = 1916, 819 / 1916
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert float(row["interval_low"]) == pytest.approx(centre - half)
    assert float(row["interval_high"]) == pytest.approx(centre + half)
    assert row["like_for_like"] == "True"


def test_complaints_2019_against_2020_are_not_like_for_like(loaded: tuple[Path, Path]) -> None:
    store, plan = loaded
    con = open_store(store, read_only=True)
    catalogue = load_catalogue(plan)
    table = evaluate(
        con,
        [catalogue.get("complaint_cases"), catalogue.get("all_complaint_cases")],
        areas=["West Midlands"],
        period_ends=[parse_month("2020-12")],
    )
    con.close()
    one, every = table.rows
    assert (one.value, one.baseline_value, one.change) == (3710, 408, 3710 - 408)
    # every case type: 3710 + 174 + 2456 + 256 = 6596 in 2020; 408 + 144 + 3180 + 284 = 4016
    assert (every.value, every.baseline_value) == (6596, 4016)
    for row in (one, every):
        assert row.like_for_like is False
        assert row.change_beyond_chance is None
        assert "Not like for like across February 2020" in row.note
        assert "widened the definition of a complaint" in row.note
    # 2018 against 2017 lies wholly before the change: like for like, and tested.
    con = open_store(store, read_only=True)
    [earlier] = evaluate(
        con, [catalogue.get("complaint_cases")], areas=["West Midlands"],
        period_ends=[parse_month("2018-12")],
    ).rows  # fmt: skip
    con.close()
    assert (earlier.value, earlier.baseline_value, earlier.like_for_like) == (530, 836, True)
    assert earlier.change_beyond_chance is True  # 530 against 836 over 12 months each


def test_a_window_the_published_periods_do_not_tile_says_why(loaded: tuple[Path, Path]) -> None:
    store, plan = loaded
    con = open_store(store, read_only=True)
    catalogue = load_catalogue(plan)
    [row] = evaluate(
        con, [catalogue.get("victim_satisfaction_email")], areas=["West Midlands"],
        period_ends=[parse_month("2020-06")],
    ).rows  # fmt: skip
    con.close()
    assert row.value is None
    assert row.not_available == (
        "the indicator victim_satisfaction figures loaded for West Midlands (2019, 2020) do "
        "not fit the 12 months to June 2020; choose a period they make up"
    )


PLAN_LOCAL = """
[[measure]]
id = "calls_999_within_10s"
title = "999 calls answered within 10 seconds"
priority = "Answer calls promptly"
source = "indicator"
filter = { indicator = "calls_999_answered_10s" }
kind = "proportion"
unit = "proportion"
polarity = "higher"
period = "month"
baseline = "previous_year"
target_value = 0.9
note = "Against the national standard of 90%."

[[measure]]
id = "answer_101"
title = "101 average answer time"
priority = "Answer calls promptly"
source = "indicator"
filter = { indicator = "calls_101_answer_seconds" }
kind = "mean"
unit = "seconds"
polarity = "lower"
period = "quarter"
baseline = "previous_year"
note = "Mean seconds to answer."

[[measure]]
id = "hidden_rate"
title = "DA flagged per 10,000"
priority = "Hidden crime"
source = "indicator"
filter = { indicator = "flagged", breakdown = "flag", breakdown_value = "DA" }
kind = "count"
unit = "count"
polarity = "neutral"
period = "month"
baseline = "previous_year"
note = "Flagged."

[[recording_change]]
id = "new_recording_system"
effective = "2021-02"
description = "a new crime recording system went live"
applies_to = ["flagged"]
"""


def test_calls_standard_mean_and_monthly_series(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    lines = [HEADER]
    # 999: 2020-01 .. 2021-12, answered within 10 s: 880 + month of 1000 presented
    for year in (2020, 2021):
        for month in range(1, 13):
            lines.append(
                f"calls_999_answered_10s,West Midlands,{year}-{month:02d},"
                f"{880 + month + (year - 2020) * 20},1000,,,,"
            )
            lines.append(f"flagged,West Midlands,{year}-{month:02d},{100 + month},,,flag,DA,")
    # 101: monthly means with calls answered; the quarter's mean weights by calls
    lines += [
        "calls_101_answer_seconds,West Midlands,2021-01,,1000,120,,,",
        "calls_101_answer_seconds,West Midlands,2021-02,,3000,60,,,",
        "calls_101_answer_seconds,West Midlands,2021-03,,1000,90,,,",
        "calls_101_answer_seconds,West Midlands,2020-Q1,,5000,600,,,",
    ]
    ingest_path(store, write_csv(tmp_path / "calls.csv", lines))
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN_LOCAL, encoding="utf-8")
    catalogue = load_catalogue(plan)
    table = evaluate(store, catalogue, areas=["West Midlands"],
                     period_ends=[parse_month("2021-03")])  # fmt: skip
    rows = {r.measure: r for r in table.rows}
    calls = rows["calls_999_within_10s"]
    # March 2021: 880 + 3 + 20 = 903 of 1000; standard 0.9 with polarity higher: met
    assert (calls.value, calls.target, calls.meets_target) == (0.903, 0.9, True)
    # March 2020: 883 of 1000: +2.0 points; z-test p = 0.15 > 0.05: not beyond chance
    assert calls.change_points == pytest.approx(2.0)
    assert calls.change_beyond_chance is (_z_test(903, 1000, 883, 1000) < 0.05) is False
    answer = rows["answer_101"]
    # Q1 2021: (1000*120 + 3000*60 + 1000*90) / 5000 = 390000 / 5000 = 78 seconds;
    # Q1 2020 published as one quarter: 600 seconds. Change -522 s, no test.
    assert (answer.value, answer.baseline_value, answer.change) == (78.0, 600.0, -522.0)
    assert answer.change_pct == pytest.approx(-87.0)
    assert answer.change_beyond_chance is None
    assert "No test of chance" in answer.note
    # A user's own recording change marks the comparison.
    hidden = evaluate(store, catalogue, areas=["West Midlands"],
                      period_ends=[parse_month("2021-02")]).rows  # fmt: skip
    [flagged] = [r for r in hidden if r.measure == "hidden_rate"]
    assert (flagged.value, flagged.baseline_value, flagged.like_for_like) == (102.0, 102.0, False)
    assert "Not like for like across February 2021: a new crime recording system went live" in (
        flagged.note
    )
    # The chart of the flagged crimes names the plan's change and suggests a rebase.
    flagged_series = monthly_series(store, catalogue.get("hidden_rate"), "West Midlands")
    assert flagged_series is not None
    assert recording_change_sentences(
        catalogue.get("hidden_rate"), flagged_series, (), catalogue.recording_changes
    ) == (
        "The figures are recorded differently from February 2021 (a new crime recording "
        "system went live), so the months either side are not like for like; consider "
        "recording a rebase at February 2021.",
    )
    # The monthly series: 24 months of the 999 proportion, charted as per cent.
    series = monthly_series(store, catalogue.get("calls_999_within_10s"), "West Midlands")
    assert series is not None and series.grain == "monthly"
    assert len(series.months) == 24
    assert series.values[0] == pytest.approx(88.1)  # 881 of 1000 in January 2020
    assert series.values[-1] == pytest.approx(91.2)  # 880 + 12 + 20 = 912 in December 2021


def test_catalogue_problems_with_local_measures_are_all_reported(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        """
[[measure]]
id = "a"
title = "A"
priority = "P"
source = "indicator"
filter = { breakdown_value = "x" }
kind = "mean"
unit = "count"
polarity = "higher"
note = "n"

[[measure]]
id = "b"
title = "B"
priority = "P"
source = "indicator"
filter = { indicator = "Bad Id" }
kind = "count"
unit = "count"
polarity = "higher"
note = "n"

[[recording_change]]
id = "c"
effective = "2019-13"
description = "d"
applies_to = []
""",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(plan)
    message = str(caught.value)
    assert f"{plan}: measure 'a' (entry 1): filter must name the indicator, such as " in message
    assert "filter.breakdown_value needs the breakdown it is a value of" in message
    assert "a mean measure takes unit mean, minutes, seconds, not count" in message
    assert (
        f"{plan}: measure 'b' (entry 2): filter.indicator 'Bad Id' is not an id of "
        "lower-case letters, digits and underscores"
    ) in message
    assert (
        f"{plan}: recording_change 'c' (entry 1): effective '2019-13' is not a month in the "
        "form YYYY-MM"
    ) in message
    assert (
        "applies_to must be a non-empty list of measure ids, indicator ids or sources"
    ) in message


OUTCOMES_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Outcome type"
)


def _outcome(crime_id: str, month: str, outcome: str) -> str:
    return (
        f"{crime_id},{month},City of London Police,City of London Police,-0.0901,51.5155,"
        f"On or near Bank,E01000001,City of London 001A,{outcome}"
    )


def test_outcome_shares_and_how_late_outcomes_arrive(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    from conftest import STREET_HEADER, street_row
    from forcestat.measures.catalogue import PLAN_EXAMPLE

    street = [STREET_HEADER]
    street += [street_row(f"c{i}", month="2020-01") for i in range(1, 11)]
    street += [street_row(f"c{i}", month="2020-02") for i in range(11, 21)]
    outcomes = [
        OUTCOMES_HEADER,
        _outcome("c1", "2020-01", "Suspect charged"),  # lag 0
        _outcome("c3", "2020-02", "Offender given a caution"),  # positive, not a charge
        _outcome("c2", "2020-03", "Suspect charged"),  # lag 2
        _outcome("c5", "2020-03", "Investigation complete; no suspect identified"),
        _outcome("c11", "2020-04", "Suspect charged"),  # lag 2 (recorded February)
        _outcome("c4", "2020-06", "Offender fined"),  # a court result: charged; lag 5
    ]
    # As police.uk publishes them: one file a month, each row in its file's month.
    for month in ("2020-01", "2020-02"):
        mine = [street[0], *(r for r in street[1:] if f",{month}," in r)]
        ingest_path(store, write_csv(tmp_path / f"{month}-city-of-london-street.csv", mine))
    for month in sorted({r.split(",")[1] for r in outcomes[1:]}):
        mine = [outcomes[0], *(r for r in outcomes[1:] if r.split(",")[1] == month)]
        ingest_path(store, write_csv(tmp_path / f"{month}-city-of-london-outcomes.csv", mine))
    catalogue = load_catalogue(PLAN_EXAMPLE)
    chosen = [catalogue.get("charge_or_summons_share"), catalogue.get("positive_outcome_share")]
    monthly = [dataclasses.replace(m, period=PeriodKind.MONTH, baseline="none") for m in chosen]
    rows = evaluate(
        store, monthly, areas=["City of London"],
        period_ends=[parse_month("2020-01"), parse_month("2020-02")],
    ).rows  # fmt: skip
    got = {(r.measure, r.period): (r.numerator, r.denominator) for r in rows}
    assert got == {
        # January: c1, c2 charged, c4 fined after a charge = 3 of 10; with c3's caution 4
        ("charge_or_summons_share", "January 2020"): (3, 10.0),
        ("positive_outcome_share", "January 2020"): (4, 10.0),
        # February: c11 = 1 of 10
        ("charge_or_summons_share", "February 2020"): (1, 10.0),
        ("positive_outcome_share", "February 2020"): (1, 10.0),
    }
    # Charge lags 0, 2, 2, 5 months: the 90th percentile (discrete) is 5; the latest
    # outcomes month is June 2020, so months from January 2020 on are understated.
    charge = rows[0]
    assert (
        "Outcomes arrive after the crime is recorded: in the data loaded, 90% of these "
        "outcomes arrived within 5 months of recording (4 crimes), so months from January "
        "2020 on are understated; this period's figure is understated and will rise."
    ) in charge.note
