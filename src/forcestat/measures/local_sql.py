"""The SQL of local measures: each area's published figures for an indicator, the victim
survey's satisfied responses by month, police.uk crimes with their outcomes by month.

One statement per measure, with its values written in (as ``forcestat.measures.sql``
does), so ``--show-sql`` prints what can be pasted into ``duckdb`` and run again. Each
returns one row per area and published period: its numerator, denominator and value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import duckdb

from forcestat.forces import FORCES
from forcestat.measures.catalogue import Measure, Source
from forcestat.months import add_months

__all__ = [
    "CHARGE_OR_SUMMONS",
    "COURT_RESULTS",
    "DEFAULT_SATISFIED",
    "POSITIVE_OUTCOMES",
    "STABLE_SHARE",
    "OutcomeLag",
    "PublishedFigure",
    "latest_local_month",
    "local_figures",
    "local_sql",
    "outcome_lag",
]

DEFAULT_SATISFIED = ("completely satisfied", "very satisfied", "fairly satisfied", "yes")

# police.uk outcome categories (outcomes files, 'Outcome type'). A court result is only
# ever recorded after a charge or summons, so it counts as one: a crime whose charge
# outcome was overwritten by its court result has still reached a charge. The positive
# outcomes add those that bring an offender to justice without court: caution, drugs
# possession warning, penalty notice, local (community) resolution.
COURT_RESULTS = (
    "Court case unable to proceed",
    "Court result unavailable",
    "Defendant found not guilty",
    "Defendant sent to Crown Court",
    "Offender deprived of property",
    "Offender fined",
    "Offender given a community sentence",
    "Offender given absolute discharge",
    "Offender given conditional discharge",
    "Offender given suspended prison sentence",
    "Offender ordered to pay compensation",
    "Offender otherwise dealt with",
    "Offender sent to prison",
    "Suspect charged as part of another case",
)
CHARGE_OR_SUMMONS = ("Suspect charged", *COURT_RESULTS)
POSITIVE_OUTCOMES = (
    *CHARGE_OR_SUMMONS,
    "Local resolution",
    "Offender given a caution",
    "Offender given a drugs possession warning",
    "Offender given penalty notice",
)


@dataclass(frozen=True)
class PublishedFigure:
    """One area's figure for one published period (summed over a breakdown's values when
    the measure takes them all)."""

    period: str
    period_type: str  # 'month', 'quarter', 'financial_year' or 'year'
    first_month: dt.date
    last_month: dt.date
    numerator: int | None
    denominator: int | None
    value: float | None

    @cached_property
    def months(self) -> tuple[dt.date, ...]:
        n = (self.last_month.year - self.first_month.year) * 12
        n += self.last_month.month - self.first_month.month
        return tuple(add_months(self.first_month, i) for i in range(n + 1))


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in sorted(values))})"


def _indicator_sql(measure: Measure, areas: Sequence[str] | None) -> str:
    f = measure.filter
    where = [f"indicator = {_quote(f.indicator or '')}", "area_type = 'force'"]
    if f.breakdown is None:
        where.append("breakdown = ''")
    else:
        where.append(f"lower(breakdown) = lower({_quote(f.breakdown)})")
        if f.breakdown_value is not None:
            where.append(f"lower(breakdown_value) = lower({_quote(f.breakdown_value)})")
    if areas is not None:
        where.append(_in("area", areas))
    # A NULL in any row of a period leaves the period's sum NULL, so a period some of
    # whose rows lack a denominator is never taken as a proportion of the others.
    return (
        "SELECT area, period, period_type, first_month, last_month,\n"
        "  CASE WHEN count(numerator) = count(*) THEN sum(numerator) END AS numerator,\n"
        "  CASE WHEN count(denominator) = count(*) THEN sum(denominator) END AS denominator,\n"
        "  CASE WHEN count(*) = 1 THEN max(value)\n"
        "       WHEN count(value) = count(*) AND count(denominator) = count(*)\n"
        "       AND sum(denominator) > 0\n"
        "       THEN sum(value * denominator) / sum(denominator) END AS value\n"
        f"FROM indicators\nWHERE {' AND '.join(where)}\n"
        "GROUP BY area, period, period_type, first_month, last_month\n"
        "ORDER BY area, first_month, period_type"
    )


def _survey_sql(measure: Measure, areas: Sequence[str] | None, satisfied: Sequence[str]) -> str:
    f = measure.filter
    where = ["force_name IS NOT NULL"]
    if f.domestic_abuse is not None:
        where.append(f"domestic_abuse = {'TRUE' if f.domestic_abuse else 'FALSE'}")
    if f.offence_groups is not None:
        where.append(_in("offence_group", f.offence_groups))
    if areas is not None:
        where.append(_in("force_name", areas))
    return (
        "SELECT force_name AS area, strftime(month, '%Y-%m') AS period, 'month' AS period_type,\n"
        "  month AS first_month, month AS last_month,\n"
        f"  count(*) FILTER (WHERE {_in('satisfaction', satisfied)}) AS numerator,\n"
        "  count(*) AS denominator, NULL::DOUBLE AS value\n"
        f"FROM survey_responses\nWHERE {' AND '.join(where)}\n"
        "GROUP BY force_name, month ORDER BY area, first_month"
    )


def _outcomes_sql(measure: Measure, areas: Sequence[str] | None) -> str:
    """Crimes recorded each month (police.uk street files, those with a crime ID) and
    how many of them have any outcome of the kind counted in the outcomes files loaded."""
    f = measure.filter
    counted = CHARGE_OR_SUMMONS if f.outcome == "charge_or_summons" else POSITIVE_OUTCOMES
    where = ["c.crime_id IS NOT NULL", "c.crime_type <> 'Anti-social behaviour'"]
    if f.crime_types is not None:
        where.append(_in("c.crime_type", f.crime_types))
    if areas is not None:
        where.append(_in("fo.name", areas))
    forces = ", ".join(f"({_quote(force.policeuk_name)}, {_quote(force.name)})" for force in FORCES)
    return (
        f"WITH fo(policeuk_name, name) AS (VALUES {forces}),\n"
        "reached AS (SELECT DISTINCT crime_id FROM outcomes\n"
        f"  WHERE {_in('outcome_type', counted)})\n"
        "SELECT fo.name AS area, strftime(c.month, '%Y-%m') AS period, 'month' AS period_type,\n"
        "  c.month AS first_month, c.month AS last_month,\n"
        "  count(r.crime_id) AS numerator, count(*) AS denominator, NULL::DOUBLE AS value\n"
        "FROM crimes c JOIN fo ON c.falls_within = fo.policeuk_name\n"
        "LEFT JOIN reached r ON r.crime_id = c.crime_id\n"
        f"WHERE {' AND '.join(where)}\n"
        "GROUP BY fo.name, c.month ORDER BY area, first_month"
    )


def local_sql(
    measure: Measure,
    areas: Sequence[str] | None,
    settings: Mapping[str, object] | None = None,
) -> str:
    """The statement giving a local measure's published figures by area and period."""
    if measure.source is Source.INDICATOR:
        return _indicator_sql(measure, areas)
    if measure.source is Source.SURVEY:
        satisfied = (settings or {}).get("satisfied_answers", DEFAULT_SATISFIED)
        assert isinstance(satisfied, Sequence)
        return _survey_sql(measure, areas, [str(a) for a in satisfied])
    if measure.source is Source.POLICEUK_OUTCOMES:
        return _outcomes_sql(measure, areas)
    raise ValueError(f"{measure.source.value} is not a local source")


