"""Shared fixtures: the bundled real sample, fresh stores, and small files written by tests."""

from __future__ import annotations

import gzip
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store
from forcestat.store.records import open_records

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
STREET = SAMPLE / "policeuk" / "street"
STOP_SEARCH = SAMPLE / "policeuk" / "stop-and-search"

STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, networking features off, a fresh profile.

    One browser for the whole run: Playwright's sync API allows one instance per thread.
    """
    executable = Path("/usr/bin/chromium")
    if not executable.exists():
        message = "Debian chromium is not installed at /usr/bin/chromium; run 'make setup'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable),
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(tmp_path / "test.duckdb")
    yield con
    con.close()


@pytest.fixture
def records(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """The dashboard's records beside a fresh store (none is created)."""
    con = open_records(tmp_path / "test.duckdb")
    yield con
    con.close()


def street_row(
    crime_id: str = "abc123",
    month: str = "2019-06",
    crime_type: str = "Burglary",
    lon: str = "-0.0901",
    lat: str = "51.5155",
    force: str = "City of London Police",
) -> str:
    return (
        f"{crime_id},{month},{force},{force},{lon},{lat},On or near Bank,"
        f"E01000001,City of London 001A,{crime_type},Under investigation,"
    )


def write_csv(path: Path, lines: list[str], *, gz: bool = False) -> Path:
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show a failed load left the store exactly as it was."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "ORDER BY table_name"
        ).fetchall()
    ]
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


@pytest.fixture(scope="session")
def sample_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the whole bundled sample (written once, then read only)."""
    path = tmp_path_factory.mktemp("measures") / "sample.duckdb"
    con = open_store(path)
    try:
        ingest_path(con, SAMPLE)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def sample_store(sample_store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(sample_store_path, read_only=True)
    yield con
    con.close()
