"""The land under the sensor map: Natural Earth's 1:110m land outline as world-atlas publishes
it (TopoJSON, installed from npm into static/vendor by `make static`).

Only the decoding is done here: TopoJSON stores each ring as shared arcs whose positions are
quantized and delta-encoded; a ring is its arcs joined end to start, a negative index (~i)
meaning arc i reversed. Without the file (no npm) the map is drawn without land.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders

LAND_FILE = "vendor/land-110m.json"

Ring = list[tuple[float, float]]


def _arcs(topology: dict[str, Any]) -> list[Ring]:
    transform = topology.get("transform")
    decoded: list[Ring] = []
    for arc in topology["arcs"]:
        if transform is None:
            decoded.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        ring: Ring = []
        for qx, qy, *_ in arc:
            x, y = x + qx, y + qy
            ring.append((x * kx + dx, y * ky + dy))
        decoded.append(ring)
    return decoded


def _ring(indexes: list[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining position: keep it once.
        points.extend(arc if not points else arc[1:])
    return points


def rings(topology: dict[str, Any], name: str = "land") -> list[Ring]:
    """Every ring (outer and hole) of the object `name`, as (longitude, latitude) degrees."""
    arcs = _arcs(topology)
    found: list[Ring] = []
    stack = [topology["objects"][name]]
    while stack:
        geometry = stack.pop()
        kind = geometry.get("type")
        if kind == "GeometryCollection":
            stack.extend(geometry["geometries"])
        elif kind == "Polygon":
            found.extend(_ring(r, arcs) for r in geometry["arcs"])
        elif kind == "MultiPolygon":
            found.extend(_ring(r, arcs) for polygon in geometry["arcs"] for r in polygon)
    return found


@functools.cache
def land_rings() -> tuple[Ring, ...]:
    path = finders.find(LAND_FILE)
    if not path:
        return ()
    topology = json.loads(Path(str(path)).read_text())
    return tuple(rings(topology))