def local_figures(
    con: duckdb.DuckDBPyConnection,
    measure: Measure,
    areas: Sequence[str] | None,
    settings: Mapping[str, object] | None = None,
) -> tuple[dict[str, tuple[PublishedFigure, ...]], str]:
    """Each area's published figures for ``measure``, and the SQL run."""
    sql = local_sql(measure, areas, settings)
    found: dict[str, list[PublishedFigure]] = {}
    for area, period, period_type, first, last, num, den, value in con.execute(sql).fetchall():
        found.setdefault(str(area), []).append(
            PublishedFigure(
                str(period),
                str(period_type),
                first,
                last,
                None if num is None else int(num),
                None if den is None else int(den),
                None if value is None else float(value),
            )
        )
    return {a: tuple(v) for a, v in found.items()}, sql


def latest_local_month(
    published: Mapping[str, Sequence[PublishedFigure]], areas: Sequence[str]
) -> dt.date | None:
    """The last month any of ``areas`` has a published figure for."""
    ends = [f.last_month for a in areas for f in published.get(a, ())]
    return max(ends) if ends else None


@dataclass(frozen=True)
class OutcomeLag:
    """How long the outcomes counted take to arrive, measured from the data loaded."""

    stable_months: int  # months after recording by which 90% of the outcomes have arrived
    latest_outcome_month: dt.date  # the last month of outcomes loaded
    outcomes: int  # how many crimes with such an outcome the lag was measured on


# Share of a month's eventual outcomes that must have arrived for its figure to be read
# as stable.
STABLE_SHARE = 0.9


def outcome_lag(
    con: duckdb.DuckDBPyConnection, measure: Measure, areas: Sequence[str] | None
) -> OutcomeLag | None:
    """The months from a crime's recording to its first counted outcome, at the 90th
    percentile over the crimes with one (None when none are loaded)."""
    f = measure.filter
    counted = CHARGE_OR_SUMMONS if f.outcome == "charge_or_summons" else POSITIVE_OUTCOMES
    where = [_in("o.outcome_type", counted)]
    if areas is not None:
        names = [force.policeuk_name for force in FORCES if force.name in areas]
        where.append(_in("c.falls_within", names or [""]))
    row = con.execute(
        "WITH first_outcome AS (SELECT o.crime_id, min(o.month) AS month FROM outcomes o "
        "JOIN crimes c ON c.crime_id = o.crime_id "
        f"WHERE {' AND '.join(where)} GROUP BY o.crime_id), "
        "lags AS (SELECT date_diff('month', c.month, f.month) AS lag FROM first_outcome f "
        "JOIN (SELECT crime_id, min(month) AS month FROM crimes GROUP BY crime_id) c "
        "USING (crime_id)) "
        f"SELECT quantile_disc(lag, {STABLE_SHARE}), count(*), "
        "(SELECT max(month) FROM outcomes) FROM lags"
    ).fetchone()
    if row is None or not row[1] or row[0] is None:
        return None
    return OutcomeLag(max(0, int(row[0])), row[2], int(row[1]))
