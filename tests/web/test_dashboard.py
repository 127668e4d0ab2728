"""What a reader sees: the scorecard's changes and variation, the measure page's headline,
ranked chart and rebase forms, the areas summary, published reports, the tracker's
linked measure. Figures are counted straight from the bundled files with csv and gzip."""

from __future__ import annotations

import csv
import gzip
import html
import itertools
import re

import pytest
from tests.web.conftest import ADMIN, EDITOR, FORCE, SAMPLE, VIEWER, Client, Site

from forcestat.web.incident_map import convex_hull

STREET = SAMPLE / "policeuk" / "street"


def _burglary(year: int, month: int) -> int:
    """police.uk 'Burglary' rows in one month of City of London's file."""
    path = STREET / f"{year}-{month:02d}-city-of-london-street.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return sum(1 for row in csv.DictReader(fh) if row["Crime type"] == "Burglary")


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    found, (y, m) = [], first
    while (y, m) <= last:
        found.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return found


def _burglary_total(first: tuple[int, int], last: tuple[int, int]) -> int:
    return sum(_burglary(y, m) for y, m in _months(first, last))


def _row(body: str, element_id: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" id="{element_id}">(.*?)</tr>', body, re.S)
    assert match, element_id
    return match.group(1)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# ---- scorecard ------------------------------------------------------------------------


def test_the_scorecard_gives_the_change_on_the_baseline_with_its_direction(
    client: Client,
) -> None:
    # 12 months to June 2021 against the national baseline, the 12 months to June 2019.
    now = _burglary_total((2020, 7), (2021, 6))
    baseline = _burglary_total((2018, 7), (2019, 6))
    pct = 100 * (now - baseline) / baseline
    row = _text(
        _row(client.get(f"/forces/{FORCE}?period=2021-06").body, "measure-burglary_policeuk")
    )
    assert f"{now:,} offences" in row
    assert f"{pct:+.1f}%" in row
    # Burglary is lower-is-better: a fall is better, or within chance; never worse.
    assert pct < 0 and ("Better" in row or "Within chance" in row) and "Worse" not in row


def test_the_scorecard_reads_the_latest_month_of_the_chart(client: Client) -> None:
    # The chart to March 2018 runs January 2017 to March 2018 (15 months). Its limits are
    # the mean +/- 2.66 x the mean moving range; March 2018 is above the upper limit with
    # or without screening out the large moving ranges, so for a lower-is-better
    # measure it is special cause concern.
    values = [_burglary(y, m) for y, m in _months((2017, 1), (2018, 3))]
    mean = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    mr_bar = sum(ranges) / len(ranges)
    screened = [r for r in ranges if r <= 3.267 * mr_bar]
    for moving_range in (mr_bar, sum(screened) / len(screened)):
        assert values[-1] > mean + 2.66 * moving_range
    row = _text(
        _row(client.get(f"/forces/{FORCE}?period=2018-03").body, "measure-burglary_policeuk")
    )
    assert "Concerning" in row
    # A quarterly measure has no monthly chart, and says so.
    homicide = _text(_row(client.get(f"/forces/{FORCE}?period=2018-03").body, "measure-homicide"))
    assert "no monthly chart" in homicide


def test_a_measure_without_a_value_says_why_across_the_row(client: Client) -> None:
    body = client.get("/forces/west-midlands").body
    row = _row(body, "measure-burglary_policeuk")
    assert 'colspan="5"' in row
    assert "Not available. No police.uk street-level crime data loaded for West Midlands." in (
        _text(row)
    )
    assert "missing_months" not in body  # the engine's column name is not for readers


def test_the_period_hint_says_what_is_loaded_for_the_force(client: Client) -> None:
    # The sample: police.uk months 2017-01 to 2021-12, the Home Office table of 2017/18.
    body = client.get(f"/forces/{FORCE}").body
    assert (
        "Loaded for City of London: police.uk months January 2017 to December 2021 and "
        "Home Office quarters of 2017/18."
    ) in body
    assert "Loaded for West Midlands: Home Office quarters of 2017/18." in (
        client.get("/forces/west-midlands").body
    )


# ---- measure page ---------------------------------------------------------------------


def test_the_headline_says_the_change_in_words(client: Client) -> None:
    now = _burglary_total((2021, 1), (2021, 12))
    baseline = _burglary_total((2018, 7), (2019, 6))
    pct = 100 * (now - baseline) / baseline
    body = client.get(f"/forces/{FORCE}/measures/burglary_policeuk?period=2021-12").body
    change = re.search(r'<p class="govuk-body-l" id="headline-change">(.*?)</p>', body, re.S)
    assert change
    assert _text(change.group(1)).startswith(
        f"{abs(pct):.1f}% lower than the 12 months to June 2019"
    )


def test_a_count_is_shown_whole_beside_its_headline(client: Client) -> None:
    # Counts are never rounded to three figures on the page: the baseline is the number
    # of neighbourhood crimes July 2018 to June 2019 (1,359 in the files, not 1,360).
    types = {"Burglary", "Robbery", "Vehicle crime", "Theft from the person"}
    baseline = 0
    for y, m in _months((2018, 7), (2019, 6)):
        path = STREET / f"{y}-{m:02d}-city-of-london-street.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            baseline += sum(1 for row in csv.DictReader(fh) if row["Crime type"] in types)
    page = client.get(f"/forces/{FORCE}/measures/neighbourhood_crime_policeuk?period=2021-12")
    assert f"Baseline (12 months to June 2019) {baseline:,} offences" in _text(page.body)


def test_a_measure_with_no_data_shows_why_not_a_headline(client: Client) -> None:
    body = client.get("/forces/west-midlands/measures/burglary_policeuk").body
    assert 'id="headline-value"' not in body
    assert 'id="not-available"' in body
    assert '<span class="govuk-caption-l">West Midlands</span>' in body  # no dangling comma
    assert "No police.uk street-level crime data loaded for West Midlands." in body
    # A count: never set against other forces.
    assert 'id="no-ranking"' in body and "forcestat-ranked" not in body
    assert "Counts are not compared across forces" in body


def test_counts_are_not_ranked_and_rates_are(client: Client) -> None:
    count = client.get(f"/forces/{FORCE}/measures/homicide?period=2018-03").body
    assert "Counts are not compared across forces" in count
    assert 'id="forces"' not in count
    rate = client.get(f"/forces/{FORCE}/measures/homicide_rate?period=2018-03").body
    assert 'id="forces"' in rate


def test_the_ranked_chart_cuts_an_outlier_and_draws_the_group_mean(client: Client) -> None:
    # The dashboard's own force in the fixture is City of London with the Metropolitan
    # Police as its group; City of London's rates (a tiny resident population) are the
    # outlier that is cut.
    body = client.get(f"/forces/{FORCE}/measures/homicide_rate?period=2018-03").body
    values = [
        float(v.replace(",", ""))
        for v in re.findall(
            r'<td class="govuk-table__cell govuk-table__cell--numeric">([\d.,]+)</td></tr>', body
        )
    ]
    assert len(values) >= 5
    assert values[-1] > 3 * values[-2]  # the largest is over three times the next
    assert body.count('class="forcestat-cut"') == 1
    assert body.count("forcestat-bar--force") == 1
    assert body.count("forcestat-bar--group") == 1
    assert 'class="forcestat-mean"' in body


# ---- recording a rebase from the measure page ----------------------------------------

VEHICLE = f"/forces/{FORCE}/measures/vehicle_crime_policeuk"


def _rebase_form(client: Client, month: str, reason: str) -> dict[str, str]:
    return {
        "csrf_token": client.csrf_token(),  # the session's token, on every form
        "period": "2021-12",
        "month": month,
        "reason": reason,
    }


def test_an_editor_records_and_withdraws_a_rebase_and_both_are_audited(site: Site) -> None:
    editor = Client(site.url)
    editor.sign_in(*EDITOR)
    page = editor.get(VEHICLE + "?period=2021-12").body
    assert 'id="record-rebase"' in page and 'id="rebases"' not in page

    reason = "Vehicle crime unit <b>disbanded</b>"
    done = editor.post(VEHICLE + "/rebases", _rebase_form(editor, "2020-04", reason))
    assert done.status == 303
    assert done.headers["location"] == VEHICLE + "?period=2021-12#month-by-month"
    page = editor.get(VEHICLE + "?period=2021-12").body
    listed = re.search(r'<ul class="govuk-list" id="rebases">(.*?)</ul>', page, re.S)
    assert listed
    assert "From April 2020: Vehicle crime unit &lt;b&gt;disbanded&lt;/b&gt;" in listed.group(1)
    assert "recorded by editor@opcc.example" in listed.group(1)
    chart = editor.get(f"{VEHICLE}/chart.svg?period=2021-12").body
    assert "Limits recalculated" in chart

    # The same month again is refused with the reason, and nothing is added.
    again = editor.post(VEHICLE + "/rebases", _rebase_form(editor, "2020-04", "Twice"))
    assert again.status == 400 and "already rebased from 2020-04" in again.body

    match = re.search(r'action="[^"]*/rebases/(\d+)/withdraw"', page)
    assert match
    token = editor.csrf_token(VEHICLE)
    withdrawn = editor.post(
        f"{VEHICLE}/rebases/{match.group(1)}/withdraw",
        {"csrf_token": token, "period": "2021-12", "reason": "Recorded on the wrong measure"},
    )
    assert withdrawn.status == 303
    assert 'id="rebases"' not in editor.get(VEHICLE + "?period=2021-12").body

    log = _text(editor.get(f"/audit?entity=spc_rebase&id={match.group(1)}").body)
    assert "spc_rebase.record" in log and "spc_rebase.withdraw" in log
    assert "Recorded on the wrong measure" in log and "editor@opcc.example" in log


@pytest.mark.parametrize(
    ("month", "reason", "message"),
    [
        ("2020-13", "A reason", "Enter the month in the form YYYY-MM"),
        ("April", "A reason", "Enter the month in the form YYYY-MM"),
        ("2016-01", "A reason", "Choose a month after January 2017 and up to December 2021"),
        (
            "2017-02",
            "A reason",
            "February 2017 could not be drawn: it would leave fewer than 2 months before it",
        ),
        (
            "2021-12",
            "A reason",
            "December 2021 could not be drawn: this chart has fewer than 2 months from it",
        ),
        ("2020-04", "", "Say why the process changed in that month"),
        ("2020-04", "x" * 301, "Shorten the reason to 300 characters or fewer"),
    ],
)
def test_a_rebase_form_with_a_mistake_is_shown_again_with_the_problem(
    site: Site, month: str, reason: str, message: str
) -> None:
    editor = Client(site.url)
    editor.sign_in(*EDITOR)
    refused = editor.post(VEHICLE + "/rebases", _rebase_form(editor, month, reason))
    assert refused.status == 400
    assert message in html.unescape(refused.body)
    assert 'class="govuk-error-summary"' in refused.body
    assert f'value="{html.escape(month)}"' in refused.body  # the month is kept


def test_only_editors_with_the_forms_token_can_record_a_rebase(site: Site) -> None:
    anonymous = Client(site.url)
    refused = anonymous.post(VEHICLE + "/rebases", _rebase_form(anonymous, "2020-04", "Why"))
    assert refused.status == 403 and "Sign in to continue" in refused.body
    assert 'id="record-rebase"' not in anonymous.get(VEHICLE).body

    viewer = Client(site.url)
    viewer.sign_in(*VIEWER)
    refused = viewer.post(VEHICLE + "/rebases", _rebase_form(viewer, "2020-04", "Why"))
    assert refused.status == 403 and "You cannot do this" in refused.body
    assert 'id="record-rebase"' not in viewer.get(VEHICLE).body

    editor = Client(site.url)
    editor.sign_in(*EDITOR)
    form = _rebase_form(editor, "2020-04", "Why")
    form["csrf_token"] = "forged"
    assert editor.post(VEHICLE + "/rebases", form).status == 403
    # A rebase of another measure cannot be withdrawn through this one's address.
    token = editor.csrf_token(VEHICLE)
    other = editor.post(f"{VEHICLE}/rebases/1/withdraw", {"csrf_token": token, "reason": "No"})
    assert other.status == 404
    assert 'id="rebases"' not in editor.get(VEHICLE + "?period=2021-12").body


# ---- areas ----------------------------------------------------------------------------


def test_a_neighbourhood_page_sums_up_its_crimes_and_rate(client: Client) -> None:
    # City of London 001A (E01000001), 2021: crimes and ASB counted from the files;
    # 1,465 residents in the 2011 census table (data/sample/geography).
    crimes = asb = 0
    for month in range(1, 13):
        path = STREET / f"2021-{month:02d}-city-of-london-street.csv.gz"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["LSOA code"] == "E01000001":
                    asb += row["Crime type"] == "Anti-social behaviour"
                    crimes += row["Crime type"] != "Anti-social behaviour"
    body = client.get(f"/forces/{FORCE}/areas/E09000001/E01000001?period=2021-12").body
    summary = re.search(r'id="area-summary">(.*?)</dl>', body, re.S)
    assert summary
    text = _text(summary.group(1))
    assert f"Crimes {crimes:,}" in text
    assert f"Anti-social behaviour incidents {asb:,}" in text
    assert "Residents 1,465" in text
    assert f"Crimes per 1,000 residents {1000 * crimes / 1465:,.1f}" in text
    crumbs = _text(re.search(r'<ol class="govuk-breadcrumbs__list">(.*?)</ol>', body, re.S)[1])
    assert crumbs == "City of London scorecard Crime by area City of London City of London 001A"


def test_the_start_page_offers_areas_only_where_street_level_data_is_loaded(
    client: Client,
) -> None:
    body = client.get("/").body
    assert f'href="/forces/{FORCE}/areas"' in body
    assert 'href="/forces/west-midlands"' in body  # a scorecard from the Home Office table
    assert 'href="/forces/west-midlands/areas"' not in body


# ---- reports, errors, tracker ---------------------------------------------------------


def test_published_files_open_in_the_browser_or_download_and_nothing_else_is_served(
    site: Site,
) -> None:
    client = Client(site.url)
    listing = client.get("/reports").body
    assert 'href="/reports/city-of-london-2021-06-v1/report.html">HTML' in listing
    assert 'href="/reports/city-of-london-2021-06-v1/tables.xlsx" download>Excel tables' in (
        listing
    )
    report = client.get("/reports/city-of-london-2021-06-v1/report.html")
    assert report.status == 200 and report.body == "<h1>Statement</h1>"
    assert report.headers["content-disposition"].startswith("inline")
    assert "sandbox" in report.headers["content-security-policy"]
    table = client.get("/reports/city-of-london-2021-06-v1/tables.xlsx")
    assert table.headers["content-disposition"].startswith("attachment")
    for path in (
        "/reports/city-of-london-2021-06-v1/..%2F..%2Fweb.duckdb",
        "/reports/..%2Fweb.duckdb",
        "/reports/city-of-london-2021-06-v1/publications.json",
        "/reports/city-of-london-2021-09/report.html",
        "/reports/no-such-folder/report.html",
    ):
        assert client.get(path).status == 404, path


def test_a_bad_period_links_to_the_same_page_without_it(client: Client) -> None:
    response = client.get(f"/forces/{FORCE}/areas?period=June")
    assert response.status == 400
    assert f'<a class="govuk-link" href="/forces/{FORCE}/areas">Show the latest period' in (
        response.body
    )


def test_a_tracker_entry_links_its_measure_by_title(site: Site) -> None:
    admin = Client(site.url)
    admin.sign_in(*ADMIN)
    form_page = admin.get("/milestones/new").body
    assert '<option value="burglary_policeuk">Burglary (police.uk proxy, monthly)</option>' in (
        form_page
    )
    created = admin.post(
        "/milestones",
        {
            "csrf_token": admin.csrf_token("/milestones/new"),
            "kind": "milestone",
            "parent_id": "",
            "title": "Burglary down 8% on the year",
            "lead": "Head of Neighbourhood Policing",
            "review_frequency": "monthly",
            "due_date": "",
            "measure_id": "burglary_policeuk",
            "target": "8% fewer burglaries than the previous year",
            "status": "off_track",
            "published": "yes",
        },
    )
    assert created.status == 303
    entry = Client(site.url).get(created.headers["location"]).body
    linked = re.search(r'id="linked-measure">(.*?)</dd>', entry, re.S)
    assert linked
    assert (
        f'<a class="govuk-link" href="/forces/{FORCE}/measures/burglary_policeuk">'
        "Burglary (police.uk proxy, monthly)</a>"
    ) in linked.group(1)
    assert '<strong class="govuk-tag govuk-tag--red">Off track</strong>' in entry


def test_the_convex_hull_keeps_only_the_outermost_points() -> None:
    # A 2 x 2 square with its centre and a point on an edge: the hull is the 4 corners.
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (1.0, 1.0), (1.0, 0.0)]
    assert convex_hull(square) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert convex_hull([(1.0, 1.0), (1.0, 1.0)]) == [(1.0, 1.0)]


