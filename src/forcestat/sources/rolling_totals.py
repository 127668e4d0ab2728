"""Home Office "Recorded crime data at Police Force Area level" (``rec-crime-pfa.csv``).

Rolling 12-month totals of recorded crime by police force area and offence group, at
each year end from March 2003 to March 2007 and then every quarter end to December
2018, as published on data.gov.uk::

    12 months ending,PFA,Region,Offence,Rolling year total number of offences
    31-03-2003,Avon and Somerset,South West,All other theft offences,25959

The file starts with a UTF-8 byte order mark; dates are ``dd-mm-yyyy`` and December
2017 is published as ``30-12-2017``, so a period is the *month* of its date (any day
from the 28th is a month end as published). Offences are the leaves of the offence
group tree (no totals), so the total excluding fraud is the sum of every offence but
fraud. Besides the 43 forces, the file has British Transport Police and, from 2011,
Action Fraud, CIFAS and UK Finance rows (fraud reported nationally, no force).

Loaded into ``force_figures`` (source ``homeoffice_rolling_totals``), the same table as
the ONS data tables, with the ONS area code of each force.
"""

from __future__ import annotations

from forcestat.forces import FORCES
from forcestat.sources.layout import Check, Layout, variant
from forcestat.sources.ons_pfa import FIGURES_KEY, PFA_CODES

__all__ = ["ROLLING_TOTALS", "ROLLING_TOTALS_SOURCE"]

ROLLING_TOTALS_SOURCE = "homeoffice_rolling_totals"


def _text(field: str) -> str:
    return f"nullif(trim({field}), '')"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_CODE_OF = {name: code for code, name in PFA_CODES.items()}
_NAMES: dict[str, str] = {}
for _force in FORCES:
    for _alias in (_force.name, _force.home_office_name):
        _NAMES[_alias] = _force.name
_PFA = _text("pfa")
_FORCE = (
    f"CASE {_PFA} "
    + " ".join(f"WHEN {_quote(a)} THEN {_quote(n)}" for a, n in sorted(_NAMES.items()))
    + " END"
)
_AREA_CODE = (
    f"CASE {_FORCE} "
    + " ".join(f"WHEN {_quote(n)} THEN {_quote(c)}" for n, c in sorted(_CODE_OF.items()))
    + " END"
)
_DATE = f"try_strptime({_text('period')}, '%d-%m-%Y')"
_COUNT = _text("offences")

ROLLING_TOTALS = Layout(
    name="homeoffice_rolling_totals",
    title="Home Office recorded crime at police force area level, rolling 12-month totals",
    table="force_figures",
    variants=(
        variant(
            ("12 months ending", "period"),
            ("PFA", "pfa"),
            ("Region", "region"),
            ("Offence", "offence"),
            ("Rolling year total number of offences", "offences"),
        ),
    ),
    mapping={
        "source": _quote(ROLLING_TOTALS_SOURCE),
        "table_name": "'rec-crime-pfa'",
        "period_end": f"CAST(date_trunc('month', {_DATE}) AS DATE)",
        "months": "12",
        "area_code": _AREA_CODE,
        "area_name": _PFA,
        "area_type": f"CASE WHEN {_AREA_CODE} IS NOT NULL THEN 'force' ELSE 'other' END",
        "force_name": _FORCE,
        "series": _text("offence"),
        "unit": "'count'",
        "value": f"CAST({_COUNT} AS DOUBLE)",
        "not_available": "CAST(NULL AS VARCHAR)",
        "note": "CAST(NULL AS VARCHAR)",
    },
    checks=(
        Check(
            "12 months ending is not a date in the form dd-mm-yyyy at a month end",
            f"{_DATE} IS NULL OR day({_DATE}) < 28",
        ),
        Check("PFA is blank", f"{_PFA} IS NULL"),
        Check("Offence is blank", f"{_text('offence')} IS NULL"),
        Check(
            "Rolling year total number of offences is not a whole number",
            f"NOT regexp_full_match({_COUNT}, '-?[0-9]+')",
        ),
    ),
    replace_key=FIGURES_KEY,
)
