"""A measure's long-run history from the published rolling years."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import duckdb
from tests.spc.test_long_run import layer_rows

from forcestat.forces import find_force
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import load_catalogue
from forcestat.measures.history import (
    MIN_CHARTED_PERIODS,
    HistoryPoint,
    charted_history,
    extreme_since,
    history_chart,
    history_title,
    published_history,
)
from forcestat.store.records import records_beside
from forcestat.web.measure_view import build_measure_view

TABLES = Path(__file__).resolve().parents[2] / "data" / "tables"
ROLLING = TABLES / "homeoffice" / "rec-crime-pfa.csv.gz"


def _points(values: list[float]) -> tuple[HistoryPoint, ...]:
    # quarter ends from March 2010
    return tuple(
        HistoryPoint(dt.date(2010 + i // 4, 3 * (i % 4) + 3, 1), v, "x")
        for i, v in enumerate(values)
    )


def test_lowest_since_the_last_period_as_low() -> None:
    # 8 at March 2010; then nine periods above 9; 9 in June 2012 is the lowest since March 2010.
    history = _points([8, 12, 11, 13, 12, 14, 13, 12, 11, 10, 9])
    assert extreme_since(history, dt.date(2012, 9, 1)) == (
        "the lowest 12-month total since the 12 months to March 2010"
    )


def test_highest_in_the_history_loaded() -> None:
    history = _points([5, 6, 5, 7, 6, 7, 8, 7, 9])
    assert extreme_since(history, dt.date(2012, 3, 1)) == (
        "the highest 12-month total in the history loaded, from the 12 months to March 2010"
    )


def test_nothing_said_on_a_short_history_or_an_ordinary_value() -> None:
    assert extreme_since(_points([5, 4, 3]), dt.date(2010, 9, 1)) is None
    assert extreme_since(_points([5, 6, 5, 7, 6, 7, 8, 7, 6.5]), dt.date(2012, 3, 1)) is None


def test_west_midlands_robbery_history_and_measure_page(store: duckdb.DuckDBPyConnection) -> None:
    records = records_beside(store)
    ingest_path(store, ROLLING)
    ingest_path(store, TABLES / "ons" / "pfa-tables" / "pfatablesdec19.xlsx.gz")
    ingest_path(store, TABLES / "population" / "pfa_population_data_mid2018.csv.gz")
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        expected = {
            dt.date(int(r["12 months ending"][6:]), int(r["12 months ending"][3:5]), 1): float(
                r["Rolling year total number of offences"]
            )
            for r in csv.DictReader(fh)
            if r["PFA"] == "West Midlands" and r["Offence"] == "Robbery"
        }
    measure = load_catalogue().get("personal_robbery")
    history = published_history(store, measure, "West Midlands")
    assert {p.period_end: p.value for p in history if p.period_end.year <= 2018} == expected
    assert history[-1].period_end == dt.date(2019, 12, 1)
    view = build_measure_view(
        store, records, measure, find_force("West Midlands"), dt.date(2019, 12, 1), ()
    )
    assert view.history == history
    assert view.history_sentence == _expected_sentence(sorted(expected.items()), 8_755)
    # The page charts every rolling year up to the period shown.
    assert view.history_chart is not None
    assert [r["total"] for r in _line_rows(view.history_chart.spec)] == [p.value for p in history]


def _expected_sentence(published: list[tuple[dt.date, float]], now: float) -> str | None:
    """The rule worked by hand: beyond each of the last 8 periods, then since when."""
    last8 = [v for _, v in published[-8:]]
    for word, beyond in (
        ("lowest", all(now < v for v in last8)),
        ("highest", all(now > v for v in last8)),
    ):
        if beyond:
            as_far = [e for e, v in published if (v <= now if word == "lowest" else v >= now)]
            if not as_far:
                return f"the {word} 12-month total in the history loaded, from the 12 months to {published[0][0]:%B %Y}"
            return f"the {word} 12-month total since the 12 months to {max(as_far):%B %Y}"
    return None


def test_vehicle_offences_history_sentence(store: duckdb.DuckDBPyConnection) -> None:
    ingest_path(store, ROLLING)
    ingest_path(store, TABLES / "ons" / "pfa-tables" / "pfatablesdec19.xlsx.gz")
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        published = sorted(
            (
                dt.date(int(r["12 months ending"][6:]), int(r["12 months ending"][3:5]), 1),
                float(r["Rolling year total number of offences"]),
            )
            for r in csv.DictReader(fh)
            if r["PFA"] == "West Midlands" and r["Offence"] == "Vehicle offences"
        )
    december_2019 = 32_460.0  # Table P1 of the December 2019 edition, West Midlands
    history = published_history(store, load_catalogue().get("vehicle_offences"), "West Midlands")
    assert history[-1].value == december_2019
    assert extreme_since(history, dt.date(2019, 12, 1)) == _expected_sentence(
        published, december_2019
    )


def _rolling_totals(force: str, offence: str) -> dict[dt.date, float]:
    """The rolling-totals CSV's rows for a force and offence, read with csv."""
    with gzip.open(ROLLING, "rt", encoding="utf-8-sig", newline="") as fh:
        return {
            dt.date(int(r["12 months ending"][6:]), int(r["12 months ending"][3:5]), 1): float(
                r["Rolling year total number of offences"]
            )
            for r in csv.DictReader(fh)
            if r["PFA"] == force and r["Offence"] == offence
        }


