"""Sensor sites projected for the SVG map (equirectangular, degrees to pixels)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

WIDTH, HEIGHT = 720, 360


@dataclass(frozen=True)
class MapPoint:
    sensor: Any
    x: float
    y: float
    css: str


def project(lat: float, lon: float) -> tuple[float, float]:
    return round((lon + 180.0) / 360.0 * WIDTH, 1), round((90.0 - lat) / 180.0 * HEIGHT, 1)


def map_points(sensors: Iterable[Any]) -> list[MapPoint]:
    points = []
    for sensor in sensors:
        x, y = project(sensor.latitude_deg, sensor.longitude_deg)
        css = "ssn" if sensor.is_us_ssn else "partner"
        points.append(MapPoint(sensor, x, y, f"{css} status-{sensor.status}"))
    return points


def graticule() -> dict[str, list[float]]:
    return {
        "meridians": [project(0, lon)[0] for lon in range(-150, 180, 30)],
        "parallels": [project(lat, 0)[1] for lat in range(-60, 90, 30)],
    }
