"""Benchmark: every catalogue measure, for every force, for every month it can be answered.

Three ways over the same files from the bundled sample (Home Office 2017/18 force table,
City of London police.uk street and stop-and-search files, census 2011 through the LSOA
lookup):

- forcestat: ``ingest_path`` of those files into a store, then ``evaluate``;
- pandas: a plain script reading the CSV files into data frames and doing the same sums;
- raw DuckDB: tables made from ``read_csv`` of the same files, window sums by hand-written SQL.

Each computes, for every count, rate and proportion measure in the national catalogue
and the plan example, the value for every force and every period end month whose
window is complete (12 months; 36 for the pooled homicide rate). The three answers are
computed once and checked against one another before anything is timed. Then two
timings, each the median of ``--rounds`` runs, with forcestat's time as a ratio of each:

- measures: from data already loaded (forcestat's store, pandas' data frames, DuckDB's
  tables) to the answer: forcestat's whole tidy table, the others' values;
- end to end: reading the files as well (forcestat's ingest into a fresh store with its
  checks, rejects and provenance, then ``evaluate``).

The race is not even, and the run prints by how much. pandas and raw DuckDB compute the
values of complete windows and nothing else. forcestat's ``evaluate`` computes the same
values and the rest of the tidy table around them:

- a row for every (measure, force, period end) asked for, complete or not: an
  incomplete window lists its missing months, a period the source cannot answer (part
  of a Home Office quarter) or a force without data says why;
- for each value, its 95% interval: exact Poisson (Garwood) for counts and rates, found
  by Newton steps on the incomplete gamma function, or Wilson for proportions;
- the baseline window (the year before, or the fixed national baseline), the change and
  per cent change, and for each change an exact test of whether it is beyond chance
  (conditional binomial for counts and rates, Newcombe's interval for proportions),
  with classification changes checked between the two windows;
- rank among the territorial forces and the comparator mean, where the measure has
  them; the target and whether it is met; the population year and notes.

The exact Poisson intervals are kept by count (``poisson_interval`` is memoised); the
memo is emptied before every forcestat round, so each is timed as a first run.

    python benchmarks/measures.py
    python benchmarks/measures.py --rounds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from forcestat.forces import FORCES
from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import PLAN_EXAMPLE, Filter, Kind, Measure, Source, load_catalogue
from forcestat.measures.engine import MeasureTable, evaluate
from forcestat.measures.stats import poisson_interval
from forcestat.months import add_months
from forcestat.store.database import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PFA = SAMPLE / "homeoffice" / "prc-pfa-mar2013-onwards-tables201718.csv.gz"
LOOKUP = SAMPLE / "geography" / "PoliceforceLSOA.csv.gz"
CENSUS = SAMPLE / "geography" / "census_2011_population_hh.csv.gz"
STREET_FOLDER = SAMPLE / "policeuk" / "street"
STOPS_FOLDER = SAMPLE / "policeuk" / "stop-and-search"
STREET = sorted(STREET_FOLDER.glob("*.csv.gz"))
STOPS = sorted(STOPS_FOLDER.glob("*.csv.gz"))
NO_ACTION = ("A no further action disposal", "Nothing found - no further action")

Key = tuple[str, str, dt.date]  # measure, force, last month of the window
Answer = dict[Key, float]

HO_NAME = {f.home_office_name: f.name for f in FORCES}
POLICEUK_NAME = {f.policeuk_name: f.name for f in FORCES}
SLUG_NAME = {f.slug: f.name for f in FORCES}


def measures() -> list[Measure]:
    catalogue = load_catalogue(PLAN_EXAMPLE)
    return [m for m in catalogue.measures if m.source not in (Source.SURVEY, Source.POPULATION)]


# --- forcestat ---------------------------------------------------------------------


def build_store(work: Path) -> Path:
    """A fresh store holding the files the other two read, and nothing more."""
    path = work / f"sample-{time.monotonic_ns()}.duckdb"
    con = open_store(path)
    try:
        for target in (PFA, LOOKUP, CENSUS, STREET_FOLDER, STOPS_FOLDER):
            ingest_path(con, target)
    finally:
        con.close()
    return path


def forcestat_table(store: Path) -> MeasureTable:
    """``evaluate`` of every measure for every force and month, as a first run would be."""
    poisson_interval.cache_clear()  # no intervals kept from an earlier round
    con = open_store(store, read_only=True)
    try:
        ends = [add_months(dt.date(2017, 1, 1), i) for i in range(60)]  # every month held
        return evaluate(con, measures(), period_ends=ends)
    finally:
        con.close()


def run_forcestat(store: Path) -> Answer:
    return forcestat_values(forcestat_table(store))


def forcestat_values(table: MeasureTable) -> Answer:
    return {
        (r.measure, r.area, r.period_end.replace(day=1)): r.value
        for r in table.rows
        if r.value is not None and r.period_end is not None
    }


def run_forcestat_end_to_end(work: Path) -> Answer:
    store = build_store(work)
    try:
        return run_forcestat(store)
    finally:
        store.unlink()


# --- pandas --------------------------------------------------------------------------


def _keep(frame: pd.DataFrame, f: Filter, source: Source) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    if source is Source.HOME_OFFICE:
        if f.offence_codes is not None:
            keep &= frame["code"].isin(f.offence_codes)
        if f.exclude_offence_groups:
            keep &= ~frame["group"].isin(f.exclude_offence_groups)
    elif source is Source.POLICEUK_CRIMES:
        if f.crime_types is None:
            keep &= frame["type"] != "Anti-social behaviour"
        else:
            keep &= frame["type"].isin(f.crime_types)
    else:
        if f.outcomes is not None:
            keep &= frame["outcome"].isin(f.outcomes)
        if f.exclude_outcomes:
            keep &= ~frame["outcome"].isin(f.exclude_outcomes)
        if f.outcome_recorded:
            keep &= frame["outcome"].notna()
    return keep


@dataclass(frozen=True)
class Frames:
    ho: pd.DataFrame
    crimes: pd.DataFrame
    stops: pd.DataFrame
    population: pd.Series


def pandas_frames() -> Frames:
    """The files read into data frames with the columns the sums need."""
    ho = pd.read_csv(PFA, dtype=str).apply(lambda c: c.str.strip())
    ho = pd.DataFrame(
        {
            "area": ho["Force Name"].map(HO_NAME),
            "start": pd.to_datetime(ho["Financial Year"].str[:4] + "-04-01"),
            "quarter": ho["Financial Quarter"].astype(int),
            "code": ho["Offence Code"],
            "group": ho["Offence Group"],
            "n": ho["Number of Offences"].astype(int),
        }
    ).dropna(subset=["area"])
    ho["unit"] = [
        s + pd.DateOffset(months=3 * (q - 1))
        for s, q in zip(ho["start"], ho["quarter"], strict=True)
    ]
    street = pd.concat((pd.read_csv(f, dtype=str) for f in STREET), ignore_index=True)
    crimes = pd.DataFrame(
        {
            "area": street["Reported by"].map(POLICEUK_NAME),
            "unit": pd.to_datetime(street["Month"] + "-01"),
            "type": street["Crime type"],
        }
    )
    stops = pd.concat(
        (
            pd.read_csv(f, dtype=str).assign(
                area=SLUG_NAME[f.name[8:].removesuffix("-stop-and-search.csv.gz")],
                unit=pd.Timestamp(f.name[:7] + "-01"),
            )
            for f in STOPS
        ),
        ignore_index=True,
    ).rename(columns={"Outcome": "outcome"})
    lookup = pd.read_csv(LOOKUP, dtype=str)
    census = pd.read_csv(CENSUS, dtype=str, usecols=[6, 9], header=0, names=["lsoa", "persons"])
    census["persons"] = census["persons"].str.replace(",", "").astype(int)
    merged = lookup.merge(census, left_on="LSOA Code", right_on="lsoa")
    population = merged.groupby("Police_force")["persons"].sum()
    return Frames(ho, crimes, stops, population)


def pandas_measures(frames: Frames) -> Answer:
    """Every measure from the data frames: filters, sums by unit, rolling windows."""
    population = frames.population
    answer: Answer = {}
    for m in measures():
        frame = {Source.HOME_OFFICE: frames.ho, Source.POLICEUK_CRIMES: frames.crimes}.get(
            m.source, frames.stops
        )
        base = _keep(frame, m.filter, m.source)
        num = base & (_keep(frame, m.numerator_filter, m.source) if m.numerator_filter else True)
        if m.source is Source.HOME_OFFICE:
            # a quarter is present when rows of these offences exist for it
            present = frame[base].groupby(["unit", "area"]).size()
            step, freq = 3, "QS-JAN"
        else:
            present = frame.groupby(["unit", "area"]).size()
            step, freq = 1, "MS"
        weight = frame.get("n", 1)
        numer = (frame.assign(w=weight * num)).groupby(["unit", "area"])["w"].sum()
        trials = (frame.assign(w=weight * base)).groupby(["unit", "area"])["w"].sum()
        units = pd.date_range(frame["unit"].min(), frame["unit"].max(), freq=freq)
        if present.empty:
            continue
        wide_n = numer.reindex(present.index).unstack().reindex(units)
        wide_t = trials.reindex(present.index).unstack().reindex(units)
        window = 12 * m.pool_years // step
        sum_n = wide_n.rolling(window, min_periods=window).sum()
        sum_t = wide_t.rolling(window, min_periods=window).sum()
        for unit, row in sum_n.iterrows():
            end = (unit + pd.DateOffset(months=step - 1)).date()
            for area, value in row.items():
                if math.isnan(value):
                    continue
                if m.kind is Kind.PROPORTION:
                    trials_value = sum_t.at[unit, area]
                    if trials_value > 0:
                        answer[(m.id, str(area), end)] = value / trials_value
                elif m.kind is Kind.RATE:
                    persons = population.get(str(area))
                    if persons:
                        answer[(m.id, str(area), end)] = (
                            value / (persons * m.pool_years) * m.unit.per
                        )
                else:
                    answer[(m.id, str(area), end)] = float(value)
    return answer


def run_pandas_end_to_end() -> Answer:
    return pandas_measures(pandas_frames())


# --- raw DuckDB --------------------------------------------------------------------


def _quote(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _where(f: Filter, source: Source) -> str:
    parts = ["TRUE"]
    if source is Source.HOME_OFFICE:
        if f.offence_codes is not None:
            parts.append(f"code IN ({_quote(f.offence_codes)})")
        if f.exclude_offence_groups:
            parts.append(f"grp NOT IN ({_quote(f.exclude_offence_groups)})")
    elif source is Source.POLICEUK_CRIMES:
        types = f.crime_types
        parts.append(
            "type <> 'Anti-social behaviour'" if types is None else f"type IN ({_quote(types)})"
        )
    else:
        if f.outcomes is not None:
            parts.append(f"outcome IN ({_quote(f.outcomes)})")
        if f.exclude_outcomes:
            parts.append(f"coalesce(outcome NOT IN ({_quote(f.exclude_outcomes)}), TRUE)")
        if f.outcome_recorded:
            parts.append("outcome IS NOT NULL")
    return " AND ".join(parts)


def duckdb_tables() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the files read into the tables the SQL needs."""
    con = duckdb.connect()
    names = ", ".join(f"('{a.replace(chr(39), chr(39) * 2)}', '{b}')" for a, b in HO_NAME.items())
    con.execute(f"CREATE TABLE ho_names(source, area) AS VALUES {names}")
    con.execute(
        'CREATE TABLE ho AS SELECT n.area, CAST(make_date(CAST(left(trim("Financial Year"), 4) AS INT), 4, 1) '
        '+ to_months(3 * (CAST(trim("Financial Quarter") AS INT) - 1)) AS DATE) AS unit, '
        'trim("Offence Code") AS code, trim("Offence Group") AS grp, '
        'CAST(trim("Number of Offences") AS BIGINT) AS n '
        'FROM read_csv(?, all_varchar = true, header = true) r JOIN ho_names n ON trim(r."Force Name") = n.source',
        [str(PFA)],
    )
    con.execute(
        "CREATE TABLE crimes AS SELECT 'City of London' AS area, "
        'CAST("Month" || \'-01\' AS DATE) AS unit, "Crime type" AS type, 1 AS n '
        "FROM read_csv(?, all_varchar = true, header = true, union_by_name = true) "
        "WHERE \"Reported by\" = 'City of London Police'",
        [[str(f) for f in STREET]],
    )
    con.execute(
        "CREATE TABLE stops AS SELECT 'City of London' AS area, "
        "CAST(left(parse_filename(filename), 7) || '-01' AS DATE) AS unit, "
        '"Outcome" AS outcome, 1 AS n '
        "FROM read_csv(?, all_varchar = true, header = true, union_by_name = true, filename = true)",
        [[str(f) for f in STOPS]],
    )
    con.execute(
        "CREATE TABLE population AS SELECT l.Police_force AS area, "
        "sum(CAST(replace(c.column09, ',', '') AS BIGINT)) AS persons "
        "FROM read_csv(?, all_varchar = true, header = true) l "
        "JOIN read_csv(?, all_varchar = true, header = true, names = "
        "['c0','c1','c2','c3','c4','c5','lsoa','c7','c8','column09','c10','c11','c12','c13','c14','c15']) c "
        'ON c.lsoa = l."LSOA Code" WHERE l.Police_force IS NOT NULL GROUP BY ALL',
        [str(LOOKUP), str(CENSUS)],
    )
    return con


