"""The report's local tables: satisfaction by year, breakdowns, flags by year, and small
counts withheld. Figures are worked out by hand from the files in each test."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE, write_csv
from forcestat.config import load_config
from forcestat.errors import ConfigError
from forcestat.ingest.load import ingest_path
from forcestat.measures.periods import parse_month, rolling_12_months
from forcestat.report.local_tables import local_content

SURVEY_HEADER = "response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"


def test_local_content_for_west_midlands_2020(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    ingest_path(store, SAMPLE / "local" / "annual-report-2020-21-indicators.csv.gz")
    lines = [SURVEY_HEADER]
    # Birmingham 4 of 6 satisfied; Coventry 1 of 3
    for i, answer in enumerate(["1", "2", "3", "4", "5", "yes"], start=1):
        lines.append(f"b{i},2020-0{i},Burglary,Birmingham,no,{answer}")
    for i, answer in enumerate(["7", "no", "3"], start=1):
        lines.append(f"c{i},2020-1{i - 1},Theft,Coventry,no,{answer}")
    ingest_path(store, write_csv(tmp_path / "survey.csv", lines))
    period = rolling_12_months(parse_month("2020-12"))
    content = local_content(store, "West Midlands", period, threshold=2)
    by_year, response, _, _, by_area = content.satisfaction_tables
    assert by_year.column("period") == ("2018", "2019", "2020")
    assert by_year.column("satisfied") == (1412, 1793, 819)
    assert by_year.column("percent")[2] == pytest.approx(100 * 819 / 1916)
    assert by_year.column("change_points") == (
        None,
        "up 1.3 percentage points",  # 47.110 - 45.829
        "down 4.4 percentage points",  # 42.745 - 47.110
    )
    assert by_year.column("beyond_chance") == (None, "No", "Yes")
    # 2020: 2,497 completed of 39,507 invited = 6.32%
    assert response.column("rate") == (pytest.approx(100 * 2497 / 39507),)
    assert content.satisfaction_paragraphs[1] == (
        "The survey's response rate in 2020 was 6.3% (2,497 completed of 39,507 invited)."
    )
    # Coventry's single satisfied response is below the threshold of 2: withheld.
    assert by_area.column("group") == ("Birmingham", "Coventry")
    assert by_area.column("satisfied") == (4, "fewer than 2")
    assert by_area.column("percent") == (pytest.approx(400 / 6), "withheld")
    # Flags by year, to the periods ending by December 2020 (2016/17 to 2019/20):
    flags = next(t for t in content.local_tables if t.slug.startswith("hidden_crime"))
    assert [c.label for c in flags.columns] == ["Flag", "2016/17", "2017/18", "2018/19", "2019/20"]
    row = {r[0]: r[1:] for r in flags.rows}
    assert row["DA"] == (22549, 25672, 33513, 41546)
    assert row["FGM"] == (12, 2, 5, 5)  # threshold 2 withholds only a 1
    assert row["Trafficking"] == (None, 8, 6, 12)  # not published for 2016/17
    complaints = next(t for t in content.local_tables if t.slug.startswith("complaints"))
    assert any("Not like for like across February 2020" in n for n in complaints.notes)
    # The default threshold of 5 withholds FGM 2017/18 (2), but not a zero.
    default = local_content(store, "West Midlands", period)
    flags = next(t for t in default.local_tables if t.slug.startswith("hidden_crime"))
    row = {r[0]: r[1:] for r in flags.rows}
    assert row["FGM"] == (12, "fewer than 5", 5, 5)
    assert row["MS (non-crime)"] == (0, 0, 0, 20)


def test_bad_local_settings_name_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "forcestat.toml"
    path.write_text('satisfied_answers = ["happy"]\nsmall_count_threshold = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: satisfied_answers must be a list of survey answers (completely satisfied, "
        "very satisfied, fairly satisfied, neither satisfied nor dissatisfied, fairly "
        "dissatisfied, very dissatisfied, completely dissatisfied, yes, no); "
        "small_count_threshold must be a whole number, 0 or more"
    )


def test_local_authority_figures_and_means_are_tabled(
    tmp_path: Path, store: duckdb.DuckDBPyConnection
) -> None:
    header = "indicator,area,period,numerator,denominator,value,breakdown,breakdown_value,note"
    path = write_csv(
        tmp_path / "local.csv",
        [
            header,
            "asb_incidents,Birmingham,2019,1200,,,,,",
            "asb_incidents,E08000026,2019,3,,,,,",
            "asb_incidents,Coventry,2020,410,,,,,",
            "calls_101_answer_seconds,West Midlands,2020,,250000,212.5,,,mean seconds",
        ],
    )
    ingest_path(store, path)
    period = rolling_12_months(parse_month("2020-12"))
    content = local_content(store, "West Midlands", period)
    slugs = {t.slug: t for t in content.local_tables}
    mean = slugs["calls_101_answer_seconds"]
    assert mean.rows == (("Total", 212.5),)  # the published mean, not a percentage
    areas = slugs["asb_incidents_local_authority"]
    assert [c.label for c in areas.columns] == ["Local authority", "2019", "2020"]
    # Coventry's 3 in 2019 is below the default threshold of 5.
    assert areas.rows == (("Birmingham", 1200, None), ("Coventry", "fewer than 5", 410))
