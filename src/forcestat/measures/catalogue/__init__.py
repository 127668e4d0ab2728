"""The measure catalogue: measures declared in TOML, validated as a whole.

Two files make the catalogue: ``national.toml`` (the National Crime and Policing
Measures, shipped with forcestat) and the user's own plan file (named by the ``plan``
setting in forcestat.toml; ``plan_example.toml`` is a worked example). Each holds
``[[measure]]`` entries::

    [[measure]]
    id = "residential_burglary"
    title = "Residential burglary"
    priority = "Reduce neighbourhood crime"
    source = "home_office"                  # see Source
    kind = "count"                          # see Kind
    unit = "count"                          # see Unit
    polarity = "lower"                      # lower, higher or neutral is better
    period = "rolling_12_months"            # see forcestat.measures.periods.PeriodKind
    baseline = "year ending June 2019"      # or "previous_year", or "none"
    filter = { offence_codes = ["28E", "28F", "28G", "28H", "29A"] }
    note = "What it counts and what it leaves out."

Optional keys: ``target_change_pct`` (e.g. -8 for an 8% reduction on the baseline) or
``target_value``; ``comparator`` ("most_similar_forces", the default; "none"; or a list
of forces); ``pool_years`` (a rate pooled over several years, as official statistics
do for homicide); ``numerator_filter`` (a proportion's successes, within ``filter``).

A plan entry whose ``id`` is already in the national catalogue changes only the keys
it gives (a new target, say); an entry with ``extends = "<id>"`` starts from that
measure under a new id. Every problem in every file is reported at once, each with its
file and entry, before anything is evaluated.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from forcestat.errors import ForcestatError
from forcestat.forces import find_force
from forcestat.measures.classification import (
    OFFENCE_GROUPS,
    RecordingChange,
    known_offence_codes,
)
from forcestat.measures.periods import PeriodError, PeriodKind, named_period, parse_month
from forcestat.measures.stats import CONFIDENCE, poisson_interval, wilson_interval
from forcestat.sources.policeuk import CRIME_TYPES

__all__ = [
    "NATIONAL_BASELINE",
    "NATIONAL_CATALOGUE",
    "PLAN_EXAMPLE",
    "Catalogue",
    "CatalogueError",
    "Filter",
    "Kind",
    "Measure",
    "Polarity",
    "Source",
    "Unit",
    "load_catalogue",
]

NATIONAL_CATALOGUE = Path(__file__).with_name("national.toml")
PLAN_EXAMPLE = Path(__file__).with_name("plan_example.toml")
# The baseline of the National Crime and Policing Measures, as the national file names it.
NATIONAL_BASELINE = "year ending June 2019"


class CatalogueError(ForcestatError):
    """A catalogue file names something unknown or leaves out something required."""


class Source(StrEnum):
    """Where a measure's counts come from: one store table each."""

    HOME_OFFICE = "home_office"  # offence_counts: Home Office recorded crime, force rows
    POLICEUK_CRIMES = "policeuk_crimes"  # crimes: police.uk street-level incidents
    POLICEUK_STOP_SEARCH = "policeuk_stop_search"  # stop_search
    POPULATION = "population"  # the resident population itself
    SURVEY = "survey"  # survey_responses: the victim survey, one row per response
    INDICATOR = "indicator"  # indicators: any local figure, by indicator id
    POLICEUK_OUTCOMES = "policeuk_outcomes"  # crimes recorded, with their outcomes
    # force_figures: a published rolling-year series (knife and sharp instrument offences)
    PUBLISHED_TABLES = "published_tables"


class Kind(StrEnum):
    """What a measure's value is."""

    COUNT = "count"  # a total over the period
    RATE = "rate"  # a total per so many residents
    PROPORTION = "proportion"  # successes over trials, both counted from the source
    MEAN = "mean"  # an average of items (an answer time), from an indicator's value


