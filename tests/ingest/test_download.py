"""forcestat download: fetching official files from a local stand-in for the publishers.

Every test that transfers anything talks to ``OfficialServer`` on 127.0.0.1, serving a
police.uk-shaped archive built here from the bundled real City of London files (three
months, a few hundred kB) and the bundled Home Office table. Expected bytes, hashes and
row counts come from the sample files themselves, read with gzip, hashlib and csv.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import SAMPLE, STOP_SEARCH, STREET
from forcestat.cli import cli
from forcestat.errors import ForcestatError
from forcestat.ingest.download import (
    MANIFEST_NAME,
    SOURCES,
    DownloadError,
    download_policeuk,
    download_published,
    parse_month,
    plan_archives,
    published_file_name,
    rebase_url,
    verify_downloads,
)
from official_server import OfficialServer

MONTHS = ("2019-04", "2019-05", "2019-06")
ARCHIVE_PATH = "/data/archive/2019-06.zip"
HOME_OFFICE_GZ = SAMPLE / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
HOME_OFFICE_PATH = "/media/5a7f/prc-pfa-mar2013-onwards-tables201718.csv.gz"
# The official host: --base-url must send the request to the local server instead.
HOME_OFFICE_URL = "https://assets.publishing.service.gov.uk" + HOME_OFFICE_PATH
# An ONS mid-year estimates workbook in the mid-2019 layout, as .xls (Excel 97-2003): see
# tests/sources/test_population.py for what its sheets hold.
MYE_XLS = Path(__file__).resolve().parents[1] / "fixtures" / "mye2-mid-2019.xls"
MYE_XLS_NAME = "ukmidyearestimates20192019ladcodes.xls"  # the catalogue's file


def sample_csv(month: str, kind: str) -> bytes:
    """The published CSV bytes of a bundled City of London month."""
    folder = STREET if kind == "street" else STOP_SEARCH
    return gzip.decompress((folder / f"{month}-city-of-london-{kind}.csv.gz").read_bytes())


def expected_files() -> dict[str, bytes]:
    """What a download of 2019-04..2019-06 should write: street and stop-and-search."""
    return {
        f"{m}/{m}-city-of-london-{kind}.csv": sample_csv(m, kind)
        for m in MONTHS
        for kind in ("street", "stop-and-search")
    }


def build_archive() -> bytes:
    """A police.uk archive for 2019-06 holding three City of London months and decoys."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in expected_files().items():
            zf.writestr(name, data)
        # Decoys: another force, a month outside the range, and a hostile member name.
        zf.writestr("2019-05/2019-05-west-midlands-street.csv", sample_csv("2019-05", "street"))
        zf.writestr("2019-03/2019-03-city-of-london-street.csv", sample_csv("2019-03", "street"))
        zf.writestr("../../evil.csv", b"Crime ID,Month\nx,2019-05\n")
    return buffer.getvalue()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[OfficialServer]:
    root = tmp_path / "site"
    (root / "data" / "archive").mkdir(parents=True)
    (root / ARCHIVE_PATH.lstrip("/")).write_bytes(build_archive())
    ho = root / HOME_OFFICE_PATH.lstrip("/")
    ho.parent.mkdir(parents=True)
    ho.write_bytes(HOME_OFFICE_GZ.read_bytes())
    with OfficialServer(root) as server:
        yield server


@pytest.fixture
def out(tmp_path: Path) -> Path:
    # Nested two deep so that '../../evil.csv' would still land inside tmp_path.
    return tmp_path / "work" / "downloads"


