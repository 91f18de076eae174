"""Sensor sites projected for the SVG map (equirectangular, degrees to pixels), over the land
outline of `agreements.services.base_map`."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agreements.services import base_map

WIDTH, HEIGHT = 720, 360


DOT_RADIUS = 4.0
MAX_SPREAD = 8


@dataclass(frozen=True)
class MapPoint:
    sensor: Any
    x: float
    y: float
    css: str
    # Where the site really is, when the dot is drawn beside it to keep neighbours apart.
    site_x: float | None = None
    site_y: float | None = None


def project(lat: float, lon: float) -> tuple[float, float]:
    return round((lon + 180.0) / 360.0 * WIDTH, 1), round((90.0 - lat) / 180.0 * HEIGHT, 1)


def _groups(sites: list[tuple[float, float]], apart: float) -> list[list[int]]:
    """Indexes of sites whose dots would overlap, joined transitively."""
    parent = list(range(len(sites)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    cells: dict[tuple[int, int], list[int]] = {}
    for i, (xi, yi) in enumerate(sites):
        cx, cy = int(xi // apart), int(yi // apart)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in cells.get((cx + dx, cy + dy), ()):
                    xj, yj = sites[j]
                    if (xi - xj) ** 2 + (yi - yj) ** 2 < apart**2:
                        parent[root(i)] = root(j)
        cells.setdefault((cx, cy), []).append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(sites)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def map_points(sensors: Iterable[Any]) -> list[MapPoint]:
    """One dot per sensor. Sensors at one site (or near enough that their dots would hide each
    other) are drawn on a small ring around the site, each still its own link, so that none is lost
    under another."""
    sensors = list(sensors)
    sites = [project(sensor.latitude_deg, sensor.longitude_deg) for sensor in sensors]
    points: list[MapPoint] = []
    for group in _groups(sites, 2 * DOT_RADIUS + 0.5):
        group.sort(key=lambda i: (-sensors[i].latitude_deg, sensors[i].longitude_deg, sensors[i].pk))
        if len(group) == 1 or len(group) > MAX_SPREAD:
            # A crowd larger than a small ring is left in place; the table below lists it.
            points.extend(MapPoint(sensors[i], *sites[i], _css(sensors[i])) for i in group)
            continue
        cx = sum(sites[i][0] for i in group) / len(group)
        cy = sum(sites[i][1] for i in group) / len(group)
        ring = (DOT_RADIUS + 1.6) / math.sin(math.pi / len(group))
        for k, i in enumerate(group):
            angle = -math.pi / 2 + 2 * math.pi * k / len(group)
            x, y = round(cx + ring * math.cos(angle), 1), round(cy + ring * math.sin(angle), 1)
            points.append(MapPoint(sensors[i], x, y, _css(sensors[i]), *sites[i]))
    return points


def _css(sensor: Any) -> str:
    return f"{'ssn' if sensor.is_us_ssn else 'partner'} status-{sensor.status}"


def graticule() -> dict[str, Any]:
    meridians = range(-150, 180, 30)
    parallels = range(-60, 90, 30)
    return {
        "meridians": [project(0, lon)[0] for lon in meridians],
        "parallels": [project(lat, 0)[1] for lat in parallels],
        "meridian_labels": [(project(0, lon)[0], _degrees(lon, "E", "W")) for lon in meridians],
        "parallel_labels": [(project(lat, 0)[1], _degrees(lat, "N", "S")) for lat in parallels],
    }


def _degrees(value: int, positive: str, negative: str) -> str:
    if value == 0:
        return "0°"
    return f"{abs(value)}°{positive if value > 0 else negative}"


def _path(ring: base_map.Ring) -> str:
    points = [project(lat, lon) for lon, lat in ring]
    return "M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z"


@functools.cache
def land_path() -> str:
    """All land in one path, drawn even-odd so that the rings of seas and lakes stay water."""
    return "".join(_path(ring) for ring in base_map.land_rings())
