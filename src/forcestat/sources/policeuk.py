"""police.uk monthly files: street-level crime, outcomes, and stop and search.

Layouts as published in the police.uk archive (``YYYY-MM/YYYY-MM-<force>-street.csv``
and friends). Months are ``YYYY-MM``; coordinates are WGS84 and may be blank (a crime
with no mappable location). Stop-and-search files carry no force and give each search
a UTC timestamp, so their force and month come from the file name.
"""

from __future__ import annotations

import re

from forcestat.errors import IngestError
from forcestat.forces import force_by_slug
from forcestat.sources.layout import Check, Layout, variant

__all__ = ["CRIME_TYPES", "CURRENT_CRIME_TYPES", "OUTCOMES", "STOP_AND_SEARCH", "STREET"]

# The crime types police.uk publishes today.
CURRENT_CRIME_TYPES: tuple[str, ...] = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
# Every crime type police.uk has used; the last two were retired in 2013 but appear in
# older archive months.
CRIME_TYPES: tuple[str, ...] = (
    *CURRENT_CRIME_TYPES,
    "Violent crime",
    "Public disorder and weapons",
)

SEARCH_TYPES = ("Person search", "Vehicle search", "Person and Vehicle search")


def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


MONTH_BAD = "NOT regexp_full_match(month, '[0-9]{4}-(0[1-9]|1[0-2])')"
MONTH_DATE = "CAST(month || '-01' AS DATE)"

# police.uk covers England, Wales and Northern Ireland: anything outside this box is
# a broken coordinate, not a crime abroad.
LAT_RANGE = (49.8, 61.0)
LON_RANGE = (-8.7, 2.1)


def coordinates_bad(lon: str = "longitude", lat: str = "latitude") -> str:
    """SQL: TRUE when a row's coordinates are half-present, not numbers, or off the map."""
    return (
        f"({lon} IS NULL) <> ({lat} IS NULL) OR ({lon} IS NOT NULL AND ("
        f"TRY_CAST({lon} AS DOUBLE) IS NULL OR TRY_CAST({lat} AS DOUBLE) IS NULL "
        f"OR NOT TRY_CAST({lat} AS DOUBLE) BETWEEN {LAT_RANGE[0]} AND {LAT_RANGE[1]} "
        f"OR NOT TRY_CAST({lon} AS DOUBLE) BETWEEN {LON_RANGE[0]} AND {LON_RANGE[1]}))"
    )


COORDINATES = Check(
    "coordinates missing one half, not numbers, or outside the UK", coordinates_bad()
)
MONTH = Check("Month is not a month in the form YYYY-MM", MONTH_BAD)
# A monthly file holds its own month's rows; a row dated in the future, or far from the
# month the file is named for, is a data error that would land in the wrong period.
FUTURE_MONTH = Check("Month is in the future", "TRY_CAST(month || '-01' AS DATE) > current_date")
FAR_FROM_FILE_MONTH = Check(
    "Month is more than a month from the month in the file name",
    "$file_month IS NOT NULL AND abs(datediff('month', CAST($file_month AS DATE), "
    "TRY_CAST(month || '-01' AS DATE))) > 1",
)
_MONTHLY_FILE = re.compile(
    r"(?P<month>\d{4}-(0[1-9]|1[0-2]))-[a-z-]+?-(street|outcomes)\.csv(\.gz)?", re.IGNORECASE
)


def monthly_file_context(file_name: str) -> dict[str, object]:
    """The month a street or outcomes file is named for (None when named otherwise:
    such a file still loads, its months unchecked against its name)."""
    m = _MONTHLY_FILE.fullmatch(file_name)
    return {"file_month": m.group("month") + "-01" if m else None}


REPORTED_BY = Check(
    "Reported by or Falls within is blank", "reported_by IS NULL OR falls_within IS NULL"
)

_LOCATION_COLUMNS = (
    ("Crime ID", "crime_id"),
    ("Month", "month"),
    ("Reported by", "reported_by"),
    ("Falls within", "falls_within"),
    ("Longitude", "longitude"),
    ("Latitude", "latitude"),
    ("Location", "location"),
    ("LSOA code", "lsoa_code"),
    ("LSOA name", "lsoa_name"),
)

_LOCATION_MAPPING = {
    "crime_id": "crime_id",
    "month": MONTH_DATE,
    "reported_by": "trim(reported_by)",
    "falls_within": "trim(falls_within)",
    "longitude": "CAST(longitude AS DOUBLE)",
    "latitude": "CAST(latitude AS DOUBLE)",
    "location": "location",
    "lsoa_code": "lsoa_code",
    "lsoa_name": "lsoa_name",
}

STREET = Layout(
    name="policeuk_street",
    title="police.uk street-level crime",
    table="crimes",
    variants=(
        variant(
            *_LOCATION_COLUMNS,
            ("Crime type", "crime_type"),
            ("Last outcome category", "last_outcome_category"),
            ("Context", "context"),
        ),
    ),
    mapping={
        **_LOCATION_MAPPING,
        "crime_type": "crime_type",
        "last_outcome_category": "last_outcome_category",
        "context": "context",
    },
    checks=(
        MONTH,
        FUTURE_MONTH,
        FAR_FROM_FILE_MONTH,
        REPORTED_BY,
        Check(
            "Crime type is not a police.uk crime type",
            f"crime_type NOT IN {_sql_list(CRIME_TYPES)}",
        ),
        Check(
            "a crime (not anti-social behaviour) has no Crime ID",
            "crime_id IS NULL AND crime_type <> 'Anti-social behaviour'",
        ),
        COORDINATES,
    ),
    replace_key=("reported_by", "month"),
    file_context=monthly_file_context,
)

