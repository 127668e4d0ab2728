"""The generated paragraphs and the rounding rules, on worked examples."""

from __future__ import annotations

import dataclasses

import pytest

from forcestat.measures.reasons import reason_text
from forcestat.report.context import MeasureFigure
from forcestat.report.figures import (
    MINUS,
    format_change_pct,
    format_shown,
    format_significant,
    format_value,
    ordinal,
)
from forcestat.report.narrative import (
    change_clause,
    figure_paragraph,
    proxy_note,
    summary_point,
)

HOMICIDE = MeasureFigure(
    measure_id="homicide",
    title="Homicide",
    priority="Reduce murder and other homicide",
    source="home_office",
    unit="count",
    polarity="lower",
    period_label="12 months to June 2024",
    value=38.0,
    numerator=38,
    interval_low=26.9,
    interval_high=52.2,
    baseline_label="12 months to June 2019",
    baseline_value=52.0,
    change_pct=(38 - 52) / 52 * 100,  # -26.92%
    change_beyond_chance=False,
    like_for_like=True,
    previous_label="12 months to June 2023",
    previous_value=40.0,
    previous_change_pct=(38 - 40) / 40 * 100,  # -5.0%
    previous_beyond_chance=False,
    target=None,
    target_label=None,
    meets_target=None,
    comparator_mean=None,
    comparator_forces=(),
    rank=None,
    rank_of=None,
    population_year=None,
    proxy=False,
    note="Murder, manslaughter, infanticide and corporate manslaughter.",
    not_available=None,
)


HOMICIDE_RATE = dataclasses.replace(
    HOMICIDE,
    measure_id="homicide_rate",
    title="Homicide per million residents",
    unit="rate_per_1000000",
    value=38 / 2_900_000 * 1_000_000,  # 13.103 per million: 13.1
    comparator_mean=15.04,
    comparator_forces=("Greater Manchester", "Merseyside", "West Yorkshire"),
    rank=27,
    rank_of=39,
    rank_words="13th highest of 39 forces",  # 39 - 27 + 1
    national_value=11.7,
)


def test_the_paragraph_reads_as_an_official_paper() -> None:
    assert figure_paragraph(HOMICIDE, "West Midlands") == (
        "There were 38 homicides recorded in the 12 months to June 2024, compared with 52 "
        "in the 12 months to June 2019 baseline, a 27% reduction. Numbers this small vary "
        "by chance; the change is within normal variation. Compared with the previous year "
        "(12 months to June 2023: 40), a 5.0% reduction, within normal variation."
    )


def test_a_count_and_its_rate_share_one_paragraph() -> None:
    # The example: 38 homicides among 2,900,000 residents is 13.1 per million.
    # The count is not set beside other forces (they differ in size); its rate is.
    text = figure_paragraph(HOMICIDE, "West Midlands", rate=HOMICIDE_RATE)
    assert text.startswith(
        "There were 38 homicides recorded in the 12 months to June 2024, 13.1 per million "
        "residents, compared with 52 in the 12 months to June 2019 baseline, a 27% "
        "reduction. Numbers this small vary by chance; the change is within normal variation."
    )
    assert text.endswith(
        "The combined figure of the most similar forces (Greater Manchester, Merseyside and "
        "West Yorkshire) was 15.0 per million residents; for England and Wales it was 11.7 "
        "per million residents; West Midlands was 13th highest of 39 forces."
    )


def test_a_count_is_not_compared_with_other_forces() -> None:
    count = dataclasses.replace(
        HOMICIDE, comparator_mean=48.0, comparator_forces=("Greater Manchester",)
    )
    assert "most similar" not in figure_paragraph(count, "West Midlands")


def test_one_offence_reads_in_the_singular() -> None:
    one = dataclasses.replace(HOMICIDE, value=1.0, numerator=1, baseline_value=None)
    assert figure_paragraph(one, "X").startswith(
        "There was 1 homicide recorded in the 12 months to June 2024."
    )
    weapons = dataclasses.replace(one, title="Possession of weapons offences")
    assert figure_paragraph(weapons, "X").startswith(
        "There was 1 possession of weapons offence recorded"
    )