def _line_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    (rows,) = layer_rows(spec, "line")
    return rows


def test_the_long_run_chart_draws_the_published_totals(store: duckdb.DuckDBPyConnection) -> None:
    ingest_path(store, ROLLING)
    expected = _rolling_totals("West Midlands", "Robbery")
    measure = load_catalogue().get("personal_robbery")
    history = published_history(store, measure, "West Midlands")
    points = charted_history(history, dt.date(2018, 12, 1))
    chart = history_chart(points, history_title(measure, "West Midlands"))
    drawn = {
        dt.date.fromisoformat(str(r["period_end"])): r["total"] for r in _line_rows(chart.spec)
    }
    assert drawn == expected
    assert len(drawn) == 52  # year ends March 2003 to 2006, then 48 quarter ends
    # From the same CSV rows: first March 2003 10,249; last December 2018 8,107; the
    # highest March 2004 10,371; the lowest September 2015 4,781.
    assert chart.text_alternative == (
        "Line chart: Robbery, West Midlands: 12-month totals as published. 52 rolling "
        "12-month totals, from 10,249 in the 12 months to March 2003 to 8,107 in the 12 "
        "months to December 2018. Highest: 10,371 in the 12 months to March 2004. Lowest: "
        "4,781 in the 12 months to September 2015. No process limits: the totals overlap."
    )
    assert (min(expected.values()), max(expected.values())) == (4_781, 10_371)
    assert chart.caption.startswith(
        "Each point is a 12-month total as published: at each year end from March 2003, "
        "then at each quarter end from March 2007."
    )


def test_a_chart_needs_eight_rolling_years_up_to_the_period() -> None:
    history = _points([9, 12, 11, 13, 12, 14, 13, 12, 11, 10])  # March 2010 to June 2012
    assert len(charted_history(history, None)) == 10
    assert len(charted_history(history, dt.date(2011, 12, 1))) == MIN_CHARTED_PERIODS == 8
    assert charted_history(history, dt.date(2011, 9, 1)) == ()  # 7 rolling years
    assert charted_history((), None) == ()


def test_the_title_names_the_published_groups_charted() -> None:
    catalogue = load_catalogue()
    assert history_title(catalogue.get("serious_violence_rate"), "Kent") == (
        "Violence with injury, death or serious injury caused by illegal driving and "
        "possession of weapons offences, Kent: 12-month totals as published"
    )
