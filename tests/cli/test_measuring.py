"""`forcestat measures` and `forcestat reconcile` through the CLI runner, in a temp folder."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from forcestat.cli import cli
from measures_fixtures import (
    street_rows,
)

PLAN = """
[[measure]]
id = "bicycle_theft_policeuk"
title = "Bicycle theft (police.uk)"
priority = "Police and Crime Plan: safer streets"
source = "policeuk_crimes"
kind = "count"
unit = "count"
polarity = "lower"
baseline = "previous_year"
target_change_pct = -10
filter = { crime_types = ["Bicycle theft"] }
note = "Pedal cycle theft as published on police.uk."
"""


def _project(folder: Path, store: Path, plan: str | None) -> Path:
    settings = f'force = "City of London"\nstore = "{store.as_posix()}"\n'
    if plan is not None:
        (folder / "myplan.toml").write_text(plan, encoding="utf-8")
        settings += 'plan = "myplan.toml"\n'
    config = folder / "forcestat.toml"
    config.write_text(settings, encoding="utf-8")
    return config


def test_a_measure_added_in_the_plan_file_shows_up(
    tmp_path: Path,
    sample_store_path: Path,
) -> None:
    config = _project(tmp_path, sample_store_path, PLAN)
    result = CliRunner().invoke(
        cli,
        [
            "measures",
            "--config",
            str(config),
            "--measure",
            "bicycle_theft_policeuk",
            "--period",
            "2019-06",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    now = sum(1 for r in street_rows("2018-07", "2019-06") if r["Crime type"] == "Bicycle theft")
    then = sum(1 for r in street_rows("2017-07", "2018-06") if r["Crime type"] == "Bicycle theft")
    assert (row["measure"], row["area"], row["period"]) == (
        "bicycle_theft_policeuk",
        "City of London",
        "12 months to June 2019",
    )
    assert int(row["numerator"]) == now and float(row["baseline_value"]) == then
    assert float(row["target"]) == then * 0.9


def test_the_table_lists_national_and_plan_measures(
    tmp_path: Path,
    sample_store_path: Path,
) -> None:
    config = _project(tmp_path, sample_store_path, PLAN)
    result = CliRunner().invoke(
        cli, ["measures", "--config", str(config), "--period", "2019-06"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    for measure_id in ("bicycle_theft_policeuk", "burglary_policeuk", "residential_burglary"):
        assert measure_id in result.stdout
    # Measures with no value are listed after the table, each with its reason in full.
    table, _, unavailable = result.stdout.partition("Not available (")
    assert "bicycle_theft_policeuk" in table
    assert (
        "  residential_burglary: the Home Office tables loaded hold no rows of these offences "
        "for City of London in the 12 months to June 2019"
    ) in unavailable
    # The synthetic survey is of West Midlands victims only.
    assert (
        "  victim_satisfaction: no victim survey responses loaded for City of London in "
        "the 12 months to June 2019"
    ) in unavailable


def test_show_sql_and_json(tmp_path: Path, sample_store_path: Path) -> None:
    config = _project(tmp_path, sample_store_path, None)
    result = CliRunner().invoke(
        cli,
        [
            "measures",
            "--config",
            str(config),
            "--measure",
            "homicide",
            "--force",
            "West Midlands",
            "--period",
            "2018-03",
            "--format",
            "json",
            "--show-sql",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "-- homicide" in result.stderr and "csp_name IS NULL" in result.stderr
    [row] = json.loads(result.stdout)
    assert (row["area"], row["period_end"], row["complete"]) == (
        "West Midlands",
        "2018-03-31",
        True,
    )


def test_a_bad_plan_is_one_error_naming_the_file_and_entry(
    tmp_path: Path,
    sample_store_path: Path,
) -> None:
    config = _project(tmp_path, sample_store_path, PLAN.replace("Bicycle theft", "Bike theft"))
    result = CliRunner().invoke(cli, ["measures", "--config", str(config)])
    assert result.exit_code == 1
    assert "myplan.toml: measure 'bicycle_theft_policeuk' (entry 1)" in result.stderr
    assert "unknown police.uk crime type 'Bike theft'" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_force_and_measure(tmp_path: Path, sample_store_path: Path) -> None:
    config = _project(tmp_path, sample_store_path, None)
    runner = CliRunner()
    result = runner.invoke(cli, ["measures", "--config", str(config), "--force", "Gotham"])
    assert result.exit_code == 1 and "unknown force 'Gotham'" in result.stderr
    result = runner.invoke(cli, ["measures", "--config", str(config), "--measure", "nope"])
    assert result.exit_code == 1 and "no measure 'nope'" in result.stderr
    result = runner.invoke(cli, ["measures", "--config", str(config), "--period", "June"])
    assert result.exit_code == 1 and "YYYY-MM" in result.stderr


def test_reconcile_command(tmp_path: Path, sample_store_path: Path) -> None:
    config = _project(tmp_path, sample_store_path, None)
    result = CliRunner().invoke(
        cli, ["reconcile", "--config", str(config), "--year", "2017/18", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    burglary = next(r for r in rows if r["crime_type"] == "Burglary")
    published = sum(1 for r in street_rows("2017-04", "2018-03") if r["Crime type"] == "Burglary")
    assert int(burglary["policeuk"]) == published
    assert rows[-1]["crime_type"] == "All crime types"


def test_reconcile_defaults_to_the_latest_home_office_year(
    tmp_path: Path,
    sample_store_path: Path,
) -> None:
    # The sample's Home Office table is 2017/18 only, so that is the year chosen.
    config = _project(tmp_path, sample_store_path, None)
    result = CliRunner().invoke(cli, ["reconcile", "--config", str(config), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"financial_year": "2017/18"' in result.stdout
    elsewhere = CliRunner().invoke(
        cli, ["reconcile", "--config", str(config), "--force", "Northern Ireland"]
    )
    assert elsewhere.exit_code == 1
    assert "no Home Office recorded-crime rows are loaded for" in elsewhere.output


def test_the_baseline_setting_moves_the_national_baseline(
    tmp_path: Path,
    sample_store_path: Path,
) -> None:
    # baseline_period_end = "2020-03": burglary (a national measure with the June 2019
    # baseline) now compares with April 2019 to March 2020, counted from the files.
    config = _project(tmp_path, sample_store_path, None)
    config.write_text(
        config.read_text("utf-8") + 'baseline_period_end = "2020-03"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli,
        [
            "measures",
            "--config",
            str(config),
            "--measure",
            "burglary_policeuk",
            "--period",
            "2021-12",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    baseline = sum(1 for r in street_rows("2019-04", "2020-03") if r["Crime type"] == "Burglary")
    assert row["baseline_period"] == "12 months to March 2020"
    assert float(row["baseline_value"]) == baseline
    bad = config.read_text("utf-8").replace('"2020-03"', '"March"')
    config.write_text(bad, encoding="utf-8")
    refused = CliRunner().invoke(cli, ["measures", "--config", str(config)])
    assert refused.exit_code == 1 and "baseline_period_end" in refused.output


def test_the_default_table_fits_80_columns_and_wide_shows_every_column(
    tmp_path: Path,
    sample_store_path: Path,
) -> None:
    # Found in use: at 100 columns headers truncated to "peri…" and rows wrapped over 5 lines.
    config = _project(tmp_path, sample_store_path, PLAN)
    args = ["measures", "--config", str(config), "--period", "2019-06"]
    narrow = CliRunner().invoke(cli, args, env={"COLUMNS": "80"})
    wide = CliRunner().invoke(cli, [*args, "--wide"], env={"COLUMNS": "300"})

    assert narrow.exit_code == 0 and wide.exit_code == 0, narrow.output + wide.output
    table = narrow.stdout.partition("Not available (")[0].splitlines()
    assert max(len(line) for line in table) <= 80
    header = next(line for line in table if "measure" in line)
    assert [c.strip() for c in header.strip("┃ ").split("┃")] == [
        "measure",
        "to",
        "value",
        "change",
        "rank",
    ]
    assert "…" not in narrow.stdout
    # One line per measure: the row of the plan's measure carries all its key figures.
    [bicycle] = [line for line in table if "bicycle_theft_policeuk" in line]
    assert "Jun 2019" in bicycle and "%" in bicycle
    wide_header = next(line for line in wide.stdout.splitlines() if "measure" in line)
    for column in ("period", "baseline", "95% interval", "beyond chance", "comparators", "note"):
        assert column in wide_header
