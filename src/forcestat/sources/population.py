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

``ons_mye2_persons`` -> ``population`` (source ``ons_mid_year_estimate``)
    Sheet ``MYE2 - Persons`` of the ONS workbook "Population estimates for the UK,
    England and Wales, Scotland and Northern Ireland", as published (``.xls`` up to
    mid-2021, ``.xlsx`` since): a title block, then the header
    ``Code,Name,Geography1,All ages,0,1,...,89,90+`` (row 5, mid-2019) or the same with
    ``Geography`` (row 8, mid-2020 on), one row per area. ``All ages`` becomes
    ``persons``; the single years of age are not loaded. The ONS geography label gives
    the area type: ``Country`` and ``Region`` as such, the district-level authorities
    (unitary authority, metropolitan and non-metropolitan district, London borough,
    Scottish council area, Northern Irish local government district) as
    ``local_authority``. Counties, metropolitan counties and Inner/Outer London are
    sums of those districts with no area type here: counted as skipped, not loaded.
    The sheet names its year only in its title ("..., mid-2019"), which gives
    ``$population_year`` (``mid_year_title_context``); a sheet whose title does not
    say takes it from the file name as ONS publishes it (``mid_year_file_context``).
    The ``MYE2 - Males`` and ``MYE2 - Females`` sheets have the same header and are
    passed over: the layout is read from ``MYE2_PERSONS_SHEET`` only.

A newer file replaces the figures it restates: the lookup by LSOA, population by
area, area type, year and source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from forcestat.errors import IngestError
from forcestat.sources.layout import Check, HeaderVariant, Layout, variant

