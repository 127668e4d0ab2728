"""An offline map of incident locations, drawn from the data alone.

No tiles and no network: police.uk places each incident at an anonymised point, so the
map is those points, scaled to the area's bounding box, each a circle whose area grows
with the number of incidents placed there, with a scale bar. For orientation, each
area one level down (or each neighbouring area, on a neighbourhood's map) is outlined
by the convex hull of its own incident locations and named at its middle, the name a
link to its page: an outline of where incidents are placed, not an official boundary. Longitude is shrunk by the
cosine of the middle latitude so that distances east-west and north-south agree (an
equirectangular projection, fine at the size of a force or smaller).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from forcestat.store.drilldown import IncidentPoint

__all__ = ["Circle", "IncidentMap", "MapArea", "Outline", "convex_hull", "incident_map"]

KM_PER_DEGREE_LATITUDE = 111.32
_SCALE_STEPS_KM = (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    radius: float
    incidents: int


@dataclass(frozen=True)
class MapArea:
    """An area to outline: its name, page, incident locations (longitude, latitude),
    and whether it is the area the page is about."""

    code: str
    name: str
    href: str
    locations: tuple[tuple[float, float], ...]
    current: bool = False


@dataclass(frozen=True)
class Outline:
    """An area's outline as SVG polygon points ('' for fewer than three locations) and
    where its name goes."""

    name: str
    href: str
    points: str
    label_x: float
    label_y: float
    current: bool


def convex_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of ``points``, anticlockwise from the lowest-left point
    (Andrew's monotone chain); fewer than three distinct points are returned as they are.

    Example:
        >>> convex_hull([(0, 0), (2, 0), (1, 1), (2, 2), (0, 2)])
        [(0, 0), (2, 0), (2, 2), (0, 2)]
    """
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


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
    outlines: tuple[Outline, ...] = ()


def incident_map(
    points: Sequence[IncidentPoint],
    *,
    area_name: str,
    areas: Sequence[MapArea] = (),
    width: int = 640,
    max_height: int = 480,
) -> IncidentMap | None:
    """The map of ``points`` for ``area_name``, with ``areas`` outlined, or None when
    there are no points."""
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
    # A tall, narrow area gets a narrow frame (with room for the scale bar), not a wide
    # one with its points against the left edge; the points sit in the frame's middle.
    frame = max(round(span_x * px_per_km + 2 * pad), min(width, 240))
    largest = max(p.incidents for p in points)
    mid_lon = (min(lons) + max(lons)) / 2
    mid_lat_degrees = (min(lats) + max(lats)) / 2

    def x(lon: float) -> float:
        east_km = (lon - mid_lon) * math.cos(mid_lat) * KM_PER_DEGREE_LATITUDE
        return frame / 2 + east_km * px_per_km

    def y(lat: float) -> float:
        return height / 2 - (lat - mid_lat_degrees) * KM_PER_DEGREE_LATITUDE * px_per_km

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
    longest_bar = min(width / 4, frame - 2 * pad)
    scale_km = max((s for s in _SCALE_STEPS_KM if s * px_per_km <= longest_bar), default=0.1)
    scale_label = f"{round(scale_km * 1000)} m" if scale_km < 1 else f"{scale_km:g} km"
    total = sum(p.incidents for p in points)
    busiest = max(points, key=lambda p: p.incidents)
    description = (
        f"Map of {total:,} crimes in {area_name} at {len(points):,} anonymised police.uk "
        f"locations, spanning about {span_x:.1f} km east to west and {span_y:.1f} km north to "
        f"south. Larger circles mark locations with more crimes; the busiest location had "
        f"{busiest.incidents:,}."
    )
    outlines = []
    for area in areas:
        if not area.locations:
            continue
        # SVG y grows downwards, so the hull is taken on the map's own coordinates.
        drawn = [(x(lon), y(lat)) for lon, lat in area.locations]
        hull = convex_hull(drawn)
        label_x = sum(p[0] for p in hull) / len(hull)
        label_y = sum(p[1] for p in hull) / len(hull)
        outlines.append(
            Outline(
                area.name,
                area.href,
                " ".join(f"{px:.1f},{py:.1f}" for px, py in hull) if len(hull) >= 3 else "",
                round(min(max(label_x, 45.0), frame - 45.0), 1),
                round(label_y, 1),
                area.current,
            )
        )
    if outlines:
        description += (
            f" Outlined: {len(outlines)} areas, each around its own incident locations "
            "(not official boundaries)."
        )
    return IncidentMap(
        frame,
        height,
        circles,
        round(scale_km * px_per_km, 1),
        scale_label,
        description,
        tuple(outlines),
    )
