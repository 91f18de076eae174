"""Observed-minus-predicted residuals and their summary statistics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

#: Measurement types whose residuals wrap at 360 deg.
WRAPPED_TYPES = frozenset({"azimuth_deg", "ra_deg"})
MEASUREMENT_TYPES = (
    "azimuth_deg",
    "elevation_deg",
    "range_km",
    "range_rate_km_s",
    "ra_deg",
    "dec_deg",
)


@dataclass(frozen=True)
class ResidualStats:
    """Summary of one measurement type's residuals (NaNs are skipped).

    ``bias`` is the mean, ``noise`` the sample standard deviation (ddof=1,
    NaN with fewer than two values), ``rms`` the root mean square.
    """

    count: int
    bias: float
    noise: float
    rms: float


def wrap_angle_deg(angle_deg: ArrayLike) -> FloatArray:
    """Map angles to [-180, 180)."""
    wrapped = np.mod(np.asarray(angle_deg, dtype=np.float64) + 180.0, 360.0) - 180.0
    # np.mod can round a tiny negative up to exactly 360.
    return np.where(wrapped >= 180.0, wrapped - 360.0, wrapped)


def angle_residual_deg(observed_deg: ArrayLike, predicted_deg: ArrayLike) -> FloatArray:
    """Observed minus predicted for angles that wrap at 360 deg, in [-180, 180)."""
    obs = np.asarray(observed_deg, dtype=np.float64)
    return wrap_angle_deg(obs - np.asarray(predicted_deg, dtype=np.float64))


def angular_separation_deg(
    lon1_deg: ArrayLike, lat1_deg: ArrayLike, lon2_deg: ArrayLike, lat2_deg: ArrayLike
) -> FloatArray:
    """Great-circle angle between two directions (deg), e.g. (RA, Dec) or (az, el).

    Uses the Vincenty form, which stays accurate for tiny and near-180 deg
    separations, unlike the plain arccos of a dot product.
    """
    lon1 = np.radians(np.asarray(lon1_deg, dtype=np.float64))
    lat1 = np.radians(np.asarray(lat1_deg, dtype=np.float64))
    lon2 = np.radians(np.asarray(lon2_deg, dtype=np.float64))
    lat2 = np.radians(np.asarray(lat2_deg, dtype=np.float64))
    dlon = lon2 - lon1
    s1, c1 = np.sin(lat1), np.cos(lat1)
    s2, c2 = np.sin(lat2), np.cos(lat2)
    num1 = c2 * np.sin(dlon)
    num2 = c1 * s2 - s1 * c2 * np.cos(dlon)
    den = s1 * s2 + c1 * c2 * np.cos(dlon)
    return np.degrees(np.arctan2(np.hypot(num1, num2), den))


def residuals(observed: Mapping[str, ArrayLike], predicted: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    """Observed minus predicted for every measurement type present in both.

    Keys are from :data:`MEASUREMENT_TYPES`; ``azimuth_deg`` and ``ra_deg``
    residuals are wrapped to [-180, 180). Unknown keys raise ``KeyError`` so
    that a typo does not silently drop a measurement.
    """
    unknown = (set(observed) | set(predicted)) - set(MEASUREMENT_TYPES)
    if unknown:
        raise KeyError(f"unknown measurement type(s): {', '.join(sorted(unknown))}")
    out: dict[str, FloatArray] = {}
    for name in MEASUREMENT_TYPES:
        if name not in observed or name not in predicted:
            continue
        obs = np.asarray(observed[name], dtype=np.float64)
        pred = np.asarray(predicted[name], dtype=np.float64)
        out[name] = angle_residual_deg(obs, pred) if name in WRAPPED_TYPES else obs - pred
    return out


def residual_stats(values: ArrayLike) -> ResidualStats:
    """Bias, noise and RMS of one residual series, ignoring NaNs."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    arr = arr[np.isfinite(arr)]
    n = int(arr.size)
    if n == 0:
        return ResidualStats(0, float("nan"), float("nan"), float("nan"))
    bias = float(np.mean(arr))
    noise = float(np.std(arr, ddof=1)) if n > 1 else float("nan")
    rms = float(np.sqrt(np.mean(arr**2)))
    return ResidualStats(n, bias, noise, rms)


def residual_stats_by_type(res: Mapping[str, ArrayLike]) -> dict[str, ResidualStats]:
    """:func:`residual_stats` for each measurement type in ``res``."""
    return {name: residual_stats(values) for name, values in res.items()}