def fetch_city(out: Path, site: OfficialServer) -> object:
    return download_policeuk(
        "City of London", MONTHS[0], MONTHS[-1], out, base_url=site.base_url, timeout=10
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- planning, names and input checks (no server) -------------------------------------


def test_one_archive_covers_up_to_36_months() -> None:
    # 2017-01..2019-12 is exactly 36 months: the 2019-12 archive holds them all.
    (plan,) = plan_archives("2017-01", "2019-12")
    assert plan.archive_month == "2019-12"
    assert plan.months[0] == "2017-01" and len(plan.months) == 36


def test_a_longer_range_takes_the_fewest_archives() -> None:
    # 2016-01..2019-03 is 39 months. The 2019-03 archive covers 2016-04..2019-03 (36);
    # the 3 months left, 2016-01..2016-03, come from the 2016-03 archive.
    plans = plan_archives("2016-01", "2019-03")
    assert [p.archive_month for p in plans] == ["2016-03", "2019-03"]
    assert plans[0].months == ("2016-01", "2016-02", "2016-03")
    assert plans[1].months[0] == "2016-04" and len(plans[1].months) == 36


def test_parse_month_counts_months() -> None:
    # 2019-01 is 2019 * 12 + 0; 2018-12 is one month earlier.
    assert parse_month("2019-01") == 24228
    assert parse_month("2018-12") == 24227


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2021-06", "2021-01", "after --to"),
        ("2021-13", "2021-12", "'2021-13' is not a month"),
        ("2021-6", "2021-12", "'2021-6' is not a month"),
        ("June 2021", "2021-12", "write it as YYYY-MM"),
        ("2009-01", "2009-12", "begins in 2010-12"),
    ],
)
def test_bad_month_ranges_are_refused(first: str, last: str, message: str, out: Path) -> None:
    with pytest.raises(DownloadError, match=message):
        download_policeuk("City of London", first, last, out)
    assert not out.exists()


def test_unknown_force_is_refused(out: Path) -> None:
    with pytest.raises(ForcestatError, match="unknown force 'Gotham'"):
        download_policeuk("Gotham", "2019-01", "2019-02", out)


def test_unknown_kind_is_refused(out: Path) -> None:
    with pytest.raises(DownloadError, match="choose from street"):
        download_policeuk("City of London", "2019-01", "2019-02", out, kinds=["crimes"])


def test_base_url_replaces_the_host_only(out: Path) -> None:
    assert (
        rebase_url("https://data.police.uk/data/archive/2019-06.zip", "http://127.0.0.1:9/mirror/")
        == "http://127.0.0.1:9/mirror/data/archive/2019-06.zip"
    )
    with pytest.raises(DownloadError, match="not an http"):
        rebase_url("https://data.police.uk/x.zip", "ftp://mirror")
    with pytest.raises(DownloadError, match="not an http"):
        download_published("homeoffice", ["file:///etc/passwd"], out)
    assert not out.exists()


def test_published_names_come_from_the_url() -> None:
    ons = (
        "https://www.ons.gov.uk/file?uri=%2fpeoplepopulationandcommunity%2fpopulation"
        "estimates%2fmid2019/ukmidyearestimates20192019ladcodes.xls"
    )
    assert published_file_name(ons, "x") == "ukmidyearestimates20192019ladcodes.xls"
    assert (
        published_file_name("https://h/media/1/prc%20csp%20tables.ods", "x") == "prc-csp-tables.ods"
    )
    assert published_file_name("https://h/", "fallback.ods") == "fallback.ods"
    assert published_file_name("https://h/media/..", "fallback.ods") == "fallback.ods"


# --- police.uk through the local server ----------------------------------------------


def test_downloads_one_forces_months_byte_for_byte(out: Path, site: OfficialServer) -> None:
    report = fetch_city(out, site)
    expected = expected_files()
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted([*expected, MANIFEST_NAME])
    for name, data in expected.items():
        assert (out / name).read_bytes() == data
    # Outcomes are not in this archive: reported, not an error.
    assert sorted(report.missing) == [f"{m}/{m}-city-of-london-outcomes.csv" for m in MONTHS]
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    by_file = {e["file"]: e for e in manifest["files"]}
    assert set(by_file) == set(expected)
    for name, data in expected.items():
        entry = by_file[name]
        assert entry["sha256"] == sha256(data)
        assert entry["bytes"] == len(data)
        assert entry["url"] == site.base_url + ARCHIVE_PATH
        assert entry["downloaded_at"].endswith("Z")
    archive_bytes = (site.root / ARCHIVE_PATH.lstrip("/")).read_bytes()
    (archive,) = manifest["archives"]
    assert archive["sha256"] == sha256(archive_bytes)
    assert not (out / ".archives").exists()  # the all-forces archive is not kept
    assert not list(out.parents[1].rglob("evil.csv"))
    assert verify_downloads(out) == []


def test_a_second_run_downloads_nothing(out: Path, site: OfficialServer) -> None:
    fetch_city(out, site)
    before = len(site.requests)
    report = fetch_city(out, site)
    assert len(site.requests) == before
    assert {f.action for f in report.files} == {"skipped"}
    assert len(report.files) == 6


