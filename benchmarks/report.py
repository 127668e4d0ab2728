"""Benchmark: the whole report for one force and period, stage by stage.

Loads the bundled sample into a fresh store once, then times, over several rounds:
building the context (measures, series, SPC, provenance), the HTML (charts drawn),
the PDF, and the XLSX, ODS and CSV exports. Prints the median of each stage.

    python benchmarks/report.py                                  # City of London, June 2021
    python benchmarks/report.py --force "West Midlands" --period 2018-03 --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from forcestat.config import load_config
from forcestat.ingest.load import ingest_path
from forcestat.measures.periods import parse_month
from forcestat.report.build import build_report
from forcestat.report.exports import csv_files, ods_bytes, xlsx_bytes
from forcestat.report.html import render_html
from forcestat.report.pdf import render_pdf
from forcestat.store.database import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", default="City of London")
    parser.add_argument("--period", default="2021-06", metavar="YYYY-MM")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    period_end = parse_month(args.period)
    config = load_config(None)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.duckdb"
        con = open_store(store)
        ingest_path(con, SAMPLE)
        timings: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            start = time.perf_counter()
            context = build_report(con, config, period_end=period_end, force=args.force)
            html_start = time.perf_counter()
            html = render_html(context)
            pdf_start = time.perf_counter()
            pdf = render_pdf(html)
            exports_start = time.perf_counter()
            xlsx_bytes(context), ods_bytes(context), csv_files(context)
            end = time.perf_counter()
            for stage, seconds in (
                ("context (measures, SPC)", html_start - start),
                ("HTML", pdf_start - html_start),
                ("PDF", exports_start - pdf_start),
                ("exports (XLSX, ODS, CSV)", end - exports_start),
            ):
                timings.setdefault(stage, []).append(seconds)
        con.close()
    print(f"Report for {args.force}, {context.period_label}: {args.rounds} round(s)")
    print(f"  HTML {len(html):,} bytes, PDF {len(pdf):,} bytes, {len(context.tables)} tables")
    total = 0.0
    for stage, values in timings.items():
        median = statistics.median(values)
        total += median
        print(f"  {stage:<28} {median:7.2f} s (median)")
    print(f"  {'whole report':<28} {total:7.2f} s")


if __name__ == "__main__":
    main()
