"""Sensor bias and time-bias estimation from signed residuals (observed minus truth).

Conventions
-----------
* measured = true + bias: a bias is what the sensor adds; the correction subtracts it.
* A time bias tau means the measurement labelled t was taken at t + tau, so to first order
  ``residual = bias + tau * d(predicted)/dt + noise``.
* Units: km, degrees, km/s. Azimuth residuals are weighted on the sky, i.e. scaled by
  cos(elevation), and RA by cos(declination); the noise of those types is likewise on the sky.
  Their biases are in the measured coordinate (degrees of azimuth, of RA).

The fit is weighted least squares over all measurement rows (one row per measured value):
parameters are one bias per type present and the time bias. Weights are 1 / noise^2 per type,
the noise itself coming from the post-fit residuals, iterated with outlier rejection at
``reject_sigma`` standard deviations. Formal uncertainties and correlations come from the
inverse normal matrix scaled by those noises. A parameter the data cannot separate from the
others (variance inflation above ``MAX_INFLATION``, or no rows) is reported as not observable
and left out of the fit rather than given a number.

Streaming
---------
Rows arrive in chunks (:class:`StreamingFit`) and are never all in memory. Because the weights
are constant within a type, the normal equations and the post-fit sums of squares of any set
of rows are functions of seven sums per type (count, and the sums of s^2, s^2 r, s^2 y,
s^2 r^2, s^2 r y, s^2 y^2 with s the sky scale, r the rate, y the residual). Those sums over
all finite rows are taken once, as the rows arrive. An iteration's rows are all finite rows
minus the rejected ones, and the rejected ones are few, so each iteration reads the rows back
(:mod:`catalog.astro.row_spool`), flags the rejected rows against the current solution and
threshold, and subtracts their sums. This is the same estimator as holding every row: only the
order of summation differs (numerical noise, about 1e-16 times the ratio of the residuals'
mean square to the noise's).

The one statistic that cannot be summed is the robust (median absolute deviation) noise that
weights the first iteration before any solution exists. It is taken over a fixed-size sample
(:mod:`catalog.astro.row_sample`, every row up to ``SAMPLE_SIZE`` per type, then a hash-chosen
subset of that size that depends on the observations, not on their order or chunking). Its
statistical effect is small and transient: the MAD of 65,536 rows has a relative standard error
of about 0.5 %, it only sets the relative weights of the types in the first solution (still
unbiased whatever the weights), and every later iteration takes the noise from the post-fit
residuals of all rows, so the iteration reaches the same fixed point to within its convergence
tolerance (noises settled to 1e-3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from catalog.astro.row_sample import RowSample
from catalog.astro.row_spool import Block, RowSpool

TYPES = ("range", "azimuth", "elevation", "range_rate", "ra", "dec")
UNITS = {"range": "km", "azimuth": "deg", "elevation": "deg", "range_rate": "km/s", "ra": "deg", "dec": "deg"}
TIME_BIAS = "time_bias"
MAX_INFLATION = 1.0e4
MAX_ITERATIONS = 10
MIN_ROWS_FOR_NOISE = 3
BLOCK_ROWS = 65_536  # rows of one type per spooled block (and the pass granularity)
SAMPLE_SIZE = 65_536  # rows of one type kept for the robust first noise and the charts

# Columns of the per-type sums (see "Streaming" above).
N, S1, SR, SY, SRR, SRY, SYY = range(7)


@dataclass(frozen=True)
class Rows:
    """Measurement rows: type index into :data:`TYPES`, signed residual, sky scale (cos el /
    cos dec for azimuth / RA, else 1), the truth prediction's rate d(predicted)/dt, the index
    of the observation each row comes from, the observation's key (its label time in
    microseconds in a run: what the fixed-size sample is drawn by) and its predicted
    elevation in degrees (for charts; NaN when unknown)."""

    type_index: NDArray[np.int64]
    residual: NDArray[np.float64]
    scale: NDArray[np.float64]
    rate: NDArray[np.float64]
    observation: NDArray[np.int64]
    key: NDArray[np.int64]
    elevation: NDArray[np.float64]

    @classmethod
    def build(
        cls,
        type_index: ArrayLike,
        residual: ArrayLike,
        scale: ArrayLike,
        rate: ArrayLike,
        observation: ArrayLike | None = None,
        key: ArrayLike | None = None,
        elevation: ArrayLike | None = None,
    ) -> Rows:
        n = np.asarray(type_index).size
        obs = np.asarray(np.arange(n) if observation is None else observation, dtype=np.int64)
        rows = cls(
            np.asarray(type_index, dtype=np.int64),
            np.asarray(residual, dtype=np.float64),
            np.asarray(scale, dtype=np.float64),
            np.asarray(rate, dtype=np.float64),
            obs,
            np.asarray(obs if key is None else key, dtype=np.int64),
            np.asarray(np.full(n, np.nan) if elevation is None else elevation, dtype=np.float64),
        )
        sizes = {getattr(rows, name).size for name in _FIELDS}
        if sizes != {n}:
            raise ValueError(
                "rows: type_index, residual, scale, rate, observation, key and elevation "
                "must have the same length"
            )
        return rows

    @classmethod
    def concatenate(cls, parts: list[Rows]) -> Rows:
        if not parts:
            return cls.build([], [], [], [])
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS))

    def __len__(self) -> int:
        return int(self.type_index.size)

    def take(self, index: ArrayLike | slice) -> Rows:
        return Rows(*(getattr(self, name)[index] for name in _FIELDS))


_FIELDS = ("type_index", "residual", "scale", "rate", "observation", "key", "elevation")


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
    outlier_count: int
    # The final solution and rejection thresholds (None: nothing was rejected by threshold),
    # from which any row's post-fit residual and outlier flag follow.
    bias_by_type: NDArray[np.float64]
    tau: float
    thresholds: NDArray[np.float64] | None
    sample: Rows  # the fixed-size sample of finite rows, for charts

    def post_fit(self, rows: Rows) -> NDArray[np.float64]:
        """Residuals after removing the fitted biases and time bias (measured coordinate)."""
        return rows.residual - self.bias_by_type[rows.type_index] - self.tau * rows.rate

    def outliers(self, rows: Rows) -> NDArray[np.bool_]:
        """Rows the fit left out: not finite, or beyond the rejection threshold."""
        finite = np.isfinite(rows.residual) & np.isfinite(rows.scale) & np.isfinite(rows.rate)
        if self.thresholds is None:
            return ~finite
        with np.errstate(invalid="ignore"):
            inside = np.abs(self.post_fit(rows) * rows.scale) <= self.thresholds[rows.type_index]
        return ~(finite & inside)

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


def _sums(
    residual: NDArray[np.float64], rate: NDArray[np.float64], scale: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """The seven sums of one type's rows (see "Streaming"). Dot products by einsum, not BLAS:
    threaded BLAS on a shared machine costs more than the sums themselves."""
    dot = np.einsum
    if scale is None:
        return np.array(
            [
                residual.size,
                residual.size,
                rate.sum(),
                residual.sum(),
                dot("i,i->", rate, rate),
                dot("i,i->", rate, residual),
                dot("i,i->", residual, residual),
            ]
        )
    w = scale * scale
    wr = w * rate
    wy = w * residual
    return np.array(
        [
            residual.size,
            w.sum(),
            wr.sum(),
            wy.sum(),
            dot("i,i->", wr, rate),
            dot("i,i->", wr, residual),
            dot("i,i->", wy, residual),
        ]
    )


def _normal(
    sums: NDArray[np.float64], weight: NDArray[np.float64], params: list[str]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Normal matrix and right-hand side for the parameters `params` (type names + time_bias).
    The time bias is fitted over the rows of every type, estimated or not."""
    index = {name: TYPES.index(name) for name in params if name != TIME_BIAS}
    k = len(params)
    normal = np.zeros((k, k))
    rhs = np.zeros(k)
    for a, name in enumerate(params):
        if name == TIME_BIAS:
            normal[a, a] = float(weight @ sums[:, SRR])
            rhs[a] = float(weight @ sums[:, SRY])
            for b, other in enumerate(params):
                if other != TIME_BIAS:
                    i = index[other]
                    normal[a, b] = normal[b, a] = weight[i] * sums[i, SR]
        else:
            i = index[name]
            normal[a, a] = weight[i] * sums[i, S1]
            rhs[a] = weight[i] * sums[i, SY]
    return normal, rhs


