"""The local measures page: the report's satisfaction and local tables on the dashboard,
small counts withheld as in the report (the store keeps the true figure), the CSV
download withheld alike, and the project's satisfied_answers setting used by every page.

Figures are worked out by hand from the tiny survey written here, or taken from the
published annual-report file (data/sample/local); the page is compared with the report
built on the demo's data for West Midlands, 2020.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import pytest
import uvicorn
from tests.web.conftest import GOVUK_FRONTEND, REPO, SAMPLE, Client, _free_port, axe_violations

from forcestat.ingest.load import ingest_path
from forcestat.measures.periods import parse_month, rolling_12_months
from forcestat.report.html import format_cell
from forcestat.report.local_tables import local_content
from forcestat.store.database import open_store
from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings

INDICATORS = SAMPLE / "local" / "annual-report-2020-21-indicators.csv.gz"
SURVEY = SAMPLE / "local" / "victim-survey-responses-SYNTHETIC.csv.gz"
SURVEY_HEADER = "response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction"
STRICT = ("completely satisfied", "very satisfied")
PAGE = "/forces/west-midlands/local?period=2020-12"
MEASURE = "/forces/west-midlands/measures/victim_satisfaction?period=2020-12"
OVERVIEW = "/forces/west-midlands?period=2020-12"


class _Tables(HTMLParser):
    """Each table's caption and its rows of cell texts (th and td), by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.captions: dict[str, str] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in ("th", "td") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._caption is not None and self._table is not None:
            self.captions[self._table] = " ".join("".join(self._caption).split())
            self._caption = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def _tables(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


@contextlib.contextmanager
def _serving(settings: WebSettings) -> Iterator[Client]:
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for startup: at most 20 s
        if server.started:
            break
        time.sleep(0.1)
    assert server.started, "the dashboard server did not start"
    try:
        yield Client(f"http://127.0.0.1:{server.config.port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wilson(x: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the published indicators and 26 survey responses of 2020:
    Birmingham 6 completely, 6 very and 8 fairly satisfied; Coventry 1 completely
    satisfied and 5 completely dissatisfied."""
    folder = tmp_path_factory.mktemp("tiny")
    answers = [("Birmingham", "1")] * 6 + [("Birmingham", "2")] * 6 + [("Birmingham", "3")] * 8
    answers += [("Coventry", "1")] + [("Coventry", "7")] * 5
    lines = [SURVEY_HEADER]
    for i, (area, answer) in enumerate(answers):
        lines.append(f"r{i},2020-{i % 12 + 1:02d},Burglary,{area},no,{answer}")
    survey = folder / "survey.csv"
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = folder / "tiny.duckdb"
    con = open_store(store)
    ingest_path(con, INDICATORS)
    ingest_path(con, survey)
    con.close()
    return store


def test_small_counts_read_fewer_than_5_and_the_store_keeps_them(tiny: Path) -> None:
    con = duckdb.connect(str(tiny), read_only=True)
    # The true figures the page withholds: Coventry's one satisfied response, and the
    # two FGM crimes of 2017/18 in the published file.
    coventry = con.execute(
        "SELECT count(*) FROM survey_responses WHERE area = 'Coventry' "
        "AND satisfaction = 'completely satisfied'"
    ).fetchone()
    fgm = con.execute(
        "SELECT numerator FROM indicators WHERE breakdown_value = 'FGM' AND period = '2017/18'"
    ).fetchone()
    con.close()
    assert coventry == (1,) and fgm == (2,)
    with _serving(WebSettings(store=tiny, govuk_frontend=GOVUK_FRONTEND)) as client:
        overview = client.get("/forces/west-midlands?period=2020-12").body
        assert 'href="/forces/west-midlands/local?period=2020-12"' in overview
        response = client.get(PAGE)
        assert response.status == 200
        found = _tables(response.body)
        by_area = {row[0]: row for row in found.tables["table-satisfaction_area"][1:]}
        assert found.tables["table-satisfaction_area"][0] == [
            "Group", "Satisfied", "Responses", "Satisfied (%)", "95% interval (%)",
            "Everyone else (%)", "Differs from everyone else beyond chance?",
        ]  # fmt: skip
        # Default answers (completely, very, fairly): Birmingham 20 of 20, Coventry 1 of 6.
        assert by_area["Coventry"][1:4] == ["fewer than 5", "6", "withheld"]
        assert by_area["Coventry"][6] == "withheld"
        assert by_area["Birmingham"][1:4] == ["20", "20", "100.0%"]
        assert by_area["Birmingham"][5] == f"{100 / 6:.1f}%"  # everyone else: 1 of 6
        flags = {row[0]: row[1:] for row in found.tables["table-hidden_crime_flagged_flag"][1:]}
        assert flags["FGM"][:2] == ["12", "fewer than 5"]
        assert flags["DA"][0] == "22,549"
        assert "Not like for like across February 2020" in response.body
        # The download withholds the same cells.
        download = client.get(PAGE + "&table=satisfaction_area&format=csv")
        assert download.status == 200
        assert download.headers["content-type"].startswith("text/csv")
        rows = {r[0]: r for r in csv.reader(io.StringIO(download.body))}
        assert rows["Coventry"][1:4] == ["fewer than 5", "6", "withheld"]
        assert rows["Birmingham"][1:3] == ["20", "20"]
        flags_csv = client.get(PAGE + "&table=hidden_crime_flagged_flag&format=csv").body
        assert "fewer than 5" in flags_csv
        assert client.get(PAGE + "&table=nothing&format=csv").status == 404
        assert client.get(PAGE + "&table=satisfaction_area&format=pdf").status == 400


def test_the_satisfied_answers_setting_reaches_every_page(tiny: Path) -> None:
    settings = WebSettings(store=tiny, govuk_frontend=GOVUK_FRONTEND, satisfied_answers=STRICT)
    with _serving(settings) as client:
        found = _tables(client.get(PAGE).body)
        by_area = {row[0]: row for row in found.tables["table-satisfaction_area"][1:]}
        # Completely or very satisfied only: Birmingham 12 of 20 = 60.0%, Wilson 95%
        # interval 38.7 to 78.1; everyone else (Coventry) 1 of 6 = 16.7%; pooled 13 of
        # 26, z = (0.6 - 1/6) / sqrt(0.25 * (1/20 + 1/6)) = 1.86 < 1.96: within chance.
        low, high = _wilson(12, 20)
        assert (round(100 * low, 1), round(100 * high, 1)) == (38.7, 78.1)
        assert by_area["Birmingham"][1:] == ["12", "20", "60.0%", "38.7 to 78.1", "16.7%", "No"]
        # The measure page and the scorecard count the same answers: 13 of 26 = 50% over
        # the year, Wilson interval 32.1% to 67.9% (the default answers: 21 of 26 = 80.8%).
        low, high = _wilson(13, 26)
        assert f"{100 * low:.1f}% to {100 * high:.1f}%" == "32.1% to 67.9%"
        measure = client.get(MEASURE).body
        assert "32.1% to 67.9%" in measure
        assert _scorecard_value(client.get(OVERVIEW).body) == "50%"
    with _serving(WebSettings(store=tiny, govuk_frontend=GOVUK_FRONTEND)) as client:
        low, high = _wilson(21, 26)
        assert f"{100 * low:.1f}% to {100 * high:.1f}%" == "62.1% to 91.5%"
        assert "62.1% to 91.5%" in client.get(MEASURE).body
        assert _scorecard_value(client.get(OVERVIEW).body) == "80.8%"


def _scorecard_value(html: str) -> str:
    """The value shown in the scorecard's victim satisfaction row."""
    row = re.search(r'id="measure-victim_satisfaction".*?forcestat-value">([^<]*)<', html, re.S)
    assert row is not None
    return row.group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's local data: the published annual-report figures and the synthetic
    victim survey."""
    store = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = open_store(store)
    ingest_path(con, INDICATORS)
    ingest_path(con, SURVEY)
    con.close()
    return store


def test_the_page_shows_the_reports_figures_for_the_demo(demo: Path) -> None:
    con = open_store(demo)
    report = local_content(con, "West Midlands", rolling_12_months(parse_month("2020-12")))
    con.close()
    expected: dict[str, list[list[str]]] = {}
    for table in (*report.satisfaction_tables, *report.local_tables):
        shown = table.page_columns
        expected[f"table-{table.slug}"] = [
            [c.label for _, c in shown],
            *([format_cell(row[i], c.kind) for i, c in shown] for row in table.rows),
        ]
    assert "table-satisfaction_area" in expected and "table-hidden_crime_flagged_flag" in expected
    with _serving(WebSettings(store=demo, govuk_frontend=GOVUK_FRONTEND)) as client:
        found = _tables(client.get(PAGE).body)
    assert found.tables == expected
    captions = {
        f"table-{t.slug}": t.caption for t in (*report.satisfaction_tables, *report.local_tables)
    }
    assert found.captions == captions


def test_a_force_without_local_data_says_so(demo: Path, page: Any) -> None:
    with _serving(WebSettings(store=demo, govuk_frontend=GOVUK_FRONTEND)) as client:
        page.goto(client.base + "/forces/city-of-london/local")
        assert page.locator("h1").inner_text() == "Local measures"
        assert "No local figures are loaded for City of London" in page.locator("main").inner_text()
        page.goto(client.base + PAGE)
        hidden = page.locator("#table-hidden_crime_flagged_flag tbody tr", has_text="FGM").locator(
            "td"
        )
        assert hidden.nth(1).inner_text() == "fewer than 5"
        assert axe_violations(page) == []


def test_forcestat_serve_takes_both_settings_from_the_project(tiny: Path, tmp_path: Path) -> None:
    store = tmp_path / "forcestat.duckdb"
    shutil.copyfile(tiny, store)
    (tmp_path / "forcestat.toml").write_text(
        'force = "West Midlands"\nsmall_count_threshold = 0\n'
        'satisfied_answers = ["completely satisfied", "very satisfied"]\n',
        encoding="utf-8",
    )
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    command = "import sys; from forcestat.cli import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--port", str(port), "--store", str(store)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = Client(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if client.get("/").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the dashboard did not start within 60 s")
        found = _tables(client.get(PAGE).body)
    finally:
        server.terminate()
        server.wait(timeout=20)
    by_area = {row[0]: row for row in found.tables["table-satisfaction_area"][1:]}
    # Threshold 0 shows every count; completely or very satisfied only: Coventry 1 of 6
    # (16.7%), Birmingham 12 of 20.
    assert by_area["Coventry"][1:4] == ["1", "6", "16.7%"]
    assert by_area["Birmingham"][1:3] == ["12", "20"]
