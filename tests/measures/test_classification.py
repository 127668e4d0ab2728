"""Offence classification changes: which measures they touch and how windows compare."""

from __future__ import annotations

import datetime as dt

from forcestat.measures.classification import (
    OFFENCE_GROUPS,
    compare_windows,
    crossings,
    known_offence_codes,
    offence_group_of,
)
from forcestat.measures.periods import financial_year, rolling_12_months
from measures_fixtures import PFA, csv_rows

RESIDENTIAL = frozenset({"28E", "28F", "28G", "28H", "29A"})


def test_every_code_in_the_published_table_is_known_with_its_group() -> None:
    published = {(r[6].strip(), r[4].strip()) for r in csv_rows(PFA)}
    assert {code for code, _ in published} <= known_offence_codes()
    for code, group in published:
        assert offence_group_of(code) == group
    assert offence_group_of("999Z") is None
    assert set(OFFENCE_GROUPS["Fraud offences"]) == {"AF", "CIFAS", "FFA UK", "UK Finance"}


def test_residential_burglary_maps_to_domestic_burglary_before_april_2017() -> None:
    found = {c.change.id: c for c in crossings("home_office", RESIDENTIAL)}
    assert set(found) == {"burglary_2017", "residential_burglary_2023"}
    split = found["burglary_2017"]
    assert split.old_codes == frozenset({"28A", "28B", "28C", "28D", "29"})
    assert split.like_for_like is False  # sheds and garages moved in
    later = found["residential_burglary_2023"]
    assert later.old_codes is None and later.like_for_like is False


def test_measures_counting_a_whole_family_are_untouched() -> None:
    every_burglary = frozenset(
        c for c in known_offence_codes() if c[:2] in ("28", "29", "30", "31")
    )
    assert crossings("home_office", every_burglary) == ()
    assert crossings("home_office", None) == ()  # every offence
    assert crossings("home_office", frozenset({"39"})) == ()


def test_a_single_new_code_maps_to_its_own_old_code() -> None:
    [split, _later] = crossings("home_office", frozenset({"30C"}))
    assert split.old_codes == frozenset({"30A"})


def test_policeuk_public_order_split_aligns_only_when_both_halves_are_counted() -> None:
    [both] = crossings("policeuk", frozenset({"Public order", "Possession of weapons"}))
    assert both.old_codes == frozenset({"Public disorder and weapons"}) and both.like_for_like
    [one] = crossings("policeuk", frozenset({"Possession of weapons"}))
    assert one.old_codes is None and not one.like_for_like


def test_windows_on_one_side_of_a_change_compare_like_for_like() -> None:
    found = crossings("home_office", RESIDENTIAL)
    after = compare_windows(found, financial_year("2018/19"), financial_year("2017/18"))
    assert (after.like_for_like, after.baseline_blocked, after.notes) == (True, None, ())


def test_baseline_before_april_2017_is_aligned_and_flagged() -> None:
    found = crossings("home_office", RESIDENTIAL)
    result = compare_windows(found, financial_year("2017/18"), financial_year("2016/17"))
    assert result.like_for_like is False and result.baseline_blocked is None
    [note] = result.notes
    assert "28A" in note and "not like for like" in note


def test_baseline_before_april_2023_cannot_be_aligned() -> None:
    found = crossings("home_office", RESIDENTIAL)
    result = compare_windows(found, financial_year("2023/24"), financial_year("2022/23"))
    assert result.like_for_like is False
    assert result.baseline_blocked is not None and "April 2023" in result.baseline_blocked


def test_a_period_spanning_a_change_is_not_like_for_like() -> None:
    found = crossings("home_office", RESIDENTIAL)
    spanning = rolling_12_months(dt.date(2017, 9, 1))  # October 2016 to September 2017
    result = compare_windows(found, spanning, None)
    assert result.like_for_like is False and result.baseline_blocked is None
