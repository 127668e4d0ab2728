"""The victim survey, one row per completed survey: a policing body's survey extract.

Header, exactly::

    response_id,month_closed,offence_group,area,domestic_abuse,overall_satisfaction

- ``response_id``: the survey's own reference, unique within the file. A later extract
  holding the same id replaces the response loaded before.
- ``month_closed``: ``YYYY-MM``, the month the victim's case was closed (the month a
  response is counted in).
- ``offence_group``: as the survey records it (Burglary, Violent crime, ...).
- ``area``: a force, or a local authority or community safety partnership by name or
  ONS code, as in the indicator layout.
- ``domestic_abuse``: ``yes`` or ``no`` (also ``y``/``n``).
- ``overall_satisfaction``: the 7-point scale in words ("completely satisfied", "very
  satisfied", "fairly satisfied", "neither satisfied nor dissatisfied", "fairly
  dissatisfied", "very dissatisfied", "completely dissatisfied") or as 1 to 7 in that
  order, or ``yes``/``no``. Stored in words; which answers count as satisfied is the
  ``satisfied_answers`` setting, applied when measuring.
"""

from __future__ import annotations

from forcestat.config import SURVEY_ANSWERS
from forcestat.sources.layout import Check, Layout, variant
from forcestat.sources.local_areas import local_area_sql

__all__ = ["SURVEY_RESPONSES"]


def _text(field: str) -> str:
    return f"nullif(trim({field}), '')"


_ANSWER = "lower(regexp_replace(trim(overall_satisfaction), '\\s+', ' ', 'g'))"
_SCALE = SURVEY_ANSWERS[:7]
_WORDS = ", ".join("'" + a + "'" for a in SURVEY_ANSWERS)
_ANSWER_WORDS = (
    "CASE "
    + " ".join(f"WHEN {_ANSWER} = '{i}' THEN '{a}'" for i, a in enumerate(_SCALE, start=1))
    + f" WHEN {_ANSWER} IN ({_WORDS}) THEN {_ANSWER} END"
)
_FLAG = "lower(trim(domestic_abuse))"

CHECKS: tuple[Check, ...] = (
    Check("response_id is blank", f"{_text('response_id')} IS NULL"),
    Check(
        "month_closed is not a month in the form YYYY-MM",
        "NOT regexp_full_match(trim(month_closed), '[0-9]{4}-(0[1-9]|1[0-2])')",
    ),
    Check("offence_group is blank", f"{_text('offence_group')} IS NULL"),
    Check(
        "area is not a force or local authority forcestat knows "
        "(a force as 'forcestat forces' names it, or a local authority's name or ONS code)",
        f"{local_area_sql('area', 'name')} IS NULL",
    ),
    Check("domestic_abuse is not yes or no", f"{_FLAG} NOT IN ('yes', 'no', 'y', 'n')"),
    Check(
        "overall_satisfaction is not an answer on the 7-point scale (completely satisfied to "
        "completely dissatisfied, or 1 to 7) or yes/no",
        f"({_ANSWER_WORDS}) IS NULL",
    ),
    Check(
        "response_id is on an earlier line of this file",
        "row_number() OVER (PARTITION BY trim(response_id) ORDER BY line_no) > 1",
    ),
)

SURVEY_RESPONSES = Layout(
    name="victim_survey",
    title="Victim survey responses (one row per completed survey)",
    table="survey_responses",
    variants=(
        variant(
            ("response_id", "response_id"),
            ("month_closed", "month_closed"),
            ("offence_group", "offence_group"),
            ("area", "area"),
            ("domestic_abuse", "domestic_abuse"),
            ("overall_satisfaction", "overall_satisfaction"),
        ),
    ),
    mapping={
        "response_id": "trim(response_id)",
        "month": "CAST(trim(month_closed) || '-01' AS DATE)",
        "offence_group": "trim(offence_group)",
        "area": local_area_sql("area", "name"),
        "area_code": local_area_sql("area", "code"),
        "area_type": local_area_sql("area", "area_type"),
        "force_name": local_area_sql("area", "force"),
        "domestic_abuse": f"{_FLAG} IN ('yes', 'y')",
        "satisfaction": _ANSWER_WORDS,
    },
    checks=CHECKS,
    replace_key=("response_id",),
    columns_described=(
        ("response_id", "the survey's reference for the response, unique in the file"),
        ("month_closed", "YYYY-MM: the month the victim's case closed"),
        ("offence_group", "the offence group as the survey records it"),
        (
            "area",
            "a force, or a local authority or community safety partnership by name or ONS code",
        ),
        ("domestic_abuse", "yes or no (y or n): the case's domestic abuse flag"),
        (
            "overall_satisfaction",
            "completely satisfied, very satisfied, fairly satisfied, neither satisfied nor "
            "dissatisfied, fairly dissatisfied, very dissatisfied, completely dissatisfied "
            "(or 1 to 7 in that order), or yes/no; the satisfied_answers setting says which "
            "count as satisfied",
        ),
    ),
)
