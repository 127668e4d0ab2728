"""The 43 forces: every common spelling finds its force, a typo is answered with the
closest names, and each force has its own policing body from the shipped table."""

from __future__ import annotations

import pytest

from forcestat.errors import ForcestatError
from forcestat.forces import TERRITORIAL_FORCES, find_force, policing_bodies_source, policing_body


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("Avon & Somerset", "Avon and Somerset"),
        ("Devon & Cornwall", "Devon and Cornwall"),
        ("Met", "Metropolitan Police"),
        ("Metropolitan Police Service", "Metropolitan Police"),
        ("metropolitan", "Metropolitan Police"),
        ("Dyfed Powys", "Dyfed-Powys"),
        ("Kent Police", "Kent"),
        ("London, City of", "City of London"),
        ("Devon & Cornwall Police", "Devon and Cornwall"),
    ],
)
def test_common_spellings_find_the_force(spelling: str, name: str) -> None:
    assert find_force(spelling).name == name


def test_a_typo_is_answered_with_the_closest_names() -> None:
    with pytest.raises(ForcestatError) as caught:
        find_force("Merseysid")
    assert str(caught.value) == (
        "unknown force 'Merseysid'; did you mean 'Merseyside'? ('forcestat forces' lists them all)"
    )
    with pytest.raises(ForcestatError, match="did you mean 'Northumbria'"):
        find_force("Norhtumbria")


def test_every_force_has_its_own_policing_body_and_the_table_names_its_source() -> None:
    bodies = {f.name: policing_body(f.name) for f in TERRITORIAL_FORCES}
    assert len(bodies) == 43
    assert len({b.name for b in bodies.values()}) == 43
    assert bodies["Kent"].name == "Kent Police and Crime Commissioner"
    assert bodies["Metropolitan Police"].name == "Mayor's Office for Policing and Crime"
    assert bodies["City of London"].name == "City of London Police Authority Board"
    assert bodies["Essex"].kind == "pfcc"
    assert bodies["Greater Manchester"].kind == "mayor"
    assert bodies["West Yorkshire"].kind == "mayor"
    welsh = {f for f, b in bodies.items() if b.country == "Wales"}
    assert welsh == {"Dyfed-Powys", "Gwent", "North Wales", "South Wales"}
    assert "Police Reform and Social Responsibility Act 2011" in policing_bodies_source()