def duckdb_measures(con: duckdb.DuckDBPyConnection) -> Answer:
    """Every measure by hand-written SQL over the tables of ``duckdb_tables``."""
    answer: Answer = {}
    for m in measures():
        table = {Source.HOME_OFFICE: "ho", Source.POLICEUK_CRIMES: "crimes"}.get(m.source, "stops")
        base = _where(m.filter, m.source)
        num = _where(m.numerator_filter, m.source) if m.numerator_filter else "TRUE"
        step = 3 if m.source is Source.HOME_OFFICE else 1
        units = 12 * m.pool_years // step
        presence = f"WHERE {base}" if m.source is Source.HOME_OFFICE else ""
        sql = f"""
            WITH series AS (
                SELECT area, unit, sum(n) FILTER (WHERE ({base}) AND ({num})) AS numer,
                       sum(n) FILTER (WHERE {base}) AS trials
                FROM {table} {presence} GROUP BY ALL),
            windows AS (
                SELECT area, unit,
                  sum(numer) OVER w AS numer, sum(trials) OVER w AS trials,
                  count(*) OVER w AS units
                FROM series
                WINDOW w AS (PARTITION BY area ORDER BY unit
                  RANGE BETWEEN INTERVAL {12 * m.pool_years - step} MONTH PRECEDING AND CURRENT ROW))
            SELECT w.area, CAST(w.unit + INTERVAL {step - 1} MONTH AS DATE),
                   w.numer, w.trials, p.persons
            FROM windows w LEFT JOIN population p USING (area)
            WHERE w.units = {units}"""
        for area, end, numer, trials, persons in con.execute(sql).fetchall():
            key = (m.id, area, end)
            if m.kind is Kind.PROPORTION and trials:
                answer[key] = numer / trials
            elif m.kind is Kind.RATE and persons:
                answer[key] = numer / (persons * m.pool_years) * m.unit.per
            elif m.kind is Kind.COUNT:
                answer[key] = float(numer)
    return answer