class Unit(StrEnum):
    COUNT = "count"
    RATE_PER_1000 = "rate_per_1000"
    RATE_PER_10000 = "rate_per_10000"
    RATE_PER_100000 = "rate_per_100000"
    RATE_PER_1000000 = "rate_per_1000000"
    PROPORTION = "proportion"
    SECONDS = "seconds"  # a mean in seconds (an average answer time)
    MINUTES = "minutes"
    MEAN = "mean"  # a mean in the indicator's own unit (a score)

    @property
    def per(self) -> int:
        """Residents a rate is expressed per (1 for counts, proportions and means)."""
        return {
            "rate_per_1000": 1000,
            "rate_per_10000": 10_000,
            "rate_per_100000": 100_000,
            "rate_per_1000000": 1_000_000,
        }.get(self.value, 1)


class Polarity(StrEnum):
    """Which direction is better (the same words as forcestat.spc.xmr.Polarity)."""

    LOWER = "lower"
    HIGHER = "higher"
    NEUTRAL = "neutral"


_UNITS_OF_KIND = {
    Kind.COUNT: {Unit.COUNT},
    Kind.RATE: {
        Unit.RATE_PER_1000,
        Unit.RATE_PER_10000,
        Unit.RATE_PER_100000,
        Unit.RATE_PER_1000000,
    },
    Kind.PROPORTION: {Unit.PROPORTION},
    Kind.MEAN: {Unit.SECONDS, Unit.MINUTES, Unit.MEAN},
}

# Filter keys each source understands.
_FILTER_KEYS = {
    Source.HOME_OFFICE: {"offence_codes", "exclude_offence_groups"},
    Source.POLICEUK_CRIMES: {"crime_types"},
    Source.POLICEUK_STOP_SEARCH: {"outcomes", "exclude_outcomes", "outcome_recorded"},
    Source.POPULATION: set(),
    Source.SURVEY: {"domestic_abuse", "offence_groups"},
    Source.INDICATOR: {"indicator", "breakdown", "breakdown_value"},
    Source.POLICEUK_OUTCOMES: {"crime_types", "outcome"},
    Source.PUBLISHED_TABLES: {"series"},
}
# The outcomes a police.uk outcomes measure can count as its successes.
OUTCOME_SHARES = ("charge_or_summons", "positive")


@dataclass(frozen=True)
class Filter:
    """Which rows of the source a measure counts. ``None`` means no restriction."""

    offence_codes: tuple[str, ...] | None = None
    exclude_offence_groups: tuple[str, ...] = ()
    crime_types: tuple[str, ...] | None = None  # None: every type but anti-social behaviour
    outcomes: tuple[str, ...] | None = None
    exclude_outcomes: tuple[str, ...] = ()
    outcome_recorded: bool = False  # leave out searches with no outcome recorded
    series: tuple[str, ...] | None = None  # published series summed (published_tables)
    # source = "indicator": the indicator id, and one breakdown (and one of its values)
    indicator: str | None = None
    breakdown: str | None = None  # None: the total rows (breakdown left empty)
    breakdown_value: str | None = None  # None: every value of the breakdown, summed
    # source = "survey": domestic abuse victims only (True), the rest (False), or all
    domestic_abuse: bool | None = None
    offence_groups: tuple[str, ...] | None = None
    # source = "policeuk_outcomes": which outcomes count ('charge_or_summons', 'positive')
    outcome: str | None = None


