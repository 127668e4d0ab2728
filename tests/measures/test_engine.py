"""The measure engine, checked against sums taken from the source files another way.

Real data: Home Office 2017/18 force table, census 2011 through the LSOA lookup, and the
City of London police.uk files, each summed here with the csv module. Hand-written
fixtures: the arithmetic is in the comments.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from pathlib import Path

import duckdb
import pytest

from conftest import STREET_HEADER, write_csv
from forcestat.errors import ForcestatError
from forcestat.forces import TERRITORIAL_FORCES
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import PLAN_EXAMPLE, Catalogue, CatalogueError, load_catalogue
from forcestat.measures.engine import TIDY_COLUMNS, MeasureRow, evaluate
from measures_fixtures import (
    MID_YEAR_HEADER,
    PFA_HEADER,
    census_by_force,
    pfa_counts,
    pfa_line,
    stop_search_rows,
    street_line,
    street_rows,
)

MARCH_2018 = dt.date(2018, 3, 1)
MOST_SIMILAR = ("Greater Manchester", "Merseyside", "West Yorkshire")
FORCES = ("West Midlands", *MOST_SIMILAR)
NEIGHBOURHOOD = {
    "residential_burglary": {"28E", "28F", "28G", "28H", "29A"},
    "personal_robbery": {"34B"},
    "theft_from_the_person": {"39"},
    "vehicle_offences": {"45", "48", "37.2", "126"},
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(PLAN_EXAMPLE)


def _rows(table_rows: tuple[MeasureRow, ...]) -> dict[tuple[str, str], MeasureRow]:
    return {(r.measure, r.area): r for r in table_rows}


def test_rates_per_1000_agree_with_the_published_files(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    population = census_by_force()
    measures = [catalogue.get(m) for m in (*NEIGHBOURHOOD, "total_recorded_crime_rate")]
    table = evaluate(sample_store, measures, areas=FORCES, period_ends=[MARCH_2018])
    got = _rows(table.rows)
    expected_counts = {m: pfa_counts(codes) for m, codes in NEIGHBOURHOOD.items()}
    expected_counts["total_recorded_crime_rate"] = pfa_counts(exclude_group="Fraud offences")
    # The published quick check: West Midlands recorded 233,393 offences in 2017/18.
    assert expected_counts["total_recorded_crime_rate"]["West Midlands"] == 233_393
    for measure, counts in expected_counts.items():
        for force in FORCES:
            row = got[(measure, force)]
            assert row.numerator == counts[force], (measure, force)
            assert row.denominator == population[force]
            assert row.value == pytest.approx(counts[force] / population[force] * 1000, rel=1e-12)
            assert (row.period, row.period_start, row.period_end) == (
                "12 months to March 2018",
                dt.date(2017, 4, 1),
                dt.date(2018, 3, 31),
            )
            assert row.complete and row.population_year == 2011 and row.unit == "rate_per_1000"
    assert population["West Midlands"] == 2_736_460


def test_rank_and_comparator_mean_of_west_midlands(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    counts = pfa_counts(exclude_group="Fraud offences")
    population = census_by_force()
    # Rates for every territorial force the lookup gives a population (39: the Welsh
    # forces are not in the England-only lookup).
    rates = {}
    for force in TERRITORIAL_FORCES:
        persons = population.get(force.name, 0)
        if persons:
            rates[force.name] = counts[force.home_office_name] / persons * 1000
    assert len(rates) == 39
    wm = rates["West Midlands"]
    expected_rank = 1 + sum(1 for r in rates.values() if r < wm)
    table = evaluate(
        sample_store,
        [catalogue.get("total_recorded_crime_rate")],
        areas=["West Midlands"],
        period_ends=[MARCH_2018],
        most_similar_forces={"West Midlands": MOST_SIMILAR},
    )
    [row] = table.rows
    assert (row.rank, row.rank_of) == (expected_rank, 39)
    assert row.comparator_mean == pytest.approx(statistics.fmean(rates[f] for f in MOST_SIMILAR))
    assert "3,335 LSOAs" in row.note  # forces with LSOAs missing from the lookup


def test_homicide_count_and_rate_per_million(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    homicides = pfa_counts({"1/4.1/4.10/4.2"})
    population = census_by_force()
    measures = [catalogue.get("homicide"), catalogue.get("homicide_rate")]
    got = _rows(evaluate(sample_store, measures, areas=FORCES, period_ends=[MARCH_2018]).rows)
    for force in FORCES:
        assert got[("homicide", force)].value == homicides[force]
        rate = got[("homicide_rate", force)]
        assert rate.value == pytest.approx(homicides[force] / population[force] * 1e6)
        # The national baseline (year ending June 2019) is not in the sample: said, not zero.
        assert rate.baseline_value is None and rate.change is None
        assert "12 months to June 2019" in rate.note and "no rows" in rate.note


def test_pooled_homicide_rate_needs_three_years(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    table = evaluate(
        sample_store,
        [catalogue.get("homicide_rate_3_year")],
        areas=["West Midlands"],
        period_ends=[MARCH_2018],
    )
    [row] = table.rows
    # April 2015 to March 2018, of which only 2017/18 is loaded: 24 months missing.
    assert (row.period_start, row.value, row.complete) == (dt.date(2015, 4, 1), None, False)
    assert len(row.missing_months) == 24 and row.missing_months[0] == "2015-04"
    assert row.not_available is not None and row.not_available.startswith("incomplete")


def test_policeuk_counts_and_baseline_from_the_street_files(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    now = street_rows("2020-07", "2021-06")
    then = street_rows("2018-07", "2019-06")  # the national baseline year

    def count(rows: list[dict[str, str]], types: set[str]) -> int:
        return sum(1 for r in rows if r["Crime type"] in types)

    proxy = {"Burglary", "Robbery", "Theft from the person", "Vehicle crime"}
    table = evaluate(
        sample_store,
        [catalogue.get("neighbourhood_crime_policeuk"), catalogue.get("total_crime_policeuk")],
        areas=["City of London"],
        period_ends=[dt.date(2021, 6, 1)],
    )
    got = _rows(table.rows)
    row = got[("neighbourhood_crime_policeuk", "City of London")]
    assert row.value == count(now, proxy)
    assert row.baseline_value == count(then, proxy)
    assert row.change == count(now, proxy) - count(then, proxy)
    assert row.change_pct == pytest.approx(row.change / count(then, proxy) * 100)
    assert "includes business and community burglary" in row.note
    total = got[("total_crime_policeuk", "City of London")]
    crimes = [r for r in now if r["Crime type"] != "Anti-social behaviour"]
    previous = street_rows("2019-07", "2020-06")
    assert total.value == len(crimes) and all(r["Crime ID"] for r in crimes)
    assert total.baseline_value == sum(
        1 for r in previous if r["Crime type"] != "Anti-social behaviour"
    )
    assert total.target == pytest.approx(total.baseline_value * 0.95)
    assert total.meets_target is (total.value <= total.target)
    assert "Anti-social behaviour incidents are not counted" in total.note


def test_stop_search_rate_and_positive_outcome_rate(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    rows = stop_search_rows("2019-12", "2020-11")
    no_action = {"A no further action disposal", "Nothing found - no further action"}
    recorded = [r for _, r in rows if r["Outcome"]]
    positive = [r for r in recorded if r["Outcome"] not in no_action]
    residents = census_by_force()["City of London"]
    table = evaluate(
        sample_store,
        [catalogue.get("stop_search_rate"), catalogue.get("stop_search_positive_outcome_rate")],
        areas=["City of London"],
        period_ends=[dt.date(2020, 11, 1)],
    )
    got = _rows(table.rows)
    rate = got[("stop_search_rate", "City of London")]
    assert rate.numerator == len(rows)
    assert rate.value == pytest.approx(len(rows) / residents * 1000)
    share = got[("stop_search_positive_outcome_rate", "City of London")]
    assert (share.numerator, share.denominator) == (len(positive), len(recorded))
    assert share.value == pytest.approx(len(positive) / len(recorded))
    assert share.interval_low is not None and share.interval_high is not None
    assert share.interval_low < share.value < share.interval_high


def test_every_tidy_column_is_present(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    table = evaluate(sample_store, catalogue, areas=["West Midlands"], period_ends=[MARCH_2018])
    for record in table.records():
        assert tuple(record) == TIDY_COLUMNS
    assert len(table.rows) == len(catalogue.measures)
    header = table.to_csv().splitlines()[0]
    assert header.split(",") == list(TIDY_COLUMNS)
    sources = {m.id: m.source.value for m in catalogue.measures}
    for measure_id, sql in table.sql:
        # Force measures count police force area rows only, never CSP rows.
        assert ("csp_name IS NULL" in sql) is (sources[measure_id] == "home_office")


# --- hand-written fixtures -------------------------------------------------------


def _load(store: duckdb.DuckDBPyConnection, tmp_path: Path, name: str, lines: list[str]) -> None:
    [result] = ingest_path(store, write_csv(tmp_path / name, lines))
    assert result.rows_rejected == 0, result.first_rejects


def test_baseline_across_the_2017_burglary_split_is_aligned_but_not_like_for_like(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    # 2016/17 counted domestic burglary on the old code 28A (25 a quarter = 100);
    # 2017/18 on the new code 28E (30 a quarter = 120). Business burglary 30C is not
    # residential and is left out.
    lines = [PFA_HEADER]
    for q in (1, 2, 3, 4):
        lines.append(pfa_line("2016/17", q, "West Midlands", "28A", 25))
        lines.append(pfa_line("2017/18", q, "West Midlands", "28E", 30))
        lines.append(pfa_line("2017/18", q, "West Midlands", "30C", 7))
    _load(store, tmp_path, "pfa.csv", lines)
    table = evaluate(
        store,
        [catalogue.get("reduce_residential_burglary")],
        areas=["West Midlands"],
        period_ends=[MARCH_2018],
    )
    [row] = table.rows
    assert (row.value, row.baseline_value, row.change) == (120, 100, 20)
    assert row.change_pct == pytest.approx(20.0)
    assert row.target == pytest.approx(92.0)  # 8% fewer than 100
    assert row.meets_target is False
    assert row.like_for_like is False
    assert row.change_beyond_chance is None  # no verdict across a break
    assert "not like for like" in row.note and "28A" in row.note
    [(_, sql)] = table.sql
    assert "DATE '2017-04-01'" in sql


def test_baseline_across_the_2023_split_is_not_available(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    lines = [PFA_HEADER]
    for q in (1, 2, 3, 4):
        lines.append(pfa_line("2022/23", q, "West Midlands", "28E", 40))
        lines.append(pfa_line("2023/24", q, "West Midlands", "28E", 30))
    _load(store, tmp_path, "pfa.csv", lines)
    [row] = evaluate(
        store,
        [catalogue.get("reduce_residential_burglary")],
        areas=["West Midlands"],
        period_ends=[dt.date(2024, 3, 1)],
    ).rows
    assert row.value == 120  # 4 x 30
    assert row.baseline_value is None and row.change is None and row.target is None
    assert row.like_for_like is False
    assert "Baseline not available" in row.note and "April 2023" in row.note


def test_incomplete_window_is_flagged_never_summed_as_zero(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    # Twelve months of 2019 but May: 3 burglaries a month in each month loaded.
    months = [f"2019-{m:02d}" for m in range(1, 13) if m != 5]
    for month in months:
        lines = [STREET_HEADER] + [street_line(month, "Burglary", i) for i in range(3)]
        _load(store, tmp_path, f"{month}-city-of-london-street.csv", lines)
    [row] = evaluate(
        store,
        [catalogue.get("burglary_policeuk")],
        areas=["City of London"],
        period_ends=[dt.date(2019, 12, 1)],
    ).rows
    assert (row.complete, row.missing_months, row.value, row.numerator) == (
        False,
        ("2019-05",),
        None,
        None,
    )
    assert row.not_available is not None and "2019-05" in row.not_available


def test_a_missing_home_office_quarter_lists_its_three_months(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    # 2017/18 quarters 1, 2 and 4 loaded (10 domestic burglaries each); quarter 3,
    # October to December 2017, is not: the year is incomplete, not 30.
    lines = [PFA_HEADER] + [pfa_line("2017/18", q, "West Midlands", "28E", 10) for q in (1, 2, 4)]
    _load(store, tmp_path, "pfa.csv", lines)
    [row] = evaluate(
        store,
        [catalogue.get("residential_burglary")],
        areas=["West Midlands"],
        period_ends=[MARCH_2018],
    ).rows
    assert (row.complete, row.value, row.numerator) == (False, None, None)
    assert row.missing_months == ("2017-10", "2017-11", "2017-12")
    assert row.not_available == (
        "incomplete: 3 of 12 months of the 12 months to March 2018 have no data loaded "
        "(2017-10, 2017-11, 2017-12); a total would be understated"
    )


def test_many_period_ends_each_against_the_year_before(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    # Thefts from the person, one a month in 2018, two in 2019, three in 2020 (12, 24
    # and 36 a year). Each year's window is the next year's baseline.
    for year, n in (("2018", 1), ("2019", 2), ("2020", 3)):
        for m in range(1, 13):
            month = f"{year}-{m:02d}"
            lines = [STREET_HEADER]
            lines += [street_line(month, "Theft from the person", i) for i in range(n)]
            _load(store, tmp_path, f"{month}-city-of-london-street.csv", lines)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[measure]]\nid = "tftp_on_last_year"\nextends = "theft_from_the_person_policeuk"\n'
        'baseline = "previous_year"\n',
        encoding="utf-8",
    )
    ends = [dt.date(y, 12, 1) for y in (2018, 2019, 2020)] + [dt.date(2019, 6, 1)]
    rows = evaluate(
        store,
        [load_catalogue(plan).get("tftp_on_last_year")],
        areas=["City of London"],
        period_ends=ends,
    ).rows
    got = [(r.period, r.value, r.baseline_value, r.change) for r in rows]
    assert got == [
        # 2018's baseline, 2017, has no data: said in the note, no change worked out.
        ("12 months to December 2018", 12.0, None, None),
        ("12 months to December 2019", 24.0, 12.0, 12.0),
        ("12 months to December 2020", 36.0, 24.0, 12.0),
        # July 2018 - June 2019: 6 x 1 + 6 x 2 = 18; the year before: 6 months of 2017
        # missing, so no baseline value.
        ("12 months to June 2019", 18.0, None, None),
    ]
    assert "Baseline 12 months to December 2017: no police.uk" in rows[0].note
    assert "Baseline 12 months to June 2018: incomplete: 6 of 12 months" in rows[3].note
    # 24 against 12 over equal time: p = 2 P(X >= 24 | n=36, p=1/2) ~ 0.065, within
    # chance; 36 against 24: p ~ 0.15.
    assert [r.change_beyond_chance for r in rows] == [None, False, False, None]


def test_period_outside_the_data_and_part_quarters_are_not_available(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    measures = [catalogue.get("residential_burglary"), catalogue.get("burglary_policeuk")]
    got = _rows(
        evaluate(
            sample_store, measures, areas=["City of London"], period_ends=[dt.date(2030, 6, 1)]
        ).rows
    )
    for measure in ("residential_burglary", "burglary_policeuk"):
        row = got[(measure, "City of London")]
        assert row.value is None and row.complete is False
        assert "12 months to June 2030" in (row.not_available or "")
    [part] = evaluate(
        sample_store,
        [catalogue.get("residential_burglary")],
        areas=["West Midlands"],
        period_ends=[dt.date(2018, 2, 1)],
    ).rows
    assert part.value is None and "whole quarters" in (part.not_available or "")


def test_unknown_force_and_measure_are_refused(
    sample_store: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
) -> None:
    with pytest.raises(ForcestatError, match="unknown force 'Gotham'"):
        evaluate(sample_store, catalogue, areas=["Gotham"])
    with pytest.raises(CatalogueError, match="no measure 'burglarly'"):
        catalogue.get("burglarly")


def test_change_beyond_chance_and_tied_ranks_by_hand(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    # Residential burglary per 1,000, 2017/18 against 2016/17 (counted on 28A before
    # April 2017, so not like for like: use theft from the person, code 39, instead).
    #   Derbyshire   2016/17: 4 x 50 = 200;  2017/18: 4 x 100 = 400, population 100,000
    #   Cumbria      2017/18: 4 x 200 = 800, population 200,000  -> 4.0 per 1,000
    #   Dorset       2017/18: 4 x  25 = 100, population 100,000  -> 1.0 per 1,000
    # Derbyshire 400 / 100,000 = 4.0 per 1,000 ties with Cumbria: both rank 2 of 3.
    # 400 against 200 on the same population: p = 2 P(X >= 400 | n=600, p=1/2) ~ 1e-16.
    lines = [PFA_HEADER]
    for q in (1, 2, 3, 4):
        lines.append(pfa_line("2016/17", q, "Derbyshire", "39", 50))
        lines.append(pfa_line("2017/18", q, "Derbyshire", "39", 100))
        lines.append(pfa_line("2017/18", q, "Cumbria", "39", 200))
        lines.append(pfa_line("2017/18", q, "Dorset", "39", 25))
    _load(store, tmp_path, "pfa.csv", lines)
    _load(
        store,
        tmp_path,
        "population.csv",
        [
            MID_YEAR_HEADER,
            "Derbyshire,,force,2015,100000",
            "Cumbria,,force,2015,200000",
            "Dorset,,force,2015,100000",
        ],
    )
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[measure]]\nid = "tftp_on_last_year"\nextends = "theft_from_the_person"\n'
        'baseline = "previous_year"\ncomparator = ["Cumbria", "Dorset"]\n',
        encoding="utf-8",
    )
    measure = load_catalogue(plan).get("tftp_on_last_year")
    got = _rows(evaluate(store, [measure], period_ends=[MARCH_2018]).rows)
    derbyshire = got[("tftp_on_last_year", "Derbyshire")]
    assert derbyshire.value == pytest.approx(4.0)
    assert derbyshire.baseline_value == pytest.approx(2.0)
    assert derbyshire.change_beyond_chance is True
    assert derbyshire.population_year == 2015
    assert (derbyshire.rank, derbyshire.rank_of) == (2, 3)
    assert (
        got[("tftp_on_last_year", "Cumbria")].rank,
        got[("tftp_on_last_year", "Dorset")].rank,
    ) == (2, 1)
    assert derbyshire.comparator_mean == pytest.approx((4.0 + 1.0) / 2)
    # Exact Poisson interval for 400, scaled to per 1,000 of 100,000.
    assert derbyshire.interval_low is not None and derbyshire.interval_high is not None
    assert derbyshire.interval_low < 4.0 < derbyshire.interval_high
    assert math.isclose(derbyshire.interval_high - derbyshire.interval_low, 0.79, abs_tol=0.02)


def test_small_change_is_within_chance(
    store: duckdb.DuckDBPyConnection, tmp_path: Path, catalogue: Catalogue
) -> None:
    # 2018: 8 burglaries a month = 96; 2019: 100 (8 a month, 12 in December).
    # p = 2 P(X >= 100 | n=196, p=1/2) ~ 0.83: within chance.
    for year, extra in (("2018", 0), ("2019", 4)):
        for m in range(1, 13):
            month = f"{year}-{m:02d}"
            n = 8 + (extra if m == 12 else 0)
            lines = [STREET_HEADER] + [street_line(month, "Burglary", i) for i in range(n)]
            lines.append(street_line(month, "Anti-social behaviour", 0))
            _load(store, tmp_path, f"{month}-city-of-london-street.csv", lines)
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[measure]]\nid = "burglary_on_last_year"\nextends = "burglary_policeuk"\n'
        'baseline = "previous_year"\n',
        encoding="utf-8",
    )
    [row] = evaluate(
        store,
        [load_catalogue(plan).get("burglary_on_last_year")],
        areas=["City of London"],
        period_ends=[dt.date(2019, 12, 1)],
    ).rows
    assert (row.value, row.baseline_value, row.change) == (100, 96, 4)
    assert row.change_beyond_chance is False and row.like_for_like is True


def test_population_measure_and_financial_year_period(
    sample_store: duckdb.DuckDBPyConnection,
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[measure]]\nid = "residents"\ntitle = "Residents"\npriority = "Context"\n'
        'source = "population"\nkind = "count"\nunit = "count"\npolarity = "neutral"\n'
        'baseline = "none"\nnote = "Usual residents."\n\n'
        '[[measure]]\nid = "homicide_2017_18"\nextends = "homicide"\nperiod = "financial_year"\n'
        'baseline = "none"\n',
        encoding="utf-8",
    )
    catalogue = load_catalogue(plan)
    got = _rows(
        evaluate(
            sample_store,
            [catalogue.get("residents"), catalogue.get("homicide_2017_18")],
            areas=["West Midlands"],
            period_ends=[MARCH_2018],
        ).rows
    )
    residents = got[("residents", "West Midlands")]
    assert (residents.value, residents.population_year) == (
        census_by_force()["West Midlands"],
        2011,
    )
    homicide = got[("homicide_2017_18", "West Midlands")]
    assert (homicide.period, homicide.value) == (
        "2017/18",
        pfa_counts({"1/4.1/4.10/4.2"})["West Midlands"],
    )


def test_a_row_from_its_columns_is_the_row_from_its_fields() -> None:
    values: dict[str, object] = dict.fromkeys(TIDY_COLUMNS)
    values.update(
        measure="homicide",
        title="Homicide",
        area="West Midlands",
        period="12 months to March 2018",
        value=40.0,
        unit="count",
        complete=True,
        missing_months=(),
        like_for_like=True,
        note="",
    )
    row = MeasureRow.from_columns(values)
    assert row == MeasureRow(**values)  # type: ignore[arg-type]
    assert hash(row) == hash(MeasureRow(**values))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="value"):
        MeasureRow.from_columns({k: v for k, v in values.items() if k != "value"})
    with pytest.raises(ValueError, match="colour"):
        MeasureRow.from_columns({**values, "colour": "red"})