def test_a_missing_baseline_said_once_for_the_report_is_not_repeated() -> None:
    none_loaded = dataclasses.replace(
        HOMICIDE, baseline_value=None, change_pct=None, previous_value=None
    )
    assert "do not cover" in figure_paragraph(none_loaded, "X")
    assert figure_paragraph(
        none_loaded, "X", say_missing_baseline=False, say_missing_previous=False
    ) == ("There were 38 homicides recorded in the 12 months to June 2024.")


@pytest.mark.parametrize(
    ("engine", "printed"),
    [
        (
            "incomplete: 24 of 36 months of 3 years to March 2018 have no data loaded "
            "(2015-04 to 2017-03, see missing_months); a total would be understated",
            "24 of 36 months of the 3 years to March 2018 have no data loaded (April 2015 "
            "to March 2017); a total would be understated",
        ),
        (
            "the Home Office tables loaded hold no rows of these offences for City of London "
            "in 12 months to June 2021",
            "the Home Office tables loaded hold no rows of these offences for City of London "
            "in the 12 months to June 2021",
        ),
        (
            "a survey measure: no survey responses are loaded yet.",
            "a survey measure: no survey responses are loaded yet",
        ),
    ],
)
def test_the_engines_reasons_are_made_fit_to_print(engine: str, printed: str) -> None:
    assert reason_text(engine) == printed


def test_a_rate_with_its_comparators_rank_and_target() -> None:
    rate = dataclasses.replace(
        HOMICIDE,
        title="Residential burglary per 1,000 residents",
        unit="rate_per_1000",
        value=7.646740679,  # 20,925 offences / 2,736,460 residents x 1,000
        numerator=20925,
        baseline_value=None,
        change_pct=None,
        change_beyond_chance=None,
        previous_value=None,
        previous_change_pct=None,
        previous_label="12 months to March 2017",
        comparator_mean=8.345093,
        comparator_forces=("Greater Manchester", "Merseyside", "West Yorkshire"),
        rank=28,
        rank_of=39,
        rank_words="12th highest of 39 forces",  # 39 - 28 + 1
        target=7.2,
        target_label="8% fewer than the 12 months to March 2017",
        meets_target=False,
        period_label="12 months to March 2018",
    )
    assert figure_paragraph(rate, "West Midlands") == (
        "Residential burglary per 1,000 residents was 7.65 in the 12 months to March 2018 "
        "(20,925 offences). The data loaded do not cover the 12 months to June 2019 "
        "baseline, so no change on it can be given. The data loaded do not cover the "
        "previous year (12 months to March 2017). The target is 7.20 (8% fewer than the "
        "12 months to March 2017); it is not met. The combined figure of the most similar "
        "forces (Greater Manchester, Merseyside and West Yorkshire) was 8.35 per 1,000 "
        "residents; West Midlands was 12th highest of 39 forces."
    )


def test_a_large_change_beyond_chance_and_a_proxy() -> None:
    burglary = dataclasses.replace(
        HOMICIDE,
        title="Burglary (police.uk proxy, monthly)",
        value=124.0,
        numerator=124,
        baseline_value=305.0,
        change_pct=(124 - 305) / 305 * 100,  # -59.3%
        change_beyond_chance=True,
        previous_value=None,
        previous_change_pct=None,
        previous_label=None,
        proxy=True,
        note="Proxy for residential burglary: police.uk 'Burglary' includes business burglary.",
    )
    text = figure_paragraph(burglary, "City of London")
    assert text.startswith("There were 124 burglaries recorded")
    assert "a 59% reduction. The change is larger than chance alone would explain." in text
    assert text.endswith(
        "This figure is a police.uk proxy for residential burglary: police.uk 'Burglary' "
        "includes business burglary."
    )


