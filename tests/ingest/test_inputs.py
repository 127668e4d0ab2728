"""Finding the files to load: which kinds are loadable, and what a user is told otherwise."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from forcestat.errors import IngestError
from forcestat.ingest.inputs import discover
from forcestat.ingest.load import ingest_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MID_2019_XLS = FIXTURES / "mye2-mid-2019.xls"  # Excel 97-2003, as ONS published to mid-2021


def test_a_folder_yields_csv_and_every_workbook_kind_including_xls(tmp_path: Path) -> None:
    shutil.copyfile(MID_2019_XLS, tmp_path / "ukmidyearestimates20192019ladcodes.xls")
    (tmp_path / "b.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not data\n", encoding="utf-8")
    (tmp_path / "table.XLS.bak").write_bytes(b"not a workbook")

    with discover(tmp_path) as discovered:
        found = discovered.sources
        assert discovered.unloadable == []
        assert [f.name for f in found] == ["b.csv", "ukmidyearestimates20192019ladcodes.xls"]
        csv_file, xls = found
        assert (csv_file.is_spreadsheet, csv_file.lines) == (False, 2)
        # a workbook is hashed as published but has no lines to count
        assert (xls.is_spreadsheet, xls.lines, xls.text_size) == (True, None, None)
        assert xls.sha256 == hashlib.sha256(MID_2019_XLS.read_bytes()).hexdigest()
        assert xls.size == MID_2019_XLS.stat().st_size


def test_a_file_of_another_kind_is_refused_listing_what_loads(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not data\n", encoding="utf-8")

    with pytest.raises(IngestError) as caught, discover(notes):
        pass

    assert str(caught.value) == (
        f"{notes}: not a file forcestat loads (expected .csv, .csv.gz, .zip, .ods, .xlsx, .xls, .ods.gz, .xlsx.gz or .xls.gz)"
    )


def test_a_folder_with_nothing_loadable_is_refused_listing_what_loads(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("not data\n", encoding="utf-8")

    with pytest.raises(IngestError) as caught:
        ingest_path(store, tmp_path)

    assert str(caught.value) == (
        f"{tmp_path}: no loadable files (.csv, .csv.gz, .zip, .ods, .xlsx, .xls, .ods.gz, .xlsx.gz, .xls.gz)"
    )