@dataclass(frozen=True)
class Measure:
    """One catalogue entry, validated."""

    id: str
    title: str
    priority: str
    source: Source
    kind: Kind
    unit: Unit
    polarity: Polarity
    period: PeriodKind
    baseline: str  # 'previous_year', 'none', or a named period such as 'year ending June 2019'
    filter: Filter
    note: str
    origin: str  # the file that declared (or last changed) it
    numerator_filter: Filter | None = None
    target_change_pct: float | None = None
    target_value: float | None = None
    comparator: str | tuple[str, ...] = "most_similar_forces"
    pool_years: int = 1

    def interval_for(
        self, value: float | None, numerator: int | None, denominator: float | None
    ) -> tuple[float | None, float | None]:
        """The 95% interval of a figure: Wilson for a proportion, exact Poisson on the
        count otherwise (scaled to the rate for a rate); none without a value or count."""
        if value is None or numerator is None or numerator < 0:
            return None, None
        if self.kind is Kind.PROPORTION:
            assert denominator is not None
            return wilson_interval(numerator, int(denominator), CONFIDENCE)
        low, high = poisson_interval(numerator, CONFIDENCE)
        if self.kind is Kind.RATE:
            assert denominator is not None
            scale = self.unit.per / denominator
            return low * scale, high * scale
        return low, high

    def target_for(
        self, value: float | None, baseline: float | None
    ) -> tuple[float | None, bool | None]:
        """The target for a period whose baseline figure is ``baseline`` (a standard
        ``target_value``, or ``target_change_pct`` on the baseline), and whether ``value``
        meets it by the measure's polarity (None when there is no value or no direction)."""
        if self.target_value is not None:
            target: float | None = self.target_value
        elif self.target_change_pct is not None and baseline is not None:
            target = baseline * (1 + self.target_change_pct / 100)
        else:
            return None, None
        if value is None or target is None or self.polarity is Polarity.NEUTRAL:
            return target, None
        return target, value <= target if self.polarity is Polarity.LOWER else value >= target


