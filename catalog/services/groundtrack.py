"""A ground track: the sub-satellite points of an element set over one or two orbits."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from catalog.astro.frames import WGS84_E2, teme_to_ecef
from catalog.astro.propagation import propagate_jd, satrec_array_from_elements, utc_to_jd_fr
from catalog.models import ElementSet

Point = tuple[float, float]


def ground_track(
    elset: ElementSet, *, start: dt.datetime | None = None, orbits: float = 2.0, points: int = 360
) -> list[list[Point]]:
    """(longitude, latitude) degree pairs from `start` (default: the epoch), split where the track
    crosses the antimeridian so each segment can be drawn as one polyline."""
    elements = elset.mean_elements()
    start = start or elset.epoch
    # A GEO object barely moves in two orbits' worth of ground; cap the span at two days.
    span_min = min(orbits * 1440.0 / elset.mean_motion, 2880.0)
    offsets = np.linspace(0.0, span_min * 60.0, points)
    times = np.datetime64(start.astimezone(dt.UTC).replace(tzinfo=None), "us") + (offsets * 1e6).astype(
        "timedelta64[us]"
    )
    jd, fr = utc_to_jd_fr(times)
    r, v, error = propagate_jd(satrec_array_from_elements([elements]), jd, fr)
    r_ecef, _ = teme_to_ecef(r[0], v[0], jd, fr)
    x, y, z = r_ecef[:, 0], r_ecef[:, 1], r_ecef[:, 2]
    lon = np.degrees(np.arctan2(y, x))
    # Geodetic latitude, one Bowring-style correction is plenty for drawing.
    p = np.hypot(x, y)
    lat = np.degrees(np.arctan2(z, p * (1.0 - WGS84_E2)))
    segments: list[list[Point]] = [[]]
    previous: float | None = None
    for ok, lo, la in zip(error[0] == 0, lon, lat, strict=True):
        if not ok or not (math.isfinite(lo) and math.isfinite(la)):
            previous = None
            if segments[-1]:
                segments.append([])
            continue
        if previous is not None and abs(lo - previous) > 180.0 and segments[-1]:
            segments.append([])
        segments[-1].append((round(float(lo), 2), round(float(la), 2)))
        previous = float(lo)
    return [segment for segment in segments if len(segment) > 1]


def svg_polylines(segments: list[list[Point]]) -> list[str]:
    """Polyline `points` attributes for an equirectangular 360 x 180 viewBox."""
    return [" ".join(f"{lon + 180.0:.2f},{90.0 - lat:.2f}" for lon, lat in segment) for segment in segments]
