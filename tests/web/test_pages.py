"""Every page answers for every catalogue measure, with data and without."""

from __future__ import annotations

import pytest
from tests.web.conftest import Client

from forcestat.measures.catalogue import load_catalogue

MEASURES = [m.id for m in load_catalogue().measures]


@pytest.mark.parametrize("force", ["city-of-london", "west-midlands"])
@pytest.mark.parametrize("period", ["", "?period=2018-03", "?period=2021-06"])
def test_the_scorecard_lists_every_measure(client: Client, force: str, period: str) -> None:
    response = client.get(f"/forces/{force}{period}")
    assert response.status == 200
    for measure_id in MEASURES:
        assert f"/forces/{force}/measures/{measure_id}" in response.body


@pytest.mark.parametrize("measure_id", MEASURES)
def test_every_measure_page_answers(client: Client, measure_id: str) -> None:
    for force in ("city-of-london", "west-midlands"):
        for period in ("", "?period=2018-03", "?period=2021-06"):
            response = client.get(f"/forces/{force}/measures/{measure_id}{period}")
            assert response.status == 200, (force, period, response.body[-500:])


def test_the_data_page_counts_what_is_loaded(client: Client) -> None:
    # The bundled sample: 60 street files with 38,215 rows (data/sample/PROVENANCE.md).
    body = client.get("/data").body
    assert "38,215" in body
    assert "No rows were rejected." in body


def test_only_published_statements_are_listed_with_period_and_date(client: Client) -> None:
    from tests.web.conftest import VIEWER

    for signed_in in (False, True):
        if signed_in:
            client.sign_in(*VIEWER)
        listing = client.get("/reports").body
        assert "Police and Crime Statement: City of London" in listing
        assert "12 months to June 2021" in listing
        assert "14 September 2021" in listing
        # Never folder or file names; never a draft or a stray file.
        assert "city-of-london-2021-06-v1</" not in listing
        assert "city-of-london-2021-09" not in listing and "statement-2021-q4" not in listing
    assert client.get("/reports/city-of-london-2021-06-v1/report.html").body == (
        "<h1>Statement</h1>"
    )
    assert client.get("/reports/city-of-london-2021-09/report.html").status == 404
    assert client.get("/reports/statement-2021-q4.html").status == 404


def test_a_recorded_rebase_is_drawn_and_listed_with_who_and_why(client: Client) -> None:
    # The fixture records a rebase of City of London burglary from April 2020.
    page = client.get("/forces/city-of-london/measures/burglary_policeuk?period=2021-12")
    assert page.status == 200
    assert 'id="rebases"' in page.body
    assert "From April 2020: First national lockdown &lt;b&gt;closed&lt;/b&gt; the offices" in (
        page.body
    )
    assert "recorded by analyst@opcc.example" in page.body
    chart = client.get("/forces/city-of-london/measures/burglary_policeuk/chart.svg?period=2021-12")
    assert chart.status == 200 and "Limits recalculated" in chart.body
    # A chart that ends before the rebase has no split.
    earlier = client.get("/forces/city-of-london/measures/burglary_policeuk?period=2019-06")
    assert earlier.status == 200 and 'id="rebases"' not in earlier.body
    other = client.get("/forces/city-of-london/measures/robbery_policeuk?period=2021-12")
    assert 'id="rebases"' not in other.body
