"""The 43 territorial police forces of England and Wales, and the other reporting bodies.

Each publisher names a force its own way: police.uk says "West Midlands Police" and
uses the slug ``west-midlands`` in file names; the Home Office tables say
"West Midlands" (but "London, City of"). One registry resolves them all, so the rest
of forcestat speaks of a force by its ``name`` only.
"""

from __future__ import annotations

from dataclasses import dataclass

from forcestat.errors import ForcestatError

__all__ = ["FORCES", "TERRITORIAL_FORCES", "Force", "find_force", "force_by_slug"]


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

_BY_KEY: dict[str, Force] = {}
for _force in FORCES:
    for _key in (_force.name, _force.policeuk_name, _force.slug, _force.home_office_name):
        _BY_KEY[_key.casefold()] = _force


def find_force(name: str) -> Force:
    """The force a user or a publisher means by ``name``, in any of its spellings.

    Example:
        >>> find_force("west-midlands").policeuk_name
        'West Midlands Police'
    """
    force = _BY_KEY.get(name.strip().casefold())
    if force is None:
        raise ForcestatError(
            f"unknown force {name!r}; use a name such as 'West Midlands' "
            "('forcestat forces' lists them all)"
        )
    return force


def force_by_slug(slug: str) -> Force | None:
    """The force whose police.uk file-name slug is ``slug``, if any."""
    for force in FORCES:
        if force.slug == slug:
            return force
    return None
