"""End to end in a real browser against the real server: read, follow, download, sign in,
update the Plan tracker, see the update and its audit entry, sign out and fail to edit."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import (
    DEMO_PLAN,
    EDITOR,
    FORCE,
    SAMPLE,
    VIEWER,
    Client,
    Site,
    axe_violations,
)

from forcestat.sources.plan_files import read_plan_file


def _lsoa_counts_2021(lsoa_code: str) -> tuple[int, int]:
    """Crimes and ASB in one neighbourhood, January to December 2021, read straight from
    the bundled police.uk files with the csv module."""
    crimes = asb = 0
    for month in range(1, 13):
        path = SAMPLE / "policeuk" / "street" / f"2021-{month:02d}-city-of-london-street.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["LSOA code"] == lsoa_code:
                    if row["Crime type"] == "Anti-social behaviour":
                        asb += 1
                    else:
                        crimes += 1
    return crimes, asb


def _burglary_by_month(year: int) -> dict[str, int]:
    """police.uk 'Burglary' rows per month of ``year``, counted with the csv module."""
    counts = {}
    for month in range(1, 13):
        path = SAMPLE / "policeuk" / "street" / f"{year}-{month:02d}-city-of-london-street.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            counts[f"{year}-{month:02d}"] = sum(
                1 for row in csv.DictReader(fh) if row["Crime type"] == "Burglary"
            )
    return counts


def test_a_visitor_opens_the_overview_follows_a_measure_and_downloads_it(
    page: Any, site: Site, tmp_path: Path
) -> None:
    page.goto(f"{site.url}/forces/{FORCE}?period=2021-06")
    assert page.locator("h1").inner_text() == "Scorecard"
    page.get_by_role("link", name="Burglary (police.uk proxy, monthly)").click()
    page.wait_for_url(f"**/forces/{FORCE}/measures/burglary_policeuk?period=2021-06")
    by_month = _burglary_by_month(2021)
    # 12 months to June 2021: July to December 2020 plus January to June 2021.
    total = sum(_burglary_by_month(2020)[f"2020-{m:02d}"] for m in range(7, 13)) + sum(
        by_month[f"2021-{m:02d}"] for m in range(1, 7)
    )
    assert page.locator("#headline-value").inner_text() == f"{total:,}"
    page.get_by_text("Table of months").click()  # the 60 months are folded away
    june = page.locator("#months tbody tr").first
    assert june.locator("th").inner_text() == "June 2021"
    assert june.locator("td").first.inner_text() == str(by_month["2021-06"])
    chart = page.locator("img.forcestat-chart")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Months (CSV)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = {r[0]: r for r in csv.reader(io.StringIO(saved.read_text("utf-8")))}
    for m in range(1, 7):
        assert float(rows[f"2021-{m:02d}"][1]) == by_month[f"2021-{m:02d}"]


def test_a_visitor_drills_down_to_a_neighbourhood_and_downloads_the_table(
    page: Any, site: Site, tmp_path: Path
) -> None:
    page.goto(f"{site.url}/forces/{FORCE}/areas?period=2021-12")
    assert page.locator("h1").inner_text() == "City of London: crime by area"
    page.locator("table").get_by_role("link", name="City of London", exact=True).click()
    page.wait_for_url(f"**/forces/{FORCE}/areas/E09000001?period=2021-12")
    row = page.locator("tr", has=page.get_by_role("link", name="City of London 001A"))
    crimes, asb = _lsoa_counts_2021("E01000001")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == f"{crimes:,}"
    assert cells[1] == f"{asb:,}"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    by_code = {r[0]: r for r in csv.reader(io.StringIO(saved.read_text("utf-8")))}
    assert by_code["E01000001"][2] == str(crimes)
    assert by_code["E01000001"][3] == str(asb)

    page.get_by_role("link", name="City of London 001A").click()
    assert page.locator("svg.forcestat-map circle").count() > 0


def test_an_editor_updates_the_tracker_and_after_signing_out_cannot(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/milestones/{site.published_milestone}")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/milestones/{site.published_milestone}")
    assert "Signed in as editor@opcc.example" in page.content()

    # Add a progress update and see it.
    note = "Hub staffed from 1 March; cameras in the Square Mile connected."
    page.get_by_label("Date of update").fill("2024-03-01")
    page.get_by_label("Status").select_option("at_risk")
    page.get_by_label("Progress").fill(note)
    page.get_by_role("button", name="Add update").click()
    updates = page.locator("#progress-updates")
    assert note in updates.inner_text()
    assert "1 March 2024: At risk (by editor@opcc.example)" in updates.inner_text()

    # See its audit entry: who, what, before and after.
    page.goto(f"{site.url}/audit?entity=milestone&id={site.published_milestone}")
    entries = page.locator("#audit-log tbody tr", has_text=note)
    assert entries.count() == 1
    entry = entries.first.inner_text()
    assert "editor@opcc.example" in entry
    assert "milestone.progress" in entry
    assert "on_track → at_risk" in entry

    # Sign out, and fail to edit.
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{site.url}/milestones/{site.published_milestone}")
    assert page.get_by_role("button", name="Add update").count() == 0
    response = page.goto(f"{site.url}/milestones/{site.published_milestone}/edit")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Sign in to continue"


def test_an_editor_records_a_suggested_rebase_from_the_measure_page(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/sign-in")
    page.get_by_label("Email address").fill(EDITOR[0])
    page.get_by_label("Password").fill(EDITOR[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/")
    measure = f"{site.url}/forces/{FORCE}/measures/theft_from_the_person_policeuk?period=2021-12"
    page.goto(measure)
    suggestion = page.locator("#suggested-rebases a").first
    month_name = suggestion.inner_text().removeprefix("Record a rebase from ")
    suggestion.click()
    form = page.locator("#record-rebase")
    assert form.get_attribute("open") is not None  # opened, with the month filled in
    assert page.get_by_label("First month of the new limits (YYYY-MM)").input_value() != ""
    page.get_by_label("Why the process changed then").fill("Pickpocketing team formed")
    page.get_by_role("button", name="Record rebase").click()
    listed = page.locator("#rebases").inner_text()
    assert f"From {month_name}: Pickpocketing team formed" in listed
    assert "recorded by editor@opcc.example" in listed
    # And withdraw it again, so other tests see the chart as it was.
    page.get_by_text("Withdraw this rebase").click()
    page.get_by_label("Why is it withdrawn?").fill("Recorded to test the form")
    page.get_by_role("button", name="Withdraw rebase").click()
    assert page.locator("#rebases").count() == 0


@pytest.mark.parametrize(
    "path",
    [
        f"/forces/{FORCE}?period=2021-06",
        f"/forces/{FORCE}/measures/homicide_rate?period=2018-03",
        f"/forces/{FORCE}/areas/E09000001?period=2021-12",
        "/data",
        "/milestones",
        "/registers",
    ],
)
def test_pages_fit_a_phone_screen(browser: Any, site: Site, path: str) -> None:
    # 375 px wide, as an iPhone SE: no page scrolls sideways; wide tables either
    # scroll inside their own box or become one card per row.
    context = browser.new_context(viewport={"width": 375, "height": 700})
    try:
        phone = context.new_page()
        phone.goto(site.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


PAGES = [
    "/",
    f"/forces/{FORCE}?period=2021-06",
    f"/forces/{FORCE}/measures/burglary_policeuk?period=2021-06",
    f"/forces/{FORCE}/measures/residential_burglary",
    "/forces/city-of-london/measures/no-such-measure",
    "/forces/west-midlands/measures/homicide_rate?period=2018-03",
    "/forces/west-midlands/measures/burglary_policeuk",
    f"/forces/{FORCE}/areas?period=2021-06",
    f"/forces/{FORCE}/areas/E09000001?period=2021-06",
    f"/forces/{FORCE}/areas/E09000001/E01000001?period=2021-06",
    "/data",
    "/reports",
    "/milestones",
    "/milestones?lead=Head+of+Contact&overdue=yes",
    "/registers",
    "/sign-in",
    "/forces/no-such-force/areas",
    f"/forces/{FORCE}/areas?period=June",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_public_page_has_no_serious_accessibility_violations(
    page: Any, site: Site, path: str
) -> None:
    page.goto(site.url + path)
    assert axe_violations(page) == []


def test_signed_in_pages_have_no_serious_accessibility_violations(page: Any, site: Site) -> None:
    from tests.web.conftest import ADMIN

    page.goto(f"{site.url}/sign-in")
    page.get_by_label("Email address").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/")
    for path in (
        "/users",
        "/audit",
        "/milestones",
        "/milestones/new",
        f"/milestones/{site.draft_milestone}",
        f"/milestones/{site.draft_milestone}/edit",
        f"/forces/{FORCE}/measures/burglary_policeuk?period=2021-12&rebase_month=2020-11",
    ):
        page.goto(site.url + path)
        assert axe_violations(page) == [], path


def _sign_in(page: Any, account: tuple[str, str]) -> None:
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Sign in").click()


def test_an_editor_walks_the_plan_tree_and_confirms_a_suggested_status(
    page: Any, site: Site
) -> None:
    plan = [r.values for r in read_plan_file(DEMO_PLAN).rows]
    o1_milestones = [
        r for r in plan
        if r["type"] == "milestone" and r["parent"].startswith("D1.")
    ]  # fmt: skip
    done = sum(1 for r in o1_milestones if r.get("status") == "complete")
    page.goto(f"{site.url}/milestones")
    objective = page.locator("#tracker-tree > ul > li", has_text="Fewer victims of crime")
    assert objective.count() == 1
    # O1's deliverables D1.1 to D1.4 hold 16 milestones, one of them complete in the file.
    assert (len(o1_milestones), done) == (16, 1)
    assert f"{done} of {len(o1_milestones)} milestones complete" in objective.first.inner_text()
    deliverable = objective.locator(":scope > ul > li", has_text="Reduce residential burglary")
    # D1.2: M1.2.1 to M1.2.5, M1.2.3 marked complete in the file, the others not started.
    progress = deliverable.first.locator(".forcestat-progress").first.inner_text()
    assert progress == "1 of 5 milestones complete, 4 not started"
    title = "Residential burglary 8% lower than the previous year"
    deliverable.get_by_role("link", name=title).click()
    assert page.locator("h1").inner_text() == title
    milestone_url = page.url

    # The suggestion's figure: police.uk burglaries in 2021, counted with the csv module.
    total_2021 = sum(_burglary_by_month(2021).values())
    total_2020 = sum(_burglary_by_month(2020).values())
    value = page.locator("#suggestion-value").inner_text()
    assert value == f"{total_2021:,} in the 12 months to December 2021"
    met = "met" if total_2021 <= total_2020 * 0.92 else "not met"
    assert f"{total_2020 * 0.92:,.0f}: {met}" in page.locator("#suggestion-figures").inner_text()
    suggested = page.locator("#suggested-status").inner_text()

    # A signed-in viewer sees the suggestion but no form to confirm it.
    _sign_in(page, VIEWER)
    page.wait_for_url(milestone_url)
    assert page.get_by_role("button", name="Confirm the suggested status").count() == 0
    page.get_by_role("button", name="Sign out").click()

    # An editor confirms it with a note.
    page.goto(milestone_url)
    _sign_in(page, EDITOR)
    page.wait_for_url(milestone_url)
    page.get_by_label("Note for the record").fill("Burglary figures reviewed at the board.")
    page.get_by_role("button", name="Confirm the suggested status").click()
    updates = page.locator("#progress-updates").inner_text()
    assert f"{suggested} (by editor@opcc.example); the data suggested" in updates
    assert "(confirmed)" in updates
    assert page.locator(".govuk-summary-list__value strong").first.inner_text() == suggested

    # The audit entry keeps the suggestion beside the decision.
    milestone_id = milestone_url.rsplit("/", 1)[-1]
    page.goto(f"{site.url}/audit?entity=milestone&id={milestone_id}")
    entry = page.locator("#audit-log tbody tr", has_text="Burglary figures reviewed").first
    text = entry.inner_text()
    assert "milestone.progress" in text and "editor@opcc.example" in text
    assert "suggested_status" in text and "suggests" in text

    # Filtering by lead keeps that lead's entries and the ones above them.
    page.goto(f"{site.url}/milestones")
    page.get_by_label("Lead").select_option("Head of Contact")
    page.get_by_role("button", name="Filter").click()
    tree = page.locator("#tracker-tree").inner_text()
    assert "Answer emergency and non-emergency calls quickly" in tree
    assert "90% of 999 calls answered within 10 seconds" in tree
    assert title not in tree


def test_a_viewer_cannot_post_a_status_even_with_a_valid_form(client: Client, site: Site) -> None:
    client.sign_in(*VIEWER)
    path = f"/milestones/{site.published_milestone}"
    token = client.csrf_token(path)
    form = {"csrf_token": token, "status": "complete", "update_date": "2024-03-01", "note": "x"}
    assert client.post(f"{path}/updates", form).status == 403
