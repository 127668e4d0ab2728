"""The 43 territorial police forces of England and Wales, and the other reporting bodies.

Each publisher names a force its own way: police.uk says "West Midlands Police" and
uses the slug ``west-midlands`` in file names; the Home Office tables say
"West Midlands" (but "London, City of"). One registry resolves them all, so the rest
of forcestat speaks of a force by its ``name`` only.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from forcestat.errors import ForcestatError

__all__ = [
    "FORCES",
    "TERRITORIAL_FORCES",
    "Force",
    "PolicingBody",
    "find_force",
    "force_by_slug",
    "policing_bodies_source",
    "policing_body",
]


@dataclass(frozen=True)
class Force:
    name: str  # forcestat's name: the Home Office short name ("City of London" aside)
    policeuk_name: str  # "Reported by" / "Falls within" on police.uk
    slug: str  # police.uk file names and API
    home_office_name: str  # "Force Name" in the Home Office open data tables
    territorial: bool = True  # one of the 43 forces of England and Wales


def _f(name: str, policeuk: str, slug: str, home_office: str | None = None) -> Force:
    return Force(name, policeuk, slug, home_office or name)


FORCES: tuple[Force, ...] = (
    _f("Avon and Somerset", "Avon and Somerset Constabulary", "avon-and-somerset"),
    _f("Bedfordshire", "Bedfordshire Police", "bedfordshire"),
    _f("Cambridgeshire", "Cambridgeshire Constabulary", "cambridgeshire"),
    _f("Cheshire", "Cheshire Constabulary", "cheshire"),
    _f("City of London", "City of London Police", "city-of-london", "London, City of"),
    _f("Cleveland", "Cleveland Police", "cleveland"),
    _f("Cumbria", "Cumbria Constabulary", "cumbria"),
    _f("Derbyshire", "Derbyshire Constabulary", "derbyshire"),
    _f("Devon and Cornwall", "Devon & Cornwall Police", "devon-and-cornwall"),
    _f("Dorset", "Dorset Police", "dorset"),
    _f("Durham", "Durham Constabulary", "durham"),
    _f("Dyfed-Powys", "Dyfed-Powys Police", "dyfed-powys"),
    _f("Essex", "Essex Police", "essex"),
    _f("Gloucestershire", "Gloucestershire Constabulary", "gloucestershire"),
    _f("Greater Manchester", "Greater Manchester Police", "greater-manchester"),
    _f("Gwent", "Gwent Police", "gwent"),
    _f("Hampshire", "Hampshire Constabulary", "hampshire"),
    _f("Hertfordshire", "Hertfordshire Constabulary", "hertfordshire"),
    _f("Humberside", "Humberside Police", "humberside"),
    _f("Kent", "Kent Police", "kent"),
    _f("Lancashire", "Lancashire Constabulary", "lancashire"),
    _f("Leicestershire", "Leicestershire Police", "leicestershire"),
    _f("Lincolnshire", "Lincolnshire Police", "lincolnshire"),
    _f("Merseyside", "Merseyside Police", "merseyside"),
    _f("Metropolitan Police", "Metropolitan Police Service", "metropolitan"),
    _f("Norfolk", "Norfolk Constabulary", "norfolk"),
    _f("North Wales", "North Wales Police", "north-wales"),
    _f("North Yorkshire", "North Yorkshire Police", "north-yorkshire"),
    _f("Northamptonshire", "Northamptonshire Police", "northamptonshire"),
    _f("Northumbria", "Northumbria Police", "northumbria"),
    _f("Nottinghamshire", "Nottinghamshire Police", "nottinghamshire"),
    _f("South Wales", "South Wales Police", "south-wales"),
    _f("South Yorkshire", "South Yorkshire Police", "south-yorkshire"),
    _f("Staffordshire", "Staffordshire Police", "staffordshire"),
    _f("Suffolk", "Suffolk Constabulary", "suffolk"),
    _f("Surrey", "Surrey Police", "surrey"),
    _f("Sussex", "Sussex Police", "sussex"),
    _f("Thames Valley", "Thames Valley Police", "thames-valley"),
    _f("Warwickshire", "Warwickshire Police", "warwickshire"),
    _f("West Mercia", "West Mercia Police", "west-mercia"),
    _f("West Midlands", "West Midlands Police", "west-midlands"),
    _f("West Yorkshire", "West Yorkshire Police", "west-yorkshire"),
    _f("Wiltshire", "Wiltshire Police", "wiltshire"),
    Force(
        "British Transport Police",
        "British Transport Police",
        "btp",
        "British Transport Police",
        territorial=False,
    ),
    Force(
        "Northern Ireland",
        "Police Service of Northern Ireland",
        "northern-ireland",
        "Northern Ireland",
        territorial=False,
    ),
)

TERRITORIAL_FORCES: tuple[Force, ...] = tuple(f for f in FORCES if f.territorial)
assert len(TERRITORIAL_FORCES) == 43

# Names people use that no publisher's spelling gives.
_ALIASES = {
    "Met": "Metropolitan Police",
    "The Met": "Metropolitan Police",
    "MPS": "Metropolitan Police",
    "Metropolitan": "Metropolitan Police",
    "GMP": "Greater Manchester",
    "City of London Police": "City of London",
    "City": "City of London",
    "Leicester, Leicestershire and Rutland": "Leicestershire",
    "Hampshire and Isle of Wight": "Hampshire",
}


def _key(name: str) -> str:
    """A spelling reduced to what tells forces apart: '&' is 'and', hyphens are spaces,
    and the words 'police', 'constabulary' and 'service' at the end are dropped."""
    text = name.strip().casefold().replace("&", " and ").replace("-", " ")
    text = re.sub(r"[^\w ]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"( (police|constabulary|service|force))+$", "", text) or text


_BY_KEY: dict[str, Force] = {}
for _force in FORCES:
    for _spelling in (_force.name, _force.policeuk_name, _force.slug, _force.home_office_name):
        _BY_KEY[_key(_spelling)] = _force
for _alias, _name in _ALIASES.items():
    _BY_KEY[_key(_alias)] = next(f for f in FORCES if f.name == _name)


def find_force(name: str) -> Force:
    """The force a user or a publisher means by ``name``, in any of its spellings
    ('Avon & Somerset', 'Met', 'Metropolitan Police Service', 'dyfed-powys').

    Example:
        >>> find_force("west-midlands").policeuk_name
        'West Midlands Police'
    """
    force = _BY_KEY.get(_key(name))
    if force is None:
        names = [f.name for f in FORCES]
        close = difflib.get_close_matches(name.strip(), names, n=3, cutoff=0.6)
        close += [
            f.name
            for k in difflib.get_close_matches(_key(name), list(_BY_KEY), n=3, cutoff=0.75)
            for f in (_BY_KEY[k],)
            if f.name not in close
        ]
        hint = (
            "did you mean " + " or ".join(repr(n) for n in dict.fromkeys(close)) + "?"
            if close
            else "use a name such as 'West Midlands'"
        )
        raise ForcestatError(f"unknown force {name!r}; {hint} ('forcestat forces' lists them all)")
    return force


@dataclass(frozen=True)
class PolicingBody:
    """The office that holds a force to account and publishes its statement."""

    force: str
    name: str  # 'Kent Police and Crime Commissioner', "Mayor's Office for Policing and Crime"
    kind: str  # pcc, pfcc, mayor, mopac, police_authority_board
    country: str  # England or Wales


@cache
def _policing_bodies() -> tuple[str, dict[str, PolicingBody]]:
    text = resources.files("forcestat").joinpath("policing_bodies.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    bodies = {
        force: PolicingBody(force, entry["body"], entry["kind"], entry["country"])
        for force, entry in raw["bodies"].items()
    }
    return str(raw["source"]), bodies


def policing_body(force: str) -> PolicingBody:
    """The policing body of one of the 43 forces (any spelling of its name).

    Example:
        >>> policing_body("Met").name
        "Mayor's Office for Policing and Crime"
    """
    found = find_force(force)
    body = _policing_bodies()[1].get(found.name)
    if body is None:
        raise ForcestatError(
            f"{found.name} is not one of the 43 territorial forces, so forcestat holds "
            "no policing body for it; set policing_body in forcestat.toml"
        )
    return body


def policing_bodies_source() -> str:
    """Where the table of policing bodies comes from (named in the data file)."""
    return _policing_bodies()[0]


def force_by_slug(slug: str) -> Force | None:
    """The force whose police.uk file-name slug is ``slug``, if any."""
    for force in FORCES:
        if force.slug == slug:
            return force
    return None
