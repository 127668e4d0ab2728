"""Offence classifications and the changes to them that break a series.

Two registries, both plain data:

``OFFENCE_GROUPS``
    Every Home Office offence code forcestat knows, by offence group, as the police
    recorded crime open data tables publish them (the 2017/18 edition, plus codes
    retired or published separately in other editions). A catalogue naming a code
    outside this list, or outside the codes loaded in the store, is refused.

``CLASSIFICATION_CHANGES``
    Dated changes to what a code or police.uk crime type counts. A comparison whose
    two windows fall on different sides of a change is never made silently: the
    earlier window is counted on the old codes where a mapping exists (and flagged
    when even then it is not like for like), or left out with the reason.

A change touches a measure when the measure counts part, but not all, of the change's
*family* (the codes whose total the change leaves alone). "All burglary" or "total
recorded crime" is unaffected by the 2017 burglary split; "residential burglary" is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from forcestat.measures.periods import Period

__all__ = [
    "CLASSIFICATION_CHANGES",
    "OFFENCE_GROUPS",
    "RECORDING_CHANGES",
    "ClassificationChange",
    "CodeMapping",
    "Crossing",
    "RecordingChange",
    "WindowComparison",
    "compare_recording",
    "compare_windows",
    "crossings",
    "known_offence_codes",
    "offence_group_of",
    "recording_changes_for",
]

OFFENCE_GROUPS: dict[str, tuple[str, ...]] = {
    "Criminal damage and arson": ("56A", "56B", "58A", "58B", "58C", "58D", "58J"),
    "Drug offences": ("92A", "92C", "92D", "92E"),
    # Reported to Action Fraud, CIFAS and UK Finance: published for England and Wales
    # as bodies of their own, not by force.
    "Fraud offences": ("AF", "CIFAS", "FFA UK", "UK Finance"),
    "Miscellaneous crimes": (
        *("15", "24", "26", "27", "33", "33A", "38", "54", "59", "60", "61", "61A"),
        *("67", "69", "76", "79", "80", "802", "814", "83", "86", "95", "96", "99"),
    ),
    "Possession of weapons offences": ("10A", "10B", "10C", "10D", "81", "90"),
    "Public order offences": ("62A", "66", "9A", "9B"),
    "Robbery": ("34A", "34B"),
    "Sexual offences": (
        *("17A", "17B", "19C", "19D", "19E", "19F", "19G", "19H", "20A", "20B", "21"),
        *("22A", "22B", "23", "70", "71", "72", "73", "88A", "88C", "88D", "88E"),
    ),
    "Theft offences": (
        *("126", "28A", "28B", "28C", "28D", "28E", "28F", "28G", "28H", "29", "29A"),
        *("30A", "30B", "30C", "30D", "31", "31A", "35", "37.2", "39", "40", "41", "42"),
        *("43", "44", "45", "46", "47", "48", "49", "49A"),
    ),
    "Violence against the person": (
        # The tables publish homicide as one row, '1/4.1/4.10/4.2'; other editions
        # and extracts give murder (1), manslaughter (4.1), infanticide (4.2) and
        # corporate manslaughter (4.10) apart.
        *("1/4.1/4.10/4.2", "1", "4.1", "4.2", "4.10"),
        *("104", "105A", "105B", "106", "11A", "13", "14", "2", "36", "37.1", "3A", "3B"),
        *("4.3", "4.4", "4.6", "4.7", "4.8", "4.9", "5D", "5E", "8L", "8M", "8N", "8P"),
        *("8Q", "8R", "8S"),
    ),
}

_GROUP_OF: dict[str, str] = {
    code: group for group, codes in OFFENCE_GROUPS.items() for code in codes
}


def known_offence_codes() -> frozenset[str]:
    """Every Home Office offence code in ``OFFENCE_GROUPS``."""
    return frozenset(_GROUP_OF)


def offence_group_of(code: str) -> str | None:
    """The offence group a code belongs to, or None for a code forcestat does not know."""
    return _GROUP_OF.get(code)


@dataclass(frozen=True)
class CodeMapping:
    """New codes (or crime types) and the old ones that counted the same offences before."""

    new: frozenset[str]
    old: frozenset[str]
    like_for_like: bool  # False when the old codes drew the line somewhere else


@dataclass(frozen=True)
class ClassificationChange:
    """A dated change to a classification, and how (if at all) to align across it."""

    id: str
    effective: dt.date  # first month counted the new way
    scheme: str  # 'home_office' offence codes or 'policeuk' crime types
    description: str
    family: frozenset[str]  # codes whose combined total the change leaves comparable
    mappings: tuple[CodeMapping, ...] = ()


def _m(new: Iterable[str], old: Iterable[str], like_for_like: bool) -> CodeMapping:
    return CodeMapping(frozenset(new), frozenset(old), like_for_like)


_BURGLARY_2017 = {"28E": "28A", "28F": "28B", "28G": "28C", "28H": "28D", "29A": "29"}
_NON_DOMESTIC_2017 = {"30C": "30A", "30D": "30B", "31A": "31"}
_ALL_BURGLARY = frozenset(
    {*_BURGLARY_2017, *_BURGLARY_2017.values(), *_NON_DOMESTIC_2017, *_NON_DOMESTIC_2017.values()}
)

CLASSIFICATION_CHANGES: tuple[ClassificationChange, ...] = (
    ClassificationChange(
        id="burglary_2017",
        effective=dt.date(2017, 4, 1),
        scheme="home_office",
        description=(
            "From April 2017 burglary is residential (28E-28H, 29A) or business and "
            "community (30C, 30D, 31A), replacing domestic (28A-28D, 29) and non-domestic "
            "(30A, 30B, 31) burglary. Sheds and garages within a home's boundary moved "
            "from non-domestic to residential, so the old codes are the nearest match, "
            "not the same thing"
        ),
        family=_ALL_BURGLARY,
        mappings=(
            *(_m({new}, {old}, False) for new, old in _BURGLARY_2017.items()),
            *(_m({new}, {old}, False) for new, old in _NON_DOMESTIC_2017.items()),
        ),
    ),
    ClassificationChange(
        id="residential_burglary_2023",
        effective=dt.date(2023, 4, 1),
        scheme="home_office",
        description=(
            "From April 2023 residential burglary is split into burglary of a home and "
            "burglary of an unconnected building (sheds, garages) within its boundary; "
            "no mapping to the codes before is declared"
        ),
        family=_ALL_BURGLARY,
    ),
    ClassificationChange(
        id="policeuk_violence_2013",
        effective=dt.date(2013, 5, 1),
        scheme="policeuk",
        description=(
            "From May 2013 police.uk publishes 'Violence and sexual offences' in place "
            "of 'Violent crime', with sexual offences moved in from 'Other crime'"
        ),
        family=frozenset({"Violent crime", "Violence and sexual offences", "Other crime"}),
        mappings=(_m({"Violence and sexual offences"}, {"Violent crime"}, False),),
    ),
    ClassificationChange(
        id="policeuk_public_order_2013",
        effective=dt.date(2013, 5, 1),
        scheme="policeuk",
        description=(
            "From May 2013 police.uk splits 'Public disorder and weapons' into "
            "'Public order' and 'Possession of weapons'"
        ),
        family=frozenset({"Public disorder and weapons", "Public order", "Possession of weapons"}),
        mappings=(
            _m({"Public order", "Possession of weapons"}, {"Public disorder and weapons"}, True),
        ),
    ),
)


@dataclass(frozen=True)
class Crossing:
    """How one classification change touches one measure's codes.

    ``old_codes`` is what to count before ``change.effective`` in place of the
    measure's codes (None when no mapping covers them); ``like_for_like`` says whether
    a comparison across the change, so aligned, compares the same thing.
    """

    change: ClassificationChange
    old_codes: frozenset[str] | None
    like_for_like: bool

    @property
    def reason(self) -> str:
        if self.old_codes is None:
            return (
                f"not like for like across {self.change.effective:%B %Y}: {self.change.description}"
            )
        old = ", ".join(sorted(self.old_codes))
        how = "like for like" if self.like_for_like else "not like for like"
        return (
            f"before {self.change.effective:%B %Y} counted on {old} ({how}): "
            f"{self.change.description}"
        )


def crossings(scheme: str, codes: frozenset[str] | None) -> tuple[Crossing, ...]:
    """The changes that touch a measure counting ``codes`` (None: every code).

    Example:
        >>> [c.change.id for c in crossings("home_office", frozenset({"28E", "28F"}))]
        ['burglary_2017', 'residential_burglary_2023']
        >>> crossings("home_office", None)
        ()
    """
    if codes is None:  # every code counts every family whole
        return ()
    found: list[Crossing] = []
    for change in CLASSIFICATION_CHANGES:
        touched = codes & change.family
        if change.scheme != scheme or not touched or change.family <= codes:
            continue
        introduced = frozenset().union(*(m.new for m in change.mappings))
        used = [m for m in change.mappings if m.new <= codes]
        covered = frozenset().union(*(m.new for m in used))
        # Aligned only when every touched code is a new code a whole mapping covers.
        if used and touched <= introduced and touched <= covered:
            old = frozenset().union(*(m.old for m in used))
            found.append(Crossing(change, old, all(m.like_for_like for m in used)))
        else:
            found.append(Crossing(change, None, False))
    return tuple(found)


@dataclass(frozen=True)
class WindowComparison:
    """What the classification changes mean for comparing a period with its baseline."""

    like_for_like: bool
    baseline_blocked: str | None  # why the baseline cannot be aligned, if it cannot
    notes: tuple[str, ...]


def compare_windows(
    found: Iterable[Crossing], period: Period, baseline: Period | None
) -> WindowComparison:
    """Check a period and its baseline against the changes ``found`` for a measure.

    A change matters when the windows fall on different sides of it, or one spans it,
    or when a window before it is counted on the old codes.
    """
    like, blocked, notes = True, None, []
    for c in found:
        sides = set()
        for w in (period, baseline):
            if w is None:
                continue
            if w.last_month < c.change.effective:
                sides.add("before")
            elif w.first_month >= c.change.effective:
                sides.add("after")
            else:
                sides.add("across")
        if sides == {"after"} or (sides == {"before"} and c.old_codes is None):
            continue  # every window counts the codes one way
        notes.append(c.reason)
        if sides == {"before"}:
            continue
        like = like and c.like_for_like
        if c.old_codes is None and baseline is not None:
            blocked = f"baseline not available: {c.reason}"
    return WindowComparison(like, blocked, tuple(notes))


# --- Recording and definition changes beyond offence codes -------------------------


@dataclass(frozen=True)
class RecordingChange:
    """A dated change to what a source or local indicator counts (a definition widened,
    a new recording system): figures either side of it are not like for like.

    ``applies_to`` names what it touches: indicator ids, measure ids, or source names
    (``policeuk_outcomes``, ``survey``, ...). ``origin`` is forcestat (built in) or the
    plan file that declared it.
    """

    id: str
    effective: dt.date  # first month recorded the new way
    description: str
    applies_to: frozenset[str]
    origin: str = "forcestat"

    @property
    def reason(self) -> str:
        return f"not like for like across {self.effective:%B %Y}: {self.description}"


RECORDING_CHANGES: tuple[RecordingChange, ...] = (
    RecordingChange(
        id="complaints_definition_2020",
        effective=dt.date(2020, 2, 1),
        description=(
            "from 1 February 2020 the Policing and Crime Act 2017 reforms widened the "
            "definition of a complaint to any expression of dissatisfaction with a police "
            "force, so far more cases are recorded as complaints than before"
        ),
        applies_to=frozenset({"complaints_recorded", "complaints"}),
    ),
    RecordingChange(
        id="outcomes_framework_2014",
        effective=dt.date(2014, 4, 1),
        description=(
            "from April 2014 the Home Office outcomes framework replaced detections "
            "(sanction and non-sanction) with outcome types 1 to 21, so charge and other "
            "outcome shares before it were counted another way"
        ),
        applies_to=frozenset({"policeuk_outcomes", "outcomes"}),
    ),
)


def recording_changes_for(
    keys: Iterable[str], extra: Iterable[RecordingChange] = ()
) -> tuple[RecordingChange, ...]:
    """The built-in and ``extra`` (the plan file's) changes touching any of ``keys`` (a
    measure's id, its source, its indicator id), in date order."""
    wanted = set(keys)
    found = [c for c in (*RECORDING_CHANGES, *extra) if c.applies_to & wanted]
    return tuple(sorted(found, key=lambda c: c.effective))


def compare_recording(
    changes: Iterable[RecordingChange], period: Period, baseline: Period | None
) -> WindowComparison:
    """Whether a period and its baseline fall on different sides of (or one spans) a
    recording change; the baseline is kept, but the comparison is not like for like."""
    like, notes = True, []
    for change in changes:
        sides = set()
        for w in (period, baseline):
            if w is None:
                continue
            if w.last_month < change.effective:
                sides.add("before")
            elif w.first_month >= change.effective:
                sides.add("after")
            else:
                sides.add("across")
        if len(sides) > 1 or "across" in sides:
            like = False
            notes.append(change.reason)
    return WindowComparison(like, None, tuple(notes))