def run_duckdb_end_to_end() -> Answer:
    con = duckdb_tables()
    try:
        return duckdb_measures(con)
    finally:
        con.close()


# --- the run -------------------------------------------------------------------------


def timed(fn: Callable[[], Answer], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def disagreements(reference: Answer, answer: Answer) -> list[Key]:
    return sorted(
        k
        for k in set(reference) | set(answer)
        if k not in answer
        or k not in reference
        or not math.isclose(answer[k], reference[k], rel_tol=1e-9)
    )


def beyond_the_sums(table: MeasureTable) -> list[str]:
    """What forcestat's table holds besides the values the other two compute."""
    rows = table.rows
    valued = [r for r in rows if r.value is not None]
    proportions = {m.id for m in measures() if m.kind is Kind.PROPORTION}
    intervals = [r for r in valued if r.interval_low is not None]
    wilson = sum(1 for r in intervals if r.measure in proportions)
    tested = sum(1 for r in rows if r.change_beyond_chance is not None)
    return [
        f"forcestat's table has {len(rows):,} rows, one per (measure, force, period end):",
        f"  {len(valued):,} with a value, {len(rows) - len(valued):,} saying why not",
        f"  {len(intervals) - wilson:,} exact Poisson and {wilson:,} Wilson 95% intervals",
        f"  {sum(1 for r in valued if r.baseline_value is not None):,} changes on a baseline, "
        f"{tested:,} of them tested for chance",
        f"  {sum(1 for r in valued if r.rank is not None):,} ranks among forces, "
        f"{sum(1 for r in valued if r.comparator_mean is not None):,} comparator means, "
        f"{sum(1 for r in valued if r.target is not None):,} targets",
        "pandas and raw duckdb compute the values only",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="median of this many runs each")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="forcestat-bench-") as tmp:
        work = Path(tmp)
        store = build_store(work)
        frames = pandas_frames()
        tables = duckdb_tables()
        try:
            # The same numbers three ways, checked before anything is timed.
            table = forcestat_table(store)
            reference = forcestat_values(table)
            print(
                f"{len(measures())} measures, {len(reference):,} complete "
                "(measure, force, month) values"
            )
            for name, answer in (
                ("pandas", pandas_measures(frames)),
                ("raw duckdb", duckdb_measures(tables)),
            ):
                wrong = disagreements(reference, answer)
                if wrong:
                    print(
                        f"{name} disagrees with forcestat on {len(wrong)} values, e.g. {wrong[:3]}"
                    )
                    return 1
            print("forcestat, pandas and raw duckdb agree on every value")
            print("\n".join(beyond_the_sums(table)))
            stages = {
                "measures": {
                    "forcestat": lambda: run_forcestat(store),
                    "pandas": lambda: pandas_measures(frames),
                    "raw duckdb": lambda: duckdb_measures(tables),
                },
                "end to end": {
                    "forcestat": lambda: run_forcestat_end_to_end(work),
                    "pandas": run_pandas_end_to_end,
                    "raw duckdb": run_duckdb_end_to_end,
                },
            }
            for stage, runs in stages.items():
                seconds = {name: timed(fn, args.rounds) for name, fn in runs.items()}
                print(f"{stage} (median of {args.rounds}):")
                for name, value in seconds.items():
                    print(f"  {name:>11}: {value:7.3f} s")
                fs = seconds["forcestat"]
                print(f"  forcestat / pandas     = {fs / seconds['pandas']:.2f}x the time")
                print(f"  forcestat / raw duckdb = {fs / seconds['raw duckdb']:.2f}x the time")
        finally:
            tables.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