@dataclass(frozen=True)
class Catalogue:
    measures: tuple[Measure, ...]
    files: tuple[Path, ...]
    # the plan file's own [[recording_change]] entries (the built-in ones are in
    # forcestat.measures.classification.RECORDING_CHANGES)
    recording_changes: tuple[RecordingChange, ...] = ()

    def get(self, measure_id: str) -> Measure:
        """The measure with this id; a CatalogueError listing the ids otherwise."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise CatalogueError(
            f"no measure {measure_id!r} in {', '.join(map(str, self.files))}; "
            f"known: {', '.join(m.id for m in self.measures)}"
        )


# Sources whose proportions carry their own successes: no numerator_filter.
_SELF_PROPORTIONS = frozenset({Source.SURVEY, Source.INDICATOR, Source.POLICEUK_OUTCOMES})

_REQUIRED = ("id", "title", "priority", "source", "kind", "unit", "polarity", "note")
_OPTIONAL = (
    "period",
    "baseline",
    "filter",
    "numerator_filter",
    "target_change_pct",
    "target_value",
    "comparator",
    "pool_years",
    "extends",
)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: no such catalogue file") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: not valid TOML ({exc})") from exc
    extra = sorted(set(raw) - {"measure", "recording_change"})
    tables = [raw.get("measure", []), raw.get("recording_change", [])]
    if extra or not all(
        isinstance(t, list) and all(isinstance(e, dict) for e in t) for t in tables
    ):
        raise CatalogueError(
            f"{path}: a catalogue holds only [[measure]] and [[recording_change]] entries "
            f"(found {', '.join(extra)})"
        )
    return raw


def _read(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = _read_file(path).get("measure", [])
    return entries


_CHANGE_KEYS = ("id", "effective", "description", "applies_to")


def _recording_changes(path: Path, problems: list[str]) -> list[RecordingChange]:
    """A file's [[recording_change]] entries: a user's own definition or recording
    change, such as a new crime recording system going live."""
    found = []
    for n, entry in enumerate(_read_file(path).get("recording_change", []), start=1):
        where = f"{path}: recording_change {entry.get('id', '?')!r} (entry {n})"
        bad = [
            f"unknown key {k!r} (known: {', '.join(_CHANGE_KEYS)})"
            for k in entry
            if k not in _CHANGE_KEYS
        ]
        for key in ("id", "effective", "description"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                bad.append(f"{key!r} is required and must be a non-empty text value")
        effective = None
        if isinstance(entry.get("effective"), str):
            try:
                effective = parse_month(entry["effective"])
            except ForcestatError:
                bad.append(f"effective {entry['effective']!r} is not a month in the form YYYY-MM")
        applies = _text_list(entry.get("applies_to"))
        if applies is None:
            bad.append(
                "applies_to must be a non-empty list of measure ids, indicator ids or sources"
            )
        if bad or effective is None or applies is None:
            problems.extend(f"{where}: {b}" for b in bad)
            continue
        found.append(
            RecordingChange(
                entry["id"].strip(),
                effective,
                " ".join(entry["description"].split()),
                frozenset(applies),
                str(path),
            )
        )
    return found


def load_catalogue(
    plan: Path | None = None,
    *,
    national: Path | None = NATIONAL_CATALOGUE,
    extra_offence_codes: Iterable[str] = (),
    national_baseline: str | None = None,
) -> Catalogue:
    """Read the national catalogue and the plan file, merge them, and validate the result.

    ``extra_offence_codes`` are codes the store holds that forcestat's own list lacks
    (a newer table's codes), accepted as known. ``national_baseline`` (the project's
    ``baseline_period_end`` setting, such as '2019-06') replaces the national baseline,
    the year ending June 2019, in every national measure that uses it; a plan entry
    still sets its own. Raises one CatalogueError listing every problem, each with its
    file and entry.
    """
    files = [p for p in (national, plan) if p is not None]
    merged: dict[str, tuple[str, dict[str, Any]]] = {}
    problems: list[str] = []
    if national_baseline is not None:
        try:
            if named_period(national_baseline) == named_period(NATIONAL_BASELINE):
                national_baseline = None  # the national baseline itself: nothing to replace
        except PeriodError as exc:
            problems.append(f"baseline_period_end: {exc}")
            national_baseline = None
    for path in files:
        seen: set[str] = set()
        for n, entry in enumerate(_read(path), start=1):
            where = f"{path}: measure {entry.get('id', '?')!r} (entry {n})"
            mid = entry.get("id")
            if not isinstance(mid, str) or not mid.strip():
                problems.append(f"{where}: 'id' must be a non-empty text value")
                continue
            if mid in seen:
                problems.append(f"{where}: id {mid!r} is declared twice in this file")
                continue
            seen.add(mid)
            if "extends" in entry:
                base = merged.get(str(entry["extends"]))
                if base is None:
                    problems.append(f"{where}: extends unknown measure {entry['extends']!r}")
                    continue
                entry = {**base[1], **{k: v for k, v in entry.items() if k != "extends"}}
            elif mid in merged:  # a plan changing a national measure
                entry = {**merged[mid][1], **entry}
            if (
                path == national
                and national_baseline
                and entry.get("baseline") == NATIONAL_BASELINE
            ):
                entry = {**entry, "baseline": national_baseline}
            merged[mid] = (where, entry)
    changes = [c for path in files for c in _recording_changes(path, problems)]
    known_codes = known_offence_codes() | set(extra_offence_codes)
    measures = []
    for where, entry in merged.values():
        measure = _validate(entry, where, known_codes, problems)
        if measure is not None:
            measures.append(measure)
    if problems:
        raise CatalogueError(
            f"{len(problems)} problem(s) in the measure catalogue:\n  " + "\n  ".join(problems)
        )
    return Catalogue(tuple(measures), tuple(files), tuple(changes))


def _enum(cls: type[StrEnum], value: Any, key: str, bad: list[str]) -> Any:
    try:
        return cls(value)
    except ValueError:
        bad.append(f"{key} {value!r} is not one of {', '.join(m.value for m in cls)}")
        return None


def _text_list(value: Any) -> tuple[str, ...] | None:
    if value and isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    return None


def _filter(
    raw: Any, source: Source, key: str, known_codes: set[str] | frozenset[str], bad: list[str]
) -> Filter:
    if raw is None:
        return Filter()
    if not isinstance(raw, Mapping):
        bad.append(f'{key} must be a table, such as {{ offence_codes = ["39"] }}')
        return Filter()
    unknown = sorted(set(raw) - _FILTER_KEYS[source])
    if unknown:
        allowed = ", ".join(sorted(_FILTER_KEYS[source])) or "nothing"
        bad.append(f"{key} key(s) {', '.join(unknown)} do not apply to {source.value} ({allowed})")
    lists: dict[str, tuple[str, ...] | None] = {}
    for name in ("offence_codes", "exclude_offence_groups", "crime_types", "outcomes", "series"):
        if name in raw:
            lists[name] = _text_list(raw[name])
            if lists[name] is None:
                bad.append(f"{key}.{name} must be a non-empty list of text values")
    lists["exclude_outcomes"] = _text_list(raw.get("exclude_outcomes", [])) or ()
    for code in lists.get("offence_codes") or ():
        if code not in known_codes:
            bad.append(f"unknown offence code {code!r} (check the Home Office offence code list)")
    for group in lists.get("exclude_offence_groups") or ():
        if group not in OFFENCE_GROUPS:
            bad.append(f"unknown offence group {group!r} (known: {', '.join(OFFENCE_GROUPS)})")
    for crime_type in lists.get("crime_types") or ():
        if crime_type not in CRIME_TYPES:
            bad.append(f"unknown police.uk crime type {crime_type!r}")
    recorded = raw.get("outcome_recorded", False)
    if not isinstance(recorded, bool):
        bad.append(f"{key}.outcome_recorded must be true or false")
    local = _local_filter(raw, source, key, bad)
    return Filter(
        **local,
        offence_codes=lists.get("offence_codes"),
        exclude_offence_groups=lists.get("exclude_offence_groups") or (),
        crime_types=lists.get("crime_types"),
        outcomes=lists.get("outcomes"),
        exclude_outcomes=lists["exclude_outcomes"] or (),
        outcome_recorded=recorded is True,
        series=lists.get("series"),
    )


def _local_filter(
    raw: Mapping[str, Any], source: Source, key: str, bad: list[str]
) -> dict[str, Any]:
    """The filter keys of the local sources (indicator, survey, outcomes), checked."""
    found: dict[str, Any] = {}
    for name in ("indicator", "breakdown", "breakdown_value", "outcome"):
        if name in raw:
            value = raw[name]
            if not isinstance(value, str) or not value.strip():
                bad.append(f"{key}.{name} must be a non-empty text value")
            else:
                found[name] = value.strip()
    indicator = found.get("indicator")
    if source is Source.INDICATOR:
        if indicator is None and "indicator" not in raw:
            bad.append(
                f'{key} must name the indicator, such as {{ indicator = "victim_satisfaction" }}'
            )
        elif indicator is not None and not re.fullmatch(r"[a-z0-9_]+", indicator):
            bad.append(
                f"{key}.indicator {indicator!r} is not an id of lower-case letters, digits "
                "and underscores"
            )
        if "breakdown_value" in found and "breakdown" not in found:
            bad.append(f"{key}.breakdown_value needs the breakdown it is a value of")
    if source is Source.POLICEUK_OUTCOMES:
        outcome = found.get("outcome")
        if outcome not in OUTCOME_SHARES:
            bad.append(f"{key}.outcome must be one of {', '.join(OUTCOME_SHARES)}")
    if "domestic_abuse" in raw:
        if isinstance(raw["domestic_abuse"], bool):
            found["domestic_abuse"] = raw["domestic_abuse"]
        else:
            bad.append(f"{key}.domestic_abuse must be true or false")
    if "offence_groups" in raw:
        found["offence_groups"] = _text_list(raw["offence_groups"])
        if found["offence_groups"] is None:
            bad.append(f"{key}.offence_groups must be a non-empty list of text values")
    return found


def _validate(
    entry: dict[str, Any], where: str, known_codes: frozenset[str] | set[str], problems: list[str]
) -> Measure | None:
    bad: list[str] = []
    for key in _REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            bad.append(f"{key!r} is required and must be a non-empty text value")
    for key in sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL)):
        bad.append(f"unknown key {key!r} (known: {', '.join((*_REQUIRED, *_OPTIONAL))})")
    source = _enum(Source, entry.get("source"), "source", bad)
    kind = _enum(Kind, entry.get("kind"), "kind", bad)
    unit = _enum(Unit, entry.get("unit"), "unit", bad)
    polarity = _enum(Polarity, entry.get("polarity"), "polarity", bad)
    period = _enum(PeriodKind, entry.get("period", "rolling_12_months"), "period", bad)
    if period is PeriodKind.POOLED:
        bad.append("period 'pooled' is not set directly: give pool_years on a rolling period")
    if kind is not None and unit is not None and unit not in _UNITS_OF_KIND[kind]:
        units = ", ".join(sorted(u.value for u in _UNITS_OF_KIND[kind]))
        bad.append(f"a {kind.value} measure takes unit {units}, not {unit.value}")
    baseline = entry.get("baseline", "previous_year")
    if not isinstance(baseline, str):
        bad.append("baseline must be text: 'previous_year', 'none' or 'year ending June 2019'")
    elif baseline not in ("previous_year", "none"):
        try:
            named_period(baseline)
        except PeriodError as exc:
            bad.append(f"baseline: {exc}")
    filters: tuple[Filter, Filter | None] = (Filter(), None)
    if source is not None:
        filters = (
            _filter(entry.get("filter"), source, "filter", known_codes, bad),
            None
            if entry.get("numerator_filter") is None
            else _filter(entry["numerator_filter"], source, "numerator_filter", known_codes, bad),
        )
        if kind is Kind.PROPORTION and filters[1] is None and source not in _SELF_PROPORTIONS:
            bad.append("a proportion needs a numerator_filter naming its successes")
        if kind is Kind.RATE and source in (Source.POPULATION, Source.SURVEY):
            bad.append(f"a rate per residents cannot be drawn from {source.value}")
        if kind is Kind.MEAN and source is not Source.INDICATOR:
            bad.append('a mean is drawn from an indicator\'s values (source = "indicator")')
        if source is Source.SURVEY and kind is not Kind.PROPORTION:
            bad.append('a survey measure is the proportion satisfied (kind = "proportion")')
        if source is Source.POLICEUK_OUTCOMES and kind is not Kind.PROPORTION:
            bad.append('an outcomes measure is a share of crimes (kind = "proportion")')
        if source is Source.POPULATION and kind is not Kind.COUNT:
            bad.append('a population measure is a count of residents (kind = "count")')
    targets = {k: entry.get(k) for k in ("target_change_pct", "target_value")}
    for key, value in targets.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            bad.append(f"{key} must be a number")
    if all(v is not None for v in targets.values()):
        bad.append("give target_change_pct or target_value, not both")
    comparator = entry.get("comparator", "most_similar_forces")
    if isinstance(comparator, list):
        names = _text_list(comparator) or ()
        for name in names:
            try:
                find_force(name)
            except ForcestatError:
                bad.append(f"comparator names unknown force {name!r}")
        comparator = tuple(find_force(n).name for n in names if _is_force(n))
    elif comparator not in ("most_similar_forces", "none"):
        bad.append("comparator must be 'most_similar_forces', 'none' or a list of forces")
    pool_years = entry.get("pool_years", 1)
    if not isinstance(pool_years, int) or isinstance(pool_years, bool) or pool_years < 1:
        bad.append("pool_years must be a whole number of years, 1 or more")
    elif pool_years > 1 and period is not PeriodKind.ROLLING_12_MONTHS:
        bad.append("pool_years applies only to a rolling_12_months period")
    if bad:
        problems.extend(f"{where}: {b}" for b in bad)
        return None
    return Measure(
        id=entry["id"].strip(),
        title=entry["title"].strip(),
        priority=entry["priority"].strip(),
        source=source,
        kind=kind,
        unit=unit,
        polarity=polarity,
        period=period,
        baseline=baseline,
        filter=filters[0],
        note=" ".join(entry["note"].split()),
        origin=where.split(": measure")[0],
        numerator_filter=filters[1],
        target_change_pct=_number(targets["target_change_pct"]),
        target_value=_number(targets["target_value"]),
        comparator=comparator,
        pool_years=pool_years,
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _is_force(name: str) -> bool:
    try:
        find_force(name)
    except ForcestatError:
        return False
    return True