def test_a_changed_file_is_reported_and_fetched_again(out: Path, site: OfficialServer) -> None:
    fetch_city(out, site)
    edited = out / "2019-05" / "2019-05-city-of-london-street.csv"
    edited.write_bytes(edited.read_bytes() + b"extra,line\n")
    assert verify_downloads(out) == [f"{edited} no longer matches its recorded sha256"]
    report = fetch_city(out, site)
    assert len(report.changed) == 1 and "2019-05-city-of-london-street.csv" in report.changed[0]
    assert edited.read_bytes() == sample_csv("2019-05", "street")


def test_an_interrupted_download_resumes_with_a_range_request(
    out: Path, site: OfficialServer
) -> None:
    cut_at = 50_000  # well inside the archive, which is a few hundred kB
    site.cut_once(ARCHIVE_PATH, cut_at)
    with pytest.raises(DownloadError, match=r"partial file .*2019-06\.zip\.part is kept"):
        fetch_city(out, site)
    part = out / ".archives" / "2019-06.zip.part"
    assert part.stat().st_size == cut_at
    assert not list(out.glob("2019-*"))

    report = fetch_city(out, site)
    assert site.requests[-1].range == f"bytes={cut_at}-"
    assert report.archives[0].action == "resumed"
    assert report.archives[0].sha256 == sha256((site.root / ARCHIVE_PATH.lstrip("/")).read_bytes())
    for name, data in expected_files().items():
        assert (out / name).read_bytes() == data


def test_a_server_ignoring_range_restarts_from_the_start(out: Path, site: OfficialServer) -> None:
    site.cut_once(ARCHIVE_PATH, 50_000)
    with pytest.raises(DownloadError, match="run the same command again to resume"):
        fetch_city(out, site)
    site.ignore_range()
    report = fetch_city(out, site)
    assert site.requests[-1].range == "bytes=50000-"  # asked, but got the whole file
    assert report.archives[0].action == "downloaded"
    for name, data in expected_files().items():
        assert (out / name).read_bytes() == data


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_name_the_url_and_status(status: int, out: Path, site: OfficialServer) -> None:
    site.fail(ARCHIVE_PATH, status)
    with pytest.raises(DownloadError) as caught:
        fetch_city(out, site)
    assert f"{site.base_url}{ARCHIVE_PATH}: the server answered HTTP {status}" in str(caught.value)
    assert not list(out.glob("2019-*"))


def test_a_missing_month_archive_says_police_uk_may_not_have_it(
    out: Path, site: OfficialServer
) -> None:
    with pytest.raises(DownloadError, match="HTTP 404.*may not have published 2019-07"):
        download_policeuk("City of London", "2019-07", "2019-07", out, base_url=site.base_url)


def test_a_file_that_is_not_a_zip_is_a_clear_error(out: Path, site: OfficialServer) -> None:
    (site.root / ARCHIVE_PATH.lstrip("/")).write_bytes(b"<html>Service unavailable</html>")
    with pytest.raises(DownloadError, match="not a zip archive"):
        fetch_city(out, site)
    assert not (out / ".archives").exists()
    assert not list(out.glob("2019-*"))


def test_an_archive_without_the_force_is_an_error(out: Path, site: OfficialServer) -> None:
    with pytest.raises(DownloadError, match="no files for force 'kent'"):
        download_policeuk("Kent", "2019-04", "2019-06", out, base_url=site.base_url)


# --- Home Office tables --------------------------------------------------------------


def test_home_office_table_is_fetched_resumed_and_skipped(out: Path, site: OfficialServer) -> None:
    published = HOME_OFFICE_GZ.read_bytes()
    site.cut_once(HOME_OFFICE_PATH, 1000)
    with pytest.raises(DownloadError, match="after 1,000 of"):
        download_published("homeoffice", [HOME_OFFICE_URL], out, base_url=site.base_url)
    report = download_published("homeoffice", [HOME_OFFICE_URL], out, base_url=site.base_url)
    assert site.requests[-1] == type(site.requests[-1])(HOME_OFFICE_PATH, "bytes=1000-")
    target = out / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
    assert target.read_bytes() == published
    (entry,) = json.loads((out / MANIFEST_NAME).read_text())["files"]
    assert entry["sha256"] == sha256(published) and entry["bytes"] == len(published)
    assert report.files[0].action == "resumed"

    again = download_published("homeoffice", [HOME_OFFICE_URL], out, base_url=site.base_url)
    assert [f.action for f in again.files] == ["skipped"]


