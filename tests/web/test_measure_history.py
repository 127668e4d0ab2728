"""In a real browser: the measure page's long-run chart of the published rolling years,
with its caption and text alternative, the table behind a details element, and the
page as it was before the history was loaded (and after, with no restart)."""

from __future__ import annotations

import csv
import gzip
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from tests.web.conftest import GOVUK_FRONTEND, REPO, Client, _free_port, axe_violations

from forcestat.cli import cli
from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store
from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings

TABLES = REPO / "data" / "tables"
ROLLING = TABLES / "homeoffice" / "rec-crime-pfa.csv.gz"
PAGE = "/forces/west-midlands/measures/personal_robbery?period=2019-12"


@dataclass(frozen=True)
class HistorySite:
    url: str
    store: Path


@pytest.fixture
def history_site(tmp_path: Path) -> Iterator[HistorySite]:
    """West Midlands' dashboard over the December 2019 ONS edition and the mid-2018
    populations: the 12 months to December 2019, no long run."""
    store = tmp_path / "forcestat.duckdb"
    con = open_store(store)
    ingest_path(con, TABLES / "ons" / "pfa-tables" / "pfatablesdec19.xlsx.gz")
    ingest_path(con, TABLES / "population" / "pfa_population_data_mid2018.csv.gz")
    con.close()
    app = create_app(WebSettings(store=store, govuk_frontend=GOVUK_FRONTEND, force="West Midlands"))
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for startup: at most 20 s
        if server.started:
            break
        time.sleep(0.1)
    assert server.started
    yield HistorySite(f"http://127.0.0.1:{server.config.port}", store)
    server.should_exit = True
    thread.join(timeout=10)


def _robbery_rows() -> dict[str, int]:
    """West Midlands robbery in the rolling-totals CSV, by its date as printed."""
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        return {
            r["12 months ending"]: int(r["Rolling year total number of offences"])
            for r in csv.DictReader(fh)
            if r["PFA"] == "West Midlands" and r["Offence"] == "Robbery"
        }


def test_the_long_run_chart_appears_when_the_history_is_loaded(
    page: Any, history_site: HistorySite
) -> None:
    page.goto(history_site.url + PAGE)
    # One rolling year from the edition (its P1 table): listed, not charted.
    lead = page.locator("#long-run-lead").inner_text()
    assert lead == (
        "One rolling 12-month total for West Midlands of the offences in this measure's "
        "published groups, the 12 months to December 2019."
    )
    assert page.locator("#long-run-chart-figure").count() == 0

    loaded = CliRunner().invoke(cli, ["ingest", str(ROLLING), "--store", str(history_site.store)])
    assert loaded.exit_code == 0, loaded.output

    # The next request reads the new snapshot: no restart.
    page.goto(history_site.url + PAGE)
    published = _robbery_rows()
    # The CSV's 52 rolling years to December 2018, and December 2019 from the edition.
    n = len(published) + 1
    assert n == 53
    lead = page.locator("#long-run-lead").inner_text()
    assert lead.startswith(f"{n} rolling 12-month totals for West Midlands")
    figure = page.locator("#long-run-chart-figure")
    chart = figure.locator("svg[role=img]")
    assert chart.count() == 1
    title = "Robbery, West Midlands: 12-month totals as published"
    assert chart.locator("title").text_content() == title
    # First (March 2003) and extremes from the CSV; December 2019 is Table P1's 8,755.
    first = published["31-03-2003"]
    high, low = max(published.values()), min(published.values())
    assert (first, high, low) == (10_249, 10_371, 4_781)
    description = (
        f"Line chart: {title}. {n} rolling 12-month totals, from 10,249 in the 12 months to "
        "March 2003 to 8,755 in the 12 months to December 2019. Highest: 10,371 in the 12 "
        "months to March 2004. Lowest: 4,781 in the 12 months to September 2015. No "
        "process limits: the totals overlap."
    )
    assert chart.locator("desc").text_content() == description
    assert page.locator("#long-run-description").inner_text() == description
    caption = page.locator("#long-run-caption").inner_text()
    assert "overlap by nine months" in caption and "without process limits" in caption
    assert chart.bounding_box()["width"] > 300  # drawn, sized by the page
    # The table stays behind its details element, closed, one row a rolling year.
    details = page.locator("#long-run-details")
    assert details.get_attribute("open") is None
    assert page.locator("#long-run-table").is_visible() is False
    details.locator("summary").click()
    rows = page.locator("#long-run-table tbody tr")
    assert rows.count() == n
    assert rows.first.locator("td").nth(1).inner_text() == "8,755"
    assert axe_violations(page) == []


@pytest.mark.parametrize("measure_id", ["personal_robbery", "burglary_policeuk"])
def test_no_history_no_section(client: Client, measure_id: str) -> None:
    # The shared site holds police.uk files and the 2017/18 offence-code table only.
    body = client.get(f"/forces/city-of-london/measures/{measure_id}?period=2021-06").body
    assert 'id="long-run' not in body
    assert "Rolling years published" not in body
