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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import STREET_HEADER
from forcestat.errors import IngestError
from forcestat.ingest import ingest_path
from forcestat.store import open_store

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


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rows_are_loaded_or_rejected_never_lost(layout: str, data: st.DataObject) -> None:
    name, header, template = LAYOUTS[layout]
    rows = data.draw(hostile_rows(template))
    text = _write(header, rows)
    table = _TABLES[layout]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8", newline="")
        con = open_store(Path(tmp) / "s.duckdb")
        try:
            try:
                [result] = ingest_path(con, path)
            except IngestError as exc:
                # Only whole-file problems may refuse a file; then nothing is stored.
                assert "no data rows" in str(exc) or "cannot read as CSV" in str(exc)
                assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
                return
            data_lines = list(csv.reader(io.StringIO(text)))[1:]
            nonblank = [r for r in data_lines if r and r != [""]]
            assert result.rows_read == len(nonblank)
            assert result.rows_read == result.rows_loaded + result.rows_rejected
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (result.rows_loaded,)
            assert con.execute("SELECT count(*) FROM rejects").fetchone() == (result.rows_rejected,)
            physical = text.split("\n")
            for line_no, raw in con.execute("SELECT line_no, raw_line FROM rejects").fetchall():
                # A row may span lines when a field holds a newline; it starts at line_no.
                assert physical[line_no - 1].rstrip("\r") == raw.split("\n")[0].rstrip("\r")
            # Each loaded row's line number is where its first field starts.
            first = _FIRST_COLUMN[layout]
            for line_no, value in con.execute(f"SELECT line_no, {first} FROM {table}").fetchall():
                row_text = "\n".join(physical[line_no - 1 :])
                assert next(csv.reader(io.StringIO(row_text)))[0] == (value or "")
        finally:
            con.close()
