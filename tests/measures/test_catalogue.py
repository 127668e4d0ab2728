"""The measure catalogue: the shipped files load, and every problem is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from forcestat.measures.catalogue import (
    NATIONAL_CATALOGUE,
    PLAN_EXAMPLE,
    CatalogueError,
    Kind,
    Polarity,
    Source,
    Unit,
    load_catalogue,
)
from forcestat.measures.periods import PeriodKind

GOOD = """
[[measure]]
id = "bicycle_theft"
title = "Bicycle theft"
priority = "Local plan"
source = "policeuk_crimes"
kind = "count"
unit = "count"
polarity = "lower"
filter = { crime_types = ["Bicycle theft"] }
note = "Bicycle theft as police.uk publishes it."
"""


def _plan(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_national_catalogue_covers_the_six_priorities() -> None:
    catalogue = load_catalogue()
    priorities = {m.priority for m in catalogue.measures}
    assert priorities == {
        "Reduce murder and other homicide",
        "Reduce serious violence",
        "Disrupt drugs supply and county lines",
        "Reduce neighbourhood crime",
        "Tackle cyber crime",
        "Improve satisfaction among victims",
    }
    homicide = catalogue.get("homicide_rate_3_year")
    assert (homicide.kind, homicide.unit, homicide.pool_years) == (
        Kind.RATE,
        Unit.RATE_PER_1000000,
        3,
    )
    assert homicide.filter.offence_codes is not None
    assert "1/4.1/4.10/4.2" in homicide.filter.offence_codes
    burglary = catalogue.get("residential_burglary")
    assert burglary.filter.offence_codes == ("28E", "28F", "28G", "28H", "29A")
    assert burglary.baseline == "year ending June 2019"
    assert catalogue.get("victim_satisfaction").source is Source.SURVEY
    # Every police.uk proxy says what it is a proxy for.
    for m in catalogue.measures:
        if m.id in ("burglary_policeuk", "robbery_policeuk", "neighbourhood_crime_policeuk"):
            assert "business" in m.note


def test_plan_example_adds_the_local_measures() -> None:
    catalogue = load_catalogue(PLAN_EXAMPLE)
    assert catalogue.files == (NATIONAL_CATALOGUE, PLAN_EXAMPLE)
    rate = catalogue.get("total_recorded_crime_rate")
    assert rate.filter.exclude_offence_groups == ("Fraud offences",)
    assert rate.filter.offence_codes is None and rate.comparator == "most_similar_forces"
    # extends: a count, from the rate's definition, with a target on the previous year
    reduce = catalogue.get("reduce_total_recorded_crime")
    assert (reduce.kind, reduce.target_change_pct, reduce.baseline) == (
        Kind.COUNT,
        -5.0,
        "previous_year",
    )
    assert reduce.filter == rate.filter
    burglary = catalogue.get("reduce_residential_burglary")
    assert burglary.filter.offence_codes == ("28E", "28F", "28G", "28H", "29A")
    assert burglary.target_change_pct == -8.0
    assert catalogue.get("reduce_violence_with_injury").target_change_pct == -8.0
    share = catalogue.get("stop_search_positive_outcome_rate")
    assert share.kind is Kind.PROPORTION and share.polarity is Polarity.HIGHER
    assert share.numerator_filter is not None and share.filter.outcome_recorded


def test_a_plan_entry_with_a_national_id_changes_only_its_keys(tmp_path: Path) -> None:
    plan = _plan(tmp_path, '[[measure]]\nid = "homicide"\ntarget_change_pct = -10\n')
    national = load_catalogue().get("homicide")
    changed = load_catalogue(plan).get("homicide")
    assert changed.target_change_pct == -10.0
    assert (changed.filter, changed.title, changed.unit) == (
        national.filter,
        national.title,
        national.unit,
    )
    assert changed.origin == str(plan)


def test_a_new_plan_measure_loads(tmp_path: Path) -> None:
    m = load_catalogue(_plan(tmp_path, GOOD)).get("bicycle_theft")
    assert (m.source, m.period, m.baseline, m.comparator) == (
        Source.POLICEUK_CRIMES,
        PeriodKind.ROLLING_12_MONTHS,
        "previous_year",
        "most_similar_forces",
    )
    assert m.filter.crime_types == ("Bicycle theft",)


def test_every_problem_is_reported_with_file_and_entry(tmp_path: Path) -> None:
    bad = """
