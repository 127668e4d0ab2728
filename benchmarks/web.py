"""Benchmark: a bounded burst of concurrent requests to the dashboard on localhost.

Loads the bundled sample into a temporary store, starts the real server (uvicorn, one
process) on 127.0.0.1 at a free port, warms each page once, then sends ``--requests``
GET requests, ``--concurrency`` at a time, shared between the scorecard, a measure page
and the areas page, and prints requests/s with p50/p95 latency per page and overall.
Traffic goes to the loopback address only, and the run stops by itself.

    python benchmarks/web.py                       # 500 requests, 20 concurrent
    python benchmarks/web.py --requests 200 --concurrency 10
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

from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store
from forcestat.web.app import create_app
from forcestat.web.settings import WebSettings, find_govuk_frontend

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PAGES = {
    "overview": "/forces/city-of-london?period=2021-06",
    "measure": "/forces/city-of-london/measures/burglary_policeuk?period=2021-06",
    "areas": "/forces/city-of-london/areas?period=2021-06",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    if not 1 <= args.concurrency <= 100 or not 1 <= args.requests <= 10_000:
        parser.error("keep the burst bounded: 1-10,000 requests, 1-100 at a time")

    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.duckdb"
        con = open_store(store)
        ingest_path(con, SAMPLE)
        con.close()
        app = create_app(
            WebSettings(store=store, govuk_frontend=find_govuk_frontend(), force="City of London")
        )
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        if not server.started:
            print("the server did not start", file=sys.stderr)
            return 1
        try:
            for path in PAGES.values():  # warm: the first request computes and caches
                status, _ = _get(port, path)
                if status != 200:
                    print(f"{path}: HTTP {status}", file=sys.stderr)
                    return 1
            names = list(PAGES)
            plan = [names[i % len(names)] for i in range(args.requests)]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                results = list(pool.map(lambda name: (name, *_get(port, PAGES[name])), plan))
            elapsed = time.perf_counter() - started
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    failures = [r for r in results if r[1] != 200]
    print(
        f"{args.requests} requests, {args.concurrency} concurrent, one server process, "
        f"{elapsed:.2f} s: {args.requests / elapsed:,.0f} requests/s"
    )
    for name in [*names, "all"]:
        latencies = [r[2] * 1000 for r in results if name in ("all", r[0])]
        print(
            f"  {name:<8} n={len(latencies):>4}  p50 {statistics.median(latencies):7.1f} ms  "
            f"p95 {_percentile(latencies, 0.95):7.1f} ms"
        )
    if failures:
        print(f"{len(failures)} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