def _sum_of_squares(sums: NDArray[np.float64], bias: NDArray[np.float64], tau: float) -> NDArray[np.float64]:
    """Per type, the sum over the rows of (s (y - bias - tau r))^2."""
    s = sums
    value = (
        s[:, SYY]
        - 2.0 * bias * s[:, SY]
        - 2.0 * tau * s[:, SRY]
        + bias**2 * s[:, S1]
        + 2.0 * bias * tau * s[:, SR]
        + tau**2 * s[:, SRR]
    )
    return np.maximum(value, 0.0)


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


@dataclass(frozen=True)
class _State:
    """A solution and the rejection thresholds it implies (None: no rejection yet)."""

    bias: NDArray[np.float64]
    tau: float
    thresholds: NDArray[np.float64] | None

    def rejected(self, block: Block, index: NDArray[np.intp] | None = None) -> NDArray[np.bool_]:
        if self.thresholds is None:
            n = block.residual.size if index is None else index.size
            return np.zeros(n, dtype=bool)
        y, r = block.residual, block.rate
        s = block.scale
        if index is not None:
            y, r, s = y[index], r[index], (None if s is None else s[index])
        post = y - self.tau * r
        post -= self.bias[block.type_index]
        if s is not None:
            post *= s
        return np.abs(post) > self.thresholds[block.type_index]


