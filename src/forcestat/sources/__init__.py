"""Source adapters: one module per published layout, and the registry of them all."""

from __future__ import annotations

from forcestat.sources.homeoffice_prc import CSP_TABLE, PFA_TABLE
from forcestat.sources.layout import Layout
from forcestat.sources.offence_codes import OFFENCE_CODE_LOOKUP
from forcestat.sources.policeuk import OUTCOMES, STOP_AND_SEARCH, STREET
from forcestat.sources.population import (
    AREA_LOOKUP,
    CENSUS_2011_POPULATION,
    CENSUS_2021_TS001,
    MID_YEAR_POPULATION,
)

__all__ = ["LAYOUTS", "Layout", "layout_by_name"]

# Order matters only for error hints; every layout's header is distinct.
LAYOUTS: tuple[Layout, ...] = (
    STREET,
    OUTCOMES,
    STOP_AND_SEARCH,
    PFA_TABLE,
    CSP_TABLE,
    OFFENCE_CODE_LOOKUP,
    AREA_LOOKUP,
    CENSUS_2011_POPULATION,
    CENSUS_2021_TS001,
    MID_YEAR_POPULATION,
)


def layout_by_name(name: str) -> Layout:
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)
