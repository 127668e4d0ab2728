"""Property tests: hostile rows thrown at the police.uk adapters lose nothing and crash nothing.

For any mix of good and malformed rows: rows read = rows loaded + rows rejected, each
reject's line number and raw text point at that line of the file, and each loaded row's
line number points at the line it came from.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import STREET_HEADER
from forcestat.errors import IngestError
from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store

HOSTILE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)

OUTCOMES_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Outcome type"
)
SEARCH_HEADER = (
    "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,"
    "Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,"
    "Outcome,Outcome linked to object of search,Removal of more than just outer clothing"
)
_PLACE = [
    "City of London Police",
    "City of London Police",
    "-0.0901",
    "51.5155",
    "On or near Bank",
    "E01000001",
    "City of London 001A",
]

# (file name, header, a good row) for each police.uk layout; field 0 identifies the row.
LAYOUTS = {
    "street": (
        "2019-06-city-of-london-street.csv",
        STREET_HEADER,
        ["id", "2019-06", *_PLACE, "Burglary", "Under investigation", ""],
    ),
    "outcomes": (
        "2019-06-city-of-london-outcomes.csv",
        OUTCOMES_HEADER,
        ["id", "2019-06", *_PLACE, "Offender given a caution"],
    ),
    "stop_search": (
        "2019-06-city-of-london-stop-and-search.csv",
        SEARCH_HEADER,
        [
            "Person search",
            "2019-06-01T05:25:52+00:00",
            "False",
            "",
            "51.514203",
            "-0.094628",
            "Male",
            "over 34",
            "",
            "White",
            "Misuse of Drugs Act 1971",
            "Controlled drugs",
            "Arrest",
            "True",
            "False",
        ],
    ),
}


@st.composite
def hostile_rows(draw: st.DrawFn, template: list[str]) -> list[list[str]]:
    """Rows like the template, each field sometimes replaced by arbitrary text, and
    sometimes a field too many or too few."""
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=25))):
        fields = [
            f if draw(st.booleans()) or draw(st.booleans()) else draw(HOSTILE_TEXT)
            for f in template
        ]
        change = draw(st.sampled_from([0, 0, 0, 1, -1, -5]))
        if change > 0:
            fields.append(draw(HOSTILE_TEXT))
        elif change < 0:
            fields = fields[:change]
        rows.append(fields)
    return rows


def _write(header: str, rows: list[list[str]]) -> str:
    buf = io.StringIO()
    buf.write(header + "\n")
    writer = csv.writer(buf, lineterminator="\n")
    for row in rows:
        writer.writerow(row)
    return buf.getvalue()


_TABLES = {"street": "crimes", "outcomes": "outcomes", "stop_search": "stop_search"}
_FIRST_COLUMN = {"street": "crime_id", "outcomes": "crime_id", "stop_search": "search_type"}
# The key of the template rows: police.uk files replace by force and month.
_LEAD_KEY = {
    "street": "reported_by = 'City of London Police' AND month = DATE '2019-06-01'",
    "outcomes": "reported_by = 'City of London Police' AND month = DATE '2019-06-01'",
    "stop_search": "TRUE",  # force and month come from the file name, the same for both
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rows_are_loaded_or_rejected_never_lost(layout: str, data: st.DataObject) -> None:
    name, header, template = LAYOUTS[layout]
    text = _write(header, data.draw(hostile_rows(template)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8", newline="")
        con = open_store(Path(tmp) / "s.duckdb")
        try:
            try:
                [result] = ingest_path(con, path)
            except IngestError as exc:
                _check_refused(con, layout, exc)
                return
            _check_loaded(con, layout, result.ingest_id, text)
        finally:
            con.close()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_in_a_folder_rows_are_loaded_or_rejected_never_lost(
    layout: str, data: st.DataObject
) -> None:
    # The hostile file comes second, after a clean one of the same layout and month, so
    # that it is read ahead while the first is written, and republishes the first.
    name, header, template = LAYOUTS[layout]
    first = _write(header, [template, template])
    text = _write(header, data.draw(hostile_rows(template)))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        for sub, content in (("1", first), ("2", text)):
            (folder / sub).mkdir(parents=True)
            (folder / sub / name).write_text(content, encoding="utf-8", newline="")
        con = open_store(Path(tmp) / "s.duckdb")
        try:
            try:
                # replace: rows never lost is the point here; the guard against a
                # shrinking republication is tested in tests/cli/test_loading.py.
                lead, result = ingest_path(con, folder, replace=True)
            except IngestError as exc:
                # The clean file before it stays loaded; nothing of the hostile one does.
                assert con.execute("SELECT count(*) FROM ingest_log").fetchone() == (1,)
                assert con.execute(f"SELECT count(*) FROM {_TABLES[layout]}").fetchone() == (2,)
                assert "no data rows" in str(exc) or "cannot read as CSV" in str(exc)
                return
            assert lead.rows_loaded == 2
            # Both lead rows have one key (force, month); the hostile file replaces them
            # when any row it loaded has that key too.
            table = _TABLES[layout]
            same_key = con.execute(
                f"SELECT count(*) > 0 FROM {table} WHERE ingest_id = ? AND {_LEAD_KEY[layout]}",
                [result.ingest_id],
            ).fetchone() == (True,)
            assert result.rows_replaced == (2 if same_key else 0)
            assert result.replaced_ingest_ids == ([lead.ingest_id] if same_key else [])
            kept = con.execute(
                f"SELECT count(*) FROM {table} WHERE ingest_id = ?", [lead.ingest_id]
            ).fetchone()
            assert kept == (0 if same_key else 2,)
            _check_loaded(con, layout, result.ingest_id, text)
        finally:
            con.close()


def _check_refused(con: duckdb.DuckDBPyConnection, layout: str, exc: IngestError) -> None:
    # Only whole-file problems may refuse a file; then nothing is stored.
    assert "no data rows" in str(exc) or "cannot read as CSV" in str(exc)
    assert con.execute(f"SELECT count(*) FROM {_TABLES[layout]}").fetchone() == (0,)


def _check_loaded(
    con: duckdb.DuckDBPyConnection, layout: str, ingest_id: int | None, text: str
) -> None:
    """Everything the file held is loaded or rejected, each at its own line."""
    table = _TABLES[layout]
    [(rows_read, rows_loaded, rows_rejected)] = con.execute(
        "SELECT rows_read, rows_loaded, rows_rejected FROM ingest_log WHERE ingest_id = ?",
        [ingest_id],
    ).fetchall()
    data_lines = list(csv.reader(io.StringIO(text)))[1:]
    nonblank = [r for r in data_lines if r and r != [""]]
    assert rows_read == len(nonblank)
    assert rows_read == rows_loaded + rows_rejected
    mine = f"SELECT count(*) FROM {table} WHERE ingest_id = ?"
    assert con.execute(mine, [ingest_id]).fetchone() == (rows_loaded,)
    rejects = con.execute(
        "SELECT line_no, raw_line FROM rejects WHERE ingest_id = ?", [ingest_id]
    ).fetchall()
    assert len(rejects) == rows_rejected
    physical = text.split("\n")
    for line_no, raw in rejects:
        # A row may span lines when a field holds a newline; it starts at line_no.
        assert physical[line_no - 1].rstrip("\r") == raw.split("\n")[0].rstrip("\r")
    # Each loaded row's line number is where its first field starts.
    first = _FIRST_COLUMN[layout]
    loaded = con.execute(
        f"SELECT line_no, {first} FROM {table} WHERE ingest_id = ?", [ingest_id]
    ).fetchall()
    for line_no, value in loaded:
        row_text = "\n".join(physical[line_no - 1 :])
        assert next(csv.reader(io.StringIO(row_text)))[0] == (value or "")
