"""An offline map of incident locations, drawn from the data alone.

No tiles and no network: police.uk places each incident at an anonymised point, so the
map is those points, scaled to the area's bounding box, each a circle whose area grows
with the number of incidents placed there, with a scale bar. Longitude is shrunk by the
cosine of the middle latitude so that distances east-west and north-south agree (an
equirectangular projection, fine at the size of a force or smaller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from forcestat.web.drilldown import IncidentPoint

__all__ = ["Circle", "IncidentMap", "incident_map"]

KM_PER_DEGREE_LATITUDE = 111.32
_SCALE_STEPS_KM = (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    radius: float
    incidents: int


@dataclass(frozen=True)
class IncidentMap:
    """What the template draws: an SVG ``width`` x ``height`` in pixels, the circles,
    a scale bar ``scale_px`` long standing for ``scale_label``, and a description."""

    width: int
    height: int
    circles: tuple[Circle, ...]
    scale_px: float
    scale_label: str
    description: str


def incident_map(
    points: Sequence[IncidentPoint], *, area_name: str, width: int = 640, max_height: int = 480
) -> IncidentMap | None:
    """The map of ``points`` for ``area_name``, or None when there are none."""
    if not points:
        return None
    pad = 16.0
    lons = [p.longitude for p in points]
    lats = [p.latitude for p in points]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    # Spans in kilometres, at least 200 m so a single location still has a frame.
    span_x = max((max(lons) - min(lons)) * math.cos(mid_lat) * KM_PER_DEGREE_LATITUDE, 0.2)
    span_y = max((max(lats) - min(lats)) * KM_PER_DEGREE_LATITUDE, 0.2)
    px_per_km = min((width - 2 * pad) / span_x, (max_height - 2 * pad) / span_y)
    height = round(span_y * px_per_km + 2 * pad)
    largest = max(p.incidents for p in points)

    def x(lon: float) -> float:
        return pad + (lon - min(lons)) * math.cos(mid_lat) * KM_PER_DEGREE_LATITUDE * px_per_km

    def y(lat: float) -> float:
        return pad + (max(lats) - lat) * KM_PER_DEGREE_LATITUDE * px_per_km

    # Largest first, so small circles are drawn on top and stay visible.
    circles = tuple(
        Circle(
            round(x(p.longitude), 1),
            round(y(p.latitude), 1),
            round(max(2.0, 14.0 * math.sqrt(p.incidents / largest)), 1),
            p.incidents,
        )
        for p in sorted(points, key=lambda p: -p.incidents)
    )
    scale_km = max((s for s in _SCALE_STEPS_KM if s * px_per_km <= width / 4), default=0.1)
    scale_label = f"{round(scale_km * 1000)} m" if scale_km < 1 else f"{scale_km:g} km"
    total = sum(p.incidents for p in points)
    busiest = max(points, key=lambda p: p.incidents)
    description = (
        f"Map of {total:,} crimes in {area_name} at {len(points):,} anonymised police.uk "
        f"locations, spanning about {span_x:.1f} km east to west and {span_y:.1f} km north to "
        f"south. Larger circles mark locations with more crimes; the busiest location had "
        f"{busiest.incidents:,}."
    )
    return IncidentMap(
        width, height, circles, round(scale_km * px_per_km, 1), scale_label, description
    )