[[measure]]
id = "bad_code"
title = "t"
priority = "p"
source = "home_office"
kind = "count"
unit = "count"
polarity = "lower"
filter = { offence_codes = ["28E", "999Z"] }
note = "n"

[[measure]]
id = "bad_type"
title = "t"
priority = "p"
source = "policeuk_crimes"
kind = "rate"
unit = "count"
polarity = "sideways"
filter = { crime_types = ["Burglary", "Jaywalking"], offence_codes = ["39"] }
comparator = ["Gotham", "Merseyside"]
note = "n"

[[measure]]
id = "bad_source"
title = "t"
priority = "p"
source = "twitter"
kind = "count"
unit = "count"
polarity = "lower"
baseline = "year ending Juno 2019"
colour = "blue"

[[measure]]
id = "bad_extends"
extends = "no_such_measure"
"""
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_plan(tmp_path, bad))
    message = str(info.value)
    plan = str(tmp_path / "plan.toml")
    expected = [
        f"{plan}: measure 'bad_code' (entry 1): unknown offence code '999Z'",
        f"{plan}: measure 'bad_type' (entry 2): unknown police.uk crime type 'Jaywalking'",
        f"{plan}: measure 'bad_type' (entry 2): polarity 'sideways' is not one of",
        f"{plan}: measure 'bad_type' (entry 2): a rate measure takes unit",
        f"{plan}: measure 'bad_type' (entry 2): comparator names unknown force 'Gotham'",
        f"{plan}: measure 'bad_type' (entry 2): filter key(s) offence_codes do not apply",
        f"{plan}: measure 'bad_source' (entry 3): source 'twitter' is not one of",
        f"{plan}: measure 'bad_source' (entry 3): 'note' is required",
        f"{plan}: measure 'bad_source' (entry 3): unknown key 'colour'",
        f"{plan}: measure 'bad_source' (entry 3): baseline: 'year ending Juno 2019'",
        f"{plan}: measure 'bad_extends' (entry 4): extends unknown measure 'no_such_measure'",
    ]
    for line in expected:
        assert line in message
    assert message.startswith(f"{len(expected)} problem(s)")


def test_offence_codes_the_store_holds_are_known(tmp_path: Path) -> None:
    text = GOOD.replace('"policeuk_crimes"', '"home_office"').replace(
        'crime_types = ["Bicycle theft"]', 'offence_codes = ["28I"]'
    )
    with pytest.raises(CatalogueError, match="unknown offence code '28I'"):
        load_catalogue(_plan(tmp_path, text))
    assert load_catalogue(_plan(tmp_path, text), extra_offence_codes={"28I"}).get(
        "bicycle_theft"
    ).filter.offence_codes == ("28I",)


def test_unreadable_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="not valid TOML"):
        load_catalogue(_plan(tmp_path, "[[measure]\nid="))
    with pytest.raises(CatalogueError, match="no such catalogue file"):
        load_catalogue(tmp_path / "missing.toml")
    with pytest.raises(
        CatalogueError, match="only \\[\\[measure\\]\\] and \\[\\[recording_change\\]\\] entries"
    ):
        load_catalogue(_plan(tmp_path, "[settings]\nx = 1\n"))


def test_proportions_rates_and_targets_are_checked(tmp_path: Path) -> None:
    text = GOOD.replace(
        'kind = "count"\nunit = "count"', 'kind = "proportion"\nunit = "proportion"'
    )
    text += "target_change_pct = -5\ntarget_value = 3\n"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_plan(tmp_path, text))
    assert "a proportion needs a numerator_filter" in str(info.value)
    assert "give target_change_pct or target_value, not both" in str(info.value)