__all__ = [
    "AREA_LOOKUP",
    "AREA_TYPES",
    "CENSUS_2011_POPULATION",
    "CENSUS_2021_TS001",
    "MID_YEAR_POPULATION",
    "MYE2_AGE_COLUMNS",
    "MYE2_GEOGRAPHIES",
    "MYE2_PERSONS",
    "MYE2_PERSONS_SHEET",
    "mid_year_file_context",
    "mid_year_in_title",
    "mid_year_title_context",
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

# --- ONS mid-year estimates workbook, table MYE2 -------------------------------------

MYE2_PERSONS_SHEET = "MYE2 - Persons"
# Single years of age 0 to 89, then the open group, as the header row prints them.
MYE2_AGE_COLUMNS: tuple[str, ...] = (*(str(age) for age in range(90)), "90+")
# Header row 5 in the mid-2019 workbook, row 8 from mid-2020 on, under a title block.
MYE2_HEADER_SEARCH_ROWS = 12

# The Geography column's labels as ONS prints them (compared ignoring case) -> forcestat
# area type; None for counties and the London groupings, sums of districts in the sheet.
MYE2_GEOGRAPHIES: dict[str, str | None] = {
    "Country": "country",
    "Region": "region",
    "Unitary Authority": "local_authority",
    "Metropolitan District": "local_authority",
    "Non-metropolitan District": "local_authority",
    "London Borough": "local_authority",
    "Council Area": "local_authority",
    "Local Government District": "local_authority",
    "County": None,
    "Metropolitan County": None,
    "Inner London": None,
    "Outer London": None,
}

# The year the estimates refer to as ONS file names write it: ukmidyearestimates2019...,
# ukpopestimatesmid2020on2021geography, mye22final, mye24tablesuk; or mid-2019.
_YEAR_IN_NAME = re.compile(
    # ukmidyearestimates20192020ladcodes: the first four digits are the year
    r"mid[-_ ]?(?:year[-_ ]?)?(?:estimates?[-_ ]?)?(?P<year>(?:19|20)\d{2})"
    r"|mye[-_ ]?(?P<full>(?:19|20)\d{2})(?!\d)"
    r"|mye(?P<short>\d{2})(?!\d)",
    re.IGNORECASE,
)
# ... and as a sheet title does: "... for local authorities in the UK, mid-2019".
_YEAR_IN_TITLE = re.compile(r"\bmid-(?P<year>(?:19|20)\d{2})\b", re.IGNORECASE)


def mid_year_file_context(file_name: str) -> dict[str, object]:
    """``$population_year`` from an ONS mid-year estimates file name.

    Example:
        >>> mid_year_file_context("ukmidyearestimates20192019ladcodes.xls")
        {'population_year': 2019}
        >>> mid_year_file_context("mye22final.xlsx")
        {'population_year': 2022}
    """
    m = _YEAR_IN_NAME.search(file_name)
    if m is None:
        raise IngestError(
            f"{file_name}: forcestat takes the year of a mid-year estimates workbook from "
            "the sheet's title (ending 'mid-2019', say) or else from its file name; "
            "neither says, so keep the name ONS publishes it under (for example "
            "ukmidyearestimates20192019ladcodes.xls or mye22final.xlsx) or put the year "
            "in the name as mid-2019"
        )
    if m.group("short") is not None:
        return {"population_year": 2000 + int(m.group("short"))}
    return {"population_year": int(m.group("year") or m.group("full"))}


def mid_year_in_title(title_rows: Sequence[Sequence[str]]) -> int | None:
    """The year a sheet's title block names, or None.

    ONS states the year in the title, so the year does not rest on the file keeping
    the name it was published under.

    Example:
        >>> mid_year_in_title([["MYE2: Persons by single year of age and sex for "
        ...                     "local authorities in the UK, mid-2024"]])
        2024
    """
    for row in title_rows:
        for cell in row:
            m = _YEAR_IN_TITLE.search(cell)
            if m is not None:
                return int(m.group("year"))
    return None


def mid_year_title_context(title_rows: Sequence[Sequence[str]]) -> dict[str, object]:
    """``$population_year`` from a sheet's title block; empty when the title does not say
    (the engine then asks ``mid_year_file_context``).

    Example:
        >>> mid_year_title_context([["MYE2: Persons ... in the UK, mid-2019"]])
        {'population_year': 2019}
    """
    year = mid_year_in_title(title_rows)
    return {} if year is None else {"population_year": year}


def _mye2_variant(geography: str) -> HeaderVariant:
    return variant(
        ("Code", "code"),
        ("Name", "name"),
        (geography, "geography"),
        ("All ages", "all_ages"),
        *((age, None) for age in MYE2_AGE_COLUMNS),
    )


def _lower_list(labels: list[str]) -> str:
    return "(" + ", ".join(f"'{label.lower()}'" for label in labels) + ")"


_GEOGRAPHY = f"lower({_text('geography')})"
_MYE2_LOADED = [label for label, area_type in MYE2_GEOGRAPHIES.items() if area_type]
_MYE2_SKIPPED = [label for label, area_type in MYE2_GEOGRAPHIES.items() if not area_type]
_MYE2_AREA_TYPE = (
    f"CASE {_GEOGRAPHY} "
    + " ".join(
        f"WHEN '{label.lower()}' THEN '{area_type}'"
        for label, area_type in MYE2_GEOGRAPHIES.items()
        if area_type
    )
    + " END"
)

MYE2_PERSONS = Layout(
    name="ons_mye2_persons",
    title="ONS mid-year estimates workbook, MYE2 persons by single year of age",
    table="population",
    variants=(_mye2_variant("Geography1"), _mye2_variant("Geography")),
    mapping={
        "area_code": _text("code"),
        "area_name": _text("name"),
        "area_type": _MYE2_AREA_TYPE,
        "population_year": "CAST($population_year AS INTEGER)",
        "persons": _count("all_ages"),
        "source": "'ons_mid_year_estimate'",
    },
    checks=(
        Check(
            "Code is blank or not an ONS area code (a capital letter and eight digits)",
            f"NOT regexp_full_match({_text('code')}, '[A-Z][0-9]{{8}}')",
        ),
        Check(
            f"Geography is not one of {', '.join(_MYE2_LOADED)} "
            f"(nor {', '.join(_MYE2_SKIPPED)}, which are skipped)",
            f"{_GEOGRAPHY} NOT IN {_lower_list(_MYE2_LOADED)}",
        ),
        Check("All ages is not a whole number", _count_bad("all_ages")),
    ),
    # Counties and London groupings add up districts the sheet also lists: counted, not loaded.
    skip_when=f"{_GEOGRAPHY} IN {_lower_list(_MYE2_SKIPPED)}",
    replace_key=POPULATION_KEY,
    file_context=mid_year_file_context,
    header_search_rows=MYE2_HEADER_SEARCH_ROWS,
    # MYE2 - Males and MYE2 - Females share this header: loaded as persons they would
    # replace the persons' rows.
    sheets=(MYE2_PERSONS_SHEET,),
    title_context=mid_year_title_context,
)
