"""Sensor bias and time-bias estimation from signed residuals (observed minus truth).

Conventions
-----------
* measured = true + bias: a bias is what the sensor adds; the correction subtracts it.
* A time bias tau means the measurement labelled t was taken at t + tau, so to first order
  ``residual = bias + tau * d(predicted)/dt + noise``.
* Units: km, degrees, km/s. Azimuth residuals are weighted on the sky, i.e. scaled by
  cos(elevation), and RA by cos(declination); the noise of those types is likewise on the sky.
  Their biases are in the measured coordinate (degrees of azimuth, of RA).

The fit is weighted least squares over all measurement rows at once (one row per measured
value): parameters are one bias per type present and the time bias. Weights are 1 / noise^2
per type, the noise itself coming from the post-fit residuals, iterated with outlier rejection
at ``reject_sigma`` standard deviations. Formal uncertainties and correlations come from the
inverse normal matrix scaled by those noises. A parameter the data cannot separate from the
others (variance inflation above ``MAX_INFLATION``, or no rows) is reported as not observable
and left out of the fit rather than given a number. The normal matrix is accumulated with
``np.bincount``, so a million rows cost a few passes over the arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

TYPES = ("range", "azimuth", "elevation", "range_rate", "ra", "dec")
UNITS = {"range": "km", "azimuth": "deg", "elevation": "deg", "range_rate": "km/s", "ra": "deg", "dec": "deg"}
TIME_BIAS = "time_bias"
MAX_INFLATION = 1.0e4
MAX_ITERATIONS = 10
MIN_ROWS_FOR_NOISE = 3


@dataclass(frozen=True)
class Rows:
    """Measurement rows: type index into :data:`TYPES`, signed residual, sky scale (cos el /
    cos dec for azimuth / RA, else 1) and the truth prediction's rate d(predicted)/dt."""

    type_index: NDArray[np.int64]
    residual: NDArray[np.float64]
    scale: NDArray[np.float64]
    rate: NDArray[np.float64]
    observation: NDArray[np.int64]  # index of the observation each row comes from

    @classmethod
    def build(
        cls,
        type_index: ArrayLike,
        residual: ArrayLike,
        scale: ArrayLike,
        rate: ArrayLike,
        observation: ArrayLike | None = None,
    ) -> Rows:
        n = np.asarray(type_index).size
        rows = cls(
            np.asarray(type_index, dtype=np.int64),
            np.asarray(residual, dtype=np.float64),
            np.asarray(scale, dtype=np.float64),
            np.asarray(rate, dtype=np.float64),
            np.asarray(np.arange(n) if observation is None else observation, dtype=np.int64),
        )
        if not (rows.residual.size == rows.scale.size == rows.rate.size == rows.observation.size == n):
            raise ValueError(
                "rows: type_index, residual, scale, rate and observation must have the same length"
            )
        return rows

    @classmethod
    def concatenate(cls, parts: list[Rows]) -> Rows:
        if not parts:
            return cls.build([], [], [], [])
        names = ("type_index", "residual", "scale", "rate", "observation")
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in names))


@dataclass
class TypeResult:
    bias: float | None
    bias_sigma: float | None
    noise: float | None  # on the sky for azimuth and RA
    rms_before: float
    rms_after: float | None
    used: int
    rejected: int


@dataclass
class FitResult:
    types: dict[str, TypeResult]
    time_bias_s: float | None
    time_bias_sigma_s: float | None
    not_observable: list[str]
    correlations: dict[str, dict[str, float]]
    iterations: int
    outliers: NDArray[np.bool_] = field(repr=False)
    post_fit: NDArray[np.float64] = field(repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "types": {
                name: {
                    "bias": t.bias,
                    "bias_sigma": t.bias_sigma,
                    "noise": t.noise,
                    "rms_before": t.rms_before,
                    "rms_after": t.rms_after,
                    "used": t.used,
                    "rejected": t.rejected,
                }
                for name, t in self.types.items()
            },
            "time_bias_s": self.time_bias_s,
            "time_bias_sigma_s": self.time_bias_sigma_s,
            "not_observable": list(self.not_observable),
            "correlations": self.correlations,
            "iterations": self.iterations,
        }


