"""The statement's long-run charts, on the published force tables the demo loads: the
West Midlands statement for the 12 months to December 2019 charts each published
group's rolling years once, with the "lowest since" sentence only where the history
supports it; a statement without a loaded history has no such chart."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.measures.test_history import _expected_sentence
from tests.measures.test_published import _at, _p_row
from tests.report.conftest import Rendered

from forcestat.config import Config
from forcestat.ingest.load import ingest_path
from forcestat.report.build import build_report
from forcestat.report.context import ReportContext
from forcestat.report.history_charts import history_sentence
from forcestat.report.html import render_html
from forcestat.store.database import open_store

REPO = Path(__file__).resolve().parents[2]
TABLES = REPO / "data" / "tables"
ROLLING = TABLES / "homeoffice" / "rec-crime-pfa.csv.gz"
EDITIONS = TABLES / "ons" / "pfa-tables"
WEST_MIDLANDS = "E23000014"
# Each ONS edition's rolling year (Table P1 gives the force's figure for it).
EDITION_ENDS = {
    "policeforceareatablesyearendingmarch2018v2.xlsx.gz": dt.date(2018, 3, 1),
    "policeforceareadatatablesyearendingjune2018corrected.xlsx.gz": dt.date(2018, 6, 1),
    "policeforceareatablesyearendingsep18corrected.xlsx.gz": dt.date(2018, 9, 1),
    "policeforceareatablesyearendingdecember2018.xlsx.gz": dt.date(2018, 12, 1),
    "policeforceareatablesyeendingmarch2019.xlsx.gz": dt.date(2019, 3, 1),
    "policeforceareatablesyearendingjune2019.xlsx.gz": dt.date(2019, 6, 1),
    "policeforceareatablesyearendingseptember2019.xlsx.gz": dt.date(2019, 9, 1),
    "pfatablesdec19.xlsx.gz": dt.date(2019, 12, 1),
}


@dataclass(frozen=True)
class Statement:
    context: ReportContext
    html: str


@pytest.fixture(scope="module")
def december_2019(
    tmp_path_factory: pytest.TempPathFactory, settings: Config
) -> Iterator[Statement]:
    """The force tables the demo loads (data/tables), and the West Midlands statement
    for the 12 months to December 2019 built and rendered from them."""
    path = tmp_path_factory.mktemp("history") / "tables.duckdb"
    con = open_store(path)
    try:
        ingest_path(con, TABLES)
        context = build_report(
            con, settings, period_end=dt.date(2019, 12, 1), force="West Midlands"
        )
    finally:
        con.close()
    yield Statement(context, render_html(context))


def published(offence: str) -> dict[dt.date, float]:
    """West Midlands' rolling years of an offence group: the rolling-totals CSV (read
    with csv), and each ONS edition's Table P1 for its own year (read with openpyxl),
    which the store prefers where both give a year."""
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        found = {
            dt.date(int(r["12 months ending"][6:]), int(r["12 months ending"][3:5]), 1): float(
                r["Rolling year total number of offences"]
            )
            for r in csv.DictReader(fh)
            if r["PFA"] == "West Midlands" and r["Offence"] == offence
        }
    for name, end in EDITION_ENDS.items():
        found[end] = _at(_p_row(EDITIONS / name, "Table P1", WEST_MIDLANDS), offence)
    return found


def _section(statement: Statement, title: str):  # type: ignore[no-untyped-def]
    return next(s for s in statement.context.sections if s.title == title)


def test_each_published_group_is_charted_once_per_section(december_2019: Statement) -> None:
    titles = {
        s.title: [c.title.split(", West Midlands")[0] for c in s.history_charts]
        for s in december_2019.context.sections
    }
    # Homicide's count and both rates share one group; the serious violence rate is the
    # sum of the two groups charted before it; trafficking and possession are both
    # 'Drug offences'; residential burglary and knife crime come from the eight ONS
    # editions only (March 2018 to December 2019: 8 rolling years, just enough), and
    # neighbourhood crime is the sum of four groups charted one by one.
    assert titles["Reduce murder and other homicide"] == ["Homicide"]
    assert titles["Reduce serious violence"] == [
        "Violence with injury and death or serious injury caused by illegal driving",
        "Possession of weapons offences",
        "Knife or sharp instrument: Total of selected serious offences",
    ]
    assert titles["Disrupt drugs supply and county lines"] == ["Drug offences"]
    assert titles["Reduce neighbourhood crime"] == [
        "Residential burglary",
        "Robbery",
        "Theft from the person",
        "Vehicle offences",
    ]
    assert sum(len(t) for t in titles.values()) == 9


def test_the_robbery_chart_draws_the_published_years_and_describes_them(
    december_2019: Statement,
) -> None:
    section = _section(december_2019, "Reduce neighbourhood crime")
    robbery = section.history_charts[1]
    expected = published("Robbery")
    assert {p.period_end: p.value for p in robbery.points} == expected
    assert len(expected) == 56  # 4 year ends, then every quarter end to December 2019
    first, last = expected[dt.date(2003, 3, 1)], expected[dt.date(2019, 12, 1)]
    high = max(expected.items(), key=lambda kv: kv[1])
    low = min(expected.items(), key=lambda kv: kv[1])
    assert (first, last) == (10_249, 8_755)
    assert high == (dt.date(2004, 3, 1), 10_371) and low == (dt.date(2015, 9, 1), 4_781)
    description = (
        "Line chart: Robbery, West Midlands: 12-month totals as published. 56 rolling "
        "12-month totals, from 10,249 in the 12 months to March 2003 to 8,755 in the 12 "
        "months to December 2019. Highest: 10,371 in the 12 months to March 2004. Lowest: "
        "4,781 in the 12 months to September 2015. No process limits: the totals overlap."
    )
    html = december_2019.html
    figure = _figures(html, "Robbery, West Midlands: 12-month totals as published")
    assert "<desc id=" in figure and description in figure
    assert 'role="img"' in figure
    assert f"<p>{description}</p>" in figure
    assert "overlap by nine months" in figure and "without process limits" in figure
    # 8,755 is neither below nor above all of the 8 years before it: nothing to say.
    assert robbery.sentence is None
    assert _expected_sentence(sorted(expected.items())[:-1], last) is None


def test_vehicle_offences_lowest_since_march_2017(december_2019: Statement) -> None:
    section = _section(december_2019, "Reduce neighbourhood crime")
    vehicle = section.history_charts[3]
    expected = published("Vehicle offences")
    now = expected[dt.date(2019, 12, 1)]
    assert now == 32_460
    since = _expected_sentence(sorted(expected.items())[:-1], now)
    assert since == "the lowest 12-month total since the 12 months to March 2017"
    sentence = (
        "The total for the 12 months to December 2019, 32,460, is the lowest 12-month "
        "total since the 12 months to March 2017."
    )
    assert vehicle.sentence == sentence
    figure = _figures(december_2019.html, "Vehicle offences, West Midlands")
    assert f'<p class="history-sentence">{sentence}</p>' in figure


def _figures(html: str, title: str) -> str:
    """The statement's long-run figure whose SVG title starts with ``title``."""
    for figure in re.findall(r'<figure class="chart history-chart">.*?</figure>', html, re.S):
        if re.search(r"<title id=\"history-\d+-title\">" + re.escape(title), figure):
            return str(figure)
    raise AssertionError(f"no long-run figure titled {title!r}")


def test_no_loaded_history_no_long_run_chart(city_of_london: Rendered) -> None:
    # The bundled sample: police.uk files and the 2017/18 offence-code table only.
    assert all(s.history_charts == () for s in city_of_london.context.sections)
    assert "history-chart" not in city_of_london.html


def test_the_sentence_needs_the_period_in_the_history() -> None:
    from forcestat.measures.history import HistoryPoint

    history = tuple(
        HistoryPoint(dt.date(2010 + i // 4, 3 * (i % 4) + 3, 1), 100.0 - i, "x") for i in range(9)
    )
    # March 2010 to March 2012, each lower: the last is the lowest in the history loaded.
    assert history_sentence(history, dt.date(2012, 3, 1)) == (
        "The total for the 12 months to March 2012, 92, is the lowest 12-month total in "
        "the history loaded, from the 12 months to March 2010."
    )
    assert history_sentence(history, dt.date(2012, 6, 1)) is None
