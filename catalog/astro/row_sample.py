"""A fixed-size sample of measurement rows that does not depend on their order or chunking.

A row belongs to the sample when the low ``level`` bits of a hash of its observation key
(the label time in microseconds) are zero; ``level`` rises by one, halving the sample, each
time the sample outgrows its capacity. Whether a row is in the sample thus depends only on
its key and on how many rows there are in all, never on the order the rows arrive in or on
how they were cut into chunks, so a chunked run sees the same sample as a single chunk.
Up to ``capacity`` rows, the sample is every row.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# splitmix64 constants: a cheap, well-mixed 64-bit hash of consecutive integers.
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def key_hash(keys: NDArray[np.int64]) -> NDArray[np.uint64]:
    z = keys.astype(np.uint64) + _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


class RowSample:
    """Columns of the sampled rows (any float or int arrays of equal length per add)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.level = 0
        self._hashes: list[NDArray[np.uint64]] = []
        self._columns: list[tuple[np.ndarray, ...]] = []
        self._size = 0

    def _mask(self, hashes: NDArray[np.uint64]) -> NDArray[np.bool_]:
        return (hashes & np.uint64((1 << self.level) - 1)) == 0

    def add(self, keys: NDArray[np.int64], *columns: np.ndarray) -> None:
        hashes = key_hash(keys)
        take = self._mask(hashes)
        self._hashes.append(hashes[take])
        self._columns.append(tuple(c[take] for c in columns))
        self._size += int(take.sum())
        while self._size > self.capacity:
            self.level += 1
            hashes_all, columns_all = self._joined()
            keep = self._mask(hashes_all)
            self._hashes = [hashes_all[keep]]
            self._columns = [tuple(c[keep] for c in columns_all)]
            self._size = int(keep.sum())

    def _joined(self) -> tuple[NDArray[np.uint64], tuple[np.ndarray, ...]]:
        hashes = np.concatenate(self._hashes)
        columns = tuple(np.concatenate(parts) for parts in zip(*self._columns, strict=True))
        return hashes, columns

    def columns(self) -> tuple[np.ndarray, ...]:
        """The sampled rows' columns, in an order that depends only on their keys."""
        if not self._columns:
            return ()
        hashes, columns = self._joined()
        order = np.argsort(hashes, kind="stable")
        return tuple(c[order] for c in columns)
