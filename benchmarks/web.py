"""Benchmark: bursts of concurrent requests to the dashboard on localhost, cold and warm,
on the demo store and on a store of 10 million police.uk rows.

For each store: builds it in a temporary folder (the demo store from the bundled sample,
as 'forcestat demo' loads it; the big one is the demo store plus police.uk-shaped street
crime rows synthesised by DuckDB for the other 42 forces over ten years), times the
snapshot the dashboard reads, starts the real server (uvicorn, one process) on
127.0.0.1 at a free port, then sends a burst of ``--requests`` GET requests,
``--concurrency`` at a time, shared between the home page, the scorecard, a measure
page, its chart and the areas page: first cold (the first burst after the server
starts, which builds the configured force's main pages before it answers), then the same
burst warm, then both again for an earlier period, which nothing built in advance. Prints p50/p95/p99 latency for each burst, overall
and per page. Traffic goes to the loopback address only, and the run stops by itself.

    python benchmarks/web.py                        # both stores, 50 requests, 50 at once
    python benchmarks/web.py --stores demo          # the demo store only
    python benchmarks/web.py --rows 2000000         # a smaller big store
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import uvicorn

from forcestat.forces import FORCES
from forcestat.ingest.load import ingest_path
from forcestat.sources.policeuk import CURRENT_CRIME_TYPES
from forcestat.store.database import open_store
from forcestat.store.snapshot import publish_snapshot
from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings, find_govuk_frontend

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PAGES = {
    "home": "/",
    "overview": "/forces/city-of-london",
    "measure": "/forces/city-of-london/measures/burglary_policeuk",
    "chart": "/forces/city-of-london/measures/burglary_policeuk/chart.svg",
    "areas": "/forces/city-of-london/areas",
}
# The same pages for an earlier period: not built in advance, so built at the first ask.
EARLIER = {
    name: path + ("&" if "?" in path else "?") + "period=2021-06"
    for name, path in PAGES.items()
    if name != "home"
}
CRIME_TYPES = CURRENT_CRIME_TYPES
FIRST_SYNTHETIC_INGEST = 1_000_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def demo_store(folder: Path) -> Path:
    """The bundled sample loaded as 'forcestat demo' loads it."""
    store = folder / "demo.duckdb"
    con = open_store(store)
    ingest_path(con, SAMPLE)
    con.close()
    return store


def big_store(demo: Path, folder: Path, rows: int) -> Path:
    """The demo store plus ``rows`` synthesised police.uk street crime rows: the other
    42 territorial forces, 120 months (2012 to 2021), one ingest_log row per force and
    month as a real load of their files would write."""
    store = folder / "big.duckdb"
    store.write_bytes(demo.read_bytes())
    forces = [f.policeuk_name for f in FORCES if f.territorial and f.slug != "city-of-london"]
    con = open_store(store)
    con.execute("CREATE TEMP TABLE synth_forces (n INTEGER, name VARCHAR)")
    con.executemany("INSERT INTO synth_forces VALUES (?, ?)", list(enumerate(forces)))
    con.execute("CREATE TEMP TABLE synth_types (n INTEGER, crime_type VARCHAR)")
    con.executemany("INSERT INTO synth_types VALUES (?, ?)", list(enumerate(CRIME_TYPES)))
    groups = len(forces) * 120
    con.execute(
        f"""
        CREATE TEMP TABLE synth_groups AS
        SELECT {FIRST_SYNTHETIC_INGEST} + f.n * 120 + m AS ingest_id, f.name,
               (DATE '2012-01-01' + to_months(m::INTEGER))::DATE AS month
        FROM synth_forces f, range(120) t(m)
        """
    )
    con.execute(
        """
        INSERT INTO ingest_log
        SELECT ingest_id, 'synthetic/' || strftime(month, '%Y-%m') || '-' || name || '.csv',
               strftime(month, '%Y-%m') || '-' || name || '-street.csv',
               sha256(ingest_id::VARCHAR), '', 'policeuk_street', 0, 0, 0, 0, 0, [],
               now()::TIMESTAMP, 'benchmark'
        FROM synth_groups
        """
    )
    con.execute(
        f"""
        INSERT INTO crimes
        SELECT CASE WHEN t.crime_type = 'Anti-social behaviour' THEN NULL
                    ELSE md5(i::VARCHAR) END,
               g.month, g.name, g.name,
               -2.0 + (hash(i) % 1000) / 1000.0, 52.0 + (hash(i + 1) % 1000) / 1000.0,
               'On or near Synthetic Street',
               'E01' || lpad(((i * 7) % 30000)::VARCHAR, 6, '0'),
               'Synthetic ' || ((i * 7) % 30000)::VARCHAR,
               t.crime_type, 'Under investigation', NULL,
               g.ingest_id, i // {groups} + 2
        FROM range({rows}) r(i)
        JOIN synth_groups g ON g.ingest_id = {FIRST_SYNTHETIC_INGEST} + i % {groups}
        JOIN synth_types t ON t.n = (i * 7919) % {len(CRIME_TYPES)}
        """
    )
    con.execute(
        "UPDATE ingest_log SET rows_read = n, rows_loaded = n FROM "
        "(SELECT ingest_id AS id, count(*) AS n FROM crimes "
        f"WHERE ingest_id >= {FIRST_SYNTHETIC_INGEST} GROUP BY ingest_id) c "
        "WHERE ingest_log.ingest_id = c.id"
    )
    con.close()
    return store


def snapshot_seconds(store: Path) -> float:
    """How long publishing the dashboard's snapshot of the store takes."""
    con = open_store(store)
    try:
        started = time.perf_counter()
        publish_snapshot(con, store)
        return time.perf_counter() - started
    finally:
        con.close()


