"""``forcestat spc --measure`` over the store, and ``forcestat rebase add|list|withdraw``."""

from __future__ import annotations

import csv
import io
import shutil
import statistics
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from forcestat.cli import cli
from measures_fixtures import (
    street_rows,
)


@pytest.fixture
def store_file(tmp_path: Path, sample_store_path: Path) -> Path:
    """A copy of the sample store this test may write to."""
    return Path(shutil.copy(sample_store_path, tmp_path / "store.duckdb"))


def run(store: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--store", str(store)])


def burglaries() -> dict[str, int]:
    counted = Counter(
        r["Month"] for r in street_rows("2017-01", "2021-12") if r["Crime type"] == "Burglary"
    )
    return dict(sorted(counted.items()))


def spc_rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_spc_of_a_measure_charts_the_counts_from_the_store(store_file: Path) -> None:
    result = run(
        store_file,
        "spc",
        "--measure",
        "burglary_policeuk",
        "--force",
        "City of London",
        "--format",
        "csv",
    )
    rows = spc_rows(result)
    expected = burglaries()
    assert [(r["date"], float(r["value"])) for r in rows] == [
        (m, float(n)) for m, n in expected.items()
    ]
    # One segment: the mean of all 60 months.
    assert float(rows[0]["mean"]) == pytest.approx(statistics.fmean(expected.values()), abs=1e-4)
    assert {r["segment"] for r in rows} == {"0"}
    # The measure is 'lower is better', so a point type is never neutral.
    assert not {r["point_type"] for r in rows} & {"neutral_high", "neutral_low"}
    assert "variation:" in result.stderr


def test_a_recorded_rebase_splits_the_chart_and_is_read_out(store_file: Path) -> None:
    added = run(
        store_file,
        "rebase",
        "add",
        "--measure",
        "burglary_policeuk",
        "--force",
        "city-of-london",
        "--month",
        "2020-04",
        "--reason",
        "First national lockdown",
        "--by",
        "analyst@opcc.example",
    )
    assert added.exit_code == 0, added.output
    assert "Recorded rebase 1: burglary_policeuk for City of London from 2020-04" in added.output
    result = run(
        store_file,
        "spc",
        "--measure",
        "burglary_policeuk",
        "--force",
        "City of London",
        "--format",
        "csv",
    )
    rows = spc_rows(result)
    expected = burglaries()
    before = [n for m, n in expected.items() if m < "2020-04"]
    after = [n for m, n in expected.items() if m >= "2020-04"]
    by_month = {r["date"]: r for r in rows}
    assert float(by_month["2020-03"]["mean"]) == pytest.approx(statistics.fmean(before), abs=1e-4)
    assert float(by_month["2020-04"]["mean"]) == pytest.approx(statistics.fmean(after), abs=1e-4)
    assert by_month["2020-03"]["segment"] != by_month["2020-04"]["segment"]
    assert "recalculated from April 2020: First national lockdown" in result.stderr
    assert "analyst@opcc.example" in result.stderr

    listed = run(store_file, "rebase", "list")
    assert "First national lockdown" in listed.output and "2020-04" in listed.output

    withdrawn = run(
        store_file, "rebase", "withdraw", "1", "--reason", "Board disagreed", "--by", "lead"
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    again = spc_rows(
        run(
            store_file,
            "spc",
            "--measure",
            "burglary_policeuk",
            "--force",
            "City of London",
            "--format",
            "csv",
        )
    )
    assert {r["segment"] for r in again} == {"0"}
    assert run(store_file, "rebase", "list").output.strip() == "No rebases recorded."
    assert "Board disagreed" in run(store_file, "rebase", "list", "--all").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2016-04"], "has no value for City of London in 2016-04"),
        (["--month", "2017-01"], "only from a month after the first of the chart (January 2017"),
        (["--month", "2017-02"], "would leave fewer than 2 months before it"),
        (["--month", "2021-12"], "fewer than 2 months from it"),
        (["--month", "April"], "is not a month"),
        (["--measure", "homicide"], "quarterly tables"),
        (["--measure", "no_such_measure"], "no_such_measure"),
        (["--force", "Atlantis"], "Atlantis"),
        (["--reason", "   "], "needs a reason"),
    ],
)
def test_a_bad_rebase_is_one_line_and_records_nothing(
    store_file: Path, args: list[str], message: str
) -> None:
    given = {
        "--measure": "burglary_policeuk",
        "--force": "City of London",
        "--month": "2020-04",
        "--reason": "Lockdown",
    }
    given.update(zip(args[::2], args[1::2], strict=True))
    result = run(store_file, "rebase", "add", *[x for pair in given.items() for x in pair])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert run(store_file, "rebase", "list", "--all").output.strip() == "No rebases recorded."


def test_spc_needs_a_measure_or_a_file_and_refuses_quarterly_measures(store_file: Path) -> None:
    neither = run(store_file, "spc")
    assert neither.exit_code == 2 and "give either --measure ID or --input FILE" in neither.output
    quarterly = run(store_file, "spc", "--measure", "homicide", "--force", "West Midlands")
    assert quarterly.exit_code == 1
    assert "no monthly series" in quarterly.output and "burglary_policeuk" in quarterly.output
    empty = run(store_file, "spc", "--measure", "burglary_policeuk", "--force", "Kent")
    assert empty.exit_code == 1 and "no monthly burglary_policeuk values" in empty.output
