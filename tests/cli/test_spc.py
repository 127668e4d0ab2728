"""``forcestat spc --input series.csv``: an analyst's own series, charted and read."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from forcestat.cli import cli

GOLDEN = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def write_series(path: Path, rows: list[str], header: str = "date,value") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def golden_file(tmp_path: Path) -> Path:
    months = [f"2023-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 7)]
    return write_series(
        tmp_path / "golden.csv", [f"{d},{v}" for d, v in zip(months, GOLDEN, strict=True)]
    )


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["spc", *map(str, args)])


def test_csv_rows_for_the_golden_series(tmp_path: Path) -> None:
    result = run("--input", golden_file(tmp_path), "--format", "csv", "--polarity", "higher")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 18
    assert list(rows[0])[:8] == [
        "date",
        "value",
        "mean",
        "lpl",
        "upl",
        "lower_two_sigma",
        "upper_two_sigma",
        "segment",
    ]
    assert {"special_cause", "rules", "point_type"} <= set(rows[0])
    # Mean 35/18 = 1.9444; screened mean moving range 1; limits 1.9444 -/+ 2.66,
    # written in full: the shortest text that reads back as the same float.
    assert (rows[0]["date"], rows[0]["mean"], rows[0]["lpl"], rows[0]["upl"]) == (
        "2023-01",
        "1.9444444444444444",
        "-0.7155555555555555",
        "4.604444444444445",
    )
    spike = rows[4]
    assert (spike["date"], spike["value"], spike["special_cause"]) == ("2023-05", "10", "true")
    assert (spike["rules"], spike["point_type"]) == ("outside_limits", "improvement")
    assert all(r["point_type"] == "common_cause" for i, r in enumerate(rows) if i != 4)
    # The icons and the reading go to stderr, keeping stdout a clean CSV.
    assert "variation: common_cause" in result.stderr
    assert "assurance: none" in result.stderr
    assert (
        "May 2023 was unusually high (above the upper process limit; an improvement)."
        in result.stderr
    )


def test_no_screen_matches_the_excel_tools(tmp_path: Path) -> None:
    # Unscreened mean moving range 32/17 = 1.88235; 2.66 x 1.88235 = 5.00706;
    # 1.94444 -/+ 5.00706 = -3.06261 and 6.95150.
    result = run("--input", golden_file(tmp_path), "--format", "csv", "--no-screen")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (round(float(rows[0]["lpl"]), 4), round(float(rows[0]["upl"]), 4)) == (-3.0626, 6.9515)
    assert rows[4]["point_type"] == "neutral_high"


def test_csv_and_json_figures_read_back_exactly(tmp_path: Path) -> None:
    # The exact mean is 35/18 and the screened mean moving range 1, so the upper limit is
    # 35/18 + 2.66 and the upper 2-sigma line 35/18 + 2.66 x 2/3, each rounded once.
    mean = Fraction(35, 18)
    expected = {
        "mean": float(mean),
        "upl": float(mean + Fraction("2.66")),
        "lpl": float(mean - Fraction("2.66")),
        "upper_two_sigma": float(mean + Fraction("2.66") * 2 / 3),
        "lower_two_sigma": float(mean - Fraction("2.66") * 2 / 3),
    }
    rows = list(
        csv.DictReader(io.StringIO(run("--input", golden_file(tmp_path), "--format", "csv").stdout))
    )
    document = json.loads(run("--input", golden_file(tmp_path), "--format", "json").stdout)
    for row in (rows[0], document["points"][0]):
        assert {key: float(row[key]) for key in expected} == expected
    assert [float(r["value"]) for r in rows] == GOLDEN
    (segment,) = document["segments"]
    assert (segment["mean"], segment["upl"]) == (expected["mean"], expected["upl"])


# Montgomery's orange juice cans (Introduction to Statistical Quality Control, 2nd ed.,
# pp. 152-155): nonconforming cans in 30 samples of 50. p-bar = 347 / 1500 = 23.13%,
# limits 23.13 +/- 3 x 100 x sqrt(0.2313 x 0.7687 / 50) = 5.24% and 41.02%.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22]
ORANGE_JUICE += [8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]


def cans_file(tmp_path: Path) -> Path:
    months = [f"{2022 + i // 12}-{i % 12 + 1:02d}" for i in range(30)]
    rows = [f"{m},{d},50" for m, d in zip(months, ORANGE_JUICE, strict=True)]
    return write_series(tmp_path / "cans.csv", rows, header="date,numerator,denominator")


def test_a_p_chart_from_numerators_and_denominators(tmp_path: Path) -> None:
    result = run("--input", cans_file(tmp_path), "--chart", "p", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:5] == ["date", "value", "numerator", "denominator", "mean"]
    assert (rows[0]["value"], rows[0]["numerator"], rows[0]["denominator"]) == ("24", "12", "50")
    assert float(rows[0]["mean"]) == float(Fraction(34700, 1500))
    assert (round(float(rows[0]["lpl"]), 2), round(float(rows[0]["upl"]), 2)) == (5.24, 41.02)
    # Samples 15 (44%) and 23 (48%) are above the upper limit.
    assert [r["date"] for r in rows if "outside_limits" in r["rules"]] == ["2023-03", "2023-11"]
    assert "The limits are a p-chart's, from each month's number of cases." in result.stderr
    document = json.loads(
        run("--input", cans_file(tmp_path), "--chart", "p", "--format", "json").stdout
    )
    assert document["chart"] == "p"
    assert document["segments"][0]["laney"] is False
    assert 1.6 < document["segments"][0]["sigma_z"] < 2  # under 2: the plain p-chart
    always = run("--input", cans_file(tmp_path), "--chart", "p", "--laney", "always")
    assert "widened by Laney's adjustment" in always.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--chart", "u", "--per", "1000", "--seasonally-adjust"), "--seasonally-adjust works"),
        ((), "has numerator and denominator columns; give --chart p"),
    ],
)
def test_a_p_or_u_file_needs_its_chart(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run("--input", cans_file(tmp_path), *args)
    assert result.exit_code != 0
    assert message in result.stderr


def test_a_p_chart_of_a_date_value_file_is_refused(tmp_path: Path) -> None:
    result = run("--input", golden_file(tmp_path), "--chart", "p")
    assert result.exit_code == 1
    assert "a p-chart needs each month's numerator and denominator" in result.stderr
    bad = write_series(
        tmp_path / "bad.csv", ["2022-01,5,50", "2022-02,6,0"], header="date,numerator,denominator"
    )
    result = run("--input", bad, "--chart", "p")
    assert "line 3: denominator '0' is not a positive number" in result.stderr


def test_table_prints_rows_icons_and_reading(tmp_path: Path) -> None:
    result = run(
        "--input",
        golden_file(tmp_path),
        "--polarity",
        "lower",
        "--target",
        "5",
        "--title",
        "Robbery",
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2023-05" in out and "outside_limits" in out
    assert "variation: common_cause" in out
    # A target of 5 lies above the upper limit (4.60): lower is better, so always met.
    assert "assurance: consistent_pass" in out
    assert "Robbery has been stable since January 2023 at around 1.9 a month" in out
    assert "The latest month, June 2024, at 1, shows common cause variation." in out
    assert "trial limits" not in out  # 18 points


def test_json_carries_rows_icons_and_reading(tmp_path: Path) -> None:
    result = run(
        "--input",
        golden_file(tmp_path),
        "--format",
        "json",
        "--target",
        "3",
        "--polarity",
        "higher",
    )
    document = json.loads(result.stdout)
    assert len(document["points"]) == 18
    assert document["variation"] == "common_cause"
    assert document["assurance"] == "inconsistent"  # 3 lies between -0.72 and 4.60
    assert document["segments"][0]["moving_ranges_excluded"] == 2
    assert any("May 2023 was unusually high" in s for s in document["reading"])


def test_rebase_and_chart(tmp_path: Path) -> None:
    months = [f"{2021 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]
    values = [5, 6] * 6 + [20, 22] * 6
    series = write_series(
        tmp_path / "vehicle.csv", [f"{m},{v}" for m, v in zip(months, values, strict=True)]
    )
    out = tmp_path / "chart.svg"
    result = run(
        "--input", series, "--rebase", "2022-01", "--rebase-reason", "new recording rules",
        "--format", "json", "--out", out, "--title", "Vehicle crime",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [s["mean"] for s in document["segments"]] == [5.5, 21.0]
    assert document["segments"][1]["rebase_reason"] == "new recording rules"
    assert document["suggested_rebases"] == []
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    assert "Vehicle crime" in [
        "".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
    ]
    assert f"Wrote the chart to {out}" in result.stderr


def test_chart_as_vega_lite_json(tmp_path: Path) -> None:
    out = tmp_path / "chart.json"
    result = run("--input", golden_file(tmp_path), "--out", out)
    assert result.exit_code == 0, result.output
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert spec["title"] == "golden" and "layer" in spec


def test_seasonal_adjustment_needs_three_years(tmp_path: Path) -> None:
    result = run("--input", golden_file(tmp_path), "--seasonally-adjust")
    assert result.exit_code == 1
    assert "18 months given; a month-of-year pattern needs at least 36" in result.stderr


def test_seasonal_adjustment_is_said(tmp_path: Path) -> None:
    months = [f"{2019 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    rows = [f"{m},{130 if m.endswith('-12') else 100 + i % 2}" for i, m in enumerate(months)]
    result = run(
        "--input", write_series(tmp_path / "s.csv", rows), "--seasonally-adjust", "--title", "Theft"
    )
    assert result.exit_code == 0, result.output
    assert "Theft runs above average in December, a seasonal pattern" in result.stdout
    assert "The chart and the rules use the seasonally adjusted series." in result.stdout


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["2023-01,5", "2023-02,6", "2023-13,7"], "line 4: '2023-13' is not a date"),
        (["2023-01,5", "Feb 2023,6"], "line 3: 'Feb 2023' is not a date"),
        (["2023-01,5", "2023-02,", "2023-03,7"], "line 3: value '' is not a number"),
        (["2023-01,5", "2023-02,n/a"], "line 3: value 'n/a' is not a number"),
        (
            ["2023-01,5", "2023-02,6", "2023-02,7"],
            "line 4: month 2023-02 is already given on line 3",
        ),
        (["2023-01,5", "2023-03,6", "2023-02,7"], "line 3: month 2023-02 is missing after line 2"),
        (["2023-02,5", "2023-01,6"], "line 3: 2023-01 comes after 2023-02 (line 2); sort the file"),
        (["2023-01,5", "2023-05,6"], "line 3: months 2023-02 to 2023-04 are missing after line 2"),
        (["2023-01,5"], "1 month(s) of data; a chart needs at least 2"),
        (["2023-01,5", "2023-02"], "line 3: 1 column(s); expected a date and a value"),
    ],
)
def test_hostile_input_is_reported_with_its_line(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    result = run("--input", write_series(tmp_path / "bad.csv", rows))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_wrong_header_and_missing_file(tmp_path: Path) -> None:
    bad = write_series(tmp_path / "bad.csv", ["2023-01,5"], header="month,count")
    result = run("--input", bad)
    assert result.exit_code == 1
    assert "line 1: no column 'date' or 'value' (found month,count)" in result.stderr
    missing = run("--input", tmp_path / "nope.csv")
    assert missing.exit_code == 1 and "file not found" in missing.stderr


def test_accepted_date_forms_and_other_columns(tmp_path: Path) -> None:
    # A BOM, extra columns, day-level ISO and UK dates, quoted thousands, blank lines.
    text = '\ufeffValue,Date,note\n"1,093",2023-01-31,a\n1100,28/02/2023,b\n\n1088,2023-03,c\n'
    path = tmp_path / "mixed.csv"
    path.write_text(text, encoding="utf-8")
    result = run("--input", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["date"], r["value"]) for r in rows] == [
        ("2023-01", "1093"),
        ("2023-02", "1100"),
        ("2023-03", "1088"),
    ]
    assert "trial limits" in result.stderr  # 3 points


def test_baseline_points_below_twelve_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--input", golden_file(tmp_path), "--baseline-points", "11")
    assert result.exit_code == 2
    assert "--baseline-points" in result.stderr


def test_baseline_period_fixes_the_limits(tmp_path: Path) -> None:
    # June 2023 to May 2024 are GOLDEN[5:17]: 1, 2 alternating, mean 1.5, eleven moving
    # ranges of 1. Limits 1.5 -/+ 2.66 = -1.16 and 4.16; May 2023 (10) lies above them.
    given = ("--input", golden_file(tmp_path), "--baseline-period", "2023-06:2024-05")
    result = run(*given, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["mean"], r["lpl"], r["upl"]) for r in rows} == {("1.5", "-1.16", "4.16")}
    assert [r["date"] for r in rows if r["special_cause"] == "true"] == ["2023-05"]
    (segment,) = json.loads(run(*given, "--format", "json").stdout)["segments"]
    assert (segment["baseline_first_month"], segment["baseline_last_month"]) == (
        "2023-06",
        "2024-05",
    )


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2023-06..2024-05", "--baseline-period '2023-06..2024-05' is not a period"),
        ("2023-06:2024-04", "baseline period 2023-06 to 2024-04 has 11 months"),
        ("2022-01:2022-12", "not inside the series (2023-01 to 2024-06)"),
    ],
)
def test_unusable_baseline_period_is_one_line(tmp_path: Path, period: str, message: str) -> None:
    result = run("--input", golden_file(tmp_path), "--baseline-period", period)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_rebase_month(tmp_path: Path) -> None:
    result = run("--input", golden_file(tmp_path), "--rebase", "2030-01")
    assert result.exit_code == 1
    assert "rebase at 2030-01 is not a month after the first of the series" in result.stderr
    result = run("--input", golden_file(tmp_path), "--rebase", "soon")
    assert "--rebase 'soon' is not a month" in result.stderr


def test_a_survey_measure_counts_the_answers_the_project_sets(tmp_path: Path) -> None:
    # Each month of 2020: one completely satisfied and one fairly satisfied response.
    lines = ["response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"]
    for m in range(1, 13):
        lines += [f"a{m},2020-{m:02d},Burglary,Birmingham,no,1"]
        lines += [f"b{m},2020-{m:02d},Burglary,Birmingham,no,3"]
    survey = write_series(tmp_path / "survey.csv", lines[1:], header=lines[0])
    store = tmp_path / "spc.duckdb"
    assert CliRunner().invoke(cli, ["ingest", str(survey), "--store", str(store)]).exit_code == 0
    config = tmp_path / "forcestat.toml"
    config.write_text(
        'satisfied_answers = ["completely satisfied", "very satisfied"]\n', encoding="utf-8"
    )
    args = ["--measure", "victim_satisfaction", "--force", "West Midlands", "--period", "2020-12"]
    args += ["--format", "csv", "--store", store]
    strict = run(*args, "--config", config)
    assert strict.exit_code == 0, strict.output
    # Completely or very satisfied only: 1 of 2 each month, 50%.
    assert {float(r["value"]) for r in csv.DictReader(io.StringIO(strict.stdout))} == {50.0}
    plain = tmp_path / "plain.toml"
    plain.write_text("", encoding="utf-8")
    default = run(*args, "--config", plain)
    assert default.exit_code == 0, default.output
    assert {float(r["value"]) for r in csv.DictReader(io.StringIO(default.stdout))} == {100.0}
