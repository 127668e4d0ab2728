"""The report's tables against figures counted straight from the sample files: the
scorecard with a plan target, the comparison with the most similar forces, what could
not be measured, the sources and the classification changes listed."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import hashlib
import io
from pathlib import Path

import pytest

from forcestat.config import Config
from forcestat.measures.catalogue import load_catalogue
from forcestat.report.build import build_report
from forcestat.report.context import ReportContext
from forcestat.report.exports import csv_files
from forcestat.report.html import render_html
from forcestat.store.database import open_store

from .conftest import REPO, SAMPLE, STREET, Rendered, Runs, home_office_total
from .test_statement import html_text

PLAN_EXAMPLE = REPO / "src" / "forcestat" / "measures" / "catalogue" / "plan_example.toml"
TRAFFICKING = ("92A",)
POSSESSION = ("92D", "92E")


def _crimes(year: int) -> int:
    """City of London crimes on police.uk in a calendar year: every row but anti-social
    behaviour."""
    total = 0
    for month in range(1, 13):
        path = STREET / f"{year}-{month:02d}-city-of-london-street.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            total += sum(
                1 for r in csv.DictReader(fh) if r["Crime type"] != "Anti-social behaviour"
            )
    return total


def _csv(context: ReportContext, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_files(context)[name].decode("utf-8"))))


@pytest.fixture(scope="module")
def planned(sample_store: Path, settings: Config) -> ReportContext:
    """City of London's own report (12 months to December 2021) with the example plan."""
    own = dataclasses.replace(
        settings,
        force="City of London",
        most_similar_forces=(),
        also_show=(),
        policing_body="City of London Police Authority Board",
        plan=PLAN_EXAMPLE,
    )
    con = open_store(sample_store, read_only=True)
    try:
        return build_report(con, own, period_end=dt.date(2021, 12, 1))
    finally:
        con.close()


def test_the_scorecard_gives_the_baseline_change_and_target_apart(
    planned: ReportContext,
) -> None:
    # 'Crime recorded on police.uk': 5% fewer than the previous year. The change is on
    # the baseline (here the previous year), never on the target.
    now, before = _crimes(2021), _crimes(2020)
    rows = _csv(planned, "scorecard.csv")
    header = rows[0]
    row = next(r for r in rows if r[0] == "Crime recorded on police.uk (monthly)")
    cell = dict(zip(header, row, strict=True))
    assert int(cell["Latest"]) == now
    assert cell["Baseline"] == "12 months to December 2020"
    assert int(cell["Baseline value"]) == before
    assert abs(float(cell["Change on baseline (%)"]) - (now - before) / before * 100) < 1e-9
    assert abs(float(cell["Target"]) - before * 0.95) < 1e-9
    met = "met" if now <= before * 0.95 else "not met"
    assert cell["Target and whether met"] == f"5% fewer than the baseline: {met}"
    # A national measure has no target, and says so.
    burglary = dict(zip(header, next(r for r in rows if r[0].startswith("Burglary")), strict=True))
    assert burglary["Target"] == ""
    assert burglary["Target and whether met"] == "No target set"


def test_the_own_force_report_names_its_body_and_no_settings_note(
    planned: ReportContext,
) -> None:
    text = html_text(render_html(planned))
    assert planned.policing_body == "City of London Police Authority Board"
    assert planned.settings_note is None
    assert "the settings name no most similar forces" in text


def test_counts_are_never_set_against_other_forces(west_midlands_runs: Runs) -> None:
    # Trafficking of drugs is a count: forces differ in size, so no peers table at all.
    html = (west_midlands_runs.first / "report.html").read_text(encoding="utf-8")
    assert 'id="table-drugs_supply_county_lines_peers"' not in html
    assert (
        "No comparison with other forces: this priority&#39;s figures here are counts, and "
        "forces differ in size, so only rates are compared." in html
    )
    own = home_office_total("West Midlands", TRAFFICKING)
    text = html_text(html)
    assert (
        f"There were {own} trafficking of drugs offences recorded in the 12 months to March 2018."
        in text
    )


def test_each_missing_measure_is_listed_once_with_its_reason(
    city_of_london: Rendered,
) -> None:
    context = city_of_london.context
    rows = _csv(context, "not_measured.csv")[1:]
    listed = [m for r in rows for m in r[1].split("; ")]
    shown = {f.title for s in context.sections for f in s.figures}
    assert sorted(listed) == sorted(
        m.title for m in load_catalogue().measures if m.title not in shown
    )
    # The Home Office table covers 2017/18 only: one row says it for every Home Office
    # measure of the 12 months to June 2021 (the three-year measure has its own period).
    first = rows[0]
    assert first[0] == (
        "The Home Office tables loaded hold no rows of these offences for City of London in "
        "the 12 months to June 2021"
    )
    assert first[1].split("; ") == [
        m.title
        for m in load_catalogue().measures
        if m.source.value == "home_office" and m.pool_years == 1
    ]


def test_sources_are_the_files_the_figures_rest_on(city_of_london: Rendered) -> None:
    html = city_of_london.html
    street = sorted(STREET.glob("*-city-of-london-street.csv.gz"))
    used = [p for p in street if p.name[:7] <= "2021-06"]
    later = [p for p in street if p.name[:7] > "2021-06"]
    assert used and later  # the sample runs to December 2021
    for path in used:
        assert hashlib.sha256(path.read_bytes()).hexdigest() in html
    # Months after the period end are loaded but change no figure of this report.
    for path in later:
        assert path.name not in html
    # No rate per resident is shown, so no population file or area lookup is listed.
    for name in ("census_2011_population_hh.csv.gz", "TS001_usual_residents_LSOA2021.csv.gz"):
        assert name not in html


def test_rates_list_only_the_population_they_use(west_midlands_runs: Runs) -> None:
    # 2017/18 rates use the 2011 Census (the latest population before April 2017).
    html = (west_midlands_runs.first / "report.html").read_text(encoding="utf-8")
    census_2011 = SAMPLE / "geography" / "census_2011_population_hh.csv.gz"
    census_2021 = SAMPLE / "population" / "TS001_usual_residents_LSOA2021.csv.gz"
    assert hashlib.sha256(census_2011.read_bytes()).hexdigest() in html
    assert hashlib.sha256(census_2021.read_bytes()).hexdigest() not in html


def test_only_classification_changes_inside_the_months_used_are_listed(
    city_of_london: Rendered, west_midlands_runs: Runs
) -> None:
    # police.uk split 'Public disorder and weapons' in May 2013, before the first month
    # loaded (January 2017): it changes nothing in the City of London report.
    assert city_of_london.context.methods.classification_breaks == ()
    # Residential burglary replaced domestic burglary in April 2017, inside the 2017/18
    # year and its previous year; the April 2023 split is after the period.
    html = (west_midlands_runs.first / "report.html").read_text(encoding="utf-8")
    text = html_text(html)
    assert "Residential burglary per 1,000 residents: Before April 2017 counted on" in text
    assert "April 2023" not in text
