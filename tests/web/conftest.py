"""Web fixtures: a real uvicorn server on 127.0.0.1 over a store loaded from the bundled
sample, a real Debian Chromium driven by Playwright (one per session), a plain HTTP
client for the security tests, and the axe-core accessibility check from npm.

Chromium runs with networking features off (the machine has no internet) and a fresh
profile. Without Chromium or the npm packages these tests are skipped on a developer's
machine and fail under CI, where 'make setup' installs both.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn

from forcestat.ingest.load import ingest_path
from forcestat.measures.catalogue import load_catalogue
from forcestat.sources.plan_files import read_plan_file
from forcestat.store.database import open_store
from forcestat.store.milestones import (
    Kind,
    MilestoneFields,
    ReviewFrequency,
    Status,
    create_milestone,
)
from forcestat.store.plan import load_plan
from forcestat.store.publications import Publication, add_publication
from forcestat.store.rebases import record_rebase
from forcestat.store.records import open_records
from forcestat.store.registers import load_register
from forcestat.store.users import Role, add_user
from forcestat.web.app import create_app
from forcestat.web.settings import GOVUK_FRONTEND_SHIPPED, WebSettings

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
GOVUK_FRONTEND = GOVUK_FRONTEND_SHIPPED
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PLAN = REPO / "data" / "plan" / "police_and_crime_plan.toml"
DEMO_REGISTER = REPO / "data" / "plan" / "recommendations.csv"

# Accounts the tests sign in with (passwords are test fixtures, nothing more).
ADMIN = ("admin@opcc.example", "admin password 0001")
EDITOR = ("editor@opcc.example", "editor password 0002")
VIEWER = ("viewer@opcc.example", "viewer password 0003")
THROTTLED = ("throttled@opcc.example", "throttled password 04")
FORCE = "city-of-london"


def _missing(what: str) -> None:
    message = f"{what}; run 'make setup' (npm ci and Debian chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Site:
    """The running server: its base URL, store file and reports folder."""

    url: str
    store: Path
    reports: Path
    published_milestone: int
    draft_milestone: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tracker_fields(title: str, published: bool) -> MilestoneFields:
    return MilestoneFields(
        kind=Kind.MILESTONE,
        parent_id=None,
        title=title,
        description="Open the shared CCTV monitoring hub with the City Corporation.",
        lead="Head of Neighbourhood Policing",
        review_frequency=ReviewFrequency.QUARTERLY,
        due_date=None,
        measure_id=None,
        target=None,
        status=Status.ON_TRACK,
        published=published,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not (GOVUK_FRONTEND / "govuk-frontend.min.css").is_file():
        _missing("GOV.UK Frontend is not shipped in the package")
    folder = tmp_path_factory.mktemp("web")
    store = folder / "web.duckdb"
    con = open_store(store)
    ingest_path(con, SAMPLE)
    con.close()
    con = open_records(store)
    for email, password in (ADMIN, EDITOR, VIEWER, THROTTLED):
        role = {ADMIN: Role.ADMIN, EDITOR: Role.EDITOR}.get((email, password), Role.VIEWER)
        add_user(con, email, password, role, actor="test fixture")
    published = create_milestone(con, _tracker_fields("CCTV hub open", True), actor="test fixture")
    draft = create_milestone(
        con, _tracker_fields("Draft: new custody suite", False), actor="test fixture"
    )
    known = {m.id for m in load_catalogue().measures}
    load_plan(con, read_plan_file(DEMO_PLAN), known_measures=known, actor="test fixture")
    load_register(con, read_plan_file(DEMO_REGISTER), actor="test fixture")
    record_rebase(
        con,
        measure_id="burglary_policeuk",
        area="City of London",
        month=dt.date(2020, 4, 1),
        reason="First national lockdown <b>closed</b> the offices",
        recorded_by="analyst@opcc.example",
    )
    con.close()
    reports = folder / "reports"
    # One published statement (as 'forcestat publish' records it), and files that were
    # never published: a draft folder and a stray file, neither listed nor served.
    (reports / "city-of-london-2021-06-v1").mkdir(parents=True)
    (reports / "city-of-london-2021-06-v1" / "report.html").write_text(
        "<h1>Statement</h1>", encoding="utf-8"
    )
    (reports / "city-of-london-2021-06-v1" / "tables.xlsx").write_bytes(b"PK tables")
    add_publication(
        reports,
        Publication(
            force="City of London",
            period_end=dt.date(2021, 6, 1),
            period_label="12 months to June 2021",
            title="Police and Crime Statement",
            version=1,
            published_on=dt.date(2021, 9, 14),
            signed_off_by="Chief Executive",
            signed_off_at=dt.datetime(2021, 9, 14, 10, 30),
            folder="city-of-london-2021-06-v1",
            files=("report.html", "tables.xlsx"),
        ),
    )
    (reports / "city-of-london-2021-09").mkdir()
    (reports / "city-of-london-2021-09" / "report.html").write_text(
        "<h1>Draft</h1>", encoding="utf-8"
    )
    (reports / "statement-2021-q4.html").write_text("<h1>Stray</h1>", encoding="utf-8")
    app = create_app(
        WebSettings(
            store=store,
            govuk_frontend=GOVUK_FRONTEND,
            reports=reports,
            force="City of London",
            most_similar_forces=("Metropolitan Police",),
        )
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for startup: at most 20 s
        if server.started:
            break
        time.sleep(0.1)
    assert server.started, "the dashboard server did not start"
    yield Site(
        f"http://127.0.0.1:{port}", store, reports, published.milestone_id, draft.milestone_id
    )
    server.should_exit = True
    thread.join(timeout=10)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Client:
    """A plain HTTP client keeping the session cookie, for requests a browser would not
    send (a form without its CSRF token, a crafted URL)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        host = self.base.removeprefix("http://")
        conn = http.client.HTTPConnection(host, timeout=30)
        headers = dict(headers or {})
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        raw = conn.getresponse()
        text = raw.read().decode("utf-8", "replace")
        found = {k.lower(): v for k, v in raw.getheaders()}
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return Response(raw.status, found, text)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self.request("POST", path, form)

    def csrf_token(self, path: str = "/sign-in") -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def sign_in(self, email: str, password: str) -> Response:
        token = self.csrf_token()
        return self.post(
            "/sign-in", {"csrf_token": token, "email": email, "password": password, "next": "/"}
        )


@pytest.fixture
def client(site: Site) -> Client:
    return Client(site.url)


@pytest.fixture(scope="session")
def browser(chromium: Any) -> Any:
    if not AXE.is_file():
        _missing("axe-core is not installed in node_modules")
    return chromium


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    # A fresh context per test: no cookies carried over. CSP is bypassed only so that
    # the test can inject axe-core; the pages' own scripts are all from the site.
    context = browser.new_context(accept_downloads=True, bypass_csp=True)
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it now stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