class StreamingFit:
    """The fit over rows added in chunks; :meth:`result` runs the iterations."""

    def __init__(
        self,
        reject_sigma: float = 3.0,
        estimate_time_bias: bool = True,
        *,
        block_rows: int = BLOCK_ROWS,
        sample_size: int = SAMPLE_SIZE,
    ) -> None:
        self.reject_sigma = reject_sigma
        self.estimate_time_bias = estimate_time_bias
        self.block_rows = block_rows
        n = len(TYPES)
        self._total = np.zeros(n, dtype=np.int64)  # rows per type, finite or not
        self._before = np.zeros((n, 2))  # count and sum of squares of finite sky residuals
        self._all = np.zeros((n, 7))  # the seven sums over all finite rows
        self._pending: list[list[Rows]] = [[] for _ in TYPES]
        self._pending_rows = [0] * n
        self._samples = [RowSample(sample_size) for _ in TYPES]
        self._spool = RowSpool()

    def add(self, rows: Rows) -> None:
        types = rows.type_index
        if types.size > 1 and np.any(types[1:] < types[:-1]):
            rows = rows.take(np.argsort(types, kind="stable"))
            types = rows.type_index
        # Runs of one type (rows_from gives them in type order already): views, not copies.
        present, starts = np.unique(types, return_index=True)
        bounds = [*starts[1:], types.size]
        for t, begin, end in zip(present, starts, bounds, strict=True):
            part = rows.take(slice(int(begin), int(end)))
            i = int(t)
            self._pending[i].append(part)
            self._pending_rows[i] += len(part)
            while self._pending_rows[i] >= self.block_rows:
                self._flush(i, self.block_rows)

    def _flush(self, i: int, size: int | None = None) -> None:
        """Write the first `size` pending rows of type `i` (all if None) as one block.
        Blocks are cut at fixed row counts, so they do not depend on how rows were chunked."""
        pieces = self._pending[i]
        pending = pieces[0] if len(pieces) == 1 else Rows.concatenate(pieces)
        size = len(pending) if size is None else size
        rows, rest = pending.take(slice(0, size)), pending.take(slice(size, None))
        self._pending[i] = [rest] if len(rest) else []
        self._pending_rows[i] = len(rest)
        if not len(rows):
            return
        self._total[i] += len(rows)
        sky = rows.residual * rows.scale
        shown = np.isfinite(sky)
        finite = shown & np.isfinite(rows.rate)
        if not finite.all():
            self._before[i] += (int(shown.sum()), float(np.einsum("i,i->", sky[shown], sky[shown])))
            rows = rows.take(np.flatnonzero(finite))
        else:
            self._before[i] += (sky.size, float(np.einsum("i,i->", sky, sky)))
        scale = None if np.all(rows.scale == 1.0) else rows.scale
        block = Block(i, rows.residual, rows.rate, scale)
        self._all[i] += _sums(block.residual, block.rate, block.scale)
        self._samples[i].add(
            rows.key, rows.residual, rows.scale, rows.rate, rows.observation, rows.key, rows.elevation
        )
        self._spool.write(block)

    def _sample(self) -> Rows:
        parts = []
        for i, sample in enumerate(self._samples):
            columns = sample.columns()
            if columns:
                parts.append(Rows.build(np.full(columns[0].size, i), *columns))
        return Rows.concatenate(parts)

    def _pass(self, state: _State, previous: _State, counts: list[int]) -> tuple[NDArray[np.float64], int]:
        """Over every block: the sums of the rows `state` rejects, and how many rows changed
        side between `previous` and `state`. `counts` holds each block's rejected rows under
        `previous` and is updated to `state`."""
        rejected = np.zeros((len(TYPES), 7))
        flipped = 0
        for b, block in enumerate(self._spool.blocks()):
            out = np.flatnonzero(state.rejected(block))
            if out.size:
                y, r = block.residual[out], block.rate[out]
                s = None if block.scale is None else block.scale[out]
                rejected[block.type_index] += _sums(y, r, s)
            both = int(previous.rejected(block, out).sum()) if out.size else 0
            flipped += out.size + counts[b] - 2 * both
            counts[b] = out.size
        return rejected, flipped

    def result(self) -> FitResult:
        """Run the iterations over every row added; the spooled rows are then removed."""
        try:
            for i in range(len(TYPES)):
                self._flush(i)
            return self._iterate()
        finally:
            self.close()

    def close(self) -> None:
        """Remove the spooled rows (for a fit abandoned before its result)."""
        self._spool.close()

    def _iterate(self) -> FitResult:
        n_types = len(TYPES)
        present = [name for i, name in enumerate(TYPES) if self._total[i] > 0]
        params = present + ([TIME_BIAS] if self.estimate_time_bias else [])
        not_observable: list[str] = []
        sample = self._sample()
        sigma = np.ones(n_types)
        for i in range(n_types):
            sel = sample.type_index == i
            if sel.any():
                sigma[i] = _robust_sigma(sample.residual[sel] * sample.scale[sel])
        state = _State(np.zeros(n_types), 0.0, None)
        kept = self._all.copy()  # sums of the rows the current state keeps
        counts = [0] * len(self._spool)
        total_rows = int(self._total.sum())
        solution = np.zeros(len(params))
        covariance: np.ndarray = np.zeros((len(params), len(params)))
        iterations = 0
        for iterations in range(1, MAX_ITERATIONS + 1):  # noqa: B007 (reported)
            weight = 1.0 / np.maximum(sigma, 1e-15) ** 2
            while params:
                normal, rhs = _normal(kept, weight, params)
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
            # Noises from the post-fit residuals of the rows this iteration kept.
            squares = _sum_of_squares(kept, bias, tau)
            enough = kept[:, N] >= MIN_ROWS_FOR_NOISE
            new_sigma = np.where(enough, np.sqrt(squares / np.maximum(kept[:, N] - 1, 1)), sigma)
            new_state = _State(bias, tau, self.reject_sigma * new_sigma)
            rejected, flipped = self._pass(new_state, state, counts)
            # Converged when the noises settle and (almost) no row changes side of the threshold.
            converged = np.allclose(new_sigma, sigma, rtol=1e-3) and flipped <= max(0, int(1e-5 * total_rows))
            state, sigma, kept = new_state, new_sigma, self._all - rejected
            if converged:
                break
        # Formal covariance with the final noises.
        if params:
            normal, _ = _normal(kept, 1.0 / np.maximum(sigma, 1e-15) ** 2, params)
            covariance = np.linalg.inv(normal)
        values = dict(zip(params, solution, strict=True))
        sigmas = dict(zip(params, np.sqrt(np.diag(covariance)), strict=True)) if params else {}
        correlations: dict[str, dict[str, float]] = {}
        if params:
            d = np.sqrt(np.diag(covariance))
            corr = covariance / d[:, None] / d[None, :]
            correlations = {
                a: {b: float(corr[i, j]) for j, b in enumerate(params) if b != a}
                for i, a in enumerate(params)
            }
        after = _sum_of_squares(kept, state.bias, state.tau)
        types: dict[str, TypeResult] = {}
        for name in present:
            i = TYPES.index(name)
            used = int(kept[i, N])
            shown, squares_before = self._before[i]
            estimated = name in values
            types[name] = TypeResult(
                bias=float(values[name]) if estimated else None,
                bias_sigma=float(sigmas[name]) if estimated else None,
                noise=float(sigma[i]) if used >= MIN_ROWS_FOR_NOISE else None,
                rms_before=float(np.sqrt(squares_before / shown)) if shown else float("nan"),
                rms_after=float(np.sqrt(after[i] / used)) if used else None,
                used=used,
                rejected=int(self._total[i]) - used,
            )
        return FitResult(
            types=types,
            time_bias_s=float(values[TIME_BIAS]) if TIME_BIAS in values else None,
            time_bias_sigma_s=float(sigmas[TIME_BIAS]) if TIME_BIAS in values else None,
            not_observable=not_observable,
            correlations=correlations,
            iterations=iterations,
            outlier_count=total_rows - int(kept[:, N].sum()),
            bias_by_type=state.bias,
            tau=state.tau,
            thresholds=state.thresholds,
            sample=sample,
        )


