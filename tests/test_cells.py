"""Which text a spreadsheet would read as a formula, and how CSV writers neutralise it."""

from __future__ import annotations

import pytest

from forcestat.cells import csv_cell, looks_like_formula


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "=",
        "-",
        "+44 121 000 0000",  # not a number as a spreadsheet reads one: quoted
    ],
)
def test_formula_like_text_is_quoted(text: str) -> None:
    assert looks_like_formula(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["-3.2", "+5.0%", "-1,234", "-2e5", "-.5", "Burglary", "E01000001", "", "a=b", -3.2, -7, None],
)
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert csv_cell(value) == value
