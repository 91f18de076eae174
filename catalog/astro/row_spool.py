"""Measurement rows kept on disk between the passes of a calibration fit.

The fit iterates (reweighting, outlier rejection), and each iteration needs every row again.
Computing the rows again means predicting every observation again from truth, which costs
as much as the run itself; keeping them in memory makes memory grow with the observations.
So the rows are written once, in fixed-size blocks of one measurement type, to an anonymous
temporary file (removed when closed), and each pass reads them back one block at a time:
memory stays at one block, the file costs about 16 to 24 bytes per measured value.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Block:
    """Rows of one measurement type: residual, rate and sky scale (None: all ones)."""

    type_index: int
    residual: FloatArray
    rate: FloatArray
    scale: FloatArray | None


class RowSpool:
    """Blocks written once, read back in order as many times as needed."""

    def __init__(self) -> None:
        # Closed by close(), which the fit calls when its passes are done.
        self._file = tempfile.TemporaryFile(prefix="calibration-rows-")  # noqa: SIM115
        self._index: list[tuple[int, int, int, bool]] = []  # type, rows, offset, has scale
        self._end = 0

    def write(self, block: Block) -> None:
        columns = [block.residual, block.rate] + ([block.scale] if block.scale is not None else [])
        data = np.ascontiguousarray(np.stack(columns), dtype=np.float64).tobytes()
        self._file.seek(self._end)
        self._file.write(data)
        self._index.append((block.type_index, block.residual.size, self._end, block.scale is not None))
        self._end += len(data)

    def __len__(self) -> int:
        return len(self._index)

    def blocks(self) -> Iterator[Block]:
        for type_index, n, offset, has_scale in self._index:
            self._file.seek(offset)
            width = 3 if has_scale else 2
            data = np.frombuffer(self._file.read(width * n * 8), dtype=np.float64).reshape(width, n)
            yield Block(type_index, data[0], data[1], data[2] if has_scale else None)

    def close(self) -> None:
        self._file.close()
