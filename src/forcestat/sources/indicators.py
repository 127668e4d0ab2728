"""The generic indicator layout: any figure a policing body holds, one row per indicator,
area, period and breakdown.

Header, exactly::

    indicator,area,period,numerator,denominator,value,breakdown,breakdown_value,note

- ``indicator``: an id the measure catalogue refers to, lower-case letters, digits and
  underscores (``victim_satisfaction``).
- ``area``: a force (any name ``forcestat forces`` accepts) or a local authority or
  community safety partnership by name or ONS code (``forcestat.sources.local_areas``).
- ``period``: ``YYYY-MM`` (a month), ``YYYY-Qn`` (a calendar quarter), ``YYYY/YY`` (a
  financial year, April to March) or ``YYYY`` (a calendar year).
- ``numerator`` alone for a count; ``numerator`` and ``denominator`` for a proportion;
  ``value`` (with ``denominator`` the number of items, if known) for a mean, such as an
  average answer time in seconds.
- ``breakdown`` and ``breakdown_value``: one optional dimension (offence group, case
  type, flag); both empty for the total.
- ``note``: free text kept with the row.

A republished row (same indicator, area, period, breakdown and breakdown value)
replaces the one loaded before. Within one file an indicator is a proportion when any
of its rows gives a numerator with a denominator; its rows giving a numerator without
one are rejected, since a proportion cannot be taken of them.
"""

from __future__ import annotations

from forcestat.sources.layout import Check, Layout, variant
from forcestat.sources.local_areas import local_area_sql

__all__ = ["INDICATOR_TABLE", "PERIOD_FORMS", "period_first_month_sql"]

PERIOD_FORMS = "YYYY-MM (a month), YYYY-Qn (a quarter), YYYY/YY (a financial year) or YYYY"


def _text(field: str) -> str:
    return f"nullif(trim({field}), '')"


_PERIOD = f"upper({_text('period')})"
_IS_MONTH = f"regexp_full_match({_PERIOD}, '[0-9]{{4}}-(0[1-9]|1[0-2])')"
_IS_QUARTER = f"regexp_full_match({_PERIOD}, '[0-9]{{4}}-Q[1-4]')"
_IS_FINANCIAL_YEAR = (
    f"(regexp_full_match({_PERIOD}, '[0-9]{{4}}/[0-9]{{2}}') AND "
    f"(CAST(left({_PERIOD}, 4) AS INTEGER) + 1) % 100 = CAST(right({_PERIOD}, 2) AS INTEGER))"
)
_IS_YEAR = f"regexp_full_match({_PERIOD}, '[0-9]{{4}}')"
_YEAR = f"CAST(left({_PERIOD}, 4) AS INTEGER)"


def period_first_month_sql() -> str:
    """SQL: the first month of the staged period (NULL for a period of no known form)."""
    return (
        f"CASE WHEN {_IS_MONTH} THEN CAST({_PERIOD} || '-01' AS DATE) "
        f"WHEN {_IS_QUARTER} THEN make_date({_YEAR}, "
        f"3 * CAST(right({_PERIOD}, 1) AS INTEGER) - 2, 1) "
        f"WHEN {_IS_FINANCIAL_YEAR} THEN make_date({_YEAR}, 4, 1) "
        f"WHEN {_IS_YEAR} THEN make_date({_YEAR}, 1, 1) END"
    )


_MONTHS_LONG = (
    f"CASE WHEN {_IS_MONTH} THEN 1 WHEN {_IS_QUARTER} THEN 3 "
    f"WHEN {_IS_FINANCIAL_YEAR} OR {_IS_YEAR} THEN 12 END"
)
_PERIOD_TYPE = (
    f"CASE WHEN {_IS_MONTH} THEN 'month' WHEN {_IS_QUARTER} THEN 'quarter' "
    f"WHEN {_IS_FINANCIAL_YEAR} THEN 'financial_year' WHEN {_IS_YEAR} THEN 'year' END"
)

_NUMERATOR = _text("numerator")
_DENOMINATOR = _text("denominator")
_VALUE = _text("value")
_WHOLE = "'-?[0-9]+'"
_BREAKDOWN = _text("breakdown")
_BREAKDOWN_VALUE = _text("breakdown_value")
_KEY = (
    f"{_text('indicator')}, lower({_text('area')}), {_PERIOD}, "
    f"lower({_BREAKDOWN}), lower({_BREAKDOWN_VALUE})"
)