def test_a_change_across_a_classification_change_is_not_tested() -> None:
    text = figure_paragraph(dataclasses.replace(HOMICIDE, like_for_like=False), "X")
    assert "no judgement on chance is made" in text
    assert "within normal variation. Compared" not in text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (-26.92, "a 27% reduction"),
        (8.04, "an 8.0% increase"),
        (11.4, "an 11% increase"),
        (18.0, "an 18% increase"),
        (80.2, "an 80% increase"),
        (110.0, "a 110% increase"),
        (1.46, "a 1.5% increase"),
        (0.04, "no change"),
    ],
)
def test_change_clause(change: float, words: str) -> None:
    assert change_clause(change) == words


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (14.982861, "15.0"),  # three significant figures keep the trailing zero
        (7.646740679, "7.65"),
        (1336.2, "1,340"),
        (0.012345, "0.0123"),
        (9.996, "10.0"),  # rounding carries into a new digit
    ],
)
def test_three_significant_figures(value: float, text: str) -> None:
    assert format_significant(value) == text


def test_values_changes_and_ordinals() -> None:
    assert format_value(20925.0, "count") == "20,925"
    assert format_value(0.8746, "proportion") == "87.5%"
    assert format_change_pct(-27.87) == MINUS + "28%"
    assert format_change_pct(4.33) == "+4.3%"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "112th",
    ]  # fmt: skip


def test_table_cells_are_rounded_as_their_unit() -> None:
    # A mean of counts (1,784 + 1,302 + 1,938) / 3 = 1,674.67 reads as a count: 1,675,
    # as the paragraph writes it, not 1,670 (three significant figures).
    assert format_shown((1784 + 1302 + 1938) / 3, "count") == "1,675"
    # The exact Poisson interval of 41 runs from 29.42 to 55.62: whole offences.
    assert format_shown(29.42, "count") == "29"
    assert format_shown(8.345093, "rate_per_1000") == "8.35"
    assert format_shown(87.46, "proportion") == "87.5"  # the table holds percentages
    assert format_shown(27, "rank") == "27"


def test_summary_lines() -> None:
    # 38 homicides, 13.1 per million; -26.9% on 52 (within normal variation), -5.0% on 40.
    assert summary_point(HOMICIDE, HOMICIDE_RATE) == (
        "Homicide: 38 (13.1 per million residents), down 27% on the baseline, within normal "
        "variation; down 5.0% on the previous year, within normal variation; 13th highest "
        "of 39 forces."
    )
    rate = dataclasses.replace(
        HOMICIDE_RATE,
        title="Residential burglary per 1,000 residents",
        unit="rate_per_1000",
        value=7.646740679,
        change_pct=None,
        baseline_value=None,
        previous_value=None,
        previous_change_pct=None,
    )
    # The unit is in the title: not said twice.
    assert summary_point(rate) == (
        "Residential burglary per 1,000 residents: 7.65, 13th highest of 39 forces."
    )


def test_proxy_note() -> None:
    assert proxy_note(
        "Burglary (police.uk proxy, monthly)",
        "Proxy for residential burglary: police.uk 'Burglary' includes business burglary.",
    ) == (
        "Burglary (police.uk proxy, monthly), a proxy for residential burglary: police.uk "
        "'Burglary' includes business burglary."
    )


def test_the_verb_agrees_with_the_measure() -> None:
    from forcestat.report.narrative import agreeing_verb

    assert agreeing_verb("Vehicle offences per 1,000 residents") == "were"
    assert agreeing_verb("Victims satisfied with the overall service") == "were"
    assert agreeing_verb("Residential burglary per 1,000 residents") == "was"
    assert agreeing_verb("Theft from the person per 1,000 residents") == "was"
    assert agreeing_verb("Stop and search: proportion with a positive outcome") == "was"
    assert agreeing_verb("Homicide per million residents") == "was"
