"""Home Office police recorded crime open data: police force area and CSP tables.

The Home Office publishes "Police recorded crime and outcomes open data tables" with
one row per financial quarter, area and offence code: the police force area (PFA)
table and the community safety partnership (CSP) table. Each financial year sits on
its own sheet of an ODS (some years XLSX) workbook, under a title block, so the header
row is looked for in the first ``HEADER_SEARCH_ROWS`` rows of every sheet. CSV copies
of single sheets circulate too, including one written by pandas (leading index column,
underscored names, an extra police.uk category column), which is accepted and its
extra columns ignored.

As published, counts are padded with spaces (``" 2 "``) and zero is sometimes written
``-00`` (loaded as 0). A few published quarterly counts are negative (36 in the
2017/18 PFA table, for example ``-1`` and ``-45``): adjustments that net off offences
counted in other quarters. They are loaded as published, so a year's total is the sum
of its published quarters; rejecting them would overstate those years. Non-force rows (Action Fraud, CIFAS, UK Finance, Financial
Fraud Action UK, British Transport Police) are loaded as published too; a measure
chooses whether to count them.
"""

from __future__ import annotations

from forcestat.sources.layout import Check, Layout, variant

__all__ = [
    "CSP_TABLE",
    "HEADER_SEARCH_ROWS",
    "PFA_TABLE",
    "quarter_start_sql",
]

# The published workbooks put a title and notes above each sheet's header row.
HEADER_SEARCH_ROWS = 15


def _text(field: str) -> str:
    """SQL: the field without surrounding spaces, NULL when nothing is left."""
    return f"nullif(trim({field}), '')"


_YEAR = _text("financial_year")
_QUARTER = _text("financial_quarter")
_COUNT = _text("number_of_offences")


def quarter_start_sql(year: str = _YEAR, quarter: str = _QUARTER) -> str:
    """SQL: first day of a financial quarter ('2017/18', 1 -> 2017-04-01; 4 -> 2018-01-01)."""
    return (
        f"CAST(make_date(CAST(left({year}, 4) AS INTEGER), 4, 1) "
        f"+ to_months(3 * (CAST({quarter} AS INTEGER) - 1)) AS DATE)"
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "Financial Year is not a financial year in the form YYYY/YY (such as 2017/18)",
        f"NOT regexp_full_match({_YEAR}, '[0-9]{{4}}/[0-9]{{2}}') "
        f"OR (TRY_CAST(left({_YEAR}, 4) AS INTEGER) + 1) % 100 "
        f"<> TRY_CAST(right({_YEAR}, 2) AS INTEGER)",
    ),
    Check("Financial Quarter is not 1, 2, 3 or 4", f"{_QUARTER} NOT IN ('1', '2', '3', '4')"),
    Check("Force Name is blank", f"{_text('force_name')} IS NULL"),
    Check("Offence Code is blank", f"{_text('offence_code')} IS NULL"),
    Check("Offence Description is blank", f"{_text('offence_description')} IS NULL"),
    # Whole numbers only; a sign is allowed because some published quarters are negative.
    Check(
        "Number of Offences is not a whole number",
        f"NOT regexp_full_match({_COUNT}, '-?[0-9]+') OR TRY_CAST({_COUNT} AS BIGINT) IS NULL",
    ),
)

_MAPPING_COMMON: dict[str, str] = {
    "financial_year": _YEAR,
    "financial_quarter": f"CAST({_QUARTER} AS INTEGER)",
    "quarter_start": quarter_start_sql(),
    "force_name": _text("force_name"),
    "offence_description": _text("offence_description"),
    "offence_group": _text("offence_group"),
    "offence_subgroup": _text("offence_subgroup"),
    "offence_code": _text("offence_code"),
    # '-00' as published is zero
    "offences": f"CAST({_COUNT} AS BIGINT)",
}

# A newer edition of a table restates whole quarters for each area it covers.
REPLACE_KEY = ("financial_year", "financial_quarter", "force_name", "csp_name")

# Both tables open with the quarter and the force, and close with the offence columns.
_QUARTER_AND_FORCE = (
    ("Financial Year", "financial_year"),
    ("Financial Quarter", "financial_quarter"),
    ("Force Name", "force_name"),
)
_OFFENCE_COLUMNS = (
    ("Offence Description", "offence_description"),
    ("Offence Group", "offence_group"),
    ("Offence Subgroup", "offence_subgroup"),
    ("Offence Code", "offence_code"),
    ("Number of Offences", "number_of_offences"),
)

PFA_TABLE = Layout(
    name="homeoffice_prc_pfa",
    title="Home Office police recorded crime, police force area table",
    table="offence_counts",
    variants=(
        variant(*_QUARTER_AND_FORCE, *_OFFENCE_COLUMNS),
        # A pandas export of the same table: index column first, police.uk category last.
        variant(
            ("", None),
            *((name.replace(" ", "_"), f) for name, f in (*_QUARTER_AND_FORCE, *_OFFENCE_COLUMNS)),
            ("Policeuk_Cat", None),
        ),
    ),
    mapping={**_MAPPING_COMMON, "csp_name": "CAST(NULL AS VARCHAR)"},
    checks=CHECKS,
    replace_key=REPLACE_KEY,
    header_search_rows=HEADER_SEARCH_ROWS,
)

CSP_TABLE = Layout(
    name="homeoffice_prc_csp",
    title="Home Office police recorded crime, community safety partnership table",
    table="offence_counts",
    variants=(variant(*_QUARTER_AND_FORCE, ("CSP Name", "csp_name"), *_OFFENCE_COLUMNS),),
    mapping={**_MAPPING_COMMON, "csp_name": _text("csp_name")},
    checks=(*CHECKS, Check("CSP Name is blank", f"{_text('csp_name')} IS NULL")),
    replace_key=REPLACE_KEY,
    header_search_rows=HEADER_SEARCH_ROWS,
)
