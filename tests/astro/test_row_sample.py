"""The fixed-size sample behind the calibration fit's robust first noise."""

from __future__ import annotations

import numpy as np

from catalog.astro.row_sample import RowSample


def _sample(keys: np.ndarray, cuts: list[int]) -> np.ndarray:
    sample = RowSample(capacity=500)
    for part in np.split(keys, cuts):
        sample.add(part, part.astype(float))
    (values,) = sample.columns()
    assert values.size <= 500
    return np.sort(values)


def test_every_row_up_to_the_capacity() -> None:
    keys = np.arange(400, dtype=np.int64) * 1_000_000
    assert np.array_equal(_sample(keys, [100, 250]), keys.astype(float))


def test_beyond_the_capacity_neither_order_nor_chunking_changes_the_sample() -> None:
    rng = np.random.default_rng(2)
    keys = np.sort(rng.integers(0, 86_400 * 10**6, 20_000))
    first = _sample(keys, [5_000, 5_001, 12_000])
    shuffled = rng.permutation(keys)
    assert np.array_equal(first, _sample(shuffled, [1, 17, 19_000]))
    # Thinned to between a quarter and all of the capacity, spread over the whole day.
    assert 125 <= first.size <= 500
    assert first.min() < 0.1 * 86_400e6 and first.max() > 0.9 * 86_400e6
