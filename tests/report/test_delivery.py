"""The end-of-year delivery report: the demo Plan loaded beside the bundled sample, written
through the command line, every published milestone read back from the PDF's text."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from forcestat.cli import cli
from forcestat.report.delivery import financial_year
from forcestat.report.errors import ReportError
from forcestat.sources.plan_files import read_plan_file
from forcestat.store.milestones import Status, add_progress_update, list_milestones
from forcestat.store.records import records_connection

from .conftest import REPO, policeuk_count
from .test_statement import html_text

DEMO_PLAN = REPO / "data" / "plan" / "police_and_crime_plan.toml"
DEMO_REGISTER = REPO / "data" / "plan" / "recommendations.csv"
NOTE = "Operation Castle patrols in the four wards with most burglaries."


@dataclass(frozen=True)
class Written:
    output: str
    html: str
    pdf_text: str


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def written(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Written:
    folder = tmp_path_factory.mktemp("delivery")
    store = folder / "store.duckdb"
    shutil.copyfile(sample_store, store)
    runner = CliRunner()
    for example in (DEMO_PLAN, DEMO_REGISTER):
        loaded = runner.invoke(cli, ["plan", "load", str(example), "--store", str(store)])
        assert loaded.exit_code == 0, loaded.output
    with records_connection(store) as records:
        m121 = next(
            m for m in list_milestones(records, include_drafts=True) if m.plan_ref == "M1.2.1"
        )
        add_progress_update(
            records, m121.milestone_id, update_date=m121.created_at.date(),
            status=Status.ON_TRACK, note=NOTE, actor="lead@opcc.example",
        )  # fmt: skip
    result = runner.invoke(
        cli,
        [
            "plan", "report", "--year", "2024/25", "--figures-to", "2021-12",
            "--force", "City of London", "--store", str(store), "--out", str(folder / "out"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pdf = pypdfium2.PdfDocument(
        io.BytesIO((folder / "out" / "plan-delivery-2024-25.pdf").read_bytes())
    )
    text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    html = (folder / "out" / "plan-delivery-2024-25.html").read_text("utf-8")
    return Written(result.output, html_text(html), _words(text))


def _published_milestones() -> list[dict[str, str]]:
    rows = [dict(r.values) for r in read_plan_file(DEMO_PLAN).rows]
    return [r for r in rows if r["type"] == "milestone" and r.get("visibility") == "published"]


def test_the_pdf_holds_every_published_milestone_of_the_demo_plan(written: Written) -> None:
    published = _published_milestones()
    assert len(published) == 45  # 48 milestones, 3 of them drafts
    assert "(45 milestones)" in written.output
    for row in published:
        assert _words(f"{row['id']}: {row['title']}") in written.pdf_text, row["id"]
    # The drafts stay out of a published report.
    drafts = [r for r in read_plan_file(DEMO_PLAN).rows if r.values.get("visibility") == "draft"]
    for row in drafts:
        assert row.values["title"] not in written.pdf_text


def test_the_summary_counts_milestones_by_status_for_each_objective(written: Written) -> None:
    published = _published_milestones()
    deliverables = {
        r.values["id"]: r.values["parent"]
        for r in read_plan_file(DEMO_PLAN).rows
        if r.values["type"] == "deliverable"
    }
    o3 = [r for r in published if deliverables[r["parent"]] == "O3"]
    # O3: 11 published milestones; M3.1.4 at risk, none with another status given.
    assert len(o3) == 11 and [r["id"] for r in o3 if r.get("status")] == ["M3.1.4"]
    assert "O3: Victims and communities get a better service 0 1 0 10 0 11" in written.pdf_text


def test_a_linked_milestone_shows_its_figure_target_note_and_chart(written: Written) -> None:
    # Burglary on police.uk, City of London: 2021 against 2020, counted from the files.
    now = policeuk_count("city-of-london", "2021-01", "2021-12", ["Burglary"])
    before = policeuk_count("city-of-london", "2020-01", "2020-12", ["Burglary"])
    target = before * 0.92
    verdict = "met" if now <= target else "not met"
    assert (
        f"Figure {now:,} in the 12 months to December 2021, against a target of "
        f"{target:,.0f}: {verdict}"
    ) in written.pdf_text
    assert f"Latest note {NOTE}" in written.pdf_text
    assert "Burglary (police.uk proxy, monthly), by month" in written.pdf_text
    assert "The monthly target is the milestone's 12-month target divided by 12." in written.html
    assert "(the data suggest on track)" in written.pdf_text


@pytest.mark.parametrize("text", ["2024/25", "2024-25", "2024/2025"])
def test_a_financial_year_runs_april_to_march(text: str) -> None:
    label, start, end = financial_year(text)
    assert (label, start.isoformat(), end.isoformat()) == ("2024/25", "2024-04-01", "2025-03-31")


def test_a_year_that_is_not_a_financial_year_is_refused() -> None:
    with pytest.raises(ReportError, match="not a financial year such as 2024/25"):
        financial_year("2024/26")


def test_the_published_recommendations_close_the_report(written: Written) -> None:
    published = [
        r.values
        for r in read_plan_file(DEMO_REGISTER).rows
        if r.values["visibility"] == "published"
    ]
    assert len(published) == 6
    for row in published:
        assert _words(f"{row['id']}: {row['title']}") in written.pdf_text
    assert "IA-2024-05" not in written.pdf_text  # a draft
