"""Draft, sign-off and publication: the draft says "Draft" on every page; publishing
records the sign-off in the audit log, stamps the date into the statement and its PDF
metadata, and a second publication supersedes the first."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
from click.testing import CliRunner

from forcestat.cli import cli
from forcestat.config import write_default_config
from forcestat.store.audit import audit_entries
from forcestat.store.publications import publications
from forcestat.store.records import open_records


@dataclass(frozen=True)
class Project:
    folder: Path
    store: Path
    first: str
    second: str
    today: dt.date


def _run(folder: Path, *args: str) -> str:
    runner = CliRunner()
    result = runner.invoke(cli, [*args, "--config", str(folder / "forcestat.toml")])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def project(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("publish")
    store = folder / "forcestat.duckdb"
    shutil.copy(sample_store, store)  # publishing writes the audit log
    write_default_config(folder / "forcestat.toml", force="City of London")
    out, published = str(folder / "out"), str(folder / "published")
    common = ["--period", "2021-06", "--store", str(store)]
    _run(folder, "report", *common, "--out", out)
    first = _run(
        folder,
        "publish",
        *common,
        "--out",
        out,
        "--published",
        published,
        "--signed-off-by",
        "Chief Executive, OPCC",
    )
    second = _run(
        folder,
        "publish",
        *common,
        "--out",
        out,
        "--published",
        published,
        "--signed-off-by",
        "Deputy Chief Executive",
    )
    return Project(folder, store, first, second, dt.date.today())


def _pages_text(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(io.BytesIO(path.read_bytes()))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


def test_the_draft_says_draft_on_every_page(project: Project) -> None:
    draft = project.folder / "out" / "city-of-london-2021-06"
    pages = _pages_text(draft / "report.pdf")
    assert len(pages) > 5
    assert all("Draft" in page for page in pages)
    html = (draft / "report.html").read_text(encoding="utf-8")
    assert "<strong>Draft</strong>: not signed off for publication." in html
    assert '<meta name="dcterms.created" content="2021-06-01">' in html


def test_publishing_stamps_the_date_and_the_signatory(project: Project) -> None:
    today = project.today
    assert f"version 1, on {today.isoformat()}, signed off by Chief Executive, OPCC" in (
        project.first
    )
    folder = project.folder / "published" / "city-of-london-2021-06-v1"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert f'<meta name="dcterms.created" content="{today.isoformat()}">' in html
    assert f"<dt>Published</dt><dd>{today.day} {today:%B %Y}</dd>" in html
    assert "<dt>Signed off by</dt><dd>Chief Executive, OPCC</dd>" in html
    assert "not signed off" not in html
    pages = _pages_text(folder / "report.pdf")
    assert not any("Draft" in page for page in pages)
    pdf = pypdfium2.PdfDocument(io.BytesIO((folder / "report.pdf").read_bytes()))
    try:
        metadata = pdf.get_metadata_dict()
    finally:
        pdf.close()
    assert metadata["CreationDate"].startswith(f"D:{today:%Y%m%d}")
    assert metadata["ModDate"].startswith(f"D:{today:%Y%m%d}")


def test_publishing_again_makes_a_new_version_and_supersedes_the_first(project: Project) -> None:
    listed = publications(project.folder / "published")
    assert [(p.version, p.superseded, p.signed_off_by) for p in listed] == [
        (2, False, "Deputy Chief Executive"),
        (1, True, "Chief Executive, OPCC"),
    ]
    assert listed[0].files == ("report.html", "report.pdf", "tables.xlsx", "tables.ods")
    assert listed[0].period_label == "12 months to June 2021"
    records = open_records(project.store)
    try:
        entries = audit_entries(records, entity="statement")
    finally:
        records.close()
    assert [(e.actor, e.action, e.entity_id) for e in entries] == [
        ("Deputy Chief Executive", "statement.publish", "city-of-london-2021-06"),
        ("Chief Executive, OPCC", "statement.publish", "city-of-london-2021-06"),
    ]
    assert '"version": 2' in (entries[0].after_json or "")


def test_publishing_needs_a_draft(project: Project) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "publish",
            "--period",
            "2021-03",
            "--store",
            str(project.store),
            "--config",
            str(project.folder / "forcestat.toml"),
            "--out",
            str(project.folder / "out"),
            "--published",
            str(project.folder / "published"),
            "--signed-off-by",
            "X",
        ],
    )
    assert result.exit_code == 1
    assert "city-of-london-2021-03: no draft to publish; write it with 'forcestat report" in (
        result.output
    )
