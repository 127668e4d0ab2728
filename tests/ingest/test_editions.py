"""The latest edition found on a listing page, against a local copy of the publishers' pages."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from forcestat.cli import cli
from forcestat.ingest.download import download_published
from forcestat.ingest.editions import edition_date, latest_edition
from forcestat.ingest.load import ingest_path
from forcestat.ingest.transfer import DownloadError
from forcestat.store.database import open_store
from official_server import OfficialServer

TABLES = Path(__file__).resolve().parents[2] / "data" / "tables" / "ons" / "pfa-tables"
ONS_PAGE = "/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables"
GOV_UK_PAGE = "/government/statistics/police-recorded-crime-open-data-tables"
ONS_FILE = (
    "/file?uri=/peoplepopulationandcommunity/crimeandjustice/datasets/policeforceareadatatables"
)

# As the ONS dataset page lists them: the current edition, then previous ones (a
# link to the user guide and one to another dataset in between).
ONS_HTML = f"""<html><body><h1>Police Force Area data tables</h1>
<h2>Edition in this dataset</h2>
<a href="{ONS_FILE}/current/pfatablesdec19.xlsx">Year ending December 2019 (xlsx, 194 KB)</a>
<a href="/peoplepopulationandcommunity/crimeandjustice/methodologies/userguide">User guide</a>
<h2>Previous versions</h2>
<a href="{ONS_FILE}/previous/v3/policeforceareatablesyearendingseptember2019.xlsx">September 2019</a>
<a href="{ONS_FILE}/previous/v1/policeforceareatablesyearendingmarch2018v2.xlsx">March 2018</a>
<a href="https://www.ons.gov.uk/file?uri=/other/datasets/recordedcrime2019.xlsx">Other</a>
</body></html>"""

# gov.uk: editions out of date order, absolute links to the assets host.
GOV_UK_HTML = """<html><body>
<a href="https://assets.publishing.service.gov.uk/media/aa1/prc-pfa-mar2013-onwards-tables-270724.ods">July 2024</a>
<a href="https://assets.publishing.service.gov.uk/media/bb2/prc-pfa-mar2013-onwards-tables-300125.ods">January 2025</a>
<a href="https://assets.publishing.service.gov.uk/media/cc3/prc-csp-mar2013-onwards-tables-300125.ods">CSP</a>
<a href="https://assets.publishing.service.gov.uk/media/dd4/prc-pfa-mar2013-onwards-tables-251024.ods">October 2024</a>
</body></html>"""


def _site(root: Path) -> None:
    page = root / ONS_PAGE.lstrip("/")
    page.parent.mkdir(parents=True)
    page.write_text(ONS_HTML, encoding="utf-8")
    # ONS serves every file from /file?uri=...: the latest edition's bytes.
    (root / "file").write_bytes(gzip.decompress((TABLES / "pfatablesdec19.xlsx.gz").read_bytes()))
    gov = root / GOV_UK_PAGE.lstrip("/")
    gov.parent.mkdir(parents=True)
    gov.write_text(GOV_UK_HTML, encoding="utf-8")
    for ident, name in (("bb2", "300125"), ("aa1", "270724"), ("dd4", "251024")):
        table = root / "media" / ident / f"prc-pfa-mar2013-onwards-tables-{name}.ods"
        table.parent.mkdir(parents=True)
        table.write_bytes(f"edition {name}".encode())


def test_edition_dates_from_published_names() -> None:
    assert edition_date("policeforceareatablesyeendingmarch2019.xlsx") == dt.date(2019, 3, 1)
    assert edition_date("policeforceareatablesyearendingsep18corrected.xlsx") == dt.date(2018, 9, 1)
    assert edition_date("prc-pfa-mar2013-onwards-tables-270724.ods") == dt.date(2024, 7, 27)


def test_a_page_with_no_edition_says_to_pass_the_url() -> None:
    with pytest.raises(DownloadError, match="--url"):
        latest_edition("<a href='guide.pdf'>guide</a>", "https://x/page", r"pfa.*\.xlsx$")


def test_ons_download_takes_the_latest_edition_and_it_loads(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _site(root)
    out = tmp_path / "downloads"
    with OfficialServer(root) as site:
        report = download_published("ons", [], out, base_url=site.base_url)
    target = out / "ons" / "pfatablesdec19.xlsx"
    assert [f.file for f in report.files] == ["ons/pfatablesdec19.xlsx"]
    assert report.edition is not None and "pfatablesdec19.xlsx (December 2019)" in report.edition
    assert hashlib.sha256(target.read_bytes()).hexdigest() == report.files[0].sha256
    con = open_store(tmp_path / "s.duckdb")
    ingest_path(con, out)
    row = con.execute(
        "SELECT value FROM force_figures WHERE area_code = 'E23000014' AND unit = 'count' "
        "AND series = 'Total recorded crime (excluding fraud)'"
    ).fetchone()
    con.close()
    assert row == (259_638.0,)  # the December 2019 edition's West Midlands total


def test_cli_homeoffice_takes_the_latest_pfa_table_and_says_which(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _site(root)
    out = tmp_path / "downloads"
    with OfficialServer(root) as site:
        result = CliRunner().invoke(
            cli, ["download", "homeoffice", "--out", str(out), "--base-url", site.base_url]
        )
        paths = [r.path for r in site.requests]
    assert result.exit_code == 0, result.output
    assert "prc-pfa-mar2013-onwards-tables-300125.ods (January 2025)" in result.output
    saved = out / "homeoffice" / "prc-pfa-mar2013-onwards-tables-300125.ods"
    assert saved.read_bytes() == b"edition 300125"
    assert paths == [GOV_UK_PAGE, "/media/bb2/prc-pfa-mar2013-onwards-tables-300125.ods"]
