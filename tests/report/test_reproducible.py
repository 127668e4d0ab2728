"""The same store and settings give the same bytes: HTML, PDF, XLSX, ODS and CSV."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from forcestat.cli import cli

from .conftest import Runs


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_two_runs_write_identical_files(west_midlands_runs: Runs) -> None:
    first, second = _files(west_midlands_runs.first), _files(west_midlands_runs.second)
    assert sorted(first) == sorted(second)
    assert {"report.html", "report.pdf", "tables.xlsx", "tables.ods", "csv/cover.csv"} <= set(first)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_workbooks_carry_no_clock_time(west_midlands_runs: Runs) -> None:
    # Every zip entry is dated at the end of the period (March 2018), not when written.
    for name in ("tables.xlsx", "tables.ods"):
        with zipfile.ZipFile(west_midlands_runs.first / name) as workbook:
            assert {info.date_time for info in workbook.infolist()} == {(2018, 4, 1, 0, 0, 0)}
            if name.endswith(".ods"):
                first = workbook.infolist()[0]
                assert first.filename == "mimetype"
                assert first.compress_type == zipfile.ZIP_STORED
            else:
                core = workbook.read("docProps/core.xml").decode("utf-8")
                assert "2018-04-01T00:00:00Z" in core


def test_the_command_says_where_the_report_is(west_midlands_runs: Runs) -> None:
    assert "Wrote the report for West Midlands, 12 months to March 2018" in (
        west_midlands_runs.output
    )
    assert str(west_midlands_runs.second / "report.pdf") in west_midlands_runs.output


def test_a_period_with_no_data_is_refused_plainly(
    sample_store: Path, settings_file: Path, tmp_path: Path
) -> None:
    # The sample holds police.uk months from 2017 and the Home Office year 2017/18 only.
    result = CliRunner().invoke(
        cli,
        [
            *("report", "--period", "2012-06", "--force", "City of London"),
            *("--out", str(tmp_path), "--config", str(settings_file), "--store", str(sample_store)),
        ],
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: the store holds no data for City of London in the 12 months to June 2012"
    )
    assert not any(tmp_path.iterdir())