def test_a_local_authority_map_outlines_and_links_each_neighbourhood(client: Client) -> None:
    # The City of London local authority has six 2011 neighbourhoods with crimes in 2021
    # (the table on the same page); each is outlined and named by what sets it apart.
    body = client.get(f"/forces/{FORCE}/areas/E09000001?period=2021-12").body
    svg = re.search(r'<svg class="forcestat-map".*?</svg>', body, re.S)
    assert svg
    assert svg.group(0).count('<polygon class="forcestat-outline"') == 6
    link = f'<a href="/forces/{FORCE}/areas/E09000001/E01000001?period=2021-12"><text'
    assert link in svg.group(0)
    assert '<text class="forcestat-area-name" ' in svg.group(0)
    assert ">001A</text>" in svg.group(0)
    # On a neighbourhood's own map, it is the highlighted outline and not a link.
    own = client.get(f"/forces/{FORCE}/areas/E09000001/E01000001?period=2021-12").body
    assert own.count("forcestat-outline--current") == 1
    assert f'href="/forces/{FORCE}/areas/E09000001/E01000001?period=2021-12"><text' not in own


def test_a_published_entry_under_a_draft_is_refused_at_save_with_the_reason(site: Site) -> None:
    editor = Client(site.url)
    editor.sign_in(*ADMIN)
    form = {
        "csrf_token": editor.csrf_token("/milestones/new"),
        "kind": "objective",
        "parent_id": "",
        "title": "A draft objective",
        "lead": "Chief Executive",
        "review_frequency": "quarterly",
        "due_date": "31/03/2025",
        "measure_id": "",
        "target": "",
        "status": "not_started",
    }
    created = editor.post("/milestones", form)
    assert created.status == 303
    draft_id = created.headers["location"].rsplit("/", 1)[-1]
    refused = editor.post(
        "/milestones",
        {
            **form,
            "kind": "deliverable",
            "parent_id": draft_id,
            "title": "Shown",
            "published": "yes",
        },
    )
    assert refused.status == 400
    assert (
        "A published entry cannot sit under the draft objective &#39;A draft objective&#39;"
        in refused.body
    )
    assert "publish the parent first, or keep this entry a draft" in refused.body


def test_the_registers_list_published_recommendations_to_visitors(site: Site) -> None:
    page = Client(site.url).get("/registers").body
    # The example register: 6 published recommendations and 1 draft (IA-2024-05).
    for ref in ("HMI-2023-01", "HMI-2023-02", "HMI-2024-01", "PCP-2024-03", "PCP-2024-07"):
        assert f"{ref}: " in page
    assert "IA-2024-02: " in page and "IA-2024-05" not in page
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--m">HMICFRS inspection' in page
    )
    signed_in = Client(site.url)
    signed_in.sign_in(*ADMIN)
    assert "IA-2024-05: " in signed_in.get("/registers").body
