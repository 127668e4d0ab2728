"""ONS mid-2018 population of every police force area, region and nation (CSV).

An extract of Table P3 of the ONS police force area data tables (year ending June
2019) as a plain CSV::

    code,name,MYE2018,SNHP2017
    K04000001,ENGLAND AND WALES9,59115800,24403600
    E23000014,West Midlands,2916500,1127700

``MYE2018`` is the mid-2018 population estimate (rounded to 100); ``SNHP2017`` the
mid-2017 households, not loaded. Areas are matched on ``code`` (``West Midlands`` is
both the region E12000005 and the force E23000014). Forces are stored under their
forcestat name, the key rates look populations up by; regions and nations under
their code.
"""

from __future__ import annotations

from forcestat.sources.layout import Check, Layout, variant
from forcestat.sources.ons_pfa import PFA_CODES

__all__ = ["PFA_POPULATION"]


def _text(field: str) -> str:
    return f"nullif(trim({field}), '')"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_CODE = _text("code")
_FORCE = (
    f"CASE {_CODE} "
    + " ".join(f"WHEN {_quote(c)} THEN {_quote(n)}" for c, n in sorted(PFA_CODES.items()))
    + " END"
)

PFA_POPULATION = Layout(
    name="ons_pfa_population_mid2018",
    title="ONS mid-2018 population by police force area, region and nation (CSV)",
    table="population",
    variants=(
        variant(
            ("code", "code"),
            ("name", "name"),
            ("MYE2018", "persons"),
            ("SNHP2017", None),
        ),
    ),
    mapping={
        "area_code": f"coalesce({_FORCE}, {_CODE})",
        "area_name": _text("name"),
        "area_type": f"CASE WHEN left({_CODE}, 3) IN ('K04', 'E92', 'W92') THEN 'country' "
        f"WHEN left({_CODE}, 3) = 'E12' THEN 'region' ELSE 'force' END",
        "population_year": "2018",
        "persons": f"CAST({_text('persons')} AS BIGINT)",
        "source": "'ons_mid_year_estimate'",
    },
    checks=(
        Check(
            "code is not an ONS code of a nation, region or police force area forcestat knows",
            f"NOT regexp_full_match({_CODE}, '(K04|E92|W92|E12)[0-9]{{6}}') AND {_FORCE} IS NULL",
        ),
        Check(
            "MYE2018 is not a whole number", f"NOT regexp_full_match({_text('persons')}, '[0-9]+')"
        ),
    ),
    replace_key=("area_code", "area_type", "population_year", "source"),
)
