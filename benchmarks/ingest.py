"""Benchmark: loading police.uk street files with forcestat, raw DuckDB and pandas.

Builds a large input from the bundled real City of London months (each synthetic
month's file holds real rows from several real months, relabelled with the synthetic
month, so the data keep their real shape), then loads the same files three ways:

- forcestat: ``ingest_path`` into a fresh store (layout checks, rejects, provenance,
  one transaction per file);
- raw DuckDB: ``CREATE TABLE AS SELECT * FROM read_csv([...files])`` into a file;
- pandas: ``read_csv`` of each file, ``concat``, ``to_parquet``.

The three take turns, round after round, so that a busy machine slows them alike.
Prints each one's median time and rows/s (with the fastest and slowest round, to show
the noise), and forcestat's time as a multiple of the others'.

    python benchmarks/ingest.py              # 5 million rows (default), 3 rounds
    python benchmarks/ingest.py --rows 1000000 --rounds 5
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store

SAMPLE_STREET = Path(__file__).resolve().parents[1] / "data" / "sample" / "policeuk" / "street"


def make_input(folder: Path, rows: int, rows_per_file: int) -> list[Path]:
    """Write police.uk-shaped street files totalling ``rows`` data rows into ``folder``."""
    real: list[str] = []
    header = ""
    for f in sorted(SAMPLE_STREET.glob("*-street.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        header = lines[0]
        real.extend(lines[1:])
    files: list[Path] = []
    written, cursor, month_index = 0, 0, 0
    while written < rows:
        year, month = 2000 + month_index // 12, month_index % 12 + 1
        label = f"{year:04d}-{month:02d}"
        n = min(rows_per_file, rows - written)
        out = []
        for _ in range(n):
            fields = real[cursor % len(real)].split(",", 2)
            out.append(f"{fields[0]},{label},{fields[2]}")
            cursor += 1
        path = folder / f"{label}-city-of-london-street.csv"
        path.write_text(header + "\n" + "\n".join(out) + "\n", encoding="utf-8")
        files.append(path)
        written += n
        month_index += 1
    return files


def run_forcestat(files: list[Path], work: Path) -> int:
    store = work / "forcestat.duckdb"
    con = open_store(store)
    try:
        results = ingest_path(con, files[0].parent)
    finally:
        con.close()
    return sum(r.rows_loaded for r in results)


def run_duckdb(files: list[Path], work: Path) -> int:
    con = duckdb.connect(str(work / "raw.duckdb"))
    try:
        con.execute("CREATE TABLE crimes AS SELECT * FROM read_csv(?)", [[str(f) for f in files]])
        row = con.execute("SELECT count(*) FROM crimes").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def run_pandas(files: list[Path], work: Path) -> int:
    frame = pd.concat((pd.read_csv(f, dtype=str) for f in files), ignore_index=True)
    frame.to_parquet(work / "crimes.parquet")
    return len(frame)


def timed(fn: Callable[[list[Path], Path], int], files: list[Path]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="forcestat-bench-") as tmp:
        start = time.perf_counter()
        count = fn(files, Path(tmp))
        return time.perf_counter() - start, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--rows-per-file", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3, help="median of this many runs each")
    args = parser.parse_args(argv)

    runs: dict[str, Callable[[list[Path], Path], int]] = {
        "forcestat": run_forcestat,
        "raw duckdb": run_duckdb,
        "pandas": run_pandas,
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    with tempfile.TemporaryDirectory(prefix="forcestat-input-") as tmp:
        folder = Path(tmp)
        files = make_input(folder, args.rows, args.rows_per_file)
        size = sum(f.stat().st_size for f in files)
        print(f"input: {args.rows:,} rows in {len(files)} files, {size / 1e6:,.0f} MB")
        for _ in range(args.rounds):
            for name, fn in runs.items():
                seconds, count = timed(fn, files)
                if count != args.rows:
                    print(f"{name}: loaded {count:,} rows, expected {args.rows:,}", file=sys.stderr)
                    return 1
                times[name].append(seconds)
        shutil.rmtree(folder, ignore_errors=True)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(
            f"{name:>11}: {medians[name]:7.2f} s  {args.rows / medians[name]:12,.0f} rows/s"
            f"  (median of {len(t)}; rounds {min(t):.2f}-{max(t):.2f} s)"
        )
    fs = medians["forcestat"]
    print(f"forcestat / raw duckdb = {fs / medians['raw duckdb']:.2f}x the time")
    print(f"forcestat / pandas     = {fs / medians['pandas']:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