def fit(
    rows: Rows,
    reject_sigma: float = 3.0,
    estimate_time_bias: bool = True,
    *,
    chunk_size: int | None = None,
    block_rows: int = BLOCK_ROWS,
    sample_size: int = SAMPLE_SIZE,
) -> FitResult:
    """Weighted least squares for a bias per type and a time bias; see the module docstring.
    With `chunk_size`, the rows are fed to the streaming fit that many at a time."""
    stream = StreamingFit(reject_sigma, estimate_time_bias, block_rows=block_rows, sample_size=sample_size)
    step = chunk_size or max(len(rows), 1)
    for start in range(0, len(rows), step):
        stream.add(rows.take(slice(start, start + step)))
    return stream.result()


def rows_from(
    observed: Mapping[str, ArrayLike],
    predicted: Mapping[str, ArrayLike],
    rate: Mapping[str, ArrayLike],
    elevation_deg: ArrayLike,
    dec_deg: ArrayLike,
    key: ArrayLike | None = None,
) -> Rows:
    """Signed residuals (observed minus predicted) of every finite observed value, as rows.

    Each mapping is keyed by :data:`TYPES`; arrays run over observations, NaN where not
    measured. Azimuth and RA residuals are wrapped to [-180, 180). `key` identifies each
    observation (its label time in microseconds; default its index)."""
    parts: list[Rows] = []
    elevation = np.asarray(elevation_deg, dtype=np.float64)
    cos_el = np.cos(np.radians(elevation))
    cos_dec = np.cos(np.radians(np.asarray(dec_deg, dtype=np.float64)))
    keys = None if key is None else np.asarray(key, dtype=np.int64)
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
        where = np.flatnonzero(measured)
        parts.append(
            Rows.build(
                np.full(res.size, index),
                res,
                scale,
                np.asarray(rate[name], dtype=np.float64)[measured],
                where,
                where if keys is None else keys[measured],
                elevation[measured],
            )
        )
    return Rows.concatenate(parts)
