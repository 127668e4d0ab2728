"""The offence-code lookup: Home Office offence code -> description, group, police.uk type.

Layout ``,Offence_Group,Offence_Code,Offence_Description,Offence_Subgroup,Police.uk_Cat``
(a pandas export: an unnamed index column first), and the same without the index
column. One row per Home Office offence code (``1/4.1/4.10/4.2`` is the published
combined homicide row), each with the police.uk crime type its offences are published
under on police.uk.

The lookup writes police.uk types in title case ("Violence and Sexual Offences",
"Other Theft"), police.uk itself in sentence case ("Violence and sexual offences"). The
type is therefore matched without regard to case and stored in police.uk's own
spelling, so it joins to ``crimes.crime_type`` directly; a type police.uk has never
used is rejected.
"""

from __future__ import annotations

from forcestat.sources.layout import Check, Layout, variant
from forcestat.sources.policeuk import CRIME_TYPES

__all__ = ["OFFENCE_CODE_LOOKUP", "policeuk_type_sql"]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def policeuk_type_sql(field: str) -> str:
    """SQL: the police.uk crime type named in ``field`` (any case), spelt as police.uk does.

    NULL when the field is blank or names no police.uk crime type.
    """
    whens = " ".join(f"WHEN {_quote(t.casefold())} THEN {_quote(t)}" for t in CRIME_TYPES)
    return f"CASE lower(trim({field})) {whens} ELSE NULL END"


_CATEGORY = "nullif(trim(policeuk_category), '')"

_COLUMNS = (
    ("Offence_Group", "offence_group"),
    ("Offence_Code", "offence_code"),
    ("Offence_Description", "offence_description"),
    ("Offence_Subgroup", "offence_subgroup"),
    ("Police.uk_Cat", "policeuk_category"),
)

OFFENCE_CODE_LOOKUP = Layout(
    name="homeoffice_offence_codes",
    title="Home Office offence code lookup (with police.uk crime type)",
    table="offence_codes",
    variants=(variant(("", None), *_COLUMNS), variant(*_COLUMNS)),
    mapping={
        "offence_code": "trim(offence_code)",
        "offence_description": "trim(offence_description)",
        "offence_group": "nullif(trim(offence_group), '')",
        "offence_subgroup": "nullif(trim(offence_subgroup), '')",
        "policeuk_crime_type": policeuk_type_sql("policeuk_category"),
    },
    checks=(
        Check("Offence_Code is blank", "nullif(trim(offence_code), '') IS NULL"),
        Check("Offence_Description is blank", "nullif(trim(offence_description), '') IS NULL"),
        Check(
            "Police.uk_Cat is not a police.uk crime type",
            f"{_CATEGORY} IS NOT NULL AND {policeuk_type_sql('policeuk_category')} IS NULL",
        ),
    ),
    # A newer lookup restates each code it lists.
    replace_key=("offence_code",),
)