OUTCOMES = Layout(
    name="policeuk_outcomes",
    title="police.uk outcomes",
    table="outcomes",
    variants=(variant(*_LOCATION_COLUMNS, ("Outcome type", "outcome_type")),),
    mapping={**_LOCATION_MAPPING, "outcome_type": "outcome_type"},
    checks=(
        MONTH,
        FUTURE_MONTH,
        FAR_FROM_FILE_MONTH,
        REPORTED_BY,
        Check("Crime ID is blank", "crime_id IS NULL"),
        Check("Outcome type is blank", "outcome_type IS NULL"),
        COORDINATES,
    ),
    replace_key=("reported_by", "month"),
    file_context=monthly_file_context,
)

_STOP_SEARCH_FILE = re.compile(
    r"(?P<month>\d{4}-(0[1-9]|1[0-2]))-(?P<slug>[a-z-]+?)-stop-and-search\.csv(\.gz)?",
    re.IGNORECASE,
)


def stop_search_context(file_name: str) -> dict[str, object]:
    """Force and month from a police.uk stop-and-search file name."""
    m = _STOP_SEARCH_FILE.fullmatch(file_name)
    if m is None:
        raise IngestError(
            f"{file_name}: a stop-and-search file names its force and month only in its "
            "file name; name it as police.uk does: YYYY-MM-<force>-stop-and-search.csv"
        )
    force = force_by_slug(m.group("slug").lower())
    if force is None:
        raise IngestError(f"{file_name}: {m.group('slug')!r} is not a police.uk force name")
    return {"force": force.name, "month": m.group("month") + "-01"}


_BOOL = "('true', 'false')"


def _bool_bad(column: str) -> str:
    return f"{column} IS NOT NULL AND lower({column}) NOT IN {_BOOL}"


# ISO 8601 with an offset, as police.uk writes it: 2019-06-01T05:25:52+00:00
_SEARCHED_AT = "CAST(strptime(date, '%Y-%m-%dT%H:%M:%S%z') AT TIME ZONE 'UTC' AS TIMESTAMP)"
# The same, NULL for a date that is not one (checks must never fail on a bad value).
_SEARCHED_AT_OR_NULL = _SEARCHED_AT.replace("strptime", "try_strptime")

STOP_AND_SEARCH = Layout(
    name="policeuk_stop_and_search",
    title="police.uk stop and search",
    table="stop_search",
    variants=(
        variant(
            ("Type", "search_type"),
            ("Date", "date"),
            ("Part of a policing operation", "part_of_policing_operation"),
            ("Policing operation", "policing_operation"),
            ("Latitude", "latitude"),
            ("Longitude", "longitude"),
            ("Gender", "gender"),
            ("Age range", "age_range"),
            ("Self-defined ethnicity", "self_defined_ethnicity"),
            ("Officer-defined ethnicity", "officer_defined_ethnicity"),
            ("Legislation", "legislation"),
            ("Object of search", "object_of_search"),
            ("Outcome", "outcome"),
            ("Outcome linked to object of search", "outcome_linked_to_object"),
            ("Removal of more than just outer clothing", "removal_of_more_than_outer_clothing"),
        ),
    ),
    mapping={
        "force": "$force",
        "month": "CAST($month AS DATE)",
        "search_type": "search_type",
        "searched_at": _SEARCHED_AT,
        "part_of_policing_operation": "CAST(part_of_policing_operation AS BOOLEAN)",
        "policing_operation": "policing_operation",
        "latitude": "CAST(latitude AS DOUBLE)",
        "longitude": "CAST(longitude AS DOUBLE)",
        "gender": "gender",
        "age_range": "age_range",
        "self_defined_ethnicity": "self_defined_ethnicity",
        "officer_defined_ethnicity": "officer_defined_ethnicity",
        "legislation": "legislation",
        "object_of_search": "object_of_search",
        "outcome": "outcome",
        "outcome_linked_to_object": "CAST(outcome_linked_to_object AS BOOLEAN)",
        "removal_of_more_than_outer_clothing": "CAST(removal_of_more_than_outer_clothing AS BOOLEAN)",
    },
    checks=(
        Check(
            "Type is not a police.uk search type", f"search_type NOT IN {_sql_list(SEARCH_TYPES)}"
        ),
        Check(
            "Date is not an ISO 8601 timestamp with offset",
            "try_strptime(date, '%Y-%m-%dT%H:%M:%S%z') IS NULL",
        ),
        Check("Date is in the future", f"{_SEARCHED_AT_OR_NULL} > now()::TIMESTAMP"),
        Check(
            "Date is more than a month from the month in the file name",
            f"{_SEARCHED_AT_OR_NULL} NOT BETWEEN CAST($month AS DATE) - INTERVAL 1 MONTH "
            "AND CAST($month AS DATE) + INTERVAL 2 MONTH",
        ),
        Check(
            "a True/False column holds something else",
            " OR ".join(
                _bool_bad(c)
                for c in (
                    "part_of_policing_operation",
                    "outcome_linked_to_object",
                    "removal_of_more_than_outer_clothing",
                )
            ),
        ),
        COORDINATES,
    ),
    replace_key=("force", "month"),
    file_context=stop_search_context,
)
