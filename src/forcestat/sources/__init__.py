"""Source adapters: one module per published layout, and the registry of them all."""

from __future__ import annotations

from forcestat.sources.layout import Layout
from forcestat.sources.policeuk import OUTCOMES, STOP_AND_SEARCH, STREET

__all__ = ["LAYOUTS", "Layout", "layout_by_name"]

# Order matters only for error hints; every layout's header is distinct.
LAYOUTS: tuple[Layout, ...] = (STREET, OUTCOMES, STOP_AND_SEARCH)


def layout_by_name(name: str) -> Layout:
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)
