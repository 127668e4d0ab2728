"""Report fixtures: the bundled sample loaded once, the City of London report rendered
once (HTML and PDF), the West Midlands report written twice through the command line,
and the expected figures worked out straight from the sample files with csv and gzip.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from forcestat.cli import cli
from forcestat.config import Config, load_config, write_default_config
from forcestat.report.build import build_report
from forcestat.report.context import ReportContext
from forcestat.report.html import render_html
from forcestat.report.pdf import render_pdf
from forcestat.store.database import open_store

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
STREET = SAMPLE / "policeuk" / "street"
HOME_OFFICE_TABLE = SAMPLE / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
LSOA_LOOKUP = SAMPLE / "geography" / "PoliceforceLSOA.csv.gz"
CENSUS_2011 = SAMPLE / "geography" / "census_2011_population_hh.csv.gz"


# ---- expected figures, straight from the published files ------------------------------


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def policeuk_count(slug: str, first: str, last: str, crime_types: Iterable[str]) -> int:
    """Rows of the given police.uk crime types in the force's monthly street files."""
    wanted = set(crime_types)
    total = 0
    for month in _months(first, last):
        with gzip.open(STREET / f"{month}-{slug}-street.csv.gz", "rt", encoding="utf-8") as fh:
            total += sum(1 for row in csv.DictReader(fh) if row["Crime type"] in wanted)
    return total


def home_office_total(force: str, codes: Iterable[str]) -> int:
    """Offences of the given codes for a force in the 2017/18 table (all four quarters).
    Counts are published with spaces around them and '-00' for none."""
    wanted = set(codes)
    with gzip.open(HOME_OFFICE_TABLE, "rt", encoding="utf-8") as fh:
        return sum(
            int(row["Number of Offences"].strip())
            for row in csv.DictReader(fh)
            if row["Force Name"] == force and row["Offence Code"] in wanted
        )


def census_2011_population(force: str) -> int:
    """Usual residents in 2011 of the LSOAs the lookup gives to ``force``."""
    with gzip.open(LSOA_LOOKUP, "rt", encoding="utf-8") as fh:
        lsoas = {row["LSOA Code"] for row in csv.DictReader(fh) if row["Police_force"] == force}
    with gzip.open(CENSUS_2011, "rt", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        code, persons = header.index("LSOA Code"), header.index("Persons")
        return sum(int(r[persons].replace(",", "")) for r in rows if r[code] in lsoas)


# ---- the store and the reports --------------------------------------------------------


@pytest.fixture(scope="session")
def sample_store(sample_store_path: Path) -> Path:
    """The bundled sample's store (tests/conftest.py), as a file to open or name."""
    return sample_store_path


@pytest.fixture(scope="session")
def settings_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("settings") / "forcestat.toml"
    # The group a user gives for West Midlands (forcestat ships none it cannot cite).
    write_default_config(path, most_similar=["Greater Manchester", "Merseyside", "West Yorkshire"])
    return path


@pytest.fixture(scope="session")
def settings(settings_file: Path) -> Config:
    return load_config(settings_file)


@dataclass(frozen=True)
class Rendered:
    context: ReportContext
    html: str
    pdf: bytes


@pytest.fixture(scope="session")
def city_of_london(sample_store: Path, settings: Config) -> Rendered:
    """The report for the force with the monthly police.uk run, 12 months to June 2021."""
    con = open_store(sample_store, read_only=True)
    try:
        context = build_report(
            con, settings, period_end=dt.date(2021, 6, 1), force="City of London"
        )
    finally:
        con.close()
    html = render_html(context)
    return Rendered(context, html, render_pdf(html))


@dataclass(frozen=True)
class Runs:
    """Two runs of 'forcestat report' on the same store and settings."""

    first: Path
    second: Path
    output: str


@pytest.fixture(scope="session")
def west_midlands_runs(
    sample_store: Path, settings_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Runs:
    """'forcestat report' for West Midlands (Home Office table only), run twice."""
    folders = []
    output = ""
    for name in ("first", "second"):
        out = tmp_path_factory.mktemp(f"report-{name}")
        result = CliRunner().invoke(
            cli,
            [
                "report",
                "--period",
                "2018-03",
                "--force",
                "West Midlands",
                "--out",
                str(out),
                "--config",
                str(settings_file),
                "--store",
                str(sample_store),
            ],
        )
        assert result.exit_code == 0, result.output
        output = result.output
        folders.append(out / "west-midlands-2018-03")
    return Runs(folders[0], folders[1], output)