def test_population_file_keeps_the_ons_name(tmp_path: Path, out: Path) -> None:
    # ONS serves every file from /file?uri=<path>; the local name comes from that path.
    published = (SAMPLE / "population" / "TS001_usual_residents_LSOA2021.csv.gz").read_bytes()
    root = tmp_path / "ons"
    root.mkdir()
    (root / "file").write_bytes(published)
    url = "https://www.ons.gov.uk/file?uri=%2fcensus%2fTS001_usual_residents_LSOA2021.csv.gz"
    with OfficialServer(root) as ons:
        report = download_published("population", [url], out, base_url=ons.base_url)
    target = out / "population" / "TS001_usual_residents_LSOA2021.csv.gz"
    assert target.read_bytes() == published
    assert report.files[0].sha256 == sha256(published)


def test_population_catalogue_file_is_saved_as_the_xls_it_is(tmp_path: Path, out: Path) -> None:
    published = MYE_XLS.read_bytes()
    assert published[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE2: an .xls, not a zip
    root = tmp_path / "ons"
    root.mkdir()
    (root / "file").write_bytes(published)  # ONS serves /file?uri=<path of the file>
    with OfficialServer(root) as ons:
        report = download_published("population", [], out, base_url=ons.base_url)
    assert [f.file for f in report.files] == [f"population/{MYE_XLS_NAME}"]
    assert (out / "population" / MYE_XLS_NAME).read_bytes() == published
    # A URL naming no file falls back to a name with the same, true, extension.
    assert SOURCES["population"].fallback_name == "ons-mid-year-population.xls"


# --- the command line, then ingest ---------------------------------------------------


def count_data_rows(data: bytes) -> int:
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1


def test_cli_download_then_ingest_loads_every_crime(
    tmp_path: Path, out: Path, site: OfficialServer
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["download", "policeuk", "--force", "City of London", "--from", MONTHS[0],
         "--to", MONTHS[-1], "--out", str(out), "--base-url", site.base_url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"next: forcestat ingest {out}" in result.output
    assert "6 file(s) fetched, 0 already present" in result.output

    store = tmp_path / "store.duckdb"
    result = runner.invoke(cli, ["ingest", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    # The crimes table holds every street row (ASB included), counted with csv here.
    expected_crimes = sum(count_data_rows(sample_csv(m, "street")) for m in MONTHS)
    expected_searches = sum(count_data_rows(sample_csv(m, "stop-and-search")) for m in MONTHS)
    con = duckdb.connect(str(store), read_only=True)
    try:
        crimes = con.execute("SELECT count(*) FROM crimes").fetchone()
        searches = con.execute("SELECT count(*) FROM stop_search").fetchone()
    finally:
        con.close()
    assert crimes == (expected_crimes,)
    assert searches == (expected_searches,)


def test_cli_download_population_then_ingest(tmp_path: Path, out: Path) -> None:
    root = tmp_path / "ons"
    root.mkdir()
    (root / "file").write_bytes(MYE_XLS.read_bytes())
    runner = CliRunner()
    with OfficialServer(root) as ons:
        result = runner.invoke(
            cli, ["download", "population", "--out", str(out), "--base-url", ons.base_url]
        )
    assert result.exit_code == 0, result.output

    store = tmp_path / "store.duckdb"
    result = runner.invoke(cli, ["ingest", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(store), read_only=True)
    try:
        loaded = con.execute(
            "SELECT area_code, population_year FROM population ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    # The fixture's Persons sheet: UK, England, West Midlands region and Birmingham
    # (the West Midlands metropolitan county is a sum of districts, not loaded).
    assert loaded == [
        ("E08000025", 2019),
        ("E12000005", 2019),
        ("E92000001", 2019),
        ("K02000001", 2019),
    ]


def test_cli_errors_are_one_line_without_a_traceback(out: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["download", "policeuk", "--force", "City of London", "--from", "2021-06",
         "--to", "2021-01", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Error: --from 2021-06 is after --to 2021-01" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["policeuk", "homeoffice", "ons", "population"])
def test_every_download_command_has_help(command: str) -> None:
    result = CliRunner().invoke(cli, ["download", command, "--help"])
    assert result.exit_code == 0
    assert "--base-url" in result.output and "--out" in result.output