def _burst(
    port: int, pages: dict[str, str], requests: int, concurrency: int
) -> list[tuple[str, int, float]]:
    names = list(pages)
    plan = [names[i % len(names)] for i in range(requests)]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(lambda name: (name, *_get(port, pages[name])), plan))


def _report(label: str, results: list[tuple[str, int, float]], elapsed: float) -> None:
    print(f"  {label}: {len(results)} requests in {elapsed:.2f} s")
    for name in [*PAGES, "all"]:
        ms = [r[2] * 1000 for r in results if name in ("all", r[0])]
        if not ms:
            continue
        print(
            f"    {name:<8} n={len(ms):>4}  p50 {statistics.median(ms):7.1f} ms  "
            f"p95 {_percentile(ms, 0.95):7.1f} ms  p99 {_percentile(ms, 0.99):7.1f} ms"
        )


def bench(store: Path, label: str, requests: int, concurrency: int) -> int:
    """Serve ``store`` and send the cold burst, then the warm one. Returns failures."""
    size_mb = store.stat().st_size / 1e6
    print(
        f"{label}: {size_mb:,.0f} MB store, snapshot published in {snapshot_seconds(store):.2f} s"
    )
    started = time.perf_counter()
    app = create_app(
        WebSettings(store=store, govuk_frontend=find_govuk_frontend(), force="City of London")
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 600
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        print("the server did not start", file=sys.stderr)
        return 1
    print(f"  started in {time.perf_counter() - started:.1f} s (building the main pages)")
    failures = 0
    phases = (
        ("cold: first burst after start", PAGES),
        ("warm: the same burst again", PAGES),
        ("cold, earlier period (not built in advance)", EARLIER),
        ("warm, earlier period", EARLIER),
    )
    try:
        for phase, pages in phases:
            started = time.perf_counter()
            results = _burst(port, pages, requests, concurrency)
            _report(phase, results, time.perf_counter() - started)
            failures += sum(1 for r in results if r[1] != 200)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the big store")
    parser.add_argument("--stores", choices=("demo", "big", "both"), default="both")
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 100 or not 1 <= args.requests <= 10_000:
        parser.error("keep the burst bounded: 1-10,000 requests, 1-100 at a time")
    if not 1 <= args.rows <= 50_000_000:
        parser.error("keep the big store bounded: at most 50 million rows")
    print(f"{args.requests} requests, {args.concurrency} at a time, one server process")
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        demo = demo_store(Path(folder))
        if args.stores in ("demo", "both"):
            failures += bench(demo, "demo store", args.requests, args.concurrency)
        if args.stores in ("big", "both"):
            started = time.perf_counter()
            big = big_store(demo, Path(folder), args.rows)
            built = time.perf_counter() - started
            print(f"(big store: {args.rows:,} synthesised rows added in {built:.0f} s)")
            failures += bench(big, f"{args.rows:,}-row store", args.requests, args.concurrency)
    if failures:
        print(f"{failures} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
