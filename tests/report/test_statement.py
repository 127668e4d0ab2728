"""The statement's headline numbers, in the HTML and in the text of the PDF, against
figures counted straight from the sample files (csv and gzip, not the measure engine)."""

from __future__ import annotations

import hashlib
import io
import math
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pypdfium2

from .conftest import (
    SAMPLE,
    STREET,
    Rendered,
    Runs,
    census_2011_population,
    home_office_total,
    policeuk_count,
)

NEIGHBOURHOOD_TYPES = ("Burglary", "Robbery", "Theft from the person", "Vehicle crime")
HOMICIDE_CODES = ("1/4.1/4.10/4.2", "1", "4.1", "4.2", "4.10")
RESIDENTIAL_BURGLARY_CODES = ("28E", "28F", "28G", "28H", "29A")


class _Text(HTMLParser):
    """The text a reader sees: no style sheet, no script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    return " ".join(" ".join(pages).split())


def _reduction(now: int, then: int) -> str:
    change = (now - then) / then * 100
    assert change <= -10  # whole percentages from 10% up
    return f"a {abs(change):.0f}% reduction"


def test_city_of_london_headlines_match_the_street_files(city_of_london: Rendered) -> None:
    now = policeuk_count("city-of-london", "2020-07", "2021-06", ["Burglary"])
    then = policeuk_count("city-of-london", "2018-07", "2019-06", ["Burglary"])
    drugs = policeuk_count("city-of-london", "2020-07", "2021-06", ["Drugs"])
    drugs_then = policeuk_count("city-of-london", "2018-07", "2019-06", ["Drugs"])
    neighbourhood = policeuk_count("city-of-london", "2020-07", "2021-06", NEIGHBOURHOOD_TYPES)
    expected = [
        f"There were {now:,} burglaries recorded in the 12 months to June 2021, compared "
        f"with {then:,} in the 12 months to June 2019 baseline, {_reduction(now, then)}",
        f"There were {drugs:,} drug offences recorded in the 12 months to June 2021, compared "
        f"with {drugs_then:,} in the 12 months to June 2019 baseline",
        f"There were {neighbourhood:,} neighbourhood crimes recorded in the 12 months to June 2021",
    ]
    for text in (html_text(city_of_london.html), pdf_text(city_of_london.pdf)):
        for sentence in expected:
            assert sentence in text


def test_west_midlands_headlines_match_the_home_office_table(west_midlands_runs: Runs) -> None:
    homicides = home_office_total("West Midlands", HOMICIDE_CODES)
    burglaries = home_office_total("West Midlands", RESIDENTIAL_BURGLARY_CODES)
    residents = census_2011_population("West Midlands")
    rate = burglaries / residents * 1000  # per 1,000 residents, three significant figures
    per_million = homicides / residents * 1_000_000  # 41 / 2,736,460: 14.98, shown 15.0
    expected = [
        f"There were {homicides} homicides recorded in the 12 months to March 2018, "
        f"{per_million:.1f} per million residents.",
        f"Residential burglary per 1,000 residents was {rate:.2f} in the 12 months to "
        f"March 2018 ({burglaries:,} offences)",
    ]
    html = (west_midlands_runs.first / "report.html").read_text(encoding="utf-8")
    pdf = (west_midlands_runs.first / "report.pdf").read_bytes()
    for text in (html_text(html), pdf_text(pdf)):
        for sentence in expected:
            assert sentence in text
        # Only the quarterly table is loaded: no chart, and the report says why.
        assert "the Home Office tables give 4 quarterly figures, and a chart needs" in text
        # The baseline (year ending June 2019) ends after the period: said once.
        assert text.count("baseline ends after this period") == 1
        assert "do not cover the 12 months to June 2019 baseline" not in text
        assert "survey" in text  # victim satisfaction: no survey responses loaded


def test_the_comparison_names_the_most_similar_forces(west_midlands_runs: Runs) -> None:
    html = (west_midlands_runs.first / "report.html").read_text(encoding="utf-8")
    table = html[html.index('id="table-murder_homicide_peers"') :]
    table = table[: table.index("</table>")]
    for force in ("Greater Manchester", "Merseyside", "West Yorkshire", "Metropolitan Police"):
        assert f'<th scope="row">{force}</th>' in table


def test_every_table_has_a_caption_and_headers(city_of_london: Rendered) -> None:
    html = city_of_london.html
    tables = re.findall(r"<table\b.*?</table>", html, re.S)
    assert len(tables) >= 6
    for table in tables:
        assert "<caption>" in table
        assert '<th scope="col"' in table
        assert '<th scope="row">' in table


def test_methods_list_each_file_with_its_checksum(city_of_london: Rendered) -> None:
    html = city_of_london.html
    first, last = "2017-01-city-of-london-street.csv.gz", "2021-06-city-of-london-street.csv.gz"
    for path in (STREET / first, STREET / last):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest in html
        assert path.name in html
    # Stop and search files are loaded, but no national measure reads them.
    searches = (
        SAMPLE / "policeuk" / "stop-and-search" / "2019-05-city-of-london-stop-and-search.csv.gz"
    )
    assert hashlib.sha256(searches.read_bytes()).hexdigest() not in html


def test_the_report_is_self_contained(city_of_london: Rendered) -> None:
    html = city_of_london.html
    assert "@font-face" in html and "data:font/ttf;base64," in html
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None and "default-src 'none'" in unescape(policy.group(1))
    # Nothing to fetch: no http(s) address in any src or href.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    for svg in re.findall(r"<svg\b.*?</svg>", html, re.S):
        assert "<title" in svg
    assert "<desc" in html


def test_the_report_names_forcestat_and_its_settings(
    city_of_london: Rendered, settings_file: Path
) -> None:
    from forcestat import __version__

    text = html_text(city_of_london.html)
    assert f"forcestat {__version__}" in text
    assert hashlib.sha256(settings_file.read_bytes()).hexdigest() in text
    assert "settings file forcestat.toml" in text


def test_proxies_and_gaps_are_said_plainly(city_of_london: Rendered) -> None:
    text = html_text(city_of_london.html)
    assert "This figure is a police.uk proxy for residential burglary" in text
    # No Home Office figures for City of London in 2020/21: said once for both homicide
    # measures of the same period.
    assert (
        "Homicide and Homicide per million residents: the Home Office tables loaded hold no "
        "rows of these offences for City of London in the 12 months to June 2021."
    ) in text
    assert "What could not be measured" in text


def _beyond_chance(a: int, b: int) -> bool:
    """Two-sided exact test of two Poisson counts, conditional on their total: is
    ``a`` out of ``a + b`` further from half than chance gives at p < 0.05?"""
    n, k = a + b, min(a, b)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail) < 0.05


def test_the_summary_opens_with_each_figure_and_its_changes(city_of_london: Rendered) -> None:
    now = policeuk_count("city-of-london", "2020-07", "2021-06", ["Burglary"])
    then = policeuk_count("city-of-london", "2018-07", "2019-06", ["Burglary"])
    before = policeuk_count("city-of-london", "2019-07", "2020-06", ["Burglary"])

    def move(a: int, b: int, on: str) -> str:
        change = (a - b) / b * 100
        words = "more than chance" if _beyond_chance(a, b) else "within normal variation"
        return f"{'down' if change < 0 else 'up'} {abs(change):.0f}% on the {on}, {words}"

    line = (
        f"Burglary (police.uk proxy): {now}, {move(now, then, 'baseline')}; "
        f"{move(now, before, 'previous year')}."
    )
    text = html_text(city_of_london.html)
    summary = text[text.index("Summary Figures for") : text.index("Introduction This")]
    assert line in summary
    assert "Reduce murder and other homicide, Tackle cyber crime and Improve satisfaction" in (
        summary
    )