def _whole_bad(field: str, name: str) -> Check:
    return Check(
        f"{name} is not a whole number",
        f"{field} IS NOT NULL AND (NOT regexp_full_match({field}, {_WHOLE}) "
        f"OR TRY_CAST({field} AS BIGINT) IS NULL)",
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "indicator is not an id of lower-case letters, digits and underscores "
        "(such as victim_satisfaction)",
        f"NOT regexp_full_match({_text('indicator')}, '[a-z0-9_]+')",
    ),
    Check(
        "area is not a force or local authority forcestat knows "
        "(a force as 'forcestat forces' names it, or a local authority's name or ONS code)",
        f"{local_area_sql('area', 'name')} IS NULL",
    ),
    Check(
        f"period is not {PERIOD_FORMS}",
        f"{_PERIOD} IS NULL OR ({period_first_month_sql()}) IS NULL",
    ),
    _whole_bad(_NUMERATOR, "numerator"),
    _whole_bad(_DENOMINATOR, "denominator"),
    Check(
        "value is not a number",
        f"{_VALUE} IS NOT NULL AND (TRY_CAST({_VALUE} AS DOUBLE) IS NULL "
        f"OR NOT isfinite(TRY_CAST({_VALUE} AS DOUBLE)))",
    ),
    Check(
        "numerator is negative; a count cannot be below zero",
        f"coalesce({_NUMERATOR} LIKE '-%', FALSE)",
    ),
    Check(
        "denominator is negative; a count cannot be below zero",
        f"coalesce({_DENOMINATOR} LIKE '-%', FALSE)",
    ),
    Check(
        "denominator is smaller than numerator",
        f"coalesce(TRY_CAST({_DENOMINATOR} AS BIGINT) < TRY_CAST({_NUMERATOR} AS BIGINT), FALSE)",
    ),
    Check(
        "neither numerator nor value is given",
        f"{_NUMERATOR} IS NULL AND {_VALUE} IS NULL",
    ),
    Check(
        "breakdown and breakdown_value must be given together or both left empty",
        f"({_BREAKDOWN} IS NULL) <> ({_BREAKDOWN_VALUE} IS NULL)",
    ),
    # Within the file, an indicator some of whose rows give a denominator is a proportion.
    Check(
        "a proportion with no denominator: other rows of this indicator give a numerator "
        "with a denominator",
        f"{_NUMERATOR} IS NOT NULL AND {_DENOMINATOR} IS NULL AND count(CASE WHEN "
        f"{_NUMERATOR} IS NOT NULL THEN {_DENOMINATOR} END) "
        f"OVER (PARTITION BY {_text('indicator')}) > 0",
    ),
    Check(
        "the same indicator, area, period and breakdown are on an earlier line of this file",
        f"row_number() OVER (PARTITION BY {_KEY} ORDER BY line_no) > 1",
    ),
)

INDICATOR_TABLE = Layout(
    name="indicator",
    title="Local indicator (any figure a policing body holds, by area and period)",
    table="indicators",
    variants=(
        variant(
            ("indicator", "indicator"),
            ("area", "area"),
            ("period", "period"),
            ("numerator", "numerator"),
            ("denominator", "denominator"),
            ("value", "value"),
            ("breakdown", "breakdown"),
            ("breakdown_value", "breakdown_value"),
            ("note", "note"),
        ),
    ),
    mapping={
        "indicator": _text("indicator"),
        "area": local_area_sql("area", "name"),
        "area_code": local_area_sql("area", "code"),
        "area_type": local_area_sql("area", "area_type"),
        "force_name": local_area_sql("area", "force"),
        "period": _PERIOD,
        "period_type": _PERIOD_TYPE,
        "first_month": period_first_month_sql(),
        "last_month": f"CAST(({period_first_month_sql()}) + to_months({_MONTHS_LONG} - 1) AS DATE)",
        "numerator": f"CAST({_NUMERATOR} AS BIGINT)",
        "denominator": f"CAST({_DENOMINATOR} AS BIGINT)",
        "value": f"CAST({_VALUE} AS DOUBLE)",
        # The total is stored with an empty breakdown, so a republished total matches it.
        "breakdown": f"coalesce({_BREAKDOWN}, '')",
        "breakdown_value": f"coalesce({_BREAKDOWN_VALUE}, '')",
        "note": f"coalesce({_text('note')}, '')",
    },
    checks=CHECKS,
    replace_key=("indicator", "area", "period", "breakdown", "breakdown_value"),
    columns_described=(
        ("indicator", "the id the measure catalogue refers to: lower-case letters, digits, _"),
        (
            "area",
            "a force (any name 'forcestat forces' accepts), or a local authority or community "
            "safety partnership by name or ONS code",
        ),
        ("period", PERIOD_FORMS + "; a financial year runs April to March"),
        (
            "numerator",
            "a count; a proportion's successes (with denominator); empty for a mean",
        ),
        ("denominator", "a proportion's total; for a mean, the number of items, if known"),
        ("value", "a mean (an average answer time in seconds); empty for counts"),
        (
            "breakdown, breakdown_value",
            "one optional dimension and its value (case_type, complaint); empty for the total",
        ),
        ("note", "free text kept with the row"),
    ),
)
