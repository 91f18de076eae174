"""From observations and truth states to signed residual rows (one call, vectorised).

Observations of one sensor are arrays keyed by measurement type (``range``, ``azimuth``,
``elevation``, ``range_rate``, ``ra``, ``dec``; NaN where not measured) at their label times;
``r_teme``/``v_teme`` are the truth states at those times. The prediction applies what the
sensor's :class:`~catalog.astro.predict.Statement` says its data contain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from catalog.astro import predict
from catalog.astro.calibration_fit import Rows, rows_from
from catalog.astro.frames import GroundSite
from catalog.astro.orientation import EarthOrientation

RADAR_TYPES = ("range", "azimuth", "elevation", "range_rate")
OPTICAL_TYPES = ("azimuth", "elevation", "ra", "dec")


def predictions(
    kind: Literal["radar", "optical"],
    r_teme: ArrayLike,
    v_teme: ArrayLike,
    site: GroundSite,
    eo: EarthOrientation,
    statement: predict.Statement,
) -> dict[str, np.ndarray]:
    chosen = predict.radar if kind == "radar" else predict.optical
    p = chosen(r_teme, v_teme, site, eo, statement)
    return {
        "range": p.range_km,
        "azimuth": p.azimuth_deg,
        "elevation": p.elevation_deg,
        "range_rate": p.range_rate_km_s,
        "ra": p.ra_deg,
        "dec": p.dec_deg,
    }


def residual_rows(
    kind: Literal["radar", "optical"],
    observed: Mapping[str, ArrayLike],
    r_teme: ArrayLike,
    v_teme: ArrayLike,
    site: GroundSite,
    eo: EarthOrientation,
    statement: predict.Statement = predict.DEFAULT_STATEMENT,
    key: ArrayLike | None = None,
) -> tuple[Rows, dict[str, np.ndarray]]:
    """Rows for :func:`catalog.astro.calibration_fit.fit`, and the predictions used. `key`
    identifies each observation (its label time in microseconds)."""
    allowed = RADAR_TYPES if kind == "radar" else OPTICAL_TYPES
    unknown = set(observed) - set(allowed)
    if unknown:
        raise ValueError(f"a {kind} does not measure {', '.join(sorted(unknown))}")
    predicted = predictions(kind, r_teme, v_teme, site, eo, statement)
    rates = predict.rates(r_teme, v_teme, site, eo)
    rows = rows_from(dict(observed), predicted, rates, predicted["elevation"], predicted["dec"], key)
    return rows, predicted
