"""The bundled sample loaded once per test session, and readers of the raw sample files.

The readers here work on the published files with the csv and gzip modules alone, so
the measure tests can check forcestat's figures against sums taken another way.
The session fixtures ``sample_store_path`` and ``sample_store`` live in conftest.py,
so the sample is loaded once for the whole run.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

from conftest import SAMPLE, STOP_SEARCH, STREET

PFA = SAMPLE / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
CODE_LOOKUP = SAMPLE / "homeoffice" / "CrimeCatMappings.csv.gz"
AREA_LOOKUP = SAMPLE / "geography" / "PoliceforceLSOA.csv.gz"
CENSUS_2011 = SAMPLE / "geography" / "census_2011_population_hh.csv.gz"

PFA_HEADER = (
    "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
    "Offence Subgroup,Offence Code,Number of Offences"
)
MID_YEAR_HEADER = "area_code,area_name,area_type,year,persons"
LOOKUP_HEADER = (
    "Region code,Region name,Local authority code,Local authority name,MSOA Code,MSOA Name,"
    "LSOA Code,LSOA Name,Police_force"
)


def csv_rows(path: Path) -> list[list[str]]:
    """Data rows of a gzipped CSV file, header left out."""
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def pfa_counts(codes: set[str] | None = None, exclude_group: str | None = None) -> Counter[str]:
    """Offences in the 2017/18 force table by Force Name, all four quarters."""
    totals: Counter[str] = Counter()
    for r in csv_rows(PFA):
        if codes is not None and r[6].strip() not in codes:
            continue
        if exclude_group is not None and r[4].strip() == exclude_group:
            continue
        totals[r[2].strip()] += int(r[7].strip())  # int("-00") == 0
    return totals


def census_by_force() -> Counter[str]:
    """2011 Census usual residents summed by the Police_force the LSOA lookup names."""
    persons = {r[6]: int(r[9].replace(",", "")) for r in csv_rows(CENSUS_2011)}
    totals: Counter[str] = Counter()
    for r in csv_rows(AREA_LOOKUP):
        if r[9]:
            totals[r[9]] += persons[r[7]]
    return totals


def street_rows(first: str, last: str) -> list[dict[str, str]]:
    """police.uk City of London street rows for months first..last ('YYYY-MM')."""
    rows: list[dict[str, str]] = []
    for path in sorted(STREET.glob("*-street.csv.gz")):
        if first <= path.name[:7] <= last:
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
                rows.extend(csv.DictReader(fh))
    return rows


def stop_search_rows(first: str, last: str) -> list[tuple[str, dict[str, str]]]:
    """(file month, row) for City of London stop-and-search files first..last."""
    rows: list[tuple[str, dict[str, str]]] = []
    for path in sorted(STOP_SEARCH.glob("*-stop-and-search.csv.gz")):
        month = path.name[:7]
        if first <= month <= last:
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
                rows.extend((month, row) for row in csv.DictReader(fh))
    return rows


def pfa_line(year: str, quarter: int, force: str, code: str, count: int) -> str:
    """One row of a hand-written Home Office force table (description and groups filler)."""
    return f'{year},{quarter},"{force}",Offence {code},Group,Subgroup,{code},{count}'


def street_line(month: str, crime_type: str, n: int, force: str = "City of London Police") -> str:
    """One hand-written police.uk street row."""
    crime_id = "" if crime_type == "Anti-social behaviour" else f"id-{month}-{n}"
    return (
        f"{crime_id},{month},{force},{force},-0.09,51.51,On or near Bank,E01000001,"
        f"City of London 001A,{crime_type},Under investigation,"
    )
