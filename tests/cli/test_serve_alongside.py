"""The dashboard and the command line at the same time, as real processes.

'forcestat serve' runs as a subprocess on a copy of a small store (police.uk street
crime for City of London, 2017 to 2020). While a bounded stream of requests reads the
dashboard, 'forcestat user add', 'forcestat ingest' of the twelve months of 2021 and
'forcestat report' run, and an editor saves a milestone through the dashboard during the
load. Then: no request failed, the scorecard shows the new months (and never a part of
the load), and the milestone is kept.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.web.conftest import GOVUK_FRONTEND, Client

from conftest import REPO, STREET
from forcestat.ingest.load import ingest_path
from forcestat.store.database import open_store

FORCE = "city-of-london"
EDITOR = ("loader-editor@opcc.example", "an editor password 11")
PAGES = (
    f"/forces/{FORCE}",
    f"/forces/{FORCE}/measures/burglary_policeuk",
    "/",
    "/milestones",
)
LOADED = re.compile(r"police\.uk months January 2017 to (\w+ \d{4})")


def _forcestat(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from forcestat.cli import main; main()", *args],
        cwd=cwd,
        env=_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    con = open_store(path)
    for year in ("2017", "2018", "2019", "2020"):
        for file in sorted(STREET.glob(f"{year}-*-city-of-london-street.csv.gz")):
            ingest_path(con, file)
    con.close()
    return path


@pytest.fixture
def served(small_store: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if not (GOVUK_FRONTEND / "govuk-frontend.min.css").is_file():
        pytest.skip("govuk-frontend is not installed in node_modules; run 'make setup'")
    store = tmp_path / "forcestat.duckdb"
    shutil.copyfile(small_store, store)
    (tmp_path / "forcestat.toml").write_text('force = "City of London"\n', encoding="utf-8")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from forcestat.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--store",
            str(store),
        ],
        cwd=tmp_path,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if Client(url).get("/").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the dashboard did not start within 60 s")
        yield url, store
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


class _Stream:
    """Requests one after another over the pages until told to stop (at most 5,000)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.results: list[tuple[str, int, str]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        host = self.url.removeprefix("http://")
        i = 0
        while not self.stop.is_set() and i < 5000:
            path = PAGES[i % len(PAGES)]
            conn = http.client.HTTPConnection(host, timeout=60)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read().decode("utf-8", "replace")
                self.results.append((path, response.status, body))
            except OSError as exc:
                self.results.append((path, 0, str(exc)))
            finally:
                conn.close()
            i += 1


def test_loads_and_reports_run_while_the_dashboard_serves(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    url, store = served
    before = LOADED.search(Client(url).get(f"/forces/{FORCE}").body)
    assert before and before.group(1) == "December 2020"
    stream = _Stream(url)
    stream.thread.start()
    try:
        added = _forcestat(
            "user", "add", EDITOR[0], "--role", "editor", "--password-stdin",
            "--store", str(store), cwd=tmp_path, stdin=EDITOR[1] + "\n",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr

        new_months = tmp_path / "2021"
        new_months.mkdir()
        for file in STREET.glob("2021-*-city-of-london-street.csv.gz"):
            shutil.copy(file, new_months / file.name)
        loading = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from forcestat.cli import main; main()",
                "ingest",
                str(new_months),
                "--store",
                str(store),
            ],
            cwd=tmp_path,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # An editor saves a milestone through the dashboard while the load runs.
        editor = Client(url)
        assert editor.sign_in(*EDITOR).status == 303
        saved = editor.post(
            "/milestones",
            {
                "csrf_token": editor.csrf_token("/milestones/new"),
                "kind": "milestone",
                "parent_id": "",
                "title": "Saved during the load",
                "lead": "Head of Analysis",
                "review_frequency": "monthly",
                "due_date": "",
                "measure_id": "",
                "target": "",
                "status": "on_track",
                "published": "yes",
            },
        )
        assert saved.status == 303, saved.body[:500]
        _, err = loading.communicate(timeout=600)
        assert loading.returncode == 0, err

        reported = _forcestat(
            "report", "--period", "2021-12", "--no-pdf", "--out", str(tmp_path / "out"),
            "--store", str(store), cwd=tmp_path,
        )  # fmt: skip
        assert reported.returncode == 0, reported.stderr
        assert (tmp_path / "out").is_dir()

        # The dashboard shows the new months within a few seconds of the load ending.
        shown = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = LOADED.search(Client(url).get(f"/forces/{FORCE}").body)
            shown = found.group(1) if found else None
            if shown == "December 2021":
                break
            time.sleep(0.2)
        assert shown == "December 2021"
        time.sleep(1)  # a little more traffic on the new snapshot
    finally:
        stream.stop.set()
        stream.thread.join(timeout=120)

    assert len(stream.results) >= len(PAGES)
    failed = [(path, status) for path, status, _ in stream.results if status != 200]
    assert failed == []
    # Each scorecard showed the store before the load or after it, never part of it.
    seen = {
        m.group(1)
        for path, _, body in stream.results
        if path == PAGES[0] and (m := LOADED.search(body))
    }
    assert seen <= {"December 2020", "December 2021"}
    tracker = Client(url).get("/milestones").body
    assert "Saved during the load" in tracker
