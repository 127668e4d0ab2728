"""Reconciliation: police.uk incidents against Home Office recorded crime, by crime type.

For one force and financial year, police.uk street-level crimes are counted by crime
type (anti-social behaviour left out: it is not recorded crime), and the Home Office
force table's offences are mapped to police.uk crime types through the offence-code
lookup (``offence_codes.policeuk_crime_type``) and summed. Fraud is left out of both:
police.uk publishes none, and the Home Office publishes it for Action Fraud, CIFAS and
UK Finance rather than by force.

The two rarely agree exactly: police.uk shows crimes as first published each month and
drops those it cannot place on a map, while the Home Office counts are revised and
include every notifiable offence. The differences show how far a monthly police.uk
series can stand in for the official figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from forcestat.errors import ForcestatError
from forcestat.forces import find_force
from forcestat.measures.periods import financial_year

__all__ = ["Reconciliation", "ReconciliationRow", "latest_financial_year", "reconcile"]

UNMAPPED = "(no police.uk crime type)"

_POLICEUK_SQL = """
SELECT crime_type, count(*) AS crimes
FROM crimes
WHERE reported_by = $policeuk_name AND month BETWEEN $first AND $last
  AND crime_type <> 'Anti-social behaviour'
GROUP BY ALL
"""

_HOME_OFFICE_SQL = f"""
SELECT coalesce(o.policeuk_crime_type, '{UNMAPPED}') AS crime_type,
       sum(c.offences) AS offences
FROM offence_counts c
LEFT JOIN offence_codes o ON o.offence_code = c.offence_code
WHERE c.csp_name IS NULL AND c.force_name = $home_office_name
  AND c.financial_year = $financial_year
  AND coalesce(c.offence_group, '') <> 'Fraud offences'
GROUP BY ALL
"""


@dataclass(frozen=True)
class ReconciliationRow:
    """One police.uk crime type: both counts and how far police.uk is from the Home Office."""

    crime_type: str
    policeuk: int | None
    home_office: int | None
    difference: int | None  # police.uk minus Home Office
    difference_pct: float | None  # the difference as a percentage of the Home Office count


@dataclass(frozen=True)
class Reconciliation:
    force: str
    financial_year: str
    rows: tuple[ReconciliationRow, ...]  # largest Home Office count first; totals last
    policeuk_missing_months: tuple[str, ...]  # 'YYYY-MM' months with no police.uk file loaded
    home_office_missing_quarters: tuple[int, ...]  # financial quarters with no rows
    notes: tuple[str, ...]
    sql: tuple[str, ...]


def latest_financial_year(con: duckdb.DuckDBPyConnection, force: str) -> str:
    """The latest financial year the Home Office tables loaded hold for the force, the
    year a reconciliation is usually wanted for."""
    f = find_force(force)
    row = con.execute(
        "SELECT max(financial_year) FROM offence_counts WHERE csp_name IS NULL AND force_name = ?",
        [f.home_office_name],
    ).fetchone()
    if row is None or row[0] is None:
        raise ForcestatError(
            f"no Home Office recorded-crime rows are loaded for {f.name}, so there is no year "
            "to reconcile; load the force table ('forcestat download homeoffice')"
        )
    return str(row[0])


def reconcile(
    con: duckdb.DuckDBPyConnection, force: str, financial_year_label: str
) -> Reconciliation:
    """Compare police.uk and Home Office counts by crime type for a force and year.

    Example:
        >>> r = reconcile(con, "City of London", "2017/18")  # doctest: +SKIP
        >>> [(row.crime_type, row.policeuk, row.home_office) for row in r.rows][:1]  # doctest: +SKIP
    """
    f = find_force(force)
    year = financial_year(financial_year_label)
    params = {"policeuk_name": f.policeuk_name, "first": year.first_month, "last": year.last_month}
    policeuk = {str(t): int(n) for t, n in con.execute(_POLICEUK_SQL, params).fetchall()}
    ho_params = {"home_office_name": f.home_office_name, "financial_year": year.label}
    home_office = {str(t): int(n) for t, n in con.execute(_HOME_OFFICE_SQL, ho_params).fetchall()}
    if not policeuk and not home_office:
        raise ForcestatError(
            f"nothing to reconcile for {f.name} in {year.label}: load its police.uk street "
            "files and the Home Office force table for that year ('forcestat status' lists "
            "what is loaded)"
        )
    months = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT month FROM crimes WHERE reported_by = ? AND month BETWEEN ? AND ?",
            [f.policeuk_name, year.first_month, year.last_month],
        ).fetchall()
    }
    missing_months = tuple(f"{m:%Y-%m}" for m in year.months if m not in months)
    quarters = {
        int(r[0])
        for r in con.execute(
            "SELECT DISTINCT financial_quarter FROM offence_counts "
            "WHERE csp_name IS NULL AND force_name = ? AND financial_year = ?",
            [f.home_office_name, year.label],
        ).fetchall()
    }
    missing_quarters = tuple(q for q in (1, 2, 3, 4) if q not in quarters)
    rows = [
        # A type one source has none of counts 0 there; a source with no data gives None.
        _row(
            t,
            policeuk.get(t, 0) if policeuk else None,
            home_office.get(t, 0) if home_office else None,
        )
        for t in sorted(set(policeuk) | set(home_office), key=lambda t: (-home_office.get(t, 0), t))
    ]
    total = _row(
        "All crime types",
        sum(policeuk.values()) if policeuk else None,
        sum(home_office.values()) if home_office else None,
    )
    return Reconciliation(
        force=f.name,
        financial_year=year.label,
        rows=(*rows, total),
        policeuk_missing_months=missing_months,
        home_office_missing_quarters=missing_quarters,
        notes=_notes(missing_months, missing_quarters, UNMAPPED in home_office),
        sql=(_POLICEUK_SQL.strip(), _HOME_OFFICE_SQL.strip()),
    )


def _row(crime_type: str, policeuk: int | None, home_office: int | None) -> ReconciliationRow:
    if policeuk is None or home_office is None:
        return ReconciliationRow(crime_type, policeuk, home_office, None, None)
    difference = policeuk - home_office
    pct = difference / home_office * 100 if home_office else None
    return ReconciliationRow(crime_type, policeuk, home_office, difference, pct)


def _notes(
    missing_months: tuple[str, ...], missing_quarters: tuple[int, ...], unmapped: bool
) -> tuple[str, ...]:
    notes = [
        "Anti-social behaviour (police.uk) and fraud (Home Office) are left out of both.",
    ]
    if missing_months:
        notes.append(
            f"police.uk months with no file loaded: {', '.join(missing_months)}; its counts "
            "are understated."
        )
    if missing_quarters:
        shown = ", ".join(f"Q{q}" for q in missing_quarters)
        notes.append(
            f"Home Office quarters with no rows loaded: {shown}; its counts are understated."
        )
    if unmapped:
        notes.append(
            f"'{UNMAPPED}' holds Home Office offences whose code the offence-code lookup does "
            "not map; load the lookup (CrimeCatMappings.csv) to place them."
        )
    return tuple(notes)
