"""Area lookups and population counts: the denominators of every rate.

Layouts:

``ons_lsoa_force_lookup`` -> ``areas``
    ``,Region code,Region name,Local authority code,Local authority name,MSOA Code,
    MSOA Name,LSOA Code,LSOA Name,Police_force``: 2011 LSOA -> MSOA -> local authority
    -> region -> police force (England), leading pandas index column optional. Rows
    with a blank ``Police_force`` are published gaps and load with no force.

``census_2011_lsoa_population`` -> ``population`` (area_type ``LSOA2011``, 2011)
    The 2011 Census usual residents by LSOA, 16 columns, three of them headed
    ``Persons`` (all usual residents, in households, in communal establishments) and
    one headed by nothing. Columns are taken by position; ``persons`` is the first
    ``Persons`` column. Numbers carry thousands separators (``"1,563"``).

``census_2021_ts001`` -> ``population`` (area_type ``LSOA2021``, 2021)
    Census 2021 table TS001 as Nomis exports it:
    ``total,2021 super output area - lower layer,mnemonic``. Its footer (blank
    ``,,`` lines and a disclosure-control note) is skipped, not rejected.

``ons_mid_year_population`` -> ``population`` (source ``ons_mid_year_estimate``)
    A simple long layout for loading ONS mid-year estimates (or any newer figures)
    by hand, one row per area and year::

        area_code,area_name,area_type,year,persons
        E01009417,Birmingham 001A,LSOA2021,2022,"1,732"
        E08000025,Birmingham,local_authority,2022,1157603
        West Midlands,West Midlands,force,2022,2943000

    ``area_type`` is one of ``LSOA2011``, ``LSOA2021``, ``local_authority``,
    ``force``, ``region``, ``country``; LSOA codes must look like ``E01``/``W01`` and
    six digits. ``area_name`` may be blank. ``persons`` is a whole number, with or
    without thousands separators.

A newer file replaces the figures it restates: the lookup by LSOA, population by
area, area type, year and source.
"""

from __future__ import annotations

from forcestat.sources.layout import Check, Layout, variant

__all__ = [
    "AREA_LOOKUP",
    "AREA_TYPES",
    "CENSUS_2011_POPULATION",
    "CENSUS_2021_TS001",
    "MID_YEAR_POPULATION",
]

AREA_TYPES: tuple[str, ...] = (
    "LSOA2011",
    "LSOA2021",
    "local_authority",
    "force",
    "region",
    "country",
)

# England E01, Wales W01, then six digits: the same form in the 2011 and 2021 sets.
_LSOA_PATTERN = "[EW]01[0-9]{6}"
# A whole number, optionally with thousands separators as the census tables print them.
_COUNT_PATTERN = "[0-9]{1,3}(,[0-9]{3})+|[0-9]+"


def _text(field: str) -> str:
    return f"nullif(trim({field}), '')"


def _lsoa_bad(field: str) -> str:
    return f"NOT regexp_full_match({_text(field)}, '{_LSOA_PATTERN}')"


def _count_bad(field: str) -> str:
    return (
        f"NOT regexp_full_match({_text(field)}, '{_COUNT_PATTERN}') "
        f"OR TRY_CAST(replace({_text(field)}, ',', '') AS BIGINT) IS NULL"
    )


def _count(field: str) -> str:
    return f"CAST(replace({_text(field)}, ',', '') AS BIGINT)"


POPULATION_KEY = ("area_code", "area_type", "population_year", "source")

_LOOKUP_COLUMNS = (
    ("Region code", "region_code"),
    ("Region name", "region_name"),
    ("Local authority code", "local_authority_code"),
    ("Local authority name", "local_authority_name"),
    ("MSOA Code", "msoa_code"),
    ("MSOA Name", "msoa_name"),
    ("LSOA Code", "lsoa_code"),
    ("LSOA Name", "lsoa_name"),
)