def _robust_sigma(values: NDArray[np.float64]) -> float:
    if values.size == 0:
        return float("nan")
    mad = float(np.median(np.abs(values - np.median(values))))
    return 1.4826 * mad if mad > 0 else float(np.std(values)) or 1e-12


def _normal(
    rows: Rows, keep: NDArray[np.bool_], weight_of_type: NDArray[np.float64], params: list[str], n_types: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Normal matrix and right-hand side for the parameters `params` (type names + time_bias)."""
    w = np.where(keep, weight_of_type[rows.type_index] * rows.scale**2, 0.0)
    t = rows.type_index
    sw = np.bincount(t, weights=w, minlength=n_types)
    swr = np.bincount(t, weights=w * rows.rate, minlength=n_types)
    swy = np.bincount(t, weights=w * rows.residual, minlength=n_types)
    index = {name: TYPES.index(name) for name in params if name != TIME_BIAS}
    k = len(params)
    normal = np.zeros((k, k))
    rhs = np.zeros(k)
    for a, name in enumerate(params):
        if name == TIME_BIAS:
            normal[a, a] = float(np.sum(w * rows.rate**2))
            rhs[a] = float(np.sum(w * rows.rate * rows.residual))
            for b, other in enumerate(params):
                if other != TIME_BIAS:
                    normal[a, b] = normal[b, a] = swr[index[other]]
        else:
            normal[a, a] = sw[index[name]]
            rhs[a] = swy[index[name]]
    return normal, rhs


def _unobservable(normal: NDArray[np.float64], params: list[str]) -> str | None:
    """The parameter to drop first: the time bias if anything is degenerate, else the worst."""
    diag = np.diag(normal)
    if np.any(diag <= 0):
        return params[int(np.argmin(diag))]
    scale = 1.0 / np.sqrt(diag)
    scaled = normal * scale[:, None] * scale[None, :]
    try:
        inflation = np.diag(np.linalg.inv(scaled))
    except np.linalg.LinAlgError:
        inflation = np.full(len(params), np.inf)
    if np.all(np.isfinite(inflation)) and inflation.max() <= MAX_INFLATION and inflation.min() > 0:
        return None
    return (
        TIME_BIAS
        if TIME_BIAS in params
        else params[int(np.argmax(np.where(np.isfinite(inflation), inflation, np.inf)))]
    )


def fit(rows: Rows, reject_sigma: float = 3.0, estimate_time_bias: bool = True) -> FitResult:
    """Weighted least squares for a bias per type and a time bias; see the module docstring."""
    n_types = len(TYPES)
    present = [name for i, name in enumerate(TYPES) if np.any(rows.type_index == i)]
    params = present + ([TIME_BIAS] if estimate_time_bias else [])
    not_observable: list[str] = []
    keep = np.isfinite(rows.residual) & np.isfinite(rows.scale) & np.isfinite(rows.rate)
    sky = rows.residual * rows.scale
    sigma = np.ones(n_types)
    for i in range(n_types):
        sel = keep & (rows.type_index == i)
        if sel.any():
            sigma[i] = _robust_sigma(sky[sel])
    solution = np.zeros(len(params))
    covariance: np.ndarray = np.zeros((len(params), len(params)))
    iterations = 0
    post = rows.residual.copy()
    for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (reported)
        weight = 1.0 / np.maximum(sigma, 1e-15) ** 2
        while params:
            normal, rhs = _normal(rows, keep, weight, params, n_types)
            drop = _unobservable(normal, params)
            if drop is None:
                break
            params.remove(drop)
            not_observable.append(drop)
        if not params:
            break
        covariance = np.linalg.inv(normal)
        solution = covariance @ rhs
        bias = np.zeros(n_types)
        tau = 0.0
        for name, value in zip(params, solution, strict=True):
            if name == TIME_BIAS:
                tau = float(value)
            else:
                bias[TYPES.index(name)] = value
        post = rows.residual - bias[rows.type_index] - tau * rows.rate
        post_sky = post * rows.scale
        new_sigma = sigma.copy()
        for i in range(n_types):
            sel = keep & (rows.type_index == i)
            if sel.sum() >= MIN_ROWS_FOR_NOISE:
                new_sigma[i] = float(np.sqrt(np.sum(post_sky[sel] ** 2) / max(sel.sum() - 1, 1)))
        finite = np.isfinite(rows.residual) & np.isfinite(rows.scale) & np.isfinite(rows.rate)
        new_keep = finite & (np.abs(post_sky) <= reject_sigma * new_sigma[rows.type_index])
        # Converged when the noises settle and (almost) no row changes side of the threshold.
        flipped = int(np.count_nonzero(new_keep != keep))
        converged = np.allclose(new_sigma, sigma, rtol=1e-3) and flipped <= max(0, int(1e-5 * keep.size))
        keep, sigma = new_keep, new_sigma
        if converged:
            break
    # Formal covariance with the final noises.
    if params:
        normal, _ = _normal(rows, keep, 1.0 / np.maximum(sigma, 1e-15) ** 2, params, n_types)
        covariance = np.linalg.inv(normal)
    values = dict(zip(params, solution, strict=True))
    sigmas = dict(zip(params, np.sqrt(np.diag(covariance)), strict=True)) if params else {}
    correlations: dict[str, dict[str, float]] = {}
    if params:
        d = np.sqrt(np.diag(covariance))
        corr = covariance / d[:, None] / d[None, :]
        correlations = {
            a: {b: float(corr[i, j]) for j, b in enumerate(params) if b != a} for i, a in enumerate(params)
        }
    types: dict[str, TypeResult] = {}
    for name in present:
        i = TYPES.index(name)
        sel = rows.type_index == i
        used = keep & sel
        before = sky[sel & np.isfinite(sky)]
        after = (post * rows.scale)[used]
        estimated = name in values
        types[name] = TypeResult(
            bias=float(values[name]) if estimated else None,
            bias_sigma=float(sigmas[name]) if estimated else None,
            noise=float(sigma[i]) if used.sum() >= MIN_ROWS_FOR_NOISE else None,
            rms_before=float(np.sqrt(np.mean(before**2))) if before.size else float("nan"),
            rms_after=float(np.sqrt(np.mean(after**2))) if after.size else None,
            used=int(used.sum()),
            rejected=int((sel & ~keep).sum()),
        )
    return FitResult(
        types=types,
        time_bias_s=float(values[TIME_BIAS]) if TIME_BIAS in values else None,
        time_bias_sigma_s=float(sigmas[TIME_BIAS]) if TIME_BIAS in values else None,
        not_observable=not_observable,
        correlations=correlations,
        iterations=iterations,
        outliers=~keep,
        post_fit=post,
    )


def rows_from(
    observed: Mapping[str, ArrayLike],
    predicted: Mapping[str, ArrayLike],
    rate: Mapping[str, ArrayLike],
    elevation_deg: ArrayLike,
    dec_deg: ArrayLike,
) -> Rows:
    """Signed residuals (observed minus predicted) of every finite observed value, as rows.

    Each mapping is keyed by :data:`TYPES`; arrays run over observations, NaN where not
    measured. Azimuth and RA residuals are wrapped to [-180, 180)."""
    parts: list[Rows] = []
    cos_el = np.cos(np.radians(np.asarray(elevation_deg, dtype=np.float64)))
    cos_dec = np.cos(np.radians(np.asarray(dec_deg, dtype=np.float64)))
    for index, name in enumerate(TYPES):
        if name not in observed:
            continue
        obs = np.asarray(observed[name], dtype=np.float64)
        measured = np.isfinite(obs)
        if not measured.any():
            continue
        res = obs[measured] - np.asarray(predicted[name], dtype=np.float64)[measured]
        if name in ("azimuth", "ra"):
            res = np.mod(res + 180.0, 360.0) - 180.0
        scale = (
            (cos_el if name == "azimuth" else cos_dec)[measured]
            if name in ("azimuth", "ra")
            else np.ones(res.size)
        )
        parts.append(
            Rows.build(
                np.full(res.size, index),
                res,
                scale,
                np.asarray(rate[name], dtype=np.float64)[measured],
                np.flatnonzero(measured),
            )
        )
    return Rows.concatenate(parts)
