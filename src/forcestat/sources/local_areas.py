"""The areas a local extract may name: a force, or a local authority (community safety
partnership) by its name or ONS code.

Forces come from ``forcestat.forces`` (every publisher's spelling). Local authorities
come from the bundled ``local_authorities.csv``: the 326 English local authorities of the
2011 LSOA lookup (ONS, via the area lookup in ``data/sample/geography``), each with the
force whose area it lies in. A community safety partnership is named by its local
authority: in England the two coincide but for a few merged partnerships, which are
named by any one of their authorities. Names are compared ignoring case and surrounding
space, with or without the lookup's " UA" suffix ("Bristol, City of" or "Bristol, City
of UA").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from forcestat.forces import FORCES

__all__ = ["LOCAL_AUTHORITIES", "LocalArea", "local_area_keys", "local_area_sql"]

LOCAL_AUTHORITIES = Path(__file__).with_name("local_authorities.csv")


@dataclass(frozen=True)
class LocalArea:
    """An area as forcestat names it, with its ONS code (None for a force), its type
    ('force' or 'local_authority') and the force it lies in (None if the lookup names
    none)."""

    name: str
    code: str | None
    area_type: str
    force: str | None


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@cache
def local_area_keys() -> dict[str, LocalArea]:
    """Every accepted spelling of an area, folded to lower case, and the area it means."""
    found: dict[str, LocalArea] = {}
    for force in FORCES:
        area = LocalArea(force.name, None, "force", force.name)
        for name in (force.name, force.policeuk_name, force.slug, force.home_office_name):
            found[_key(name)] = area
    with LOCAL_AUTHORITIES.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            published = row["local_authority_name"]
            name = published.removesuffix(" UA")
            area = LocalArea(
                name, row["local_authority_code"], "local_authority", row["force"] or None
            )
            for spelling in (row["local_authority_code"], published, name):
                # A force's own name wins over a local authority of the same name.
                found.setdefault(_key(spelling), area)
    return found


def _quote(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def local_area_sql(field: str, part: str) -> str:
    """SQL: ``part`` ('name', 'code', 'area_type' or 'force') of the area the staged
    ``field`` names; NULL when it names no area forcestat knows."""
    keys = local_area_keys()
    pairs = ", ".join(f"{_quote(k)}: {_quote(getattr(a, part))}" for k, a in sorted(keys.items()))
    folded = f"lower(regexp_replace(trim({field}), '\\s+', ' ', 'g'))"
    return f"map_extract(MAP {{{pairs}}}, {folded})[1]"