AREA_LOOKUP = Layout(
    name="ons_lsoa_force_lookup",
    title="LSOA (2011) to local authority and police force lookup",
    table="areas",
    variants=(
        variant(("", None), *_LOOKUP_COLUMNS, ("Police_force", "police_force")),
        variant(*_LOOKUP_COLUMNS, ("Police_force", "police_force")),
    ),
    mapping={
        "lsoa_code": _text("lsoa_code"),
        "lsoa_name": _text("lsoa_name"),
        "msoa_code": _text("msoa_code"),
        "msoa_name": _text("msoa_name"),
        "local_authority_code": _text("local_authority_code"),
        "local_authority_name": _text("local_authority_name"),
        "region_code": _text("region_code"),
        "region_name": _text("region_name"),
        # blank in the published lookup for some LSOAs: kept as a known gap
        "force_name": _text("police_force"),
        "lsoa_geography": "'LSOA2011'",
    },
    checks=(
        Check("LSOA Code is not an LSOA code (E01 or W01 and six digits)", _lsoa_bad("lsoa_code")),
    ),
    replace_key=("lsoa_code", "lsoa_geography"),
)

CENSUS_2011_POPULATION = Layout(
    name="census_2011_lsoa_population",
    title="Census 2011 usual residents by LSOA",
    table="population",
    variants=(
        # Repeated and blank names: the columns are told apart by position only.
        variant(
            ("Region code", None),
            ("Region name", None),
            ("Local authority code", None),
            ("Local authority name", None),
            ("MSOA Code", None),
            ("MSOA Name", None),
            ("LSOA Code", "lsoa_code"),
            ("LSOA Name", "lsoa_name"),
            ("", None),
            ("Persons", "persons"),  # all usual residents
            ("Persons", None),  # in households
            ("Persons", None),  # in communal establishments
            ("Hectares", None),
            ("Persons per hectare", None),
            ("Households", None),
            ("Persons per household", None),
        ),
    ),
    mapping={
        "area_code": _text("lsoa_code"),
        "area_name": _text("lsoa_name"),
        "area_type": "'LSOA2011'",
        "population_year": "2011",
        "persons": _count("persons"),
        "source": "'census_2011'",
    },
    checks=(
        Check("LSOA Code is not an LSOA code (E01 or W01 and six digits)", _lsoa_bad("lsoa_code")),
        Check("Persons is not a whole number", _count_bad("persons")),
    ),
    replace_key=POPULATION_KEY,
)

CENSUS_2021_TS001 = Layout(
    name="census_2021_ts001",
    title="Census 2021 TS001 usual residents by LSOA",
    table="population",
    variants=(
        variant(
            ("total", "total"),
            ("2021 super output area - lower layer", "lsoa_name"),
            ("mnemonic", "lsoa_code"),
        ),
    ),
    mapping={
        "area_code": _text("lsoa_code"),
        "area_name": _text("lsoa_name"),
        "area_type": "'LSOA2021'",
        "population_year": "2021",
        "persons": _count("total"),
        "source": "'census_2021'",
    },
    checks=(
        Check("mnemonic is not an LSOA code (E01 or W01 and six digits)", _lsoa_bad("lsoa_code")),
        Check("total is not a whole number", _count_bad("total")),
    ),
    # The Nomis footer: blank lines and a note, with neither a count nor a code.
    skip_when=f"{_text('total')} IS NULL AND {_text('lsoa_code')} IS NULL",
    replace_key=POPULATION_KEY,
)

_AREA_TYPE_LIST = "(" + ", ".join(f"'{t}'" for t in AREA_TYPES) + ")"

MID_YEAR_POPULATION = Layout(
    name="ons_mid_year_population",
    title="ONS mid-year population estimates (long layout)",
    table="population",
    variants=(
        variant(
            ("area_code", "area_code"),
            ("area_name", "area_name"),
            ("area_type", "area_type"),
            ("year", "year"),
            ("persons", "persons"),
        ),
    ),
    mapping={
        "area_code": _text("area_code"),
        "area_name": _text("area_name"),
        "area_type": _text("area_type"),
        "population_year": f"CAST({_text('year')} AS INTEGER)",
        "persons": _count("persons"),
        "source": "'ons_mid_year_estimate'",
    },
    checks=(
        Check("area_code is blank", f"{_text('area_code')} IS NULL"),
        Check(
            "area_type is not one of " + ", ".join(AREA_TYPES),
            f"{_text('area_type')} NOT IN {_AREA_TYPE_LIST}",
        ),
        Check(
            "area_code is not an LSOA code (E01 or W01 and six digits) for an LSOA area_type",
            f"{_text('area_type')} IN ('LSOA2011', 'LSOA2021') AND {_lsoa_bad('area_code')}",
        ),
        Check("year is not a year (YYYY)", f"NOT regexp_full_match({_text('year')}, '[0-9]{{4}}')"),
        Check("persons is not a whole number", _count_bad("persons")),
    ),
    replace_key=POPULATION_KEY,
)
