"""Which published figure answers a measure where the offence-code table cannot.

The Home Office offence-code table counts a measure's exact offences by quarter, but
forcestat holds it for 2017/18 only. The ONS police force area data tables and the
Home Office rolling totals publish rolling 12-month totals by *offence group* for every
force and quarter end since 2007, including the 12 months to June 2019, the baseline
of the National Crime and Policing Measures. So, for a Home Office measure and a
rolling year:

1. the offence-code table answers when it holds all four quarters (exact codes);
2. else the published group the measure's codes make up (``PUBLISHED_GROUPS``), from
   the ONS edition for that period, else the rolling totals (never both);
3. where the codes are only part of a group (personal robbery within all robbery),
   the group stands in as a *proxy*, and the row says which group and what it adds.

A measure whose source is ``published_tables`` (knife and sharp instrument offences)
names its published series directly. See docs/methodology.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from forcestat.measures.catalogue import Measure, Source
from forcestat.measures.periods import Granularity, Period
from forcestat.measures.sql import SeriesCount, publication_units
from forcestat.months import add_months
from forcestat.store.force_figures import (
    SOURCE_TITLES,
    TOTAL_EXCLUDING_FRAUD,
    latest_published_month,
    rolling_year_figures,
)

__all__ = [
    "PUBLISHED_GROUPS",
    "PublishedAnswer",
    "PublishedGroup",
    "published_counts",
    "published_group",
    "published_latest_month",
    "straddling_years",
]


@dataclass(frozen=True)
class PublishedGroup:
    """The published series whose sum answers a set of offence codes."""

    series: tuple[str, ...]
    proxy: str = ""  # what the group counts beyond the measure's codes; '' if exact
    # series the group replaced in a reclassification: a rolling year that still holds
    # any of them (not zero) straddles the change, so the group's figure for it is part
    # of a year only and is not used
    replaced: tuple[str, ...] = ()


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


_HOMICIDE = _codes("1/4.1/4.10/4.2", "1", "4.1", "4.2", "4.10")
_VIOLENCE_WITH_INJURY = _codes(
    "2", "37.1", "4.3", "4.4", "4.6", "4.7", "4.8", "4.9", "5D", "5E", "8N", "8P", "8S"
)
_WEAPONS = _codes("10A", "10B", "10C", "10D", "81", "90")
_RESIDENTIAL_BURGLARY = _codes("28E", "28F", "28G", "28H", "29A")
_VEHICLE = _codes("45", "48", "37.2", "126")
_DOMESTIC = ("Domestic burglary", "Non-domestic burglary")
_ROBBERY = "'Robbery' stands in for personal robbery: it includes robbery of business property"

# Offence codes of a catalogue measure -> the published groups that count them.
PUBLISHED_GROUPS: Mapping[frozenset[str], PublishedGroup] = {
    _HOMICIDE: PublishedGroup(("Homicide",)),
    # The codes include causing death or serious injury by driving, a group of its own
    # in the published tables since 2017: both groups together.
    _VIOLENCE_WITH_INJURY: PublishedGroup(
        ("Violence with injury", "Death or serious injury caused by illegal driving")
    ),
    _WEAPONS: PublishedGroup(("Possession of weapons offences",)),
    _VIOLENCE_WITH_INJURY | _WEAPONS: PublishedGroup(
        (
            "Violence with injury",
            "Death or serious injury caused by illegal driving",
            "Possession of weapons offences",
        )
    ),
    _codes("92A"): PublishedGroup(
        ("Drug offences",),
        "'Drug offences' stands in for trafficking: it includes possession and other drug offences",
    ),
    _codes("92D", "92E"): PublishedGroup(
        ("Drug offences",),
        "'Drug offences' stands in for possession: it includes trafficking and other drug offences",
    ),
    # Residential burglary replaced domestic burglary from April 2017: the rolling years
    # to June 2017 - December 2017 hold some of each.
    _RESIDENTIAL_BURGLARY: PublishedGroup(("Residential burglary",), replaced=_DOMESTIC),
    _codes("34B"): PublishedGroup(("Robbery",), _ROBBERY),
    _codes("39"): PublishedGroup(("Theft from the person",)),
    _VEHICLE: PublishedGroup(("Vehicle offences",)),
    _RESIDENTIAL_BURGLARY | _codes("34B", "39") | _VEHICLE: PublishedGroup(
        ("Residential burglary", "Robbery", "Theft from the person", "Vehicle offences"),
        _ROBBERY,
        replaced=_DOMESTIC,
    ),
}


def published_group(measure: Measure) -> PublishedGroup | None:
    """The published series answering ``measure`` when the offence codes cannot."""
    if measure.source is Source.PUBLISHED_TABLES:
        return PublishedGroup(measure.filter.series or ())
    if measure.source is not Source.HOME_OFFICE:
        return None
    f = measure.filter
    if f.offence_codes is None and tuple(f.exclude_offence_groups) == ("Fraud offences",):
        return PublishedGroup((TOTAL_EXCLUDING_FRAUD,))
    if f.offence_codes is None or f.exclude_offence_groups:
        return None
    return PUBLISHED_GROUPS.get(frozenset(f.offence_codes))


@dataclass
class PublishedAnswer:
    """Counts from published figures, and what each row must say about them."""

    counts: dict[tuple[Period, str], SeriesCount] = field(default_factory=dict)
    notes: dict[tuple[Period, str], str] = field(default_factory=dict)
    unavailable: dict[tuple[Period, str], str] = field(default_factory=dict)


def published_counts(
    con: duckdb.DuckDBPyConnection,
    measure: Measure,
    windows: Sequence[Period],
    have: Mapping[tuple[Period, str], SeriesCount],
) -> PublishedAnswer:
    """Counts for the windows (of whole rolling years) and forces the offence-code
    table leaves without a complete count (``have``), from the published group; for a
    proxy group, every window of a force where the group answers them all, so that a
    period and its baseline are counted alike."""
    answer = PublishedAnswer()
    group = published_group(measure)
    if group is None or not group.series:
        return answer
    wanted = [w for w in windows if w.month_count % 12 == 0]
    ends = {
        w: [add_months(w.last_month, -12 * k) for k in range(w.month_count // 12)] for w in wanted
    }
    all_ends = sorted({e for es in ends.values() for e in es})
    by_series = {s: rolling_year_figures(con, s, all_ends) for s in group.series}
    straddling = straddling_years(con, group, all_ends)
    forces = sorted({force for found in by_series.values() for _, force in found})
    exact: dict[tuple[Period, str], bool] = {}
    found_counts: dict[tuple[Period, str], SeriesCount] = {}
    found_notes: dict[tuple[Period, str], str] = {}
    for window in wanted:
        units = frozenset(publication_units(window, Granularity.FINANCIAL_QUARTERLY))
        for force in forces:
            held = have.get((window, force))
            exact[(window, force)] = held is not None and held.units.issuperset(units)
            total = 0.0
            sources: set[str] = set()
            why = None
            complete = True
            for series, found in by_series.items():
                for end in ends[window]:
                    figure = found.get((end, force))
                    if figure is None or (end, force) in straddling:
                        complete = False
                    elif figure.value is None:
                        why = figure.not_available or f"'{series}' not published"
                    else:
                        total += figure.value
                        sources.add(f"{SOURCE_TITLES[figure.source]} ({figure.edition})")
            if why is not None:
                if not exact[(window, force)]:
                    answer.unavailable[(window, force)] = why
                continue
            if not complete:
                continue
            value = round(total)
            found_counts[(window, force)] = SeriesCount(value, value, units)
            said = f"From the published {', '.join(repr(s) for s in group.series)}: {'; '.join(sorted(sources))}."
            if group.proxy:
                said += f" Proxy: {group.proxy}."
            found_notes[(window, force)] = said
    for force in forces:
        keys = [(w, force) for w in wanted]
        # A proxy compared with exact codes would mix definitions: where the published
        # group answers every window, it answers them all, the offence codes none.
        everywhere = bool(group.proxy) and all(k in found_counts for k in keys)
        for key in keys:
            if key in found_counts and (everywhere or not exact[key]):
                answer.counts[key] = found_counts[key]
                answer.notes[key] = found_notes[key]
    return answer


def straddling_years(
    con: duckdb.DuckDBPyConnection, group: PublishedGroup, ends: Sequence[dt.date]
) -> set[tuple[dt.date, str]]:
    """(period end, force) of the rolling years that still hold a series the group
    replaced: the group's figure for them covers part of the year only."""
    found: set[tuple[dt.date, str]] = set()
    for series in group.replaced:
        for key, figure in rolling_year_figures(con, series, ends).items():
            if figure.value:
                found.add(key)
    return found


def published_latest_month(con: duckdb.DuckDBPyConnection, measure: Measure) -> dt.date | None:
    """The last month of the latest rolling year published for the measure's series."""
    group = published_group(measure)
    if group is None or not group.series:
        return None
    return latest_published_month(con, group.series)
