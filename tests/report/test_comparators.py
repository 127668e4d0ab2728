"""England and Wales and the most similar forces' combined rate, worked out here from
the Home Office table (read with the csv module) and the 2011 census populations of the
forces' neighbourhoods, against the statement's peers table and figures."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import pypdfium2
import pytest

from forcestat.config import Config
from forcestat.forces import find_force
from forcestat.report.build import build_report
from forcestat.report.context import ReportContext
from forcestat.store.database import open_store

from .conftest import HOME_OFFICE_TABLE, Rendered, Runs, census_2011_population

RESIDENTIAL_BURGLARY = ("28E", "28F", "28G", "28H", "29A")
TRAFFICKING = ("92A",)
GROUP = ("Greater Manchester", "Merseyside", "West Yorkshire")


def _counts_by_force(codes: tuple[str, ...]) -> dict[str, int]:
    """Offences of ``codes`` in 2017/18 by force (all four quarters, force rows only)."""
    totals: dict[str, int] = {}
    with gzip.open(HOME_OFFICE_TABLE, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Offence Code"] in codes:
                force = find_force(row["Force Name"])
                if force.territorial:
                    totals[force.name] = totals.get(force.name, 0) + int(
                        row["Number of Offences"].strip()
                    )
    return totals


@pytest.fixture(scope="module")
def west_midlands(sample_store: Path, settings: Config) -> ReportContext:
    con = open_store(sample_store, read_only=True)
    try:
        return build_report(con, settings, period_end=dt.date(2018, 3, 1))
    finally:
        con.close()


def _peers_row(runs: Runs, label: str, column: str) -> float:
    path = runs.first / "csv" / "neighbourhood_crime_peers.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return float(next(r for r in rows if r["Force"] == label)[column])


def test_england_and_wales_and_the_combined_group_rate_are_the_sums(
    west_midlands_runs: Runs, west_midlands: ReportContext
) -> None:
    counts = _counts_by_force(RESIDENTIAL_BURGLARY)
    assert len(counts) == 43
    residents = {f: census_2011_population(f) for f in counts}
    with_population = [f for f in counts if residents[f] > 0]
    # The four Welsh forces have no population in the bundled census extract.
    assert sorted(set(counts) - set(with_population)) == [
        "Dyfed-Powys",
        "Gwent",
        "North Wales",
        "South Wales",
    ]
    national = (
        sum(counts[f] for f in with_population) / sum(residents[f] for f in with_population) * 1000
    )
    combined = sum(counts[f] for f in GROUP) / sum(residents[f] for f in GROUP) * 1000
    mean = sum(counts[f] / residents[f] * 1000 for f in GROUP) / 3
    assert abs(combined - mean) > 0.01  # the two ways differ: the test tells them apart
    column = "Residential burglary per 1,000 residents"
    assert _peers_row(west_midlands_runs, "England and Wales", column) == pytest.approx(
        national, rel=1e-12
    )
    assert _peers_row(west_midlands_runs, "Most similar forces combined", column) == pytest.approx(
        combined, rel=1e-12
    )
    figure = next(
        f
        for s in west_midlands.sections
        for f in s.figures
        if f.measure_id == "residential_burglary"
    )
    assert figure.comparator_mean == pytest.approx(combined, rel=1e-12)
    assert figure.national_value == pytest.approx(national, rel=1e-12)
    # Rank said from the nearer end: forces with a higher rate than West Midlands, + 1.
    own = counts["West Midlands"] / residents["West Midlands"] * 1000
    higher = sum(1 for f in with_population if counts[f] / residents[f] * 1000 > own)
    lower = sum(1 for f in with_population if counts[f] / residents[f] * 1000 < own)
    expected = (
        f"{higher + 1}th highest of 39 forces"
        if higher < lower
        else f"{lower + 1}th lowest of 39 forces"
    )
    assert figure.rank_words == expected


def test_a_counts_england_and_wales_figure_is_every_forces_sum(
    west_midlands: ReportContext,
) -> None:
    counts = _counts_by_force(TRAFFICKING)
    figure = next(
        f for s in west_midlands.sections for f in s.figures if f.measure_id == "drug_trafficking"
    )
    assert figure.national_value == sum(counts.values())
    assert figure.comparator_mean is None and figure.rank_words is None


def test_ranked_chart_and_funnel_have_text_alternatives_in_html_and_pdf(
    west_midlands_runs: Runs,
) -> None:
    html = (west_midlands_runs.first / "report.html").read_text(encoding="utf-8")
    assert html.count('<figure class="chart comparison-chart comparison-ranked">') >= 1
    assert html.count('<figure class="chart comparison-chart comparison-funnel">') >= 1
    assert '<desc id="comparison-0-desc">Bar chart of ' in html
    assert "Funnel plot of residential burglary per 1,000 residents against population" in html
    assert (
        "Its most similar forces, marked: Greater Manchester, Merseyside, West Yorkshire." in html
    )
    pdf = pypdfium2.PdfDocument(io.BytesIO((west_midlands_runs.first / "report.pdf").read_bytes()))
    try:
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    text = " ".join(text.split())
    assert "Funnel plot of residential burglary per 1,000 residents against population" in text
    assert "every force, highest first" in text  # the ranked chart's title, drawn


def test_the_city_of_london_caveat(city_of_london: Rendered) -> None:
    assert "its rates per resident overstate the risk to any one person there" in (
        city_of_london.html
    )
