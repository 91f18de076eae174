"""The calibration runs behind an evaluation, as agreements see them: a hook the catalog fills.

Evaluations and promotions live here; calibration runs live in the catalog, which agreements
must not import. So agreements state here what they ask of a run, and the catalog registers
the answer (`catalog.calibration.evidence`, from `CatalogConfig.ready`). Unregistered, a sensor
has no runs: the board reads "no result yet" and a promotion that needs runs is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class RunEvidence:
    """One finished calibration run of a sensor, as a reader may see it."""

    run_id: int
    label: str
    url: str
    finished: dt.datetime | None
    accepted: bool
    qualifies_for: tuple[int, ...]
    # Figures per evaluation criterion key (e.g. "range.max_bias": |bias| in km).
    results: dict[str, float] = field(default_factory=dict)


class CalibrationEvidence(Protocol):
    def runs(self, sensor_id: int, user: Any) -> list[RunEvidence]:
        """The sensor's finished runs that `user` may read, newest first."""
        ...


_registered: CalibrationEvidence | None = None


def register(implementation: CalibrationEvidence) -> None:
    global _registered
    _registered = implementation


def runs_for(sensor_id: int, user: Any) -> list[RunEvidence]:
    return [] if _registered is None else _registered.runs(sensor_id, user)
